package cache

import (
	"bytes"
	"crypto/rand"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestDropWhileRead: the bytes of a mapping whose pages are dropped while it is read read as
// the file's.
func TestDropWhileRead(t *testing.T) {
	want := make([]byte, 8<<20)
	rand.Read(want)
	path := filepath.Join(t.TempDir(), "payload")
	if err := os.WriteFile(path, want, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	data, unmap, err := mapFile(f, int64(len(want)))
	if err != nil || unmap == nil {
		t.Fatal("not mapped:", err)
	}
	defer unmap()
	stop := dropWhileRead(data)
	defer stop()
	for end := time.Now().Add(50 * time.Millisecond); time.Now().Before(end); {
		if !bytes.Equal(data, want) {
			t.Fatal("the mapping read otherwise than the file")
		}
	}
}

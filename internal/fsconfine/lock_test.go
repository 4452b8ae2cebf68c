package fsconfine

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLockExcludesAndShares(t *testing.T) {
	path := filepath.Join(t.TempDir(), "LOCK")
	ctx := context.Background()

	r1, err := Lock(ctx, path, false, "a reader")
	if err != nil {
		t.Fatal(err)
	}
	r2, err := Lock(ctx, path, false, "a reader")
	if err != nil {
		t.Fatalf("a second shared lock waited for the first: %v", err)
	}

	// A writer waits for the readers; a context that ends first fails it with a message
	// naming the file and the holder.
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if _, err := Lock(short, path, true, "another ingest"); err == nil ||
		!strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "another ingest holds the lock") {
		t.Fatalf("exclusive lock beside two readers: got %v", err)
	}

	r1()
	r2()
	w, err := Lock(ctx, path, true, "another ingest")
	if err != nil {
		t.Fatalf("exclusive lock once the readers left: %v", err)
	}
	short2, cancel2 := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel2()
	if _, err := Lock(short2, path, false, "a writer"); err == nil {
		t.Fatal("a shared lock was granted beside an exclusive one")
	}
	w()
	if r, err := Lock(ctx, path, false, "a reader"); err != nil {
		t.Fatalf("shared lock after the writer left: %v", err)
	} else {
		r()
	}
}

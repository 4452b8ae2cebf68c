package embedded

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/dataops-dev/dataops/internal/memory"
)

// A segment file may be damaged or written by someone else: reading it must end in entries
// or an error, never a panic or an allocation beyond the file.
func FuzzReadSegment(f *testing.F) {
	dir := f.TempDir()
	ref, err := writeSegment(dir, 1, func(emit func(*entry) error) error {
		for _, r := range shopDocs[:3] {
			r.Vector = []float32{1, 0, 0.5}
			if err := emit(&entry{op: opUpsert, rec: r}); err != nil {
				return err
			}
		}
		return emit(&entry{op: opDelete, rec: memory.Record{ID: "c1"}})
	})
	if err != nil {
		f.Fatal(err)
	}
	seed, _ := os.ReadFile(filepath.Join(dir, ref.Name))
	f.Add(seed)
	f.Add(seed[:len(seed)/2])
	f.Add([]byte(segMagic + segEnd))
	f.Fuzz(func(t *testing.T, data []byte) {
		decodeSegment(bytes.NewReader(data), int64(len(data)), "fuzz.seg", func(e *entry, vec []float32) error {
			if e.op != opUpsert && e.op != opDelete {
				t.Fatalf("entry with op %d passed", e.op)
			}
			return nil
		})
	})
}

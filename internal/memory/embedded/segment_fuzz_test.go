package embedded

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"os"
	"path/filepath"
	"testing"

	"github.com/dataops-dev/dataops/internal/memory"
)

func fuzzEntries(emit func(*entry) error) error {
	for _, r := range shopDocs[:3] {
		r.Vector = []float32{1, 0, 0.5}
		if err := emit(&entry{op: opUpsert, rec: r}); err != nil {
			return err
		}
	}
	return emit(&entry{op: opDelete, rec: memory.Record{ID: "c1"}})
}

// A segment file may be damaged or written by someone else: opening it must end in entries,
// vectors and postings inside the file, or an error; never a panic or an allocation beyond
// the file.
func FuzzReadSegment(f *testing.F) {
	dir := f.TempDir()
	ref, err := writeSegment(dir, 1, 3, fuzzEntries)
	if err != nil {
		f.Fatal(err)
	}
	seed, _ := os.ReadFile(filepath.Join(dir, ref.Name))
	f.Add(seed)
	f.Add(seed[:len(seed)/2])
	f.Add([]byte(segMagic2 + segEnd))
	f.Fuzz(func(t *testing.T, data []byte) {
		// The checksum would refuse nearly every mutation; fix it up so that the checks after
		// it, which a file with a valid checksum from someone else meets, are what is fuzzed.
		if n := len(data) - trailerSize; n >= len(segMagic2) {
			binary.LittleEndian.PutUint32(data[n+12:], crc32.Checksum(data[:n], castagnoli()))
		}
		g, err := parseSegment(data, "fuzz.seg", 3, func(b []byte) (uint32, error) { return crc32.Checksum(b, castagnoli()), nil })
		if err != nil {
			return
		}
		g.each(func(e *entry, row int) error {
			if e.op != opUpsert && e.op != opDelete {
				t.Fatalf("entry with op %d passed", e.op)
			}
			if row >= 0 {
				_ = g.row(row, 3)
				_ = g.docLen[row]
			}
			return nil
		})
		for _, term := range []string{"customer", "order", "zzz", ""} {
			ps := g.postings(term)
			if len(ps)%2 != 0 {
				t.Fatalf("odd postings")
			}
		}
	})
}

// The same for a segment of format 1, which an upgrade reads.
func FuzzReadSegmentV1(f *testing.F) {
	dir := f.TempDir()
	ref, err := writeSegmentV1(dir, 1, fuzzEntries)
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

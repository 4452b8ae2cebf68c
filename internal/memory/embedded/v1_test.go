package embedded

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/dataops-dev/dataops/internal/memory"
)

// writeSegmentV1 writes a segment as format 1 did (each vector inside its record, no keyword
// index): the stores an upgrade starts from.
func writeSegmentV1(dir string, n uint64, each func(emit func(*entry) error) error) (segmentRef, error) {
	name := fmt.Sprintf("%08d.seg", n)
	f, err := os.CreateTemp(dir, name+".tmp*")
	if err != nil {
		return segmentRef{}, err
	}
	tmp := f.Name()
	fail := func(err error) (segmentRef, error) {
		f.Close()
		os.Remove(tmp)
		return segmentRef{}, err
	}
	w := &countingWriter{w: bufio.NewWriterSize(f, 1<<20), crc: crc32.New(castagnoli())}
	w.write([]byte(segMagic))
	count := 0
	var buf []byte
	var head []byte
	err = each(func(e *entry) error {
		buf = append(buf[:0], e.op)
		if e.op == opDelete {
			buf = appendString(buf, e.rec.ID)
		} else {
			buf = appendRecord(buf, &e.rec)
		}
		count++
		head = binary.AppendUvarint(head[:0], uint64(len(buf)))
		if err := w.write(head); err != nil {
			return err
		}
		return w.write(buf)
	})
	if err != nil {
		return fail(err)
	}
	body := w.n
	var t []byte
	t = binary.LittleEndian.AppendUint32(t, uint32(count))
	t = binary.LittleEndian.AppendUint64(t, uint64(body))
	t = binary.LittleEndian.AppendUint32(t, w.crc.Sum32())
	t = append(t, segEnd...)
	if err := w.write(t); err != nil {
		return fail(err)
	}
	if err := w.w.Flush(); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return segmentRef{}, err
	}
	if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		os.Remove(tmp)
		return segmentRef{}, err
	}
	return segmentRef{Name: name, Bytes: w.n, Entries: count}, syncDir(dir)
}

// TestUpgradeFromFormat1: a store written in format 1 opens with every record (proposals
// included), the same answers as a store written now, and is rewritten in the current format
// once; it says so.
func TestUpgradeFromFormat1(t *testing.T) {
	emb := newEmbedder()
	recs := slices.Clone(shopDocs)
	texts := make([]string, len(recs))
	for i := range recs {
		texts[i] = recs[i].Text
	}
	vs, err := emb.Embed(ctx, texts)
	if err != nil {
		t.Fatal(err)
	}
	for i := range recs {
		memory.Normalize(vs[i])
		recs[i].Vector = vs[i]
	}
	old := t.TempDir()
	m := &manifest{Format: formatV1, Embedder: emb.Name(), Dimension: emb.Dimension(), Generation: 1, Next: 1}
	for _, part := range [][]memory.Record{recs[:4], recs[4:]} {
		ref, err := writeSegmentV1(old, m.Next, func(emit func(*entry) error) error {
			for i := range part {
				if err := emit(&entry{op: opUpsert, rec: part[i]}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		m.Next++
		m.Generation++
		m.Segments = append(m.Segments, ref)
		m.Entries += len(part)
	}
	ref, err := writeSegmentV1(old, m.Next, func(emit func(*entry) error) error {
		return emit(&entry{op: opDelete, rec: memory.Record{ID: recs[0].ID}})
	})
	if err != nil {
		t.Fatal(err)
	}
	m.Next++
	m.Segments = append(m.Segments, ref)
	m.Entries++
	if err := writeFileAtomic(old, manifestName, m.encode()); err != nil {
		t.Fatal(err)
	}
	if err := Verify(ctx, old); err != nil {
		t.Fatalf("Verify on a format-1 store: %v", err)
	}

	now := t.TempDir()
	fresh := open(t, now, emb)
	if err := fresh.Upsert(ctx, recs[1:]); err != nil {
		t.Fatal(err)
	}
	s := open(t, old, emb)
	if s.UpgradedFrom() != formatV1 {
		t.Fatalf("UpgradedFrom = %d", s.UpgradedFrom())
	}
	got, _ := s.List(ctx, memory.Filter{})
	want, _ := fresh.List(ctx, memory.Filter{})
	if len(got) != len(recs)-1 || !reflect.DeepEqual(got, want) {
		t.Fatalf("upgraded store lists %d records, want %d", len(got), len(want))
	}
	for _, q := range []string{"customer", "order date", "amount paid"} {
		a, _ := s.Query(ctx, memory.Query{Text: q})
		b, _ := fresh.Query(ctx, memory.Query{Text: q})
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("%q: upgraded store answers %v, a new one %v", q, a, b)
		}
	}
	s.Close()
	mm, err := readManifest(old)
	if err != nil || mm.Format != formatVersion || len(mm.Segments) != 1 {
		t.Fatalf("manifest after upgrade: %+v, %v", mm, err)
	}
	if segs, _ := filepath.Glob(filepath.Join(old, "*.seg")); len(segs) != 1 {
		t.Fatalf("%d segment files after upgrade", len(segs))
	}
	if s := open(t, old, emb); s.UpgradedFrom() != 0 {
		t.Fatal("upgraded twice")
	}
}

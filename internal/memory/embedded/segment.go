package embedded

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"math"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/dataops-dev/dataops/internal/memory"
)

// A segment is one immutable file holding the changes of one write: upserted records with
// their vectors and deleted ids, in order. This file reads format 1, which stores are
// upgraded from (segment2.go writes and reads the current format; the entries' encoding and
// the trailer are shared). Layout of format 1:
//
//	"DOMSEG1\n"
//	entries: uvarint length, then op byte (opUpsert: record, opDelete: id) and fields
//	trailer: uint32 entry count, uint64 length of header+entries, uint32 CRC-32C of
//	         header+entries, "DOMEND1\n" (little-endian)
//
// Strings are a uvarint length and bytes; the vector is a uvarint dimension and float32s. The
// trailer goes last, so a file cut short by a crash, a full disk or a partial copy fails the
// length or the checksum instead of yielding fewer records. Entries carry their length so that
// a segment is read one entry at a time.
const (
	segMagic    = "DOMSEG1\n"
	segEnd      = "DOMEND1\n"
	trailerSize = 4 + 8 + 4 + len(segEnd)

	opUpsert byte = 1
	opDelete byte = 2
)

// castagnoli is made on first use: the package is linked into every command.
var castagnoli = sync.OnceValue(func() *crc32.Table { return crc32.MakeTable(crc32.Castagnoli) })

// entry is one change in a segment.
type entry struct {
	op  byte
	rec memory.Record // opDelete: only ID
}

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

func appendRecord(b []byte, r *memory.Record) []byte {
	m := &r.Metadata
	for _, s := range []string{r.ID, string(r.Kind), r.Text, m.Project, m.Model, m.Column, m.Source, m.Commit} {
		b = appendString(b, s)
	}
	b = binary.AppendVarint(b, int64(m.Line))
	if m.Time.IsZero() {
		b = append(b, 0)
	} else {
		b = append(b, 1)
		b = binary.AppendVarint(b, m.Time.Unix())
		b = binary.AppendUvarint(b, uint64(m.Time.Nanosecond()))
	}
	keys := make([]string, 0, len(m.Extra))
	for k := range m.Extra {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = binary.AppendUvarint(b, uint64(len(keys)))
	for _, k := range keys {
		b = appendString(appendString(b, k), m.Extra[k])
	}
	b = binary.AppendUvarint(b, uint64(len(r.Vector)))
	for _, x := range r.Vector {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(x))
	}
	return b
}

// readSegment checks the framing of the segment at path (which the manifest says has size
// bytes) and calls fn for each entry, with the record's vector in a buffer reused between
// calls. The checksum covers everything before the trailer and is verified at the end: on a
// mismatch fn has seen entries that must be discarded, which the caller does by resetting.
func readSegment(path string, size int64, fn func(e *entry, vec []float32) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if fi.Size() != size {
		return corruptf(path, "%d bytes, the manifest says %d", fi.Size(), size)
	}
	return decodeSegment(f, size, path, fn)
}

// decodeSegment reads a segment of size bytes from f; path names it in errors.
func decodeSegment(f io.ReaderAt, size int64, path string, fn func(e *entry, vec []float32) error) error {
	if size < int64(len(segMagic)+trailerSize) {
		return corruptf(path, "%d bytes, shorter than an empty segment", size)
	}
	t := make([]byte, trailerSize)
	if _, err := f.ReadAt(t, size-int64(trailerSize)); err != nil {
		return err
	}
	if string(t[16:]) != segEnd {
		return corruptf(path, "truncated: no end marker")
	}
	count := binary.LittleEndian.Uint32(t[0:4])
	bodyLen := int64(binary.LittleEndian.Uint64(t[4:12]))
	if bodyLen != size-int64(trailerSize) {
		return corruptf(path, "length %d in trailer, %d in file", bodyLen, size-int64(trailerSize))
	}
	r := &crcReader{r: bufio.NewReaderSize(io.NewSectionReader(f, 0, bodyLen), 1<<20), crc: crc32.New(castagnoli()), left: bodyLen}
	magic := make([]byte, len(segMagic))
	if err := r.full(magic); err != nil || string(magic) != segMagic {
		return corruptf(path, "not a memory segment (bad magic)")
	}
	var buf []byte
	var vec []float32
	for i := uint32(0); i < count; i++ {
		n, err := binary.ReadUvarint(r)
		if err != nil || n == 0 || n > uint64(r.left) {
			return corruptf(path, "entry %d: bad length", i+1)
		}
		buf = slices.Grow(buf[:0], int(n))[:n]
		if err := r.full(buf); err != nil {
			return corruptf(path, "entry %d: %v", i+1, err)
		}
		d := decoder{b: buf}
		var e entry
		e, vec = d.next(vec[:0])
		if d.err == nil && len(d.b) != 0 {
			d.err = fmt.Errorf("%d bytes past its end", len(d.b))
		}
		if d.err != nil {
			return corruptf(path, "entry %d: %v", i+1, d.err)
		}
		if err := fn(&e, vec); err != nil {
			return corruptf(path, "entry %d: %v", i+1, err)
		}
	}
	if r.left != 0 {
		return corruptf(path, "%d bytes after the last entry", r.left)
	}
	if r.crc.Sum32() != binary.LittleEndian.Uint32(t[12:16]) {
		return corruptf(path, "checksum mismatch")
	}
	return nil
}

// crcReader reads the body of a segment, summing what it reads.
type crcReader struct {
	r    *bufio.Reader
	crc  hash.Hash32
	left int64
	one  [1]byte
}

func (c *crcReader) ReadByte() (byte, error) {
	b, err := c.r.ReadByte()
	if err != nil {
		return 0, err
	}
	c.one[0] = b
	c.crc.Write(c.one[:])
	c.left--
	return b, nil
}

func (c *crcReader) full(p []byte) error {
	n, err := io.ReadFull(c.r, p)
	c.crc.Write(p[:n])
	c.left -= int64(n)
	return err
}

// decoder reads entries from a checked segment. A checksum that matches garbage is
// astronomically unlikely, but the decoder still checks every length so that it can never
// panic or allocate without bound on a bad file.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("bad %s at byte %d", what, len(d.b))
	}
	d.b = nil
}

func (d *decoder) uvarint(what string) uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail(what)
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint(what string) int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail(what)
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) string(what string) string {
	n := d.uvarint(what)
	if n > uint64(len(d.b)) {
		d.fail(what)
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

func (d *decoder) byte(what string) byte {
	if len(d.b) == 0 {
		d.fail(what)
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

// vector appends the record's vector to dst.
func (d *decoder) vector(dst []float32) []float32 {
	n := d.uvarint("vector dimension")
	if n*4 > uint64(len(d.b)) {
		d.fail("vector")
		return dst
	}
	for i := uint64(0); i < n; i++ {
		dst = append(dst, math.Float32frombits(binary.LittleEndian.Uint32(d.b[4*i:])))
	}
	d.b = d.b[4*n:]
	return dst
}

// next decodes one entry; the record's vector goes to the end of vecs.
func (d *decoder) next(vecs []float32) (entry, []float32) {
	var e entry
	e.op = d.byte("op")
	switch e.op {
	case opDelete:
		e.rec.ID = d.string("id")
		return e, vecs
	case opUpsert:
	default:
		d.fail("op")
		return e, vecs
	}
	r := &e.rec
	m := &r.Metadata
	r.ID = d.string("id")
	r.Kind = memory.Kind(d.string("kind"))
	r.Text = d.string("text")
	m.Project = d.string("project")
	m.Model = d.string("model")
	m.Column = d.string("column")
	m.Source = d.string("source")
	m.Commit = d.string("commit")
	m.Line = int(d.varint("line"))
	if d.byte("time flag") == 1 {
		sec := d.varint("time")
		m.Time = time.Unix(sec, int64(d.uvarint("time"))).UTC()
	}
	if n := d.uvarint("extra count"); n > 0 {
		if n > uint64(len(d.b)) {
			d.fail("extra count")
			return e, vecs
		}
		m.Extra = make(map[string]string, n)
		for range n {
			k := d.string("extra key")
			m.Extra[k] = d.string("extra value")
		}
	}
	vecs = d.vector(vecs)
	return e, vecs
}

// field returns the next string field as the bytes it lies in.
func (d *decoder) field(what string) []byte {
	n := d.uvarint(what)
	if n > uint64(len(d.b)) {
		d.fail(what)
		return nil
	}
	b := d.b[:n]
	d.b = d.b[n:]
	return b
}

// head is what a store keeps in memory of an entry: the fields filters and stats read. The
// text, commit, line, time and extras stay in the segment until a record is asked for.
type head struct {
	op                             byte
	id                             string
	kind                           memory.Kind
	project, model, column, source string
	vectorLen                      uint64 // format 2 stores none inside the entry
}

// head decodes an entry's head and checks the framing of the rest, as next would, without
// copying it; intern returns a shared string for the bytes of a field (0 kind, 1 project,
// 2 model, 3 column, 4 source), which many entries repeat.
func (d *decoder) head(intern func(field int, b []byte) string) head {
	var h head
	h.op = d.byte("op")
	switch h.op {
	case opDelete:
		h.id = string(d.field("id"))
		return h
	case opUpsert:
	default:
		d.fail("op")
		return h
	}
	h.id = string(d.field("id"))
	h.kind = memory.Kind(intern(0, d.field("kind")))
	d.field("text")
	h.project = intern(1, d.field("project"))
	h.model = intern(2, d.field("model"))
	h.column = intern(3, d.field("column"))
	h.source = intern(4, d.field("source"))
	d.field("commit")
	d.varint("line")
	if d.byte("time flag") == 1 {
		d.varint("time")
		d.uvarint("time")
	}
	if n := d.uvarint("extra count"); n > 0 {
		if n > uint64(len(d.b)) {
			d.fail("extra count")
			return h
		}
		for range n {
			d.field("extra key")
			d.field("extra value")
		}
	}
	h.vectorLen = d.uvarint("vector dimension")
	if h.vectorLen*4 > uint64(len(d.b)) {
		d.fail("vector")
		return h
	}
	d.b = d.b[4*h.vectorLen:]
	return h
}

// extraMatches reports whether the upsert entry b holds each of want in its extras, reading
// them where they lie.
func extraMatches(b []byte, want map[string]string) bool {
	d := decoder{b: b}
	d.byte("op")
	for _, what := range []string{"id", "kind", "text", "project", "model", "column", "source", "commit"} {
		d.field(what)
	}
	d.varint("line")
	if d.byte("time flag") == 1 {
		d.varint("time")
		d.uvarint("time")
	}
	n := d.uvarint("extra count")
	found := 0
	for i := uint64(0); i < n && d.err == nil; i++ {
		k := d.field("extra key")
		v := d.field("extra value")
		if w, ok := want[string(k)]; ok && w == string(v) {
			found++
		}
	}
	return d.err == nil && found == len(want)
}

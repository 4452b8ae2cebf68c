package embedded

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"slices"
	"time"

	"github.com/dataops-dev/dataops/internal/memory"
)

// A segment is one immutable file holding the changes of one write: upserted records with
// their vectors and deleted ids, in order. Layout:
//
//	"DOMSEG1\n"
//	entries: op byte (opUpsert: record, opDelete: id), fields as below
//	trailer: uint32 entry count, uint64 length of header+entries, uint32 CRC-32C of
//	         header+entries, "DOMEND1\n" (little-endian)
//
// Strings are a uvarint length and bytes; the vector is a uvarint dimension and float32s. The
// trailer goes last, so a file cut short by a crash, a full disk or a partial copy fails the
// length or the checksum instead of yielding fewer records.
const (
	segMagic    = "DOMSEG1\n"
	segEnd      = "DOMEND1\n"
	trailerSize = 4 + 8 + 4 + len(segEnd)

	opUpsert byte = 1
	opDelete byte = 2
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

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

// checkSegment verifies the framing and checksum and returns the entries' bytes and count.
func checkSegment(data []byte) (body []byte, count int, err error) {
	if len(data) < len(segMagic)+trailerSize {
		return nil, 0, fmt.Errorf("%d bytes, shorter than an empty segment", len(data))
	}
	if string(data[:len(segMagic)]) != segMagic {
		return nil, 0, errors.New("not a memory segment (bad magic)")
	}
	t := data[len(data)-trailerSize:]
	if string(t[16:]) != segEnd {
		return nil, 0, errors.New("truncated: no end marker")
	}
	count = int(binary.LittleEndian.Uint32(t[0:4]))
	n := binary.LittleEndian.Uint64(t[4:12])
	if n != uint64(len(data)-trailerSize) {
		return nil, 0, fmt.Errorf("length %d in trailer, %d in file", n, len(data)-trailerSize)
	}
	if sum := crc32.Checksum(data[:n], castagnoli); sum != binary.LittleEndian.Uint32(t[12:16]) {
		return nil, 0, errors.New("checksum mismatch")
	}
	return data[len(segMagic):n], count, nil
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

// vector appends the record's vector to dst (the store's slab) and returns the new slab and
// the dimension read.
func (d *decoder) vector(dst []float32) ([]float32, int) {
	n := d.uvarint("vector dimension")
	if n*4 > uint64(len(d.b)) {
		d.fail("vector")
		return dst, 0
	}
	for i := uint64(0); i < n; i++ {
		dst = append(dst, math.Float32frombits(binary.LittleEndian.Uint32(d.b[4*i:])))
	}
	d.b = d.b[4*n:]
	return dst, int(n)
}

// next decodes one entry; the record's vector goes to the end of vecs.
func (d *decoder) next(vecs []float32) (entry, []float32, int) {
	var e entry
	e.op = d.byte("op")
	switch e.op {
	case opDelete:
		e.rec.ID = d.string("id")
		return e, vecs, 0
	case opUpsert:
	default:
		d.fail("op")
		return e, vecs, 0
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
			return e, vecs, 0
		}
		m.Extra = make(map[string]string, n)
		for range n {
			k := d.string("extra key")
			m.Extra[k] = d.string("extra value")
		}
	}
	vecs, dim := d.vector(vecs)
	return e, vecs, dim
}

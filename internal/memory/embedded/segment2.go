package embedded

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"unsafe"

	"github.com/dataops-dev/dataops/internal/memory"
)

// Segment format 2 keeps what a query reads in place, so that a store is used where it lies
// on disk instead of being rebuilt in memory on every open:
//
//	"DOMSEG2\n"
//	entries: as in format 1 (uvarint length, op, fields), an upsert's vector empty (dimension 0)
//	zero padding to a multiple of 64
//	vectors: one row of dim float32s per upsert, in entry order
//	keyword index of the upserted texts (every number a little-endian uint32):
//	  the number of terms of each upsert (its BM25 length)
//	  nTerms+1 pairs (offset of the term in the term bytes, first posting), the last a sentinel
//	  postings (upsert row, term frequency), grouped by term, terms in byte order
//	  the term bytes
//	directory: uint64 end of entries, uint64 vectors offset, uint64 index offset,
//	           uint32 upserts, uint32 dimension, uint32 terms, uint32 postings
//	trailer: as in format 1 (entry count, body length, CRC-32C of the body, end marker)
//
// The file is memory-mapped: the vectors are scanned and the postings of a query's terms read
// where they lie, and only the entries (ids, texts, metadata) are decoded on open.
const (
	segMagic2 = "DOMSEG2\n"
	dirSize   = 3*8 + 4*4
	vecAlign  = 64
)

// writeSegment streams entries into segment file number n (temporary name, synced, renamed).
// each is called twice: once for the records, once for their vectors, so that compacting a
// large store does not hold a second copy of it in memory.
func writeSegment(dir string, n uint64, dim int, each func(emit func(*entry) error) error) (segmentRef, error) {
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
	w := &countingWriter{w: bufio.NewWriterSize(f, 1<<20), crc: crc32.New(castagnoli)}
	w.write([]byte(segMagic2))
	count := 0
	var buf, head []byte
	var docLen []uint32
	type post struct{ row, tf uint32 }
	postings := map[string][]post{}
	var tfs map[string]uint32
	err = each(func(e *entry) error {
		buf = append(buf[:0], e.op)
		if e.op == opDelete {
			buf = appendString(buf, e.rec.ID)
		} else {
			r := e.rec
			r.Vector = nil
			buf = appendRecord(buf, &r)
			terms := memory.Terms(r.Text)
			row := uint32(len(docLen))
			docLen = append(docLen, uint32(len(terms)))
			if tfs == nil {
				tfs = map[string]uint32{}
			}
			clear(tfs)
			for _, t := range terms {
				tfs[t]++
			}
			for t, tf := range tfs {
				postings[t] = append(postings[t], post{row, tf})
			}
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
	entriesEnd := w.n
	w.write(make([]byte, (vecAlign-w.n%vecAlign)%vecAlign))
	vecOff := w.n
	rows := 0
	err = each(func(e *entry) error {
		if e.op != opUpsert {
			return nil
		}
		if len(e.rec.Vector) != dim {
			return fmt.Errorf("record %q has %d dimensions, the store %d", e.rec.ID, len(e.rec.Vector), dim)
		}
		rows++
		buf = buf[:0]
		for _, x := range e.rec.Vector {
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(x))
		}
		return w.write(buf)
	})
	if err == nil && rows != len(docLen) {
		err = fmt.Errorf("segment %s: %d vectors for %d records", name, rows, len(docLen))
	}
	if err != nil {
		return fail(err)
	}
	idxOff := w.n
	terms := slices.Sorted(func(yield func(string) bool) {
		for t := range postings {
			if !yield(t) {
				return
			}
		}
	})
	u32 := func(b []byte, v int) []byte { return binary.LittleEndian.AppendUint32(b, uint32(v)) }
	buf = buf[:0]
	for _, l := range docLen {
		buf = u32(buf, int(l))
	}
	blob, npost := 0, 0
	for _, t := range terms {
		buf = u32(u32(buf, blob), npost)
		blob += len(t)
		npost += len(postings[t])
	}
	buf = u32(u32(buf, blob), npost)
	for _, t := range terms {
		for _, p := range postings[t] {
			buf = u32(u32(buf, int(p.row)), int(p.tf))
		}
	}
	for _, t := range terms {
		buf = append(buf, t...)
	}
	buf = binary.LittleEndian.AppendUint64(buf, uint64(entriesEnd))
	buf = binary.LittleEndian.AppendUint64(buf, uint64(vecOff))
	buf = binary.LittleEndian.AppendUint64(buf, uint64(idxOff))
	buf = u32(u32(u32(u32(buf, len(docLen)), dim), len(terms)), npost)
	w.write(buf)
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

// segment is an open format-2 segment file.
type segment struct {
	ref     segmentRef
	path    string
	data    []byte
	unmap   func()
	count   int // entries
	entries []byte
	base    int // slot of its first upsert
	rows    int // upserts
	vecs    []float32
	docLen  []uint32
	termTab []uint32 // pairs: term offset, first posting
	posts   []uint32 // pairs: row, tf
	blob    []byte
}

// openSegment maps the segment at path, which the manifest says has size bytes, checks its
// framing and checksum, and locates its sections. The checksum covers the whole body, so a
// damaged file is refused before any part of it is used.
func openSegment(path string, size int64, dim int) (*segment, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if fi.Size() != size {
		return nil, corruptf(path, "%d bytes, the manifest says %d", fi.Size(), size)
	}
	if size < int64(len(segMagic2)+dirSize+trailerSize) {
		return nil, corruptf(path, "%d bytes, shorter than an empty segment", size)
	}
	data, unmap, err := mapFile(f, size)
	if err != nil {
		return nil, err
	}
	s, err := parseSegment(data, path, dim)
	if err != nil {
		unmap()
		return nil, err
	}
	s.unmap = unmap
	return s, nil
}

func parseSegment(data []byte, path string, dim int) (*segment, error) {
	size := int64(len(data))
	if size < int64(len(segMagic2)+dirSize+trailerSize) {
		return nil, corruptf(path, "%d bytes, shorter than an empty segment", size)
	}
	t := data[size-int64(trailerSize):]
	if string(t[16:]) != segEnd {
		return nil, corruptf(path, "truncated: no end marker")
	}
	bodyLen := int64(binary.LittleEndian.Uint64(t[4:12]))
	if bodyLen != size-int64(trailerSize) {
		return nil, corruptf(path, "length %d in trailer, %d in file", bodyLen, size-int64(trailerSize))
	}
	body := data[:bodyLen]
	if string(body[:len(segMagic2)]) != segMagic2 {
		return nil, corruptf(path, "not a memory segment of format %d (bad magic)", formatVersion)
	}
	if crc32.Checksum(body, castagnoli) != binary.LittleEndian.Uint32(t[12:16]) {
		return nil, corruptf(path, "checksum mismatch")
	}
	d := body[bodyLen-dirSize:]
	entriesEnd := binary.LittleEndian.Uint64(d[0:])
	vecOff := binary.LittleEndian.Uint64(d[8:])
	idxOff := binary.LittleEndian.Uint64(d[16:])
	rows := uint64(binary.LittleEndian.Uint32(d[24:]))
	sdim := binary.LittleEndian.Uint32(d[28:])
	nTerms := uint64(binary.LittleEndian.Uint32(d[32:]))
	nPost := uint64(binary.LittleEndian.Uint32(d[36:]))
	end := uint64(bodyLen - dirSize)
	if int(sdim) != dim && rows > 0 {
		return nil, corruptf(path, "vectors of %d dimensions, the manifest says %d", sdim, dim)
	}
	vecEnd := vecOff + 4*rows*uint64(dim)
	tabOff := idxOff + 4*rows
	postOff := tabOff + 8*(nTerms+1)
	blobOff := postOff + 8*nPost
	if entriesEnd < uint64(len(segMagic2)) || entriesEnd > vecOff || vecOff%vecAlign != 0 || vecEnd > idxOff ||
		idxOff%4 != 0 || blobOff > end {
		return nil, corruptf(path, "bad section offsets")
	}
	s := &segment{path: path, data: data, count: int(binary.LittleEndian.Uint32(t[0:4])),
		entries: body[len(segMagic2):entriesEnd], rows: int(rows),
		vecs:    asFloat32s(body[vecOff:vecEnd]),
		docLen:  asUint32s(body[idxOff:tabOff]),
		termTab: asUint32s(body[tabOff:postOff]),
		posts:   asUint32s(body[postOff:blobOff]),
		blob:    body[blobOff:end],
	}
	// The term table must be monotonic and inside its sections: lookups then never index out
	// of range, whatever a file holds.
	var prevB, prevP uint32
	for i := uint64(0); i <= nTerms; i++ {
		b, p := s.termTab[2*i], s.termTab[2*i+1]
		if b < prevB || p < prevP || uint64(b) > uint64(len(s.blob)) || uint64(p) > nPost {
			return nil, corruptf(path, "bad keyword index")
		}
		prevB, prevP = b, p
	}
	if uint64(prevB) != uint64(len(s.blob)) || uint64(prevP) != nPost {
		return nil, corruptf(path, "bad keyword index")
	}
	return s, nil
}

// each decodes the segment's entries in order; upserts come with their row.
func (s *segment) each(fn func(e *entry, row int) error) error {
	b := s.entries
	row := 0
	for i := 0; i < s.count; i++ {
		n, k := binary.Uvarint(b)
		if k <= 0 || n == 0 || n > uint64(len(b)-k) {
			return corruptf(s.path, "entry %d: bad length", i+1)
		}
		d := decoder{b: b[k : k+int(n)]}
		b = b[k+int(n):]
		e, _ := d.next(nil)
		if d.err == nil && len(d.b) != 0 {
			d.err = fmt.Errorf("%d bytes past its end", len(d.b))
		}
		if d.err != nil {
			return corruptf(s.path, "entry %d: %v", i+1, d.err)
		}
		r := -1
		if e.op == opUpsert {
			if row >= s.rows {
				return corruptf(s.path, "entry %d: more records than vectors", i+1)
			}
			r = row
			row++
		}
		if err := fn(&e, r); err != nil {
			return corruptf(s.path, "entry %d: %v", i+1, err)
		}
	}
	if len(b) != 0 {
		return corruptf(s.path, "%d bytes after the last entry", len(b))
	}
	if row != s.rows {
		return corruptf(s.path, "%d records for %d vectors", row, s.rows)
	}
	return nil
}

// postings returns the (row, tf) pairs of term, nil when the segment does not hold it.
func (s *segment) postings(term string) []uint32 {
	n := len(s.termTab)/2 - 1
	at := func(i int) string { return string(s.blob[s.termTab[2*i]:s.termTab[2*i+2]]) }
	lo, hi := 0, n
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if at(m) < term {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo >= n || at(lo) != term {
		return nil
	}
	return s.posts[2*s.termTab[2*lo+1] : 2*s.termTab[2*lo+3]]
}

func (s *segment) row(r, dim int) []float32 {
	return s.vecs[r*dim : (r+1)*dim : (r+1)*dim]
}

func (s *segment) close() {
	if s.unmap != nil {
		s.unmap()
		s.unmap = nil
	}
	s.data, s.vecs, s.docLen, s.termTab, s.posts, s.blob, s.entries = nil, nil, nil, nil, nil, nil, nil
}

var littleEndian = func() bool { x := uint16(1); return *(*byte)(unsafe.Pointer(&x)) == 1 }()

// asFloat32s views b as float32s where the machine's order and b's alignment allow, and copies
// them otherwise.
func asFloat32s(b []byte) []float32 {
	if len(b) == 0 {
		return nil
	}
	if littleEndian && uintptr(unsafe.Pointer(&b[0]))%4 == 0 {
		return unsafe.Slice((*float32)(unsafe.Pointer(&b[0])), len(b)/4)
	}
	out := make([]float32, len(b)/4)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return out
}

func asUint32s(b []byte) []uint32 {
	if len(b) == 0 {
		return nil
	}
	if littleEndian && uintptr(unsafe.Pointer(&b[0]))%4 == 0 {
		return unsafe.Slice((*uint32)(unsafe.Pointer(&b[0])), len(b)/4)
	}
	out := make([]uint32, len(b)/4)
	for i := range out {
		out[i] = binary.LittleEndian.Uint32(b[4*i:])
	}
	return out
}

// readAll reads a file whole where it cannot be mapped.
func readAll(f *os.File, size int64) ([]byte, func(), error) {
	data := make([]byte, size)
	if _, err := io.ReadFull(io.NewSectionReader(f, 0, size), data); err != nil {
		return nil, nil, err
	}
	return data, func() {}, nil
}

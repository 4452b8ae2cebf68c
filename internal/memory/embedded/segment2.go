package embedded

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sync"
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

// writeSegment writes the entries each emits as segment file number n (temporary name,
// synced, renamed). The vectors of the records are written after every entry, so the writer
// keeps a reference to each until then (no copy).
func writeSegment(dir string, n uint64, dim int, each func(emit func(*entry) error) error) (segmentRef, error) {
	w, err := newSegmentWriter(dir, n, dim)
	if err != nil {
		return segmentRef{}, err
	}
	if err := each(w.add); err != nil {
		w.abort()
		return segmentRef{}, err
	}
	return w.finish()
}

// segmentWriter writes one segment: entries as they come, then the vectors and the keyword
// index.
type segmentWriter struct {
	name, tmp string
	dir       string
	dim       int
	f         *os.File
	w         *countingWriter
	count     int
	buf, head []byte
	vecs      [][]float32
	docLen    []uint32
	postings  map[string][]posting
	tfs       map[string]uint32
}

type posting struct{ row, tf uint32 }

func newSegmentWriter(dir string, n uint64, dim int) (*segmentWriter, error) {
	name := fmt.Sprintf("%08d.seg", n)
	f, err := os.CreateTemp(dir, name+".tmp*")
	if err != nil {
		return nil, err
	}
	w := &segmentWriter{name: name, tmp: f.Name(), dir: dir, dim: dim, f: f,
		w: &countingWriter{w: bufio.NewWriterSize(f, 1<<20), crc: crc32.New(castagnoli())}, postings: map[string][]posting{}}
	w.w.write([]byte(segMagic2))
	return w, nil
}

func (w *segmentWriter) abort() {
	w.f.Close()
	os.Remove(w.tmp)
}

// entry writes one encoded entry (op and fields).
func (w *segmentWriter) entry(body []byte) error {
	w.count++
	w.head = binary.AppendUvarint(w.head[:0], uint64(len(body)))
	if err := w.w.write(w.head); err != nil {
		return err
	}
	return w.w.write(body)
}

// add writes an entry; an upsert's vector is written with the others at the end.
func (w *segmentWriter) add(e *entry) error {
	w.buf = append(w.buf[:0], e.op)
	if e.op == opDelete {
		w.buf = appendString(w.buf, e.rec.ID)
		return w.entry(w.buf)
	}
	if len(e.rec.Vector) != w.dim {
		return fmt.Errorf("record %q has %d dimensions, the store %d", e.rec.ID, len(e.rec.Vector), w.dim)
	}
	r := e.rec
	r.Vector = nil
	w.buf = appendRecord(w.buf, &r)
	terms := memory.Terms(r.Text)
	row := uint32(len(w.docLen))
	w.docLen = append(w.docLen, uint32(len(terms)))
	w.vecs = append(w.vecs, e.rec.Vector)
	if w.tfs == nil {
		w.tfs = map[string]uint32{}
	}
	clear(w.tfs)
	for _, t := range terms {
		w.tfs[t]++
	}
	for t, tf := range w.tfs {
		w.postings[t] = append(w.postings[t], posting{row, tf})
	}
	return w.entry(w.buf)
}

// stored is an upsert as a segment holds it: its segment, row and entry bytes.
type stored struct {
	g    *segment
	row  int
	body []byte
}

// copyRows copies upserts as they are stored (entry bytes, vector, keyword postings), in the
// order given, without decoding them: merging segments then costs what their bytes do, not
// what tokenising their texts would.
func (w *segmentWriter) copyRows(rows []stored) error {
	newRow := map[*segment][]int32{}
	var order []*segment
	for _, r := range rows {
		m := newRow[r.g]
		if m == nil {
			m = make([]int32, r.g.rows)
			for i := range m {
				m[i] = -1
			}
			newRow[r.g] = m
			order = append(order, r.g)
		}
		m[r.row] = int32(len(w.docLen))
		w.docLen = append(w.docLen, r.g.docLen[r.row])
		w.vecs = append(w.vecs, r.g.row(r.row, w.dim))
		if err := w.entry(r.body); err != nil {
			return err
		}
	}
	// Each term's postings, segment by segment; a term's postings need no order.
	for _, g := range order {
		m := newRow[g]
		n := len(g.termTab)/2 - 1
		for t := range n {
			ps := g.posts[2*g.termTab[2*t+1] : 2*g.termTab[2*t+3]]
			var term string
			for j := 0; j < len(ps); j += 2 {
				if ps[j] >= uint32(len(m)) || m[ps[j]] < 0 {
					continue
				}
				if term == "" {
					term = string(g.blob[g.termTab[2*t]:g.termTab[2*t+2]])
				}
				w.postings[term] = append(w.postings[term], posting{uint32(m[ps[j]]), ps[j+1]})
			}
		}
	}
	return nil
}

// finish writes the vectors, the keyword index and the trailer, and puts the file in place.
func (w *segmentWriter) finish() (segmentRef, error) {
	fail := func(err error) (segmentRef, error) {
		w.abort()
		return segmentRef{}, err
	}
	entriesEnd := w.w.n
	w.w.write(make([]byte, (vecAlign-w.w.n%vecAlign)%vecAlign))
	vecOff := w.w.n
	buf := w.buf[:0]
	for _, v := range w.vecs {
		buf = buf[:0]
		for _, x := range v {
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(x))
		}
		if err := w.w.write(buf); err != nil {
			return fail(err)
		}
	}
	idxOff := w.w.n
	terms := slices.Sorted(maps.Keys(w.postings))
	u32 := func(b []byte, v int) []byte { return binary.LittleEndian.AppendUint32(b, uint32(v)) }
	buf = buf[:0]
	for _, l := range w.docLen {
		buf = u32(buf, int(l))
	}
	blob, npost := 0, 0
	for _, t := range terms {
		buf = u32(u32(buf, blob), npost)
		blob += len(t)
		npost += len(w.postings[t])
	}
	buf = u32(u32(buf, blob), npost)
	for _, t := range terms {
		for _, p := range w.postings[t] {
			buf = u32(u32(buf, int(p.row)), int(p.tf))
		}
	}
	for _, t := range terms {
		buf = append(buf, t...)
	}
	buf = binary.LittleEndian.AppendUint64(buf, uint64(entriesEnd))
	buf = binary.LittleEndian.AppendUint64(buf, uint64(vecOff))
	buf = binary.LittleEndian.AppendUint64(buf, uint64(idxOff))
	buf = u32(u32(u32(u32(buf, len(w.docLen)), w.dim), len(terms)), npost)
	w.w.write(buf)
	body := w.w.n
	var t []byte
	t = binary.LittleEndian.AppendUint32(t, uint32(w.count))
	t = binary.LittleEndian.AppendUint64(t, uint64(body))
	t = binary.LittleEndian.AppendUint32(t, w.w.crc.Sum32())
	t = append(t, segEnd...)
	if err := w.w.write(t); err != nil {
		return fail(err)
	}
	if err := w.w.w.Flush(); err != nil {
		return fail(err)
	}
	if err := w.f.Sync(); err != nil {
		return fail(err)
	}
	if err := w.f.Close(); err != nil {
		os.Remove(w.tmp)
		return segmentRef{}, err
	}
	if err := os.Rename(w.tmp, filepath.Join(w.dir, w.name)); err != nil {
		os.Remove(w.tmp)
		return segmentRef{}, err
	}
	return segmentRef{Name: w.name, Bytes: w.w.n, Entries: w.count}, syncDir(w.dir)
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
	// The checksum is computed from reads of the file, not from the mapping: touching every
	// mapped page costs a page fault each, twice what copying them from the page cache does,
	// and most pages (the vectors of records no query scans) need not be mapped in at all.
	s, err := parseSegment(data, path, dim, func(body []byte) (uint32, error) { return fileChecksum(f, int64(len(body))) })
	if err != nil {
		unmap()
		return nil, err
	}
	s.unmap = unmap
	return s, nil
}

// readBufs are the buffers fileChecksum reads through.
var readBufs = sync.Pool{New: func() any { b := make([]byte, 1<<20); return &b }}

// fileChecksum is the CRC-32C of the first n bytes of f.
func fileChecksum(f *os.File, n int64) (uint32, error) {
	bp := readBufs.Get().(*[]byte)
	defer readBufs.Put(bp)
	buf := *bp
	var sum uint32
	for off := int64(0); off < n; {
		k, err := f.ReadAt(buf[:min(int64(len(buf)), n-off)], off)
		sum = crc32.Update(sum, castagnoli(), buf[:k])
		off += int64(k)
		if err != nil && off < n {
			return 0, err
		}
	}
	return sum, nil
}

// parseSegment checks the framing of a segment's bytes and, with sum (the CRC-32C of the body,
// computed however the caller reads it), its checksum, and locates its sections.
func parseSegment(data []byte, path string, dim int, sum func(body []byte) (uint32, error)) (*segment, error) {
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
	got, err := sum(body)
	if err != nil {
		return nil, err
	}
	if got != binary.LittleEndian.Uint32(t[12:16]) {
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

// eachHead walks the segment's entries in order, decoding each one's head (checking the
// framing of the rest, as each does) and passing its bytes; upserts come with their row.
func (s *segment) eachHead(intern func(field int, b []byte) string, fn func(h *head, body []byte, row int)) error {
	b := s.entries
	row := 0
	for i := 0; i < s.count; i++ {
		n, k := binary.Uvarint(b)
		if k <= 0 || n == 0 || n > uint64(len(b)-k) {
			return corruptf(s.path, "entry %d: bad length", i+1)
		}
		body := b[k : k+int(n)]
		b = b[k+int(n):]
		d := decoder{b: body}
		h := d.head(intern)
		if d.err == nil && len(d.b) != 0 {
			d.err = fmt.Errorf("%d bytes past its end", len(d.b))
		}
		if d.err == nil && h.vectorLen != 0 {
			d.err = errors.New("a vector inside the entry")
		}
		if d.err != nil {
			return corruptf(s.path, "entry %d: %v", i+1, d.err)
		}
		r := -1
		if h.op == opUpsert {
			if row >= s.rows {
				return corruptf(s.path, "entry %d: more records than vectors", i+1)
			}
			r = row
			row++
		}
		fn(&h, body, r)
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

package cache

import (
	"bytes"
	"encoding/binary"
	"io"
	"os"
	"sync"
)

// What a cold load stores (a render per model, a parse per property file: some 55 MB for
// 20,000 models) waited on the heap for the last Release, through the rest of the load, the
// snapshot's encoding included: the collector let the heap grow to twice that again. So a
// payload Put stores is appended, as it is stored, to one temporary file of the cache
// directory per Hold, its MAC computed then, while the payload is at hand. A Get of it reads
// it back.
//
// The file is a segment from the start (segment.go): the header when it is made, then a whole
// record per payload. So the last Release renames it into place as it is, rather than copying
// its payloads into a new segment (which cost a cold run of 2,400 models 7% of its CPU, and
// wrote every payload twice). A key stored twice leaves two records in it: the later one is
// the one read, as a later segment's is. Until the rename it has a temporary name, which no
// reader takes for a segment: a run killed while writing it leaves no torn record in a
// segment, only a temporary file that a later run's bound removes, as it does a Spill's.

// pendFile is the file the payloads stored under one Hold are appended to.
type pendFile struct {
	v    *view
	mu   sync.Mutex
	f    *os.File // nil until the first payload
	name string
	w    *blockWriter
	n    int64 // bytes appended, written or buffered
	err  error // set once the file cannot be used: made, written, or renamed into place
}

// open makes the file, with the segment header; under mu.
func (p *pendFile) open() {
	if p.f, p.name, p.err = createTemp(p.v.root, "pending", 0o644); p.err != nil {
		return
	}
	p.w = newBlockWriter(p.f)
	p.w.Write(segMagic)
	p.w.Write(buildID())
	p.n = segHeader
}

// add appends a record of payload, sealed under k, and returns where its payload is; nil when
// it cannot be written (the caller keeps the payload on the heap) or there is no secret to
// seal it with.
func (p *pendFile) add(k Key, payload []byte) *spilled {
	if len(payload) > 1<<31 {
		return nil // past a record's length
	}
	mac, ok := seal(k, payload)
	if !ok {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.f == nil && p.err == nil {
		p.open()
	}
	if p.err != nil {
		return nil
	}
	var size [4]byte
	binary.LittleEndian.PutUint32(size[:], uint32(len(payload)))
	p.w.Write(k[:])
	p.w.Write(mac)
	p.w.Write(size[:])
	// A failed write leaves the file unused: what it holds is not renamed into place.
	if _, err := p.w.Write(payload); err != nil {
		p.err = err
		return nil
	}
	off := p.n + recHeader
	p.n = off + int64(len(payload))
	return &spilled{v: p.v, pend: p, off: off, size: int64(len(payload)), mac: mac}
}

// section is the payload at off. What is still in the write buffer is copied out of it rather
// than written early: a block written short would leave every block after it unaligned
// (blockwriter.go).
func (p *pendFile) section(off, size int64) (io.Reader, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil {
		return nil, p.err
	}
	written := p.w.n
	if off+size <= written {
		return io.NewSectionReader(p.f, off, size), nil
	}
	tail := bytes.NewReader(bytes.Clone(p.w.buf[max(off-written, 0) : off+size-written]))
	if off >= written {
		return tail, nil
	}
	return io.MultiReader(io.NewSectionReader(p.f, off, written-off), tail), nil
}

// commit writes what is buffered and renames the file into place as the segment name: only
// then, complete, does any reader see it.
func (p *pendFile) commit(name string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.f == nil || p.err != nil {
		return p.err
	}
	err := p.w.Flush()
	if cerr := p.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = p.v.root.Rename(p.name, name)
	}
	if err != nil {
		_ = p.v.root.Remove(p.name)
	}
	p.f, p.err = nil, os.ErrClosed
	return err
}

// remove closes and removes the file when it was not renamed into place.
func (p *pendFile) remove() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.f != nil {
		p.f.Close()
		_ = p.v.root.Remove(p.name)
	}
	p.f, p.err = nil, os.ErrClosed
}

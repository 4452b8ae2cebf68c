package cache

import (
	"bufio"
	"io"
	"os"
	"sync"
)

// What a cold load stores (a render per model, a parse per property file: some 55 MB for
// 20,000 models) waited on the heap for the last Release, through the rest of the load, the
// snapshot's encoding included: the collector let the heap grow to twice that again. So a
// payload Put stores is appended, as it is stored, to one temporary file of the cache
// directory per Hold (its MAC computed then, while the payload is at hand), and the last
// Release copies it from there into the new segment. A Get of it reads it back. A temporary
// file a killed run left is removed by a later run's bound, as a Spill's is.

// pendFile is the file the payloads stored under one Hold are appended to.
type pendFile struct {
	v    *view
	once sync.Once
	mu   sync.Mutex
	f    *os.File
	name string
	w    *bufio.Writer
	n    int64 // bytes appended, flushed or not
	err  error
}

// pendBuffer is what is written to the file at once: the payloads are a few KB each.
const pendBuffer = 256 << 10

// open makes the file on first use.
func (p *pendFile) open() error {
	p.once.Do(func() {
		if p.f, p.name, p.err = createTemp(p.v.root, "pending"); p.err != nil {
			return
		}
		p.w = bufio.NewWriterSize(p.f, pendBuffer)
	})
	return p.err
}

// add appends payload, sealed under k, and returns where it is; nil when it cannot be written
// (the caller keeps the payload on the heap) or there is no secret to seal it with.
func (p *pendFile) add(k Key, payload []byte) *spilled {
	mac, ok := seal(k, payload)
	if !ok || p.open() != nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil {
		return nil
	}
	off := p.n
	if _, err := p.w.Write(payload); err != nil {
		p.err = err
		return nil
	}
	p.n += int64(len(payload))
	return &spilled{v: p.v, pend: p, off: off, size: int64(len(payload)), mac: mac}
}

// section is the payload at off, once what is buffered is written.
func (p *pendFile) section(off, size int64) (io.Reader, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil {
		return nil, p.err
	}
	if p.w.Buffered() > 0 && off+size > p.n-int64(p.w.Buffered()) {
		if err := p.w.Flush(); err != nil {
			p.err = err
			return nil, err
		}
	}
	return io.NewSectionReader(p.f, off, size), nil
}

// remove closes and removes the file, once its payloads are copied (or dropped).
func (p *pendFile) remove() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.f == nil {
		return
	}
	p.f.Close()
	_ = p.v.root.Remove(p.name)
	p.f, p.err = nil, os.ErrClosed
}

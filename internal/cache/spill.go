package cache

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"time"
)

// A payload of hundreds of megabytes (a 50,000-model project's snapshot, the manifest
// template made from it) held in memory from the moment it is made until the last Release
// is most of a cold run's peak memory. A Spill writes such a payload to a temporary file of
// the cache directory as it is made. The MAC, and what Put checks of a payload (Allow, a size
// bound), are computed and checked of the file, where it is mapped, before it counts as stored.
//
// The file is a segment of one record (segment.go): the segment header, the record's header,
// then the payload. The record's MAC and length, known only once the payload is whole, are
// written in place at Commit, after the checks; the last Release then renames the file into
// place as a segment of its own rather than copying the payload into another (a cold run wrote
// its snapshot and manifest template, some 100 MB for 2,400 models, twice). Until then it has a
// temporary name no reader takes for a segment; one a killed run left is removed by a later
// run's bound, as is one a Put of the same key replaced.

// Spill is one payload being written; see Cache.Spill.
type Spill struct {
	c    *Cache
	v    *view
	k    Key
	max  int64
	f    *os.File
	name string
	w    *blockWriter
	n    int64 // bytes of payload
	err  error
}

// spillHead is where a Spill's payload starts in its file: after the segment's header and the
// record's.
const spillHead = segHeader + recHeader

// spilled is a pending payload: one a Spill wrote, in the file name of the cache directory;
// or one Put appended to the Hold's file of payloads (pending.go). off is where the payload
// starts in its file, size its length, mac the MAC of key and payload.
type spilled struct {
	v    *view
	name string
	pend *pendFile
	off  int64
	size int64
	mac  []byte
}

var (
	errSpillTooLarge = errors.New("cache: payload past its bound")
	errNotHeld       = errors.New("cache: not held")
)

// Spill starts a payload to store under k without holding it in memory: write it to the
// Spill, then Commit (or Abort). A payload past max bytes is not stored: its Write fails from
// the byte that passes the bound on. A Spill of a nil or unheld cache, or one whose file
// cannot be made, fails its writes and stores nothing.
func (c *Cache) Spill(k Key, max int64) *Spill {
	s := &Spill{c: c, k: k, max: max}
	if c == nil {
		s.err = errNotHeld
		return s
	}
	if s.v = c.view.Load(); s.v == nil {
		s.err = errNotHeld
		return s
	}
	if _, err := entryAEAD(); err != nil {
		s.err = err
		return s
	}
	if s.f, s.name, s.err = createTemp(s.v.root, "spill", 0o644); s.err != nil {
		return s
	}
	s.w = newBlockWriter(s.f)
	s.w.Write(segMagic)
	s.w.Write(buildID())
	s.w.Write(k[:])
	s.w.Write(make([]byte, macSize+4)) // the MAC and the length, written at Commit
	return s
}

// Write appends p to the payload.
func (s *Spill) Write(p []byte) (int, error) {
	if err := s.reserve(len(p)); err != nil {
		return 0, err
	}
	if _, err := s.w.Write(p); err != nil {
		s.err = err
		return 0, err
	}
	return len(p), nil
}

// WriteString appends str to the payload.
func (s *Spill) WriteString(str string) (int, error) {
	// Through the buffer's own WriteString: no copy of str on the heap.
	if err := s.reserve(len(str)); err != nil {
		return 0, err
	}
	if _, err := s.w.WriteString(str); err != nil {
		s.err = err
		return 0, err
	}
	return len(str), nil
}

// reserve counts n more bytes of payload, or fails once the payload passes its bound (or a
// segment record's 4-byte length) or a write failed before.
func (s *Spill) reserve(n int) error {
	if s.err != nil {
		return s.err
	}
	if s.n+int64(n) > s.max || s.n+int64(n) > 1<<31 {
		s.err = errSpillTooLarge
		return s.err
	}
	s.n += int64(n)
	return nil
}

// Len is the bytes written so far.
func (s *Spill) Len() int64 { return s.n }

// Err is the first error of a write: a payload past its bound, a full disk, an unheld cache.
func (s *Spill) Err() error { return s.err }

// TooLarge says the payload passed its bound.
func (s *Spill) TooLarge() bool { return errors.Is(s.err, errSpillTooLarge) }

// Abort drops the payload.
func (s *Spill) Abort() {
	if s.f != nil {
		s.f.Close()
		s.f = nil
		_ = s.v.root.Remove(s.name)
	}
	if s.err == nil {
		s.err = errors.New("cache: spill aborted")
	}
}

// Commit stores the payload written, as Put stores a payload, when allow (if not nil) and the
// cache's Allow accept it; it says whether the payload is stored (or was already). The
// cache must still be held by the Hold the Spill was made under.
func (s *Spill) Commit(allow func(payload []byte) bool) bool {
	if s.err != nil {
		s.Abort()
		return false
	}
	if err := s.w.Flush(); err != nil {
		s.err = err
		s.Abort()
		return false
	}
	c := s.c
	if c.view.Load() != s.v {
		s.Abort()
		return false
	}
	// The checks and the MAC read the payload where it is mapped: its pages are the page
	// cache's, not a copy on the heap, and leave the process with the mapping.
	data, unmap, err := mapFile(s.f, spillHead+s.n)
	if err != nil {
		s.Abort()
		return false
	}
	stop := func() {}
	if unmap != nil {
		stop = dropWhileRead(data) // the whole mapping: it starts on a page
	}
	payload := data[spillHead:]
	mac, sealed := seal(s.k, payload)
	ok := sealed && (allow == nil || allow(payload)) && (c.Allow == nil || c.Allow(payload))
	// Another run stored the same meanwhile: nothing to add.
	same := false
	if l, found := s.v.index[s.k]; ok && found {
		_, was, stored := l.parts()
		same = bytes.Equal(stored, payload) && authentic(s.k, was, stored)
	}
	// Stopped before the unmapping: the range may be mapped again at once, for anything.
	stop()
	if unmap != nil {
		unmap()
	}
	if !ok || same {
		s.Abort()
		return same
	}
	// The record's header is whole only now: the file is a segment, for the last Release to
	// rename into place.
	hdr := binary.LittleEndian.AppendUint32(bytes.Clone(mac), uint32(s.n))
	if _, err := s.f.WriteAt(hdr, segHeader+32); err != nil {
		s.Abort()
		return false
	}
	if err := s.f.Close(); err != nil {
		s.f = nil
		_ = s.v.root.Remove(s.name)
		return false
	}
	s.f = nil
	sp := &spilled{v: s.v, name: s.name, off: spillHead, size: s.n, mac: mac}
	if was, loaded := c.pending.Swap(s.k, sp); loaded {
		if w, ok := was.(*spilled); ok {
			w.remove()
		}
	}
	c.writes.Add(1)
	return true
}

func (sp *spilled) remove() {
	if sp.pend == nil {
		_ = sp.v.root.Remove(sp.name)
	}
}

// open returns a reader of the payload and what to call once it is read.
func (sp *spilled) open() (io.Reader, func(), error) {
	if sp.pend != nil {
		r, err := sp.pend.section(sp.off, sp.size)
		return r, func() {}, err
	}
	f, err := sp.v.root.Open(sp.name)
	if err != nil {
		return nil, nil, err
	}
	return io.NewSectionReader(f, sp.off, sp.size), func() { f.Close() }, nil
}

// load reads the payload back onto the heap, for a Get of an entry this process spilled.
func (sp *spilled) load() ([]byte, bool) {
	r, done, err := sp.open()
	if err != nil {
		return nil, false
	}
	defer done()
	data := make([]byte, sp.size)
	if _, err := io.ReadFull(r, data); err != nil {
		return nil, false
	}
	return data, true
}

// Scratch is a temporary file of the cache directory, written through a buffer and read back
// once: the parts of a Spill's payload that are made before the parts that precede them (a
// snapshot's chunks, encoded before the tables of strings they refer to are complete), so that
// they wait on disk rather than on the heap. A temporary file a killed run left is removed by a
// later run's bound.
type Scratch struct {
	root *os.Root
	name string
	f    *os.File
	w    *bufio.Writer
	n    int64
}

// createTemp makes a new temporary file of the cache directory for this process alone, named
// so that a later run's bound knows it for one (".tmp-") and removes it if a killed run left it.
// perm is its mode (less the umask): a file that becomes a segment gets a segment's, as
// writeSegment makes one.
func createTemp(root *os.Root, prefix string, perm os.FileMode) (*os.File, string, error) {
	name := fmt.Sprintf("%s-%016x.tmp-%08x", prefix, time.Now().UnixNano(), rand.Uint32())
	f, err := root.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, perm)
	return f, name, err
}

// Scratch makes a scratch file beside the Spill's; nil when the Spill failed or the file
// cannot be made (the caller keeps those bytes on the heap).
func (s *Spill) Scratch() *Scratch {
	if s.err != nil || s.v == nil {
		return nil
	}
	f, name, err := createTemp(s.v.root, "scratch", 0o600)
	if err != nil {
		return nil
	}
	return &Scratch{root: s.v.root, name: name, f: f, w: bufio.NewWriterSize(f, 1<<20)}
}

// Write appends p.
func (s *Scratch) Write(p []byte) (int, error) {
	n, err := s.w.Write(p)
	s.n += int64(n)
	return n, err
}

// Len is the bytes written.
func (s *Scratch) Len() int64 { return s.n }

// WriteTo copies what was written to w.
func (s *Scratch) WriteTo(w io.Writer) (int64, error) {
	if err := s.w.Flush(); err != nil {
		return 0, err
	}
	n, err := io.Copy(w, io.NewSectionReader(s.f, 0, s.n))
	if err == nil && n != s.n {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

// Remove closes and removes the file.
func (s *Scratch) Remove() {
	if s == nil || s.f == nil {
		return
	}
	s.f.Close()
	_ = s.root.Remove(s.name)
	s.f = nil
}

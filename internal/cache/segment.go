package cache

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// A segment file is the magic line and the build of dataops that wrote it (the SHA-256 of
// ToolVersion), then records: the key, the MAC of key and payload (secret.go), the payload's length (4
// bytes, little-endian) and the payload, in no particular order (readers index every record,
// and none searches). Every key holds the build, so a segment of another
// build holds nothing this one can read: it is neither mapped nor indexed, only counted
// against the limit, and the first to go past it. It is named seg-<stamp>-<random>.pack,
// the stamp being the time it was made in hexadecimal nanoseconds: when two segments hold one
// key, the later one's entry is the one read (an entry found stale or damaged is written again
// by the run that found it, into a later segment), and when one segment holds a key twice, its
// later record is. Segments are never changed once renamed into place, only removed when merged
// into another.
//
// A run's segments are written as segments from the start, under temporary names no reader
// takes for a segment, and renamed into place, complete, at its last Release (commit): the file
// the Hold's payloads were appended to (pending.go), and one per payload a Spill wrote
// (spill.go). Nothing is copied: a cold run of 2,400 models spent 7% of its CPU copying 130 MB
// of payloads from such files into new segments. A run killed before the rename leaves only
// temporary files, which the bound of a later run removes.
//
// The directory is bounded at the end of a run that wrote: past maxSegments files, or past the
// size limit, the segments are merged into one. Past the limit the merge keeps what the run
// used first (read or written), then the entries of the segments used most recently (a
// segment's modification time is refreshed, at most once an hour, when a run reads from it),
// until 90% of the limit.

var segMagic = []byte("dataops-cache4\n")

// segHeader is the magic line and the build.
const segHeader = 15 + 32

// buildID identifies the running build in segment headers.
var buildID = sync.OnceValue(func() []byte {
	s := sha256.Sum256([]byte(ToolVersion()))
	return s[:]
})

const (
	recHeader = 32 + macSize + 4
	// maxSegments is how many segments the directory holds before they are merged. A run adds
	// up to three (its payloads, its snapshot, its manifest template), and a merge copies the
	// whole cache, the very copy commit avoids: at 16 that is every fifth cold run rather than
	// every third. A segment more costs a run that opens the cache an open and a mapping; its
	// records cost the same wherever they are.
	maxSegments = 16
	segPrefix   = "seg-"
	segSuffix   = ".pack"
)

// segment is one segment file, mapped when this build wrote it.
type segment struct {
	name  string
	stamp int64
	size  int64
	mod   time.Time
	data  []byte
	unmap func()
	n     int         // records
	own   bool        // written by this build; a segment of another is not mapped
	used  atomic.Bool // read by this run
	// pinned is set (under pins) once a payload of this segment is kept past the run (Keep):
	// the segment then stays mapped for the rest of the process.
	pinned bool
	// mapped says data is mapped memory rather than a copy on the heap, which the collector
	// keeps as long as a view of it lives.
	mapped bool
	// hit has a bit per record read by this run, for the bound.
	hit []atomic.Uint32
}

// loc is where one entry's record starts.
type loc struct {
	seg *segment
	off int
	i   int // the record's number in its segment
}

func (l loc) parts() (key, mac, payload []byte) {
	d := l.seg.data[l.off:]
	n := int(binary.LittleEndian.Uint32(d[32+macSize : recHeader]))
	return d[:32], d[32 : 32+macSize], d[recHeader : recHeader+n]
}

// view is the segments of a directory as one run sees them.
type view struct {
	dir   string
	root  *os.Root
	segs  []*segment
	index map[Key]loc
	// legacy is set when entry files of the format before segments are left to remove.
	legacy bool
	// pend is the file the payloads stored under this view are appended to (pending.go).
	pend *pendFile
}

type record struct {
	key     Key
	payload []byte
	spill   *spilled // instead of payload: a payload written to a file (spill.go)
}

// openView maps every segment of dir and indexes their records, later segments first.
func openView(dir string) (*view, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	v := &view{dir: dir, root: root}
	v.pend = &pendFile{v: v}
	names, legacy := listDir(root)
	v.legacy = legacy
	for _, name := range names.segs {
		if s := openSegment(root, name, false, filepath.Join(dir, name)); s != nil && s.own {
			v.segs = append(v.segs, s)
		}
	}
	v.index = indexOf(v.segs)
	return v, nil
}

// A payload the caller keeps views of past the Release of its Hold (a restored snapshot,
// whose strings are views of its bytes: copying the 20-30 MB entry out cost a warm run 0.1 s,
// most of it faulting in the fresh pages) is left in its segment's mapping, which then stays
// for the rest of the process. A later view of the same segment file uses that mapping again,
// so a long-lived process restoring the same snapshot maps it once; the pinned segments are
// bounded together by the cache's limit, past which Keep copies. A segment read onto the heap
// (where files cannot be mapped) needs nothing of the kind: the collector keeps it.
var pins struct {
	sync.Mutex
	bytes  int64
	byPath map[string]*segment
}

// pin keeps s mapped for the rest of the process; false when that would pass budget.
func (v *view) pin(s *segment, budget int64) bool {
	if !s.mapped {
		return true
	}
	pins.Lock()
	defer pins.Unlock()
	if s.pinned {
		return true
	}
	if pins.bytes+s.size > budget {
		return false
	}
	s.pinned = true
	pins.bytes += s.size
	if pins.byPath == nil {
		pins.byPath = map[string]*segment{}
	}
	pins.byPath[filepath.Join(v.dir, s.name)] = s
	return true
}

// pinnedAs returns the pinned mapping of the segment file at path, when it is the one pinned
// (same size and modification time: a segment is never changed in place, and its name is
// not reused).
func pinnedAs(path string, size int64, mod time.Time) *segment {
	pins.Lock()
	defer pins.Unlock()
	if p := pins.byPath[path]; p != nil && p.size == size && p.mod.Equal(mod) {
		return p
	}
	return nil
}

func (v *view) close() {
	if v == nil {
		return
	}
	for _, s := range v.segs {
		pins.Lock()
		pinned := s.pinned
		pins.Unlock()
		if !pinned {
			s.unmap()
		}
	}
	v.segs, v.index = nil, nil
	v.root.Close()
}

// indexOf maps every key to its record in the latest segment holding it.
func indexOf(segs []*segment) map[Key]loc {
	n := 0
	for _, s := range segs {
		n += s.n
	}
	index := make(map[Key]loc, n)
	for _, s := range segs { // oldest first: a later segment's entry replaces an earlier one's
		s.records(func(i, off int) {
			index[Key(s.data[off:off+32])] = loc{s, off, i}
		})
	}
	return index
}

// records calls fn with the offset of every whole record, stopping at the first that does not
// fit in the file (a damaged segment keeps what comes before the damage).
func (s *segment) records(fn func(i, off int)) {
	d := s.data
	off := segHeader
	for i := 0; off+recHeader <= len(d); i++ {
		n := int(binary.LittleEndian.Uint32(d[off+32+macSize : off+recHeader]))
		if n > len(d)-off-recHeader {
			return
		}
		fn(i, off)
		off += recHeader + n
	}
}

// get returns k's payload: found says whether the segments hold k, ok whether its entry is
// authentic.
func (v *view) get(k Key) (payload []byte, found, ok bool) {
	payload, _, found, ok = v.getIn(k)
	return payload, found, ok
}

// getIn is get, with the segment the payload is in.
func (v *view) getIn(k Key) (payload []byte, seg *segment, found, ok bool) {
	l, found := v.index[k]
	if !found {
		return nil, nil, false, false
	}
	_, mac, payload := l.parts()
	if !authentic(k, mac, payload) {
		return nil, nil, true, false
	}
	l.seg.mark(l.i)
	return payload, l.seg, true, true
}

func (s *segment) mark(i int) {
	if !s.used.Load() {
		s.used.Store(true)
	}
	w, bit := &s.hit[i/32], uint32(1)<<(i%32)
	if w.Load()&bit == 0 {
		w.Or(bit)
	}
}

func (s *segment) marked(i int) bool { return s.hit[i/32].Load()&(uint32(1)<<(i%32)) != 0 }

// touch marks the segments this run read from as used, for the bound.
func (v *view) touch() {
	now := time.Now()
	for _, s := range v.segs {
		if s.used.Load() && now.Sub(s.mod) > time.Hour {
			_ = v.root.Chtimes(s.name, now, now)
		}
	}
}

// dirNames is what a cache directory holds besides its .gitignore.
type dirNames struct {
	segs, temps []string
}

// listDir lists the segments (oldest first) and temporary files of a cache directory, and
// reports whether it holds fan-out directories of the format before segments.
func listDir(root *os.Root) (dirNames, bool) {
	var out dirNames
	legacy := false
	f, err := root.Open(".")
	if err != nil {
		return out, false
	}
	entries, _ := f.ReadDir(-1)
	f.Close()
	for _, e := range entries {
		name := e.Name()
		switch {
		case e.IsDir():
			if legacyDir(name) {
				legacy = true
			}
		case !e.Type().IsRegular():
		case isTemp(name):
			out.temps = append(out.temps, name)
		case segStamp(name) >= 0:
			out.segs = append(out.segs, name)
		}
	}
	slices.SortFunc(out.segs, func(a, b string) int {
		return cmp.Or(cmp.Compare(segStamp(a), segStamp(b)), strings.Compare(a, b))
	})
	return out, legacy
}

// segStamp is the stamp of a segment's name, or -1 for another name.
func segStamp(name string) int64 {
	rest, ok := strings.CutPrefix(name, segPrefix)
	if !ok {
		return -1
	}
	rest, ok = strings.CutSuffix(rest, segSuffix)
	if !ok || len(rest) != 16+1+8 || rest[16] != '-' {
		return -1
	}
	if _, err := hex.DecodeString(rest[17:]); err != nil {
		return -1
	}
	n, err := strconv.ParseInt(rest[:16], 16, 64)
	if err != nil || n < 0 {
		return -1
	}
	return n
}

func segName(stamp int64) string {
	return fmt.Sprintf("%s%016x-%08x%s", segPrefix, stamp, rand.Uint32(), segSuffix)
}

// openSegment opens one segment and maps it when this build wrote it, or when all is set; nil
// when it cannot be read or is not a segment. A segment pinned at path (when given) is not
// mapped again.
func openSegment(root *os.Root, name string, all bool, path string) *segment {
	f, err := root.Open(name)
	if err != nil {
		return nil
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() || st.Size() < segHeader || st.Size() > 1<<40 {
		return nil
	}
	head := make([]byte, segHeader)
	if _, err := f.ReadAt(head, 0); err != nil || !bytes.HasPrefix(head, segMagic) {
		return nil
	}
	s := &segment{name: name, stamp: segStamp(name), size: st.Size(), mod: st.ModTime(), unmap: func() {},
		own: bytes.Equal(head[len(segMagic):], buildID())}
	if !s.own && !all {
		return s
	}
	if p := pinnedAs(path, s.size, s.mod); path != "" && p != nil {
		s.data, s.pinned, s.mapped = p.data, true, true
	} else {
		if s.data, s.unmap, err = mapFile(f, st.Size()); err != nil {
			return nil
		}
		if s.mapped = s.unmap != nil; !s.mapped {
			s.unmap = func() {}
		}
	}
	s.records(func(int, int) { s.n++ })
	s.hit = make([]atomic.Uint32, (s.n+31)/32)
	return s
}

// readAll reads the first size bytes of f onto the heap, for mapFile where a file cannot be
// mapped (its unmap is then nil).
func readAll(f *os.File, size int64) ([]byte, func(), error) {
	data := make([]byte, size)
	if _, err := io.ReadFull(io.NewSectionReader(f, 0, size), data); err != nil {
		return nil, nil, err
	}
	return data, nil, nil
}

// commit puts the records a run stored in place as segments, renaming the files they were
// written to rather than copying them (see the top of this file). A payload on the heap (Put
// could not append it) is appended to the Hold's file of payloads first, or else, when that
// file cannot take it, copied into a segment of its own. The file of payloads gets the earliest
// stamp: it may still hold an earlier payload of a key stored again (spilled, or kept on the
// heap), and the later stamp of the other segment makes the current one win. A spilled file,
// or the segment of copies, holds only current payloads (a Spill's file is removed when its key
// is stored again).
func (v *view) commit(recs []record) error {
	stamp := time.Now().UnixNano()
	var spills []*spilled
	var heap []record
	inPend := false
	for _, r := range recs {
		switch {
		case r.spill == nil:
			if v.pend.add(r.key, r.payload) != nil {
				inPend = true
			} else {
				heap = append(heap, r)
			}
		case r.spill.pend != nil:
			inPend = true
		default:
			spills = append(spills, r.spill)
		}
	}
	var errs []error
	if inPend {
		errs = append(errs, v.pend.commit(segName(stamp)))
	}
	for _, sp := range spills {
		stamp++
		if err := v.root.Rename(sp.name, segName(stamp)); err != nil {
			sp.remove()
			errs = append(errs, err)
		}
	}
	if len(heap) > 0 {
		_, err := writeSegment(v.root, stamp+1, func(add addFunc) error {
			for _, r := range heap {
				mac, ok := seal(r.key, r.payload)
				if !ok {
					return errNoSecret
				}
				if err := add(r.key, mac, int64(len(r.payload)), bytes.NewReader(r.payload)); err != nil {
					return err
				}
			}
			return nil
		})
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// errNoSecret: without the secret nothing is stored that a later run could trust.
var errNoSecret = errors.New("cache: no secret to authenticate entries")

// addFunc adds a record to a segment being written: its key, HMAC, and the size bytes of its
// payload read from payload.
type addFunc func(k Key, mac []byte, size int64, payload io.Reader) error

// writeSegment writes a segment through a temporary file and a rename, and returns its name
// and size.
func writeSegment(root *os.Root, stamp int64, fill func(add addFunc) error) (string, error) {
	name := segName(stamp)
	tmp := fmt.Sprintf("%s.tmp-%08x", name, rand.Uint32())
	f, err := root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return "", err
	}
	w := newBlockWriter(f)
	w.Write(segMagic)
	w.Write(buildID())
	var hdr [4]byte
	err = fill(func(k Key, mac []byte, size int64, payload io.Reader) error {
		if size > 1<<31 {
			return errors.New("cache: entry too large")
		}
		binary.LittleEndian.PutUint32(hdr[:], uint32(size))
		w.Write(k[:])
		w.Write(mac)
		w.Write(hdr[:])
		n, err := io.Copy(w, io.LimitReader(payload, size))
		if err == nil && n != size {
			err = io.ErrUnexpectedEOF
		}
		return err
	})
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = root.Rename(tmp, name)
	}
	if err != nil {
		_ = root.Remove(tmp)
		return "", err
	}
	return name, nil
}

// bound merges the segments when there are too many or they hold more than limit bytes, and
// removes what a killed run left behind. wrote is what this run has just written.
func (v *view) bound(limit int64, wrote []record) error {
	names, legacy := listDir(v.root)
	for _, t := range names.temps {
		if st, err := v.root.Stat(t); err == nil && time.Since(st.ModTime()) > time.Hour {
			_ = v.root.Remove(t)
		}
	}
	if legacy || v.legacy {
		removeLegacy(v.dir)
	}
	// The segments now in the directory: ours (already mapped), those other runs of this build
	// added, and those of other builds (counted, not mapped).
	mine := map[string]*segment{}
	for _, s := range v.segs {
		mine[s.name] = s
	}
	var segs, foreign []*segment
	var total, foreignSize int64
	for _, name := range names.segs {
		s := mine[name]
		if s == nil {
			if s = openSegment(v.root, name, false, ""); s == nil {
				continue
			}
			defer s.unmap()
		}
		total += s.size
		if s.own {
			segs = append(segs, s)
		} else {
			foreign = append(foreign, s)
			foreignSize += s.size
		}
	}
	if total <= limit && len(segs) <= maxSegments {
		return nil
	}
	goal := limit
	if total > limit {
		goal = limit / 10 * 9
		// Other builds' segments go first, least recently used first.
		slices.SortFunc(foreign, func(a, b *segment) int { return a.mod.Compare(b.mod) })
		for _, s := range foreign {
			if total <= goal {
				break
			}
			if err := v.root.Remove(s.name); err == nil {
				total -= s.size
				foreignSize -= s.size
			}
		}
		if total <= goal && len(segs) <= maxSegments {
			return nil
		}
		goal -= foreignSize
	}
	used := map[Key]bool{}
	for _, r := range wrote {
		used[r.key] = true
	}
	for k, l := range v.index {
		if l.seg.marked(l.i) {
			used[k] = true
		}
	}
	index := indexOf(segs)
	keys := make([]Key, 0, len(index))
	for k := range index {
		keys = append(keys, k)
	}
	// What this run used first, then the entries of the segments used most recently.
	slices.SortFunc(keys, func(a, b Key) int {
		la, lb := index[a], index[b]
		if ua, ub := used[a], used[b]; ua != ub {
			if ua {
				return -1
			}
			return 1
		}
		return cmp.Or(lb.seg.mod.Compare(la.seg.mod), cmp.Compare(lb.seg.stamp, la.seg.stamp), cmp.Compare(la.off, lb.off))
	})
	var stamp int64
	for _, s := range segs {
		stamp = max(stamp, s.stamp)
	}
	_, err := writeSegment(v.root, stamp, func(add addFunc) error {
		size := int64(segHeader)
		for _, k := range keys {
			kb, mac, payload := index[k].parts()
			n := int64(recHeader + len(payload))
			if size+n > goal {
				continue
			}
			if !authentic(Key(kb), mac, payload) {
				continue // damaged or foreign: not carried over
			}
			if err := add(k, mac, int64(len(payload)), bytes.NewReader(payload)); err != nil {
				return err
			}
			size += n
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, s := range segs {
		_ = v.root.Remove(s.name)
	}
	return nil
}

// Usage is what a cache directory holds.
type Usage struct {
	Entries int
	Bytes   int64
}

// Status reports the entries and bytes under dir (a missing directory holds nothing).
func Status(dir string) (Usage, error) {
	root, err := os.OpenRoot(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return Usage{}, nil
	}
	if err != nil {
		return Usage{}, err
	}
	defer root.Close()
	var u Usage
	names, legacy := listDir(root)
	segs := make([]*segment, 0, len(names.segs))
	for _, name := range names.segs {
		if s := openSegment(root, name, true, ""); s != nil {
			defer s.unmap()
			segs = append(segs, s)
			u.Bytes += s.size
		}
	}
	// A key is in one build's segments only (the build is part of every key).
	u.Entries = len(indexOf(segs))
	if legacy {
		for _, e := range legacyEntries(dir) {
			u.Entries++
			u.Bytes += e.size
		}
	}
	return u, nil
}

// Clean removes every segment and entry under dir, and dir itself when nothing else is left in
// it. Only what is named and shaped like the cache's own files is removed, so a mistaken
// --cache-dir does not empty an unrelated directory.
func Clean(dir string) (Usage, error) {
	u, err := Status(dir)
	if err != nil {
		return Usage{}, err
	}
	root, err := os.OpenRoot(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return u, nil
	}
	if err != nil {
		return Usage{}, err
	}
	defer root.Close()
	names, legacy := listDir(root)
	for _, name := range names.segs {
		if isSegment(root, name) {
			if err := root.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return u, err
			}
		}
	}
	for _, name := range names.temps {
		_ = root.Remove(name)
	}
	if legacy {
		removeLegacy(dir)
	}
	if rest, _ := os.ReadDir(dir); len(rest) == 1 && rest[0].Name() == ".gitignore" {
		_ = os.Remove(filepath.Join(dir, ".gitignore"))
		_ = os.Remove(dir)
	}
	return u, nil
}

// isSegment reports whether name starts with the segment magic.
func isSegment(root *os.Root, name string) bool {
	f, err := root.Open(name)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, len(segMagic))
	n, _ := io.ReadFull(f, head)
	return n == len(segMagic) && bytes.Equal(head, segMagic)
}

func isTemp(name string) bool {
	i := len(name) - len(".tmp-00000000")
	if i <= 0 || name[i:i+5] != ".tmp-" {
		return false
	}
	_, err := hex.DecodeString(name[i+5:])
	return err == nil
}

// The format before segments: one file per entry, named by its key's hex digits under a
// directory of its first two. A cache of that format is removed the first time a run writes.

var legacyMagic = []byte("dataops-cache2\n")

func legacyDir(name string) bool {
	if len(name) != 2 {
		return false
	}
	_, err := hex.DecodeString(name)
	return err == nil
}

type legacyEntry struct {
	path string
	size int64
}

// legacyEntries lists the entry files (and their temporary files) of the old format.
func legacyEntries(dir string) []legacyEntry {
	var out []legacyEntry
	subs, _ := os.ReadDir(dir)
	for _, s := range subs {
		if !s.IsDir() || !legacyDir(s.Name()) {
			continue
		}
		files, _ := os.ReadDir(filepath.Join(dir, s.Name()))
		for _, f := range files {
			if !f.Type().IsRegular() {
				continue
			}
			name := f.Name()
			p := filepath.Join(dir, s.Name(), name)
			if !isTemp(name) {
				if len(name) != 62 {
					continue
				}
				if _, err := hex.DecodeString(name); err != nil || !hasPrefix(p, legacyMagic) {
					continue
				}
			}
			info, err := f.Info()
			if err != nil {
				continue
			}
			out = append(out, legacyEntry{p, info.Size()})
		}
	}
	return out
}

func hasPrefix(path string, prefix []byte) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, len(prefix))
	n, _ := io.ReadFull(f, head)
	return n == len(prefix) && bytes.Equal(head, prefix)
}

// removeLegacy removes the old format's entries and the fan-out directories they leave empty.
func removeLegacy(dir string) {
	for _, e := range legacyEntries(dir) {
		_ = os.Remove(e.path)
	}
	subs, _ := os.ReadDir(dir)
	for _, s := range subs {
		if s.IsDir() && legacyDir(s.Name()) {
			_ = os.Remove(filepath.Join(dir, s.Name())) // only when empty
		}
	}
}

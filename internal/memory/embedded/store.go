// Package embedded is the default long-term memory store: records on disk under one directory
// (the project's .dataops/memory/), searched in process, with no server. Records live in
// immutable, checksummed segment files named by a manifest; every write adds a segment and
// replaces the manifest by rename under a file lock, so concurrent processes never corrupt the
// store and a crash leaves the previous state. A segment carries its records, their vectors and
// the keyword index of its texts; it is memory-mapped, so opening a store decodes only the
// records, while the vectors are scanned exhaustively where they lie (exact cosine, fast
// enough for the hundred thousand records of a large project, see docs/memory.md) and BM25
// reads the postings of a query's terms from each segment. It never reads a project:
// ingestion hands it records.
package embedded

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/dataops-dev/dataops/internal/fsconfine"
	"github.com/dataops-dev/dataops/internal/memory"
)

// Store is an open embedded store. It is safe for concurrent use, and several processes may
// open the same directory: each write first catches up with the others' writes, and each
// query with the writes made since the last one.
type Store struct {
	dir  string
	emb  memory.Embedder
	name string
	dim  int

	wmu sync.Mutex // serialises this Store's writes; the file lock serialises them with others

	mu     sync.RWMutex
	closed bool
	gen    uint64     // manifest generation the memory state reflects
	segs   []*segment // segments applied, in order, mapped
	recs   []slot     // by slot: segment k's upserts are slots segs[k].base onwards
	// By slot too, what queries read of every record, packed for a scan: whether it is live,
	// and its keyword terms when it is (0 when dead).
	alive    []bool
	terms    []uint32
	byID     map[string]int32
	idxMu    sync.Mutex
	idx      *index            // built on first use after the slots last changed
	names    map[string]string // one copy of each kind, project, model, column and source
	last     [5]string         // the value of each of those fields interned last
	totalLen int64             // keyword terms of the live records

	upgradedFrom int
}

// UpgradedFrom is the format of the files Open found and rewrote in the current format,
// records kept; 0 when it found the current format or none.
func (s *Store) UpgradedFrom() int { return s.upgradedFrom }

// slot is what the store holds in memory of a record: the fields filters, stats and deletes
// read. The rest (text, commit, line, time, extras) is decoded from the entry's bytes in the
// mapped segment when the record is asked for, so opening a store allocates little per record.
type slot struct {
	id                             string
	kind                           memory.Kind
	project, model, column, source string
	body                           []byte // the entry, in its segment
	live                           bool
	len                            uint32 // keyword terms of the text
}

// record decodes slot i's record, without its vector. Its bytes were checked when the
// segment was loaded.
func (s *Store) record(i int) memory.Record {
	d := decoder{b: s.recs[i].body}
	e, _ := d.next(nil)
	return e.rec
}

// matches reports whether slot i is live and passes f.
func (s *Store) matches(i int, f *memory.Filter) bool {
	sl := &s.recs[i]
	return sl.live && (len(f.Kinds) == 0 || slices.Contains(f.Kinds, sl.kind)) &&
		(f.Project == "" || f.Project == sl.project) &&
		(f.Model == "" || f.Model == sl.model) &&
		(f.Column == "" || f.Column == sl.column) &&
		(len(f.Columns) == 0 || slices.Contains(f.Columns, sl.column)) &&
		(f.Source == "" || f.Source == sl.source) &&
		(len(f.Extra) == 0 || extraMatches(sl.body, f.Extra))
}

// index lists the slots of each column and of each kind, dead ones included.
type index struct {
	byColumn map[string][]int32
	byKind   map[memory.Kind][]int32
}

// index returns the slots' index, building it when the slots changed since it was last
// built: opening a store then costs no index, and a run that lists by column builds it once.
// Callers hold s.mu for reading.
func (s *Store) index() *index {
	s.idxMu.Lock()
	defer s.idxMu.Unlock()
	if s.idx != nil {
		return s.idx
	}
	cols := map[string]int{}
	kinds := map[memory.Kind]int{}
	for i := range s.recs {
		if sl := &s.recs[i]; sl.live {
			cols[sl.column]++
			kinds[sl.kind]++
		}
	}
	x := &index{byColumn: make(map[string][]int32, len(cols)), byKind: make(map[memory.Kind][]int32, len(kinds))}
	// One backing array per map, cut in the counted lengths.
	colAt, kindAt := make([]int32, 0, len(s.byID)), make([]int32, 0, len(s.byID))
	for c, n := range cols {
		x.byColumn[c] = colAt[len(colAt) : len(colAt) : len(colAt)+n]
		colAt = colAt[:len(colAt)+n]
	}
	for k, n := range kinds {
		x.byKind[k] = kindAt[len(kindAt) : len(kindAt) : len(kindAt)+n]
		kindAt = kindAt[:len(kindAt)+n]
	}
	for i := range s.recs {
		if sl := &s.recs[i]; sl.live {
			x.byColumn[sl.column] = append(x.byColumn[sl.column], int32(i))
			x.byKind[sl.kind] = append(x.byKind[sl.kind], int32(i))
		}
	}
	s.idx = x
	return x
}

// candidates returns the slots that may pass f, in order, from the index when f names
// columns or kinds (ok); otherwise every slot must be looked at.
func (s *Store) candidates(f *memory.Filter) (at []int32, ok bool) {
	var lists [][]int32
	switch {
	case f.Column != "":
		lists = [][]int32{s.index().byColumn[f.Column]}
	case len(f.Columns) > 0:
		x := s.index()
		for _, c := range f.Columns {
			lists = append(lists, x.byColumn[c])
		}
	case len(f.Kinds) > 0:
		x := s.index()
		for _, k := range f.Kinds {
			lists = append(lists, x.byKind[k])
		}
	default:
		return nil, false
	}
	if len(lists) == 1 {
		return lists[0], true
	}
	for _, l := range lists {
		at = append(at, l...)
	}
	slices.Sort(at)
	return slices.Compact(at), true
}

// intern returns one copy of each value of a field. Consecutive entries (the columns of one
// property file) mostly repeat the last value, which then costs a comparison, not a lookup.
func (s *Store) intern(field int, b []byte) string {
	if last := s.last[field]; last == string(b) {
		return last
	}
	v, ok := s.names[string(b)]
	if !ok {
		v = string(b)
		s.names[v] = v
	}
	s.last[field] = v
	return v
}

func (s *Store) closedErr() error { return fmt.Errorf("%s: memory store is closed", s.dir) }

// Open opens (creating if needed) the store in dir, for vectors of emb. It returns a
// *memory.CorruptError (errors.Is memory.ErrCorrupt) when a file fails its checks, and a
// *memory.EmbedderMismatchError (errors.Is memory.ErrEmbedderMismatch) when the store holds
// vectors of another embedder; Reset and Reembed are the remedies.
func Open(ctx context.Context, dir string, emb memory.Embedder) (*Store, error) {
	if emb == nil || emb.Dimension() <= 0 {
		return nil, errors.New("embedded memory store: an embedder with a positive dimension is required")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	s := &Store{dir: dir, emb: emb, name: emb.Name(), dim: emb.Dimension()}
	s.reset()
	unlock, err := fileLock(ctx, dir, true)
	if err != nil {
		return nil, err
	}
	defer unlock()
	m, err := readManifest(dir)
	if err != nil {
		return nil, err
	}
	if m != nil && m.Format != formatVersion {
		from := m.Format
		if m, err = upgrade(dir, m); err != nil {
			return nil, fmt.Errorf("upgrading the memory store %s from format %d: %w", dir, from, err)
		}
		s.upgradedFrom = from
	}
	switch {
	case m == nil || (m.Entries == 0 && (m.Embedder != s.name || m.Dimension != s.dim)):
		// A new store, or an empty one that may change embedder freely.
		m = &manifest{Format: formatVersion, Embedder: s.name, Dimension: s.dim, Generation: 1, Next: 1}
		if err := writeFileAtomic(dir, manifestName, m.encode()); err != nil {
			return nil, err
		}
	case m.Embedder != s.name || m.Dimension != s.dim:
		return nil, s.mismatch(m)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.load(m); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Store) mismatch(m *manifest) error {
	return &memory.EmbedderMismatchError{Store: s.dir, StoreName: m.Embedder, StoreDimension: m.Dimension, Name: s.name, Dimension: s.dim}
}

func (s *Store) reset() {
	for _, g := range s.segs {
		g.close()
	}
	s.gen, s.segs, s.recs, s.alive, s.terms, s.totalLen = 0, nil, nil, nil, nil, 0
	s.byID = map[string]int32{}
	s.idx = nil
	s.names = map[string]string{}
	s.last = [5]string{}
}

// load brings the memory state to manifest m: only the new segments when the ones applied are
// still its prefix, everything again after another process compacted. Callers hold s.mu and
// the file lock.
func (s *Store) load(m *manifest) error {
	if len(m.Segments) < len(s.segs) || !slices.EqualFunc(m.Segments[:len(s.segs)], s.segs, func(r segmentRef, g *segment) bool { return r == g.ref }) {
		s.reset()
	}
	if len(s.recs) == 0 {
		// The records the segments can hold, bounded by their size (a record takes at least
		// its vector): one allocation instead of a slice copied at every growth.
		var size int64
		for _, r := range m.Segments {
			size += r.Bytes
		}
		n := min(int64(m.Entries), size/int64(4*s.dim)+1)
		s.byID = make(map[string]int32, n)
		s.recs = make([]slot, 0, n)
		s.alive = make([]bool, 0, n)
		s.terms = make([]uint32, 0, n)
	}
	for _, ref := range m.Segments[len(s.segs):] {
		if err := s.loadSegment(ref); err != nil {
			s.reset()
			return err
		}
	}
	s.gen = m.Generation
	return nil
}

// loadSegment maps one segment and applies its entries.
func (s *Store) loadSegment(ref segmentRef) error {
	path := filepath.Join(s.dir, ref.Name)
	g, err := openSegment(path, ref.Bytes, s.dim)
	if errors.Is(err, os.ErrNotExist) {
		err = corruptf(path, "segment named by the manifest is missing")
	}
	if err != nil {
		return err
	}
	g.ref = ref
	g.base = len(s.recs)
	s.segs = append(s.segs, g)
	s.recs = slices.Grow(s.recs, g.rows)
	s.alive = slices.Grow(s.alive, g.rows)
	s.terms = slices.Grow(s.terms, g.rows)
	return g.eachHead(s.intern, func(h *head, body []byte, row int) {
		s.apply(h, body, g, row)
	})
}

func corruptf(path, format string, args ...any) error {
	return &memory.CorruptError{Path: path, Reason: fmt.Sprintf(format, args...)}
}

// apply changes the memory state by one entry of segment g; an upsert is its row there.
func (s *Store) apply(h *head, body []byte, g *segment, row int) {
	s.idx = nil
	i, exists := s.byID[h.id]
	if exists {
		old := &s.recs[i]
		s.totalLen -= int64(old.len)
		*old = slot{}
		s.alive[i], s.terms[i] = false, 0
		delete(s.byID, h.id)
	}
	if h.op == opDelete {
		return
	}
	n := g.docLen[row]
	at := int32(g.base + row)
	s.recs = append(s.recs, slot{id: h.id, kind: h.kind, project: h.project, model: h.model, column: h.column,
		source: h.source, body: body, live: true, len: n})
	s.alive = append(s.alive, true)
	s.terms = append(s.terms, n)
	s.byID[h.id] = at
	s.totalLen += int64(n)
}

// refresh catches up with writes other processes made since the last look.
func (s *Store) refresh(ctx context.Context) error {
	m, err := readManifest(s.dir)
	if err != nil {
		return err
	}
	s.mu.RLock()
	closed, same := s.closed, m != nil && m.Generation == s.gen
	s.mu.RUnlock()
	if closed {
		return s.closedErr()
	}
	if same {
		return nil
	}
	unlock, err := fileLock(ctx, s.dir, false)
	if err != nil {
		return err
	}
	defer unlock()
	return s.catchUp()
}

// catchUp rereads the manifest under the file lock and loads what changed.
func (s *Store) catchUp() error {
	m, err := readManifest(s.dir)
	if err != nil {
		return err
	}
	if m == nil {
		return fmt.Errorf("%s: the memory store was removed while open", s.dir)
	}
	if m.Format != formatVersion {
		return fmt.Errorf("%s: the memory store was rewritten in format %d by another dataops while open", s.dir, m.Format)
	}
	if m.Embedder != s.name || m.Dimension != s.dim {
		return s.mismatch(m)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if m.Generation == s.gen {
		return nil
	}
	return s.load(m)
}

// mergeRatio decides, after each write, which segments are rewritten as one: segment i stays
// apart while it holds at least mergeRatio times the bytes of all the segments after it, and
// the first one that does not is merged with all those after it. A write of a few records (a
// review's proposals) then merges only segments as small as itself; the large segment of an
// ingest is rewritten only once the writes after it add up to half its size. Segment sizes
// fall at least threefold from one to the next, so a store has few segments and a record is
// rewritten a logarithmic number of times. The whole store is rewritten only when most of
// its entries are dead (replaced or deleted), as after re-ingesting a changed project.
const mergeRatio = 2

// mergeFrom is the first segment of m that the next merge rewrites, len(m.Segments) when
// nothing needs merging.
func mergeFrom(m *manifest, live int) int {
	n := len(m.Segments)
	if n > 1 && m.Entries > 1024 && m.Entries > 2*live {
		return 0
	}
	var after int64
	for i := n - 1; i >= 0; i-- {
		after += m.Segments[i].Bytes
	}
	for i := 0; i < n-1; i++ {
		after -= m.Segments[i].Bytes
		if m.Segments[i].Bytes < mergeRatio*after {
			return i
		}
	}
	return n
}

// lockForWrite takes this Store's writer mutex and the store's exclusive file lock, then
// catches up with what other writers added; release undoes both.
func (s *Store) lockForWrite(ctx context.Context) (release func(), err error) {
	s.wmu.Lock()
	unlock, err := fileLock(ctx, s.dir, true)
	if err != nil {
		s.wmu.Unlock()
		return nil, err
	}
	release = func() { unlock(); s.wmu.Unlock() }
	if err := s.catchUp(); err != nil {
		release()
		return nil, err
	}
	return release, nil
}

// write adds one segment of the entries that build returns, which it calls under the file
// lock once this Store has caught up with every other writer (so that "delete what has this
// source" sees their records too).
func (s *Store) write(ctx context.Context, build func() []entry) error {
	release, err := s.lockForWrite(ctx)
	if err != nil {
		return err
	}
	defer release()
	s.mu.RLock()
	closed := s.closed
	entries := build()
	s.mu.RUnlock()
	if closed {
		return s.closedErr()
	}
	if len(entries) == 0 {
		return nil
	}
	m, err := readManifest(s.dir)
	if err != nil {
		return err
	}
	ref, err := writeSegment(s.dir, m.Next, s.dim, func(emit func(*entry) error) error {
		for i := range entries {
			if err := emit(&entries[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	m.Next++
	m.Generation++
	m.Segments = append(m.Segments, ref)
	m.Entries += len(entries)
	if err := writeFileAtomic(s.dir, manifestName, m.encode()); err != nil {
		os.Remove(filepath.Join(s.dir, ref.Name))
		return err
	}
	s.mu.Lock()
	if err = s.loadSegment(ref); err != nil {
		s.reset() // generation 0: the next operation loads the store again
	} else {
		s.gen = m.Generation
	}
	live := len(s.byID)
	s.mu.Unlock()
	if err != nil {
		return err
	}
	if k := mergeFrom(m, live); k < len(m.Segments) {
		return s.merge(m, k)
	}
	return nil
}

// Compact rewrites the whole store as one segment of its live records.
func (s *Store) Compact(ctx context.Context) error {
	release, err := s.lockForWrite(ctx)
	if err != nil {
		return err
	}
	defer release()
	m, err := readManifest(s.dir)
	if err != nil || m == nil || len(m.Segments) == 0 {
		return err
	}
	return s.merge(m, 0)
}

// merge rewrites segments k onwards of m, which the Store has loaded, as one: their live
// records copied as stored, and a delete of each record they deleted or replaced and no
// longer hold, which an earlier segment may. Callers hold the exclusive file lock. The store
// is valid whether or not it completes: the old segments stay until the manifest names the
// new one.
func (s *Store) merge(m *manifest, k int) error {
	s.mu.RLock()
	ref, err := s.writeMerged(m, k)
	s.mu.RUnlock()
	if err != nil {
		return err
	}
	kept := m.Segments[:k:k]
	m.Next++
	m.Generation++
	m.Segments = append(kept, ref)
	m.Entries = 0
	for _, r := range m.Segments {
		m.Entries += r.Entries
	}
	if err := writeFileAtomic(s.dir, manifestName, m.encode()); err != nil {
		os.Remove(filepath.Join(s.dir, ref.Name))
		return err
	}
	// The tail's records now live in the new segment: drop the tail, map the new one.
	s.mu.Lock()
	s.truncate(k)
	if err = s.loadSegment(ref); err != nil {
		s.reset()
	} else {
		s.gen = m.Generation
	}
	s.mu.Unlock()
	removeUnnamedSegments(s.dir, m)
	return err
}

// writeMerged writes the merge of segments k onwards. Callers hold s.mu for reading.
func (s *Store) writeMerged(m *manifest, k int) (segmentRef, error) {
	if len(s.segs) != len(m.Segments) {
		return segmentRef{}, fmt.Errorf("%s: the memory store changed while it was merged", s.dir)
	}
	w, err := newSegmentWriter(s.dir, m.Next, s.dim)
	if err != nil {
		return segmentRef{}, err
	}
	// The records of a kind lie together in the merged segment: a query filtered by kind (doc
	// chunks, playbook rules) then reads a few runs of its pages instead of a page here and
	// there across the file, each of which costs a page fault the first time.
	var rows []stored
	for _, g := range s.segs[k:] {
		for r := range g.rows {
			if sl := &s.recs[g.base+r]; sl.live {
				rows = append(rows, stored{g, r, sl.body})
			}
		}
	}
	slices.SortStableFunc(rows, func(a, b stored) int {
		return strings.Compare(string(s.recs[a.g.base+a.row].kind), string(s.recs[b.g.base+b.row].kind))
	})
	if err := w.copyRows(rows); err != nil {
		w.abort()
		return segmentRef{}, err
	}
	if k > 0 {
		gone := map[string]bool{}
		for _, g := range s.segs[k:] {
			g.eachHead(func(_ int, b []byte) string { return string(b) }, func(h *head, _ []byte, _ int) {
				if _, ok := s.byID[h.id]; !ok {
					gone[h.id] = true
				}
			})
		}
		for _, id := range slices.Sorted(maps.Keys(gone)) {
			if err := w.add(&entry{op: opDelete, rec: memory.Record{ID: id}}); err != nil {
				w.abort()
				return segmentRef{}, err
			}
		}
	}
	return w.finish()
}

// truncate forgets segments k onwards: their live records leave the indexes, and what they
// deleted or replaced in earlier segments stays dead (the merged segment that replaces them
// says so again). Callers hold s.mu.
func (s *Store) truncate(k int) {
	if k >= len(s.segs) {
		return
	}
	base := s.segs[k].base
	for i := base; i < len(s.recs); i++ {
		if sl := &s.recs[i]; sl.live {
			delete(s.byID, sl.id)
			s.totalLen -= int64(sl.len)
		}
	}
	clear(s.recs[base:])
	s.recs, s.alive, s.terms = s.recs[:base], s.alive[:base], s.terms[:base]
	s.idx = nil
	for _, g := range s.segs[k:] {
		g.close()
	}
	s.segs = s.segs[:k]
}

func removeUnnamedSegments(dir string, m *manifest) {
	names, _ := filepath.Glob(filepath.Join(dir, "*.seg"))
	for _, p := range names {
		if !slices.ContainsFunc(m.Segments, func(r segmentRef) bool { return r.Name == filepath.Base(p) }) {
			os.Remove(p)
		}
	}
}

// Upsert adds records or replaces those with the same ID. Records without a vector are
// embedded with the store's embedder; a record whose text and metadata are unchanged and that
// brings no vector is skipped, so re-ingesting an unchanged project costs neither embedding
// nor disk. Vectors are stored normalised.
func (s *Store) Upsert(ctx context.Context, recs []memory.Record) error {
	var todo []memory.Record
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return s.closedErr()
	}
	for _, r := range recs {
		if r.ID == "" {
			s.mu.RUnlock()
			return errors.New("memory record without an id")
		}
		if r.Vector == nil {
			if i, ok := s.byID[r.ID]; ok {
				if old := s.record(int(i)); sameRecord(&old, &r) {
					continue
				}
			}
		} else if len(r.Vector) != s.dim {
			s.mu.RUnlock()
			return fmt.Errorf("memory record %q: vector of %d dimensions, the store's embedder %s has %d", r.ID, len(r.Vector), s.name, s.dim)
		}
		todo = append(todo, r)
	}
	s.mu.RUnlock()
	if len(todo) == 0 {
		return nil
	}
	var texts []string
	var need []int
	for i := range todo {
		if todo[i].Vector == nil {
			texts = append(texts, todo[i].Text)
			need = append(need, i)
		} else {
			todo[i].Vector = slices.Clone(todo[i].Vector)
		}
		todo[i].Metadata.Extra = maps.Clone(todo[i].Metadata.Extra)
	}
	if len(texts) > 0 {
		vs, err := s.emb.Embed(ctx, texts)
		if err != nil {
			return fmt.Errorf("embedding with %s: %w", s.name, err)
		}
		for j, i := range need {
			if len(vs[j]) != s.dim {
				return fmt.Errorf("embedder %s returned %d dimensions, it declares %d", s.name, len(vs[j]), s.dim)
			}
			todo[i].Vector = vs[j]
		}
	}
	entries := make([]entry, len(todo))
	for i := range todo {
		memory.Normalize(todo[i].Vector)
		entries[i] = entry{op: opUpsert, rec: todo[i]}
	}
	return s.write(ctx, func() []entry { return entries })
}

func sameRecord(a, b *memory.Record) bool {
	am, bm := a.Metadata, b.Metadata
	return a.Kind == b.Kind && a.Text == b.Text && am.Project == bm.Project && am.Model == bm.Model &&
		am.Column == bm.Column && am.Source == bm.Source && am.Line == bm.Line && am.Commit == bm.Commit &&
		am.Time.Equal(bm.Time) && maps.Equal(am.Extra, bm.Extra)
}

// DeleteBySource removes every record whose Metadata.Source is source, including those
// another process added.
func (s *Store) DeleteBySource(ctx context.Context, source string) (int, error) {
	var n int
	err := s.write(ctx, func() []entry {
		var del []entry
		for _, sl := range s.recs {
			if sl.live && sl.source == source {
				del = append(del, entry{op: opDelete, rec: memory.Record{ID: sl.id}})
			}
		}
		n = len(del)
		return del
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// Stats counts the records by kind and the distinct sources.
func (s *Store) Stats(ctx context.Context) (memory.Stats, error) {
	if err := s.refresh(ctx); err != nil {
		return memory.Stats{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	st := memory.Stats{ByKind: map[memory.Kind]int{}, Embedder: s.name, Dimension: s.dim}
	sources := map[string]bool{}
	for _, sl := range s.recs {
		if sl.live {
			st.Records++
			st.ByKind[sl.kind]++
			if src := sl.source; src != "" {
				sources[src] = true
			}
		}
	}
	st.Sources = len(sources)
	return st, nil
}

// Close releases the store's memory; the files stay.
func (s *Store) Close() error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	s.reset()
	return nil
}

var _ memory.Store = (*Store)(nil)

// fileLock takes the store's lock file, exclusive for writers and shared for readers loading
// segments, so that two processes never write at once and no reader loads a segment that a
// compaction is removing.
func fileLock(ctx context.Context, dir string, exclusive bool) (unlock func(), err error) {
	return fsconfine.Lock(ctx, filepath.Join(dir, lockName), exclusive, "another process using the memory store")
}

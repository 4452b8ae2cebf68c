package columns

import (
	"encoding/binary"
	"errors"
	"strings"

	"github.com/dataops-dev/dataops/internal/cache"
	"github.com/dataops-dev/dataops/internal/dbt"
)

// With Options.Cache, a model's inferred columns are stored under a key of everything the
// model itself brings (its rendered SQL with the offset map, its template and where it sits in
// its file, its declared columns, the relations it depends on, the dialect and the tool's
// build), and with them what the inference read from elsewhere: every table name it looked up
// with the node or source it resolved to, and the columns each of those exposed (names,
// quoting, types, whether the list is complete, where it came from). On a hit the lookups are
// done again and the upstream columns compared, once the parents are inferred: a changed
// upstream model invalidates the columns of the models reading it, and only those. A hit skips
// parsing the model's SQL, which is most of the cost. Models whose template lists another
// relation's columns (rendered again with a hook) and nodes that are not models or snapshots
// are always inferred.

// colDeps is what one model's inference read beyond its key.
type colDeps struct {
	lookups []lookupDep
	rels    []string // ids whose columns a reference exposed, in first-use order
	seen    map[string]bool
}

type lookupDep struct {
	parts string // the name's parts joined by NUL
	id    string
	ok    bool
}

func (d *colDeps) lookup(parts []string, id string, ok bool) {
	if d == nil {
		return
	}
	d.lookups = append(d.lookups, lookupDep{strings.Join(parts, "\x00"), id, ok})
}

func (d *colDeps) rel(id string) {
	if d == nil || d.seen[id] {
		return
	}
	if d.seen == nil {
		d.seen = map[string]bool{}
	}
	d.seen[id] = true
	d.rels = append(d.rels, id)
}

// cachedNode is a stored inference found for a slot, to be checked once its parents are done.
type cachedNode struct {
	key  cache.Key
	out  *Node
	deps colDeps
	sums []string // relSum of each of deps.rels when stored
}

// cacheable reports whether s's node may be looked up and stored.
func (inf *inferrer) cacheable(s *slot) bool {
	n := s.node
	if inf.opts.Cache == nil || n == nil || n.ResourceType == dbt.Seed {
		return false
	}
	if n.Render != nil && n.Render.Err == nil && (n.Render.AskedColumns || inf.callsListingMacro(n)) {
		return false
	}
	return true
}

func (inf *inferrer) columnsKey(n *dbt.Node) cache.Key {
	h := cache.NewHasher("columns").String(cache.ToolVersion()).String(inf.d.name).String(inf.fallback).
		String(n.UniqueID).String(n.ResourceType).String(n.Language).String(n.RelPath).String(n.OriginalFilePath).
		String(n.RawCode).Int(n.Template.Offset).Int(n.Template.Line).Int(n.Template.Column)
	switch {
	case n.Render == nil:
		h.String("none")
	case n.Render.Err != nil:
		h.String("error").String(n.Render.Err.Error())
	default:
		h.String("ok")
	}
	sql, m := sqlOf(n)
	h.String(sql)
	if m == nil {
		h.Int(-1)
	} else {
		h.Int(len(m.Segments))
		for _, s := range m.Segments {
			h.Int(s.Out).Int(s.Len).Int(s.Src).Value(s.Literal)
		}
	}
	h.Value(n.Reads())
	h.Int(len(n.Columns))
	for _, c := range n.Columns {
		h.String(c.Name).String(c.DataType).Value(c.Quote != nil && *c.Quote).String(c.Pos.Path).Int(c.Pos.Line).Int(c.Pos.Column)
	}
	if n.ResourceType == dbt.Snapshot {
		h.Value(n.Config["snapshot_meta_column_names"]).Value(n.Config["hard_deletes"])
	}
	return h.Sum()
}

// relSum sums what a reference from reader to id brings into a query.
func (inf *inferrer) relSum(reader, id string) string {
	t := inf.relationOf(reader, id)
	h := cache.NewHasher("relation").String(describeNode(inf.p, id))
	_, isSource := inf.p.Sources[id]
	h.Value(isSource).Value(t.complete).String(t.origin).Int(len(t.cols))
	for _, c := range t.cols {
		h.String(c.name).Value(c.quoted).String(c.t.text).Int(int(c.t.fam))
	}
	k := h.Sum()
	return string(k[:16])
}

// lookupCached finds a stored inference for s, before its SQL is parsed.
func (inf *inferrer) lookupCached(s *slot) {
	if !inf.cacheable(s) {
		return
	}
	key := inf.columnsKey(s.node)
	s.key = &key
	data, ok := inf.opts.Cache.Get(key)
	if !ok {
		return
	}
	c, err := decodeCachedNode(data)
	if err != nil {
		inf.opts.Cache.Reject()
		return
	}
	c.key = key
	s.cached = c
}

// fromCache returns the stored inference of s when what it read is unchanged.
func (inf *inferrer) fromCache(s *slot) (*Node, bool) {
	c := s.cached
	if c == nil {
		return nil, false
	}
	s.cached = nil
	for _, l := range c.deps.lookups {
		id, ok := inf.lookupFrom(s.node, strings.Split(l.parts, "\x00"))
		if id != l.id || ok != l.ok {
			inf.opts.Cache.Reject()
			return nil, false
		}
	}
	for i, id := range c.deps.rels {
		if inf.relSum(s.id, id) != c.sums[i] {
			inf.opts.Cache.Reject()
			return nil, false
		}
	}
	c.out.UniqueID = s.id
	return c.out, true
}

// store keeps s's inference with what it read.
func (inf *inferrer) store(s *slot, deps *colDeps) {
	if s.key == nil || inf.opts.Ctx.Err() != nil {
		return
	}
	sums := make([]string, len(deps.rels))
	for i, id := range deps.rels {
		sums[i] = inf.relSum(s.id, id)
	}
	inf.opts.Cache.Put(*s.key, encodeCachedNode(s.out, deps, sums))
}

type colWriter struct{ b []byte }

func (w *colWriter) int(n int) { w.b = binary.AppendVarint(w.b, int64(n)) }
func (w *colWriter) str(s string) {
	w.int(len(s))
	w.b = append(w.b, s...)
}
func (w *colWriter) bool(v bool) {
	if v {
		w.b = append(w.b, 1)
	} else {
		w.b = append(w.b, 0)
	}
}
func (w *colWriter) pos(p dbt.Pos) {
	w.str(p.Path)
	w.int(p.Line)
	w.int(p.Column)
}
func (w *colWriter) problems(ps []Problem) {
	if ps == nil {
		w.int(-1)
		return
	}
	w.int(len(ps))
	for _, p := range ps {
		w.pos(p.Pos)
		w.str(p.Kind)
		w.str(p.Reason)
	}
}

func encodeCachedNode(n *Node, deps *colDeps, sums []string) []byte {
	w := &colWriter{}
	w.str(n.Origin)
	if n.Columns == nil {
		w.int(-1)
	} else {
		w.int(len(n.Columns))
	}
	for _, c := range n.Columns {
		w.str(c.Name)
		w.bool(c.Quoted)
		w.bool(c.Unnamed)
		w.str(c.DataType)
		w.pos(c.Pos)
		w.str(string(c.Kind))
		if c.Lineage == nil {
			w.int(-1)
		} else {
			w.int(len(c.Lineage))
		}
		for _, l := range c.Lineage {
			w.str(l.Node)
			w.str(l.Column)
		}
	}
	w.problems(n.Unresolved)
	w.problems(n.Notes)
	w.int(len(deps.lookups))
	for _, l := range deps.lookups {
		w.str(l.parts)
		w.str(l.id)
		w.bool(l.ok)
	}
	w.int(len(deps.rels))
	for i, id := range deps.rels {
		w.str(id)
		w.str(sums[i])
	}
	return w.b
}

var errEntry = errors.New("a damaged columns entry")

type colReader struct {
	b   []byte
	err error
}

func (r *colReader) int() int {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.err = errEntry
		return 0
	}
	r.b = r.b[n:]
	return int(v)
}

// count reads a length: -1 is none; anything else cannot exceed what is left.
func (r *colReader) count() (int, bool) {
	n := r.int()
	if n == -1 {
		return 0, true
	}
	if n < 0 || n > len(r.b) {
		r.err = errEntry
		return 0, true
	}
	return n, false
}

func (r *colReader) str() string {
	n, none := r.count()
	if none || r.err != nil {
		if none && r.err == nil {
			r.err = errEntry
		}
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

func (r *colReader) bool() bool {
	if r.err != nil || len(r.b) == 0 {
		r.err = errEntry
		return false
	}
	v := r.b[0] == 1
	r.b = r.b[1:]
	return v
}

func (r *colReader) pos() dbt.Pos { return dbt.Pos{Path: r.str(), Line: r.int(), Column: r.int()} }

func (r *colReader) problems() []Problem {
	n, none := r.count()
	if none {
		return nil
	}
	out := make([]Problem, 0, n)
	for i := 0; i < n && r.err == nil; i++ {
		out = append(out, Problem{Pos: r.pos(), Kind: r.str(), Reason: r.str()})
	}
	return out
}

func decodeCachedNode(data []byte) (*cachedNode, error) {
	r := &colReader{b: data}
	n := &Node{Origin: r.str()}
	if cnt, none := r.count(); !none {
		n.Columns = make([]*Column, 0, cnt)
		for i := 0; i < cnt && r.err == nil; i++ {
			c := &Column{Name: r.str(), Quoted: r.bool(), Unnamed: r.bool(), DataType: r.str(), Pos: r.pos(), Kind: Kind(r.str())}
			if m, none := r.count(); !none {
				c.Lineage = make([]ColumnRef, 0, m)
				for j := 0; j < m && r.err == nil; j++ {
					c.Lineage = append(c.Lineage, ColumnRef{Node: r.str(), Column: r.str()})
				}
			}
			n.Columns = append(n.Columns, c)
		}
	}
	n.Unresolved = r.problems()
	n.Notes = r.problems()
	c := &cachedNode{out: n}
	if cnt, none := r.count(); !none {
		for i := 0; i < cnt && r.err == nil; i++ {
			c.deps.lookups = append(c.deps.lookups, lookupDep{parts: r.str(), id: r.str(), ok: r.bool()})
		}
	}
	if cnt, none := r.count(); !none {
		for i := 0; i < cnt && r.err == nil; i++ {
			c.deps.rels = append(c.deps.rels, r.str())
			c.sums = append(c.sums, r.str())
		}
	}
	if r.err != nil || len(r.b) != 0 {
		return nil, errEntry
	}
	return c, nil
}

package columns

// This file holds the relational part of inference, independent of the syntax tree: the
// columns a relation exposes, the scopes a query resolves names in, star expansion (with
// EXCLUDE/REPLACE/RENAME and USING joins) and set operations.

import "slices"

// col is a column of a relation during inference.
type col struct {
	name    string
	quoted  bool
	t       typ
	lineage []ColumnRef
	kind    Kind
	pos     int // offset of the select item in the rendered SQL; -1 when none
	unnamed bool
	hidden  bool // a USING column's second copy: reachable qualified, left out of *
	// null: the select item is a bare NULL, typed unknown; a set operation gives it the type
	// of the other branches, as the warehouses resolve an untyped NULL.
	null bool
}

// relation is what a FROM item exposes: a dbt node or source, a CTE, a subquery, VALUES, a
// table function.
type relation struct {
	alias string // the name it is qualified by (its alias, else its table name)
	// path is the full dotted name as written, folded, for `schema.table.col` references.
	path []string
	cols []*col
	// complete is false when the list may miss columns (a star over something unknown). opaque
	// lists the nodes whose unlisted columns may flow through: a reference to an unknown
	// column of the relation has lineage to the same column of those nodes.
	complete bool
	opaque   []string
	why      []Problem // why the list is incomplete, where it became so
	// declared lists the nodes whose columns reached this list from their property file
	// (directly, or through a star): a declared list is often a documented subset, so a
	// name no relation lists is an undeclared column of those nodes (see declaredCol).
	declared []string
	node     string // unique id when the relation is a dbt node or source
	origin   string // where a node's columns came from (see Node.Origin)
	index    map[string]int
	// elemStar is set on an UNNEST whose one column holds structs (always in BigQuery, where
	// alias.* of a value table expands its elements' fields): alias.* gives those fields,
	// which are not known, and not the column itself. elemLineage is the array's lineage.
	elemStar    bool
	elemLineage []ColumnRef
	elemFields  [][2]string // the elements' fields when the array's type names them
	// implicitFields is set on a BigQuery UNNEST without alias whose elements' fields are not
	// known: a name no other relation lists is one of them, computed from the array
	// (elemLineage).
	implicitFields bool
}

func (r *relation) reindex() {
	r.index = make(map[string]int, len(r.cols))
	for i, c := range r.cols {
		k := foldName(c.name)
		if _, dup := r.index[k]; !dup {
			r.index[k] = i
		}
	}
}

func (r *relation) find(name string) *col {
	if r.index == nil {
		r.reindex()
	}
	if i, ok := r.index[foldName(name)]; ok {
		return r.cols[i]
	}
	return nil
}

// unknownCol is a reference to a column a relation does not list: when its unlisted columns
// come from known nodes the lineage points there.
func (r *relation) unknownCol(name string) *col {
	c := &col{name: name, pos: -1, kind: KindDirect}
	if r.implicitFields {
		c.kind, c.lineage = KindTransform, append([]ColumnRef(nil), r.elemLineage...)
		return c
	}
	for _, n := range r.opaque {
		c.lineage = append(c.lineage, ColumnRef{Node: n, Column: name})
	}
	return c
}

// starCols are the columns `*` (bare) or `alias.*` expands to: a bare star leaves out the
// copies of USING columns (listed once, merged, ahead of the rest), `alias.*` lists its own.
func (r *relation) starCols(bare bool) []*col {
	out := make([]*col, 0, len(r.cols))
	for _, c := range r.cols {
		if !bare || !c.hidden {
			out = append(out, c)
		}
	}
	return out
}

// scope is where names resolve: the FROM relations of one SELECT, its outer scope (correlated
// subqueries), and the select list's own aliases (lateral alias references in Snowflake,
// BigQuery, DuckDB, Redshift).
type scope struct {
	outer *scope
	rels  []*relation
	// using maps a folded column name joined by USING/NATURAL to its merged column, which an
	// unqualified reference resolves to without ambiguity.
	using map[string]*col
	// aliases are the select-list items seen so far, by folded name (the latest of a name
	// wins); a map, since a select list may have tens of thousands of items.
	aliases map[string]*col
	ctes    *cteScope
}

func (s *scope) addAlias(c *col) {
	if s.aliases == nil {
		s.aliases = map[string]*col{}
	}
	s.aliases[foldName(c.name)] = c
}

// cteScope is a WITH clause's names, chained to the enclosing ones.
type cteScope struct {
	outer *cteScope
	names map[string]*relation
}

func (c *cteScope) lookup(name string) *relation {
	k := foldName(name)
	for s := c; s != nil; s = s.outer {
		if r, ok := s.names[k]; ok {
			return r
		}
	}
	return nil
}

// relByQualifier finds the relation a qualifier names: its alias, or the trailing parts of its
// dotted name (`schema.table.col`).
func (s *scope) relByQualifier(qual []string) *relation {
	if len(qual) == 0 {
		return nil
	}
	last := foldName(qual[len(qual)-1])
	for _, r := range s.rels {
		if foldName(r.alias) == last {
			if len(qual) == 1 || suffixMatch(r.path, qual) {
				return r
			}
		}
	}
	for _, r := range s.rels {
		if len(qual) > 1 && suffixMatch(r.path, qual) {
			return r
		}
	}
	return nil
}

func suffixMatch(path, qual []string) bool {
	if len(qual) > len(path) {
		return false
	}
	off := len(path) - len(qual)
	for i := range qual {
		if foldName(path[off+i]) != foldName(qual[i]) {
			return false
		}
	}
	return true
}

// resolution is the outcome of resolving a column reference.
type resolution struct {
	c         *col
	ambiguous bool // several relations list it; the first was taken
	unknown   bool // no relation lists it and none could (every relation is complete)
	guessed   bool // not listed; attributed to the only relation that may hide it
	outer     bool // found in an enclosing query
	listed    bool // a column a relation lists (or a USING column, or a select-list alias)
	implicit  bool // attributed to an UNNEST whose elements' fields are not known
}

// resolve finds an unqualified or qualified column. fields are trailing parts that turned out
// to be struct fields (BigQuery `t.rec.field`, Snowflake `v:a.b` is handled by the caller).
func (s *scope) resolve(parts []string) (res resolution, fields []string) {
	if len(parts) == 0 {
		return resolution{unknown: true}, nil
	}
	for sc := s; sc != nil; sc = sc.outer {
		r, f, ok := sc.resolveHere(parts, false)
		if ok {
			r.outer = sc != s
			if r.implicit {
				// only a guess that the name is a field of unnested elements: a column an
				// enclosing query lists is the likelier reading (a correlated reference)
				for o := sc.outer; o != nil; o = o.outer {
					if res, f, ok := o.resolveHere(parts, false); ok && res.listed {
						res.outer = true
						return res, f
					}
				}
			}
			return r, f
		}
	}
	// Only a name no scope lists is an undeclared column of a declared list: the innermost
	// such list reads it.
	for sc := s; sc != nil; sc = sc.outer {
		if r, f, ok := sc.resolveHere(parts, true); ok {
			r.outer = sc != s
			return r, f
		}
	}
	return resolution{unknown: true}, nil
}

func (s *scope) resolveHere(parts []string, declared bool) (resolution, []string, bool) {
	// qualified: the longest qualifier that names a relation
	for q := len(parts) - 1; q >= 1; q-- {
		if r := s.relByQualifier(parts[:q]); r != nil {
			name := parts[q]
			if c := r.find(name); c != nil {
				return resolution{c: c, listed: true}, parts[q+1:], true
			}
			if !r.complete {
				return resolution{c: r.unknownCol(name), guessed: len(r.opaque) == 0}, parts[q+1:], true
			}
			if declared {
				// t.x names t's column or nothing: another relation's declared list does
				// not hold it
				if len(r.declared) > 0 {
					return resolution{c: r.declaredCol(name)}, parts[q+1:], true
				}
				return resolution{}, nil, false
			}
			// a known relation without that column: maybe the qualifier was a column of
			// another relation (a struct); fall through to the unqualified reading
			break
		}
	}
	// unqualified, or qualifier that names no relation: the first part is a column and the
	// rest are struct fields
	name := parts[0]
	if c, ok := s.using[foldName(name)]; ok {
		return resolution{c: c, listed: true}, parts[1:], true
	}
	var found *col
	n := 0
	for _, r := range s.rels {
		if c := r.find(name); c != nil && !c.hidden {
			if found == nil {
				found = c
			}
			n++
		}
	}
	if found != nil {
		return resolution{c: found, ambiguous: n > 1, listed: true}, parts[1:], true
	}
	// a select-list alias used later in the same list (or in WHERE/GROUP BY)
	if c, ok := s.aliases[foldName(name)]; ok {
		return resolution{c: c, listed: true}, parts[1:], true
	}
	var incomplete []*relation
	for _, r := range s.rels {
		if !r.complete {
			incomplete = append(incomplete, r)
		}
	}
	if declared && len(incomplete) == 0 {
		if r := soleDeclared(s.rels); r != nil {
			return resolution{c: r.declaredCol(name)}, parts[1:], true
		}
	}
	switch {
	case len(incomplete) == 1:
		r := incomplete[0]
		return resolution{c: r.unknownCol(name), guessed: len(r.opaque) == 0, implicit: r.implicitFields}, parts[1:], true
	case len(incomplete) > 1:
		// it is in one of them; lineage to every node that could hold it
		c := &col{name: name, pos: -1, kind: KindDirect}
		for _, r := range incomplete {
			for _, o := range r.opaque {
				c.lineage = append(c.lineage, ColumnRef{Node: o, Column: name})
			}
			if r.implicitFields {
				c.lineage = mergeLineage(c.lineage, r.elemLineage...)
			}
		}
		return resolution{c: c, ambiguous: true}, parts[1:], true
	}
	return resolution{}, nil, false
}

// mergeLineage appends refs to dst without duplicates, keeping order.
func mergeLineage(dst []ColumnRef, refs ...ColumnRef) []ColumnRef {
outer:
	for _, r := range refs {
		for _, d := range dst {
			if d.Node == r.Node && foldName(d.Column) == foldName(r.Column) {
				continue outer
			}
		}
		dst = append(dst, r)
	}
	return dst
}

// usingJoin merges the columns a USING (or NATURAL) join lists: each appears once, from the
// left side (with lineage from both sides), ahead of the other columns as ANSI SQL orders
// them; the right side's copy stays reachable by qualifier but is left out of `*`.
func usingJoin(s *scope, left []*relation, right *relation, names []string) {
	if s.using == nil {
		s.using = map[string]*col{}
	}
	for _, name := range names {
		k := foldName(name)
		var lc *col
		for _, l := range left {
			if c := l.find(name); c != nil && !c.hidden {
				lc = c
				break
			}
		}
		rc := right.find(name)
		merged := &col{name: name, pos: -1, kind: KindDirect}
		if prev, ok := s.using[k]; ok {
			merged = prev
		} else if lc != nil {
			*merged = *lc
			merged.lineage = append([]ColumnRef(nil), lc.lineage...)
		}
		if rc != nil {
			merged.lineage = mergeLineage(merged.lineage, rc.lineage...)
			if !merged.t.known() {
				merged.t = rc.t
			}
			// hide the right copy from `*`; the relation keeps it for `right.col`
			hidden := *rc
			hidden.hidden = true
			for i, c := range right.cols {
				if c == rc {
					right.cols[i] = &hidden
				}
			}
		}
		if lc != nil {
			for _, l := range left {
				for i, c := range l.cols {
					if c == lc {
						h := *lc
						h.hidden = true
						l.cols[i] = &h
					}
				}
			}
		}
		s.using[k] = merged
	}
}

// naturalColumns are the names both sides of a NATURAL join share.
func naturalColumns(left []*relation, right *relation) []string {
	var names []string
	for _, rc := range right.cols {
		if rc.hidden {
			continue
		}
		for _, l := range left {
			if c := l.find(rc.name); c != nil && !c.hidden {
				names = append(names, rc.name)
				break
			}
		}
	}
	return names
}

// starOptions are BigQuery's `* EXCEPT (...) REPLACE (...)`, Snowflake's `* EXCLUDE (...)
// RENAME (...) REPLACE (...)` and DuckDB's `* EXCLUDE (...) REPLACE (...) RENAME (...)`.
type starOptions struct {
	exclude map[string]bool
	replace map[string]*col // folded name -> the replacing expression's column (named as the old one)
	rename  map[string]string
}

// expandStar returns the columns `*` (rels = every FROM relation) or `t.*` expands to, after
// the USING columns for a bare star.
func expandStar(s *scope, rels []*relation, bare bool, opt starOptions) (out []*col, incomplete []*relation) {
	var all []*col
	if bare && len(s.using) > 0 {
		// ANSI: the joined columns first, in the order they were joined
		for _, r := range s.rels {
			for _, c := range r.cols {
				if m, ok := s.using[foldName(c.name)]; ok && c.hidden && !slices.Contains(all, m) {
					all = append(all, m)
				}
			}
		}
	}
	for _, r := range rels {
		all = append(all, r.starCols(bare)...)
		if !r.complete {
			incomplete = append(incomplete, r)
		}
	}
	for _, c := range all {
		k := foldName(c.name)
		if opt.exclude[k] {
			continue
		}
		if rc, ok := opt.replace[k]; ok {
			nc := *rc
			nc.name = c.name
			nc.quoted = c.quoted
			out = append(out, &nc)
			continue
		}
		if nn, ok := opt.rename[k]; ok {
			nc := *c
			nc.name = nn
			nc.kind = KindDirect
			out = append(out, &nc)
			continue
		}
		out = append(out, c)
	}
	return out, incomplete
}

// setMatch is how a set operation pairs its branches' columns: by position (the standard),
// or by name keeping every column (DuckDB's UNION BY NAME, BigQuery's FULL ... CORRESPONDING),
// the first branch's (LEFT) or those of every branch (INNER, BigQuery's default for
// CORRESPONDING); on, when listed, names the only columns kept, in its order.
type setMatch struct {
	how matchHow
	on  []string
}

type matchHow int

const (
	matchPosition matchHow = iota
	matchFull
	matchLeft
	matchInner
)

// setOp combines the branches of UNION/INTERSECT/EXCEPT: names (and count) from the first
// branch, the common type per position, lineage from every branch. A match by name pairs
// columns by name instead, adding columns the first branch lacks (full), keeping only the
// first branch's (left) or only those every branch has (inner).
func (d *dialect) setOp(branches []*relation, m setMatch) *relation {
	out := d.setOpAll(branches, m.how != matchPosition)
	switch {
	case len(m.on) > 0:
		out.cols = pickCols(out, m.on)
	case m.how == matchLeft && len(branches) > 0:
		out.cols = pickCols(out, colNames(branches[0]))
	case m.how == matchInner:
		keep := out.cols[:0]
		for _, c := range out.cols {
			every := true
			for _, b := range branches {
				// a branch whose columns are not all known may hold it
				every = every && (b.find(c.name) != nil || !b.complete)
			}
			if every {
				keep = append(keep, c)
			}
		}
		out.cols = keep
	}
	out.reindex()
	return out
}

func colNames(r *relation) []string {
	out := make([]string, len(r.cols))
	for i, c := range r.cols {
		out[i] = c.name
	}
	return out
}

// pickCols is r's columns of the given names, in their order; names r lacks are dropped.
func pickCols(r *relation, names []string) []*col {
	r.reindex()
	var out []*col
	for _, n := range names {
		if c := r.find(n); c != nil && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

// unionType is the type of a set operation's column oc once branch column c joins it: their
// common type, where a bare NULL takes the other's.
func unionType(d *dialect, oc, c *col) {
	switch {
	case c.null:
	case oc.null:
		oc.t, oc.null = c.t, false
	default:
		oc.t = d.commonType(oc.t, c.t)
	}
}

// setOpAll combines the branches by position, or by name keeping every column of each.
func (d *dialect) setOpAll(branches []*relation, byName bool) *relation {
	if len(branches) == 0 {
		return &relation{complete: true}
	}
	first := branches[0]
	out := &relation{complete: first.complete, opaque: append([]string(nil), first.opaque...),
		why: append([]Problem(nil), first.why...)}
	for _, c := range first.cols {
		nc := *c
		nc.lineage = append([]ColumnRef(nil), c.lineage...)
		out.cols = append(out.cols, &nc)
	}
	for _, b := range branches[1:] {
		out.opaque = appendUnique(out.opaque, b.opaque...)
		if byName {
			out.reindex()
			for _, c := range b.cols {
				if oc := out.find(c.name); oc != nil {
					unionType(d, oc, c)
					oc.lineage = mergeLineage(oc.lineage, c.lineage...)
					oc.kind = combineKind(oc.kind, c.kind)
				} else {
					nc := *c
					out.cols = append(out.cols, &nc)
					out.index = nil
				}
			}
			if !b.complete {
				out.complete = false
				out.why = append(out.why, b.why...)
			}
			continue
		}
		for i, oc := range out.cols {
			if i >= len(b.cols) {
				break
			}
			c := b.cols[i]
			unionType(d, oc, c)
			oc.lineage = mergeLineage(oc.lineage, c.lineage...)
			oc.kind = combineKind(oc.kind, c.kind)
		}
	}
	out.reindex()
	return out
}

// combineKind is the kind of a column fed by two branches: direct only when both are.
func combineKind(a, b Kind) Kind {
	if a == b {
		return a
	}
	if a == KindAggregate || b == KindAggregate {
		return KindAggregate
	}
	if a == KindWindow || b == KindWindow {
		return KindWindow
	}
	return KindTransform
}

func appendUnique(dst []string, items ...string) []string {
	for _, it := range items {
		if !slices.Contains(dst, it) {
			dst = append(dst, it)
		}
	}
	return dst
}

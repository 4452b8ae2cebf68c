package yamledit

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
)

// Plan is a batch of edits to one File. Each method locates its target in the file as loaded and
// records text splices at offsets of the original bytes; Apply sorts them and writes them in one
// pass, so edits never see each other's output and their order of recording only matters for
// insertions at the same place (they come out in the order recorded).
//
// A method returns an error when its target is not in the file or cannot be edited in place (a
// column that is an alias of a shared anchor); the plan is unchanged by a failed method.
type Plan struct {
	// Style is how new text is written; it starts as the file's own style.
	Style Style

	f        *File
	splices  []*splice
	seq      int
	pending  map[any]*pending
	flows    map[*node]*flowEdit
	removals map[*node]*blockRemoval
	inserted map[*node]int // block lists: items inserted by this plan
	checks   []func(*File) error
	expands  map[*seqItem]*aliasExpansion
	renames  map[Ref]map[string]string // column renames, so checks look for the new name
	// entryNames are entries renamed by SetField(r, "name", ...), so the checks of other edits
	// to r look for the entry under its new name.
	entryNames map[Ref]string
}

// splice replaces src[start:end] (offsets in the normalised text) with text.
type splice struct {
	start, end int
	text       string
	seq        int
	depth      int // indentation of inserted block text: at one offset, deeper text goes first
	dropped    bool
	pend       *pending
}

// pending is a list this plan creates (a new `columns:` key, or items under a `key:` that was
// empty): later edits to the same list add to it instead of creating it again.
type pending struct {
	prefix  string // text before the first item, e.g. "    columns:\n"
	suffix  string
	dashCol int
	items   []any
	flow    bool // inside a flow mapping: `, key: [a, b]`
}

// flowEdit collects edits to one flow list (`tests: [unique, not_null]`); it is rewritten as a
// whole between its brackets.
type flowEdit struct {
	list    *node
	removed map[int]bool
	inserts map[int][]string // before original index i; len(items) appends
	sp      *splice
}

type blockRemoval struct {
	owner   *node
	ent     *mapEntry
	list    *node
	removed map[int]*splice
}

// Plan starts an empty batch of edits in the file's style.
func (f *File) Plan() *Plan {
	return &Plan{
		Style:      f.style,
		f:          f,
		pending:    map[any]*pending{},
		flows:      map[*node]*flowEdit{},
		removals:   map[*node]*blockRemoval{},
		inserted:   map[*node]int{},
		renames:    map[Ref]map[string]string{},
		entryNames: map[Ref]string{},
		expands:    map[*seqItem]*aliasExpansion{},
	}
}

// finalName is what column name of r is called once the plan is applied.
func (p *Plan) finalName(r Ref, name string) string {
	if n, ok := p.renames[r][name]; ok {
		return n
	}
	return name
}

// final finds in f, the file as edited, the entry r names in the file as loaded.
func (p *Plan) final(f *File, r Ref) *Entry {
	if n, ok := p.entryNames[r]; ok {
		r.Name = n
	}
	return f.Find(r)
}

// Len is the number of edits recorded.
func (p *Plan) Len() int { return len(p.splices) }

func (p *Plan) add(start, end int, text string) *splice {
	p.seq++
	s := &splice{start: start, end: end, text: text, seq: p.seq}
	p.splices = append(p.splices, s)
	return s
}

func (p *Plan) errAt(off int, format string, args ...any) error {
	l, c := p.f.pos(off)
	return &Error{Path: p.f.Path, Line: l, Column: c, Msg: fmt.Sprintf(format, args...)}
}

func (p *Plan) errf(format string, args ...any) error {
	return &Error{Path: p.f.Path, Msg: fmt.Sprintf(format, args...)}
}

// target finds an editable entry.
func (p *Plan) target(r Ref) (*Entry, error) {
	e := p.f.Find(r)
	if e == nil {
		return nil, p.errf("%s is not declared in this file", r)
	}
	if e.item.val != nil && e.item.val.kind == kAlias {
		return nil, p.errAt(e.item.dash, "%s is an alias of &%s; edit the anchor instead", r, e.item.val.alias)
	}
	if e.node == nil || e.node.kind != kMap {
		return nil, p.errAt(e.item.dash, "%s is not a mapping", r)
	}
	return e, nil
}

func (p *Plan) column(r Ref, name string) (*Entry, *ColumnEntry, error) {
	return p.columnOrAlias(r, name, false)
}

// columnOrAlias finds a column; with allowAlias a column written as `- *anchor` is returned
// too, for edits that expand it into `- <<: *anchor` plus keys of its own.
func (p *Plan) columnOrAlias(r Ref, name string, allowAlias bool) (*Entry, *ColumnEntry, error) {
	e, err := p.target(r)
	if err != nil {
		return nil, nil, err
	}
	c := e.ColumnNamed(name)
	if c == nil {
		return nil, nil, p.errAt(e.item.dash, "%s has no column %q", r, name)
	}
	if c.Alias != "" && allowAlias && c.node != nil && c.node.kind == kMap && c.item.val.kind == kAlias {
		return e, c, nil
	}
	if c.Alias != "" {
		return nil, nil, p.errAt(c.item.dash, "column %q of %s is an alias of &%s shared with other entries; edit the anchor instead", name, r, c.Alias)
	}
	if c.node == nil || c.node.kind != kMap {
		return nil, nil, p.errAt(c.item.dash, "column entry %q is not a mapping", name)
	}
	return e, c, nil
}

// recoverTo turns a panic on input nobody foresaw into an error: a malformed file must never
// take the caller down.
func (p *Plan) recoverTo(err *error) {
	if r := recover(); r != nil {
		*err = &Error{Path: p.f.Path, Msg: fmt.Sprintf("cannot edit this file: %v", r)}
	}
}

// ---- inserting list items ----

// insertItem adds v (a []KV mapping or a scalar) to the list under key in the mapping owner,
// before the item now at index at (at < 0 or past the end appends). The key is created when
// absent.
func (p *Plan) insertItem(owner *node, key string, v any, at int) error {
	ent := owner.own(key)
	if ent == nil {
		if owner.get(key) != nil {
			return p.errAt(owner.start, "%s: comes from a merged anchor (<<:); edit the anchor instead", key)
		}
		return p.newListKey(owner, key, v)
	}
	list := ent.val
	if list == nil {
		return p.fillNull(ent, v)
	}
	switch {
	case list.kind == kAlias:
		return p.errAt(list.start, "%s: is an alias of &%s shared with other entries; edit the anchor instead", key, list.alias)
	case list.kind != kSeq:
		if list.kind == kScalar && list.str == "" && list.style == plain {
			return p.errAt(list.start, "%s: is null; write it as a list first", key)
		}
		return p.errAt(ent.keyStart, "%s: is not a list", key)
	case list.flow:
		if len(list.items) == 0 {
			if _, ok := normalize(v).([]KV); ok && !owner.flow {
				// `columns: []` becomes a block list: mappings in flow style are hard to read.
				p.add(ent.colon, list.end, "")
				return p.fillNull(ent, v)
			}
		}
		fe := p.flowEdit(list)
		em := emitter{st: &p.Style}
		if at < 0 || at > len(list.items) {
			at = len(list.items)
		}
		fe.inserts[at] = append(fe.inserts[at], em.flow(v))
		return nil
	}
	p.blockInsert(list, v, at)
	return nil
}

func (p *Plan) flowEdit(list *node) *flowEdit {
	fe := p.flows[list]
	if fe == nil {
		fe = &flowEdit{list: list, removed: map[int]bool{}, inserts: map[int][]string{}}
		fe.sp = p.add(list.open+1, list.close, "")
		p.flows[list] = fe
	}
	return fe
}

// blockInsert writes a new block item among the existing ones, with their indentation, their
// dash-to-content gap and their blank-line separation.
func (p *Plan) blockInsert(list *node, v any, at int) {
	t := p.f.t
	items := list.items
	if at < 0 || at > len(items) {
		at = len(items)
	}
	ref := items[len(items)-1]
	if at < len(items) {
		ref = items[at]
	}
	st := p.Style
	if ref.val != nil && t.lineOf(ref.val.valStart) == ref.line && ref.val.kind != kSeq {
		st.ItemGap = ref.val.valStart - ref.dash
	}
	if list.parentIn >= 0 && ref.col >= list.parentIn && ref.col-list.parentIn <= 8 {
		// Nested lists in the new item follow this list's own habit (flush or indented).
		st.SeqIndent = ref.col - list.parentIn
	}
	em := emitter{st: &st}
	em.item(v, ref.col)
	text := em.b.String()
	blank := blankBetween(t, items)
	p.inserted[list]++
	if at < len(items) {
		off := leadingStart(t, items, at)
		if blank {
			text += "\n"
		} else if at > 0 && hasBlankLine(t, t.lineEnd(items[at-1].end), off) {
			// In a list that does not space its items, a blank line (with the comments under
			// it) opens a group: the new item closes the group above rather than come
			// between the group below and its heading.
			off = t.lineEnd(items[at-1].end)
		}
		p.add(off, off, text).depth = ref.col
		return
	}
	off := t.lineEnd(items[len(items)-1].end)
	if blank {
		text = "\n" + text
	}
	p.add(off, off, text).depth = ref.col
}

// blankBetween says the list separates its items with blank lines (most gaps have one).
func blankBetween(t *text, items []*seqItem) bool {
	with, without := 0, 0
	for i := 1; i < len(items); i++ {
		if hasBlankLine(t, t.lineEnd(items[i-1].end), t.lineStart(items[i].dash)) {
			with++
		} else {
			without++
		}
	}
	return with > without
}

func hasBlankLine(t *text, from, to int) bool {
	for ls := from; ls < to && ls < len(t.src); ls = t.lineEnd(ls) {
		if blank, _, _ := t.lineKind(ls); blank {
			return true
		}
	}
	return false
}

// leadingStart is where item i begins together with the comment lines directly above it, which
// describe it and should stay with it.
func leadingStart(t *text, items []*seqItem, i int) int {
	floor := 0
	if i > 0 {
		floor = t.lineEnd(items[i-1].end)
	}
	return withCommentsAbove(t, t.lineStart(items[i].dash), floor, items[i].col)
}

// withCommentsAbove moves the line start ls up over the comment lines directly above it (no
// blank line between, indented no deeper than col), not above floor.
func withCommentsAbove(t *text, ls, floor, col int) int {
	for ls > floor {
		prev := t.lineStart(ls - 1)
		if prev < floor {
			break
		}
		blank, comment, ind := t.lineKind(prev)
		if blank || !comment || ind > col {
			break
		}
		ls = prev
	}
	return ls
}

// newListKey creates `key:` with a list holding v in owner. Later items for the same key join it.
func (p *Plan) newListKey(owner *node, key string, v any) error {
	if pd := p.pending[owner.keyID(key)]; pd != nil {
		pd.items = append(pd.items, v)
		return nil
	}
	t := p.f.t
	if owner.flow {
		off := owner.close
		prefix := ", "
		if len(owner.entries) == 0 {
			prefix = ""
		}
		pd := &pending{prefix: prefix + key + ": [", suffix: "]", flow: true, items: []any{v}}
		p.pending[owner.keyID(key)] = pd
		sp := p.add(off, off, "")
		sp.pend = pd
		return nil
	}
	col := owner.entries[0].col
	off := t.lineEnd(owner.end)
	prefix := pad(col) + key + ":\n"
	suffix := ""
	if owner == p.f.root && blankBetweenEntries(t, owner) {
		prefix = "\n" + prefix
	}
	if at, ok := beforeSemanticLayer(t, owner, key); ok && owner == p.f.root {
		// A file of semantic models and metrics gets its `models:` above them, where dbt's
		// examples and the teams who keep both in one file put it.
		off, prefix = at, pad(col)+key+":\n"
		if blankBetweenEntries(t, owner) {
			suffix = "\n"
		}
	}
	pd := &pending{prefix: prefix, suffix: suffix, dashCol: col + p.Style.SeqIndent, items: []any{v}}
	p.pending[owner.keyID(key)] = pd
	sp := p.add(off, off, "")
	sp.pend = pd
	sp.depth = col
	return nil
}

// fillNull writes items under `key:` that has no value yet.
func (p *Plan) fillNull(ent *mapEntry, v any) error {
	if pd := p.pending[ent]; pd != nil {
		pd.items = append(pd.items, v)
		return nil
	}
	t := p.f.t
	off := t.lineEnd(ent.colon)
	pd := &pending{dashCol: ent.col + p.Style.SeqIndent, items: []any{v}}
	p.pending[ent] = pd
	sp := p.add(off, off, "")
	sp.pend = pd
	sp.depth = ent.col + 1
	return nil
}

// keyID identifies a key of a mapping for pending lists.
type keyID struct {
	n   *node
	key string
}

func (n *node) keyID(key string) keyID { return keyID{n, key} }

// semanticLayerKeys are the top-level keys that describe what is built on models.
var semanticLayerKeys = map[string]bool{"semantic_models": true, "metrics": true, "saved_queries": true}

// beforeSemanticLayer is where a new top-level `models:` goes in a file whose root holds the
// semantic layer: the start of the first such key, with the comment lines right above it.
func beforeSemanticLayer(t *text, owner *node, key string) (int, bool) {
	if key != Models || owner.kind != kMap {
		return 0, false
	}
	for i, e := range owner.entries {
		if !semanticLayerKeys[e.key] {
			continue
		}
		floor := 0
		if i > 0 {
			floor = t.lineEnd(owner.entries[i-1].end)
		}
		return withCommentsAbove(t, t.lineStart(e.keyStart), floor, e.col), true
	}
	return 0, false
}

func blankBetweenEntries(t *text, m *node) bool {
	for i := 1; i < len(m.entries); i++ {
		if hasBlankLine(t, t.lineEnd(m.entries[i-1].end), t.lineStart(m.entries[i].keyStart)) {
			return true
		}
	}
	return false
}

func (pd *pending) render(st *Style) string {
	em := emitter{st: st}
	if pd.flow {
		parts := make([]string, len(pd.items))
		for i, it := range pd.items {
			parts[i] = em.flow(it)
		}
		return pd.prefix + strings.Join(parts, ", ") + pd.suffix
	}
	for _, it := range pd.items {
		em.item(it, pd.dashCol)
	}
	return pd.prefix + em.b.String() + pd.suffix
}

// ---- removing list items ----

// removeItem deletes item i of the list under ent in owner. A block list left empty loses its
// key; a flow list left empty stays as [].
func (p *Plan) removeItem(owner *node, ent *mapEntry, list *node, i int) error {
	it := list.items[i]
	if a := p.anchorUsedOutside(it.dash, it.end); a != nil {
		l, _ := p.f.pos(a.start)
		return p.errAt(it.dash, "it defines &%s, which line %d still uses; move the anchor to a use that stays before removing it", a.alias, l)
	}
	if list.flow {
		fe := p.flowEdit(list)
		fe.removed[i] = true
		return nil
	}
	br := p.removals[list]
	if br == nil {
		br = &blockRemoval{owner: owner, ent: ent, list: list, removed: map[int]*splice{}}
		p.removals[list] = br
	}
	if br.removed[i] != nil {
		return p.errAt(list.items[i].dash, "item removed twice")
	}
	start, end := removalSpan(p.f.t, list.items, i, i)
	br.removed[i] = p.add(start, end, "")
	return nil
}

// removalSpan is the text that removing items first..last of a block list deletes: their
// lines with the comments above them, and one blank line that separated them from their
// neighbours, so that the items left keep their spacing.
func removalSpan(t *text, items []*seqItem, first, last int) (int, int) {
	start := leadingStart(t, items, first)
	end := t.lineEnd(items[last].end)
	afterBlank := end < len(t.src) && func() bool { b, _, _ := t.lineKind(end); return b }()
	if first > 0 {
		prevEnd := t.lineEnd(items[first-1].end)
		if afterBlank && hasBlankLine(t, prevEnd, start) {
			start = prevEnd
		}
	} else if afterBlank && last+1 < len(items) {
		end = leadingStart(t, items, last+1)
	}
	return start, end
}

// mergeRemovalRuns makes one removal of each run of neighbouring items a list loses: removed
// one by one, two items would each take the blank line between them.
func mergeRemovalRuns(t *text, br *blockRemoval) {
	items := br.list.items
	for i := 0; i < len(items); i++ {
		if br.removed[i] == nil || br.removed[i+1] == nil {
			continue
		}
		last := i
		for br.removed[last+1] != nil {
			last++
		}
		start, end := removalSpan(t, items, i, last)
		br.removed[i].start, br.removed[i].end = start, end
		for j := i + 1; j <= last; j++ {
			br.removed[j].dropped = true
		}
		i = last
	}
}

// anchorUsedOutside returns an alias, outside [start, end) and outside what the plan already
// removes, whose anchor is defined inside it: removing the range would leave the alias
// pointing at nothing, and the file unreadable.
func (p *Plan) anchorUsedOutside(start, end int) *node {
	for _, a := range p.f.aliases {
		if a.target == nil || a.target.start < start || a.target.start >= end || a.start >= start && a.start < end {
			continue
		}
		removed := false
		for _, s := range p.splices {
			if s.text == "" && s.start <= a.start && a.start < s.end {
				removed = true
				break
			}
		}
		if !removed {
			return a
		}
	}
	return nil
}

// ---- setting scalar values ----

// setScalar sets key to the string v in the mapping owner: the value is replaced where it is,
// or a new `key: value` line goes after the first of after that exists (else at the end).
func (p *Plan) setScalar(owner *node, key, v string, role strRole, after ...string) error {
	t := p.f.t
	if ent := owner.own(key); ent != nil {
		val := ent.val
		indent := ent.col + p.Style.Indent
		if owner.flow {
			em := emitter{st: &p.Style}
			text := em.scalarOf(v, role, 0, true)
			if val == nil {
				p.add(ent.colon, ent.colon, " "+text)
				return nil
			}
			p.add(val.valStart, val.end, text)
			return nil
		}
		if val == nil {
			em := emitter{st: &p.Style}
			p.add(ent.colon, ent.colon, " "+em.scalarOf(v, role, indent, false))
			return nil
		}
		switch val.kind {
		case kMap, kSeq:
			return p.errAt(val.valStart, "%s: is not a string", key)
		}
		text := p.rescalar(val, v, role, indent)
		p.add(val.valStart, val.end, text)
		return nil
	}
	em := emitter{st: &p.Style}
	if owner.flow {
		text := key + ": " + em.scalarOf(v, role, 0, true)
		off := owner.close
		for _, a := range after {
			if e := owner.own(a); e != nil {
				p.add(e.end, e.end, ", "+text)
				return nil
			}
		}
		if len(owner.entries) > 0 {
			text = ", " + text
		}
		p.add(off, off, text)
		return nil
	}
	col := owner.entries[0].col
	em.b.WriteString(pad(col) + key + ":")
	em.value(key, v, col)
	off := t.lineEnd(owner.end)
	for _, a := range after {
		if e := owner.own(a); e != nil {
			off = t.lineEnd(e.end)
			break
		}
	}
	text := em.b.String()
	p.add(off, off, text).depth = col
	return nil
}

// rescalar renders v to replace the scalar old, keeping old's quoting or block style when that
// still reads back as v.
func (p *Plan) rescalar(old *node, v string, role strRole, indent int) string {
	switch old.style {
	case doubleQuoted:
		if !strings.Contains(v, "\n") || role != roleDesc {
			return doubleQuote(v)
		}
	case singleQuoted:
		if singleSafe(v) {
			return "'" + strings.ReplaceAll(v, "'", "''") + "'"
		}
	case literal, folded:
		t := p.f.t
		hdr := blockHeader(t.src, old.valStart)
		if cs := t.lineEnd(old.valStart); cs < old.end {
			if ind := t.indentOf(cs); ind > old.parentIn {
				indent = ind
			}
		}
		if !strings.Contains(v, "\n") && blockSafe(v) {
			if old.style == folded && foldSafe(v) && len(v) > 80-indent {
				return strings.Replace(p.Style.foldedLong(v, indent), ">-", hdr, 1)
			}
			return hdr + "\n" + pad(indent) + v
		}
		if old.style == literal && blockSafe(v) {
			return p.Style.block(v, indent)
		}
	case plain:
		if !needsQuote(v, false) && !strings.Contains(v, "\n") {
			return v
		}
	}
	em := emitter{st: &p.Style}
	return em.scalarOf(v, role, indent, false)
}

// ---- applying ----

// Apply returns the file with every recorded edit made. Bytes outside the edits are unchanged;
// new text uses the file's line endings. The result is parsed again and each edit checked
// against it, so Apply never returns YAML that does not read back as intended; an empty plan
// returns the original bytes.
func (p *Plan) Apply() (res []byte, err error) {
	defer p.recoverTo(&err)
	res, err = p.build()
	if err != nil {
		return nil, err
	}
	if len(p.splices) == 0 {
		return res, nil
	}
	if err := p.verify(res); err != nil {
		return nil, err
	}
	return res, nil
}

// build makes the new bytes without checking them.
func (p *Plan) build() ([]byte, error) {
	t := p.f.t
	if len(p.splices) == 0 {
		return append([]byte(nil), t.orig...), nil
	}
	p.finishFlows()
	p.finishRemovals()
	for _, x := range p.expands {
		x.sp.text = x.render(&p.Style)
	}
	var live []*splice
	for _, s := range p.splices {
		if s.dropped {
			continue
		}
		if s.pend != nil {
			s.text = s.pend.render(&p.Style)
		}
		live = append(live, s)
	}
	sort.SliceStable(live, func(i, j int) bool {
		a, b := live[i], live[j]
		if a.start != b.start {
			return a.start < b.start
		}
		ai, bi := a.start == a.end, b.start == b.end
		if ai != bi {
			return ai // insertions before a replacement starting at the same place
		}
		if a.depth != b.depth {
			// Appending to a nested list and to its parent list happen at the same offset;
			// the nested item must come first to stay inside its parent.
			return a.depth > b.depth
		}
		return a.seq < b.seq
	})
	// A file whose last line has no newline gets one before the first text appended after it,
	// once: each insertion adding its own would leave a blank line between appended items.
	if n := len(t.src); n > 0 && t.src[n-1] != '\n' {
		for _, s := range live {
			if s.start == n && s.end == n && s.text != "" {
				s.text = "\n" + s.text
				break
			}
		}
	}
	var out bytes.Buffer
	out.Write(t.orig[:t.bom])
	prev := 0
	for i, s := range live {
		if i > 0 && s.start < live[i-1].end {
			l, _ := p.f.pos(s.start)
			return nil, &Error{Path: p.f.Path, Line: l, Msg: "conflicting edits to the same lines"}
		}
		if s.start < prev {
			continue
		}
		out.Write(t.orig[t.origOffset(prev):t.origOffset(s.start)])
		text := s.text
		if t.crlf {
			text = strings.ReplaceAll(text, "\n", "\r\n")
		}
		out.WriteString(text)
		prev = s.end
	}
	out.Write(t.orig[t.origOffset(prev):])
	return out.Bytes(), nil
}

// verify parses the result and runs each edit's check on it.
func (p *Plan) verify(res []byte) error {
	f2, err := Load(p.f.Path, res)
	if err != nil {
		return &Error{Path: p.f.Path, Msg: "edit would produce invalid YAML (" + err.Error() + ")"}
	}
	for _, c := range p.checks {
		if err := c(f2); err != nil {
			return &Error{Path: p.f.Path, Msg: "edit did not read back as intended: " + err.Error()}
		}
	}
	return nil
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// finishFlows renders each edited flow list between its brackets.
func (p *Plan) finishFlows() {
	t := p.f.t
	for _, fe := range p.flows {
		l := fe.list
		sep := ", "
		if len(l.items) > 1 {
			between := string(t.src[l.items[0].end:l.items[1].dash])
			if !strings.Contains(between, "\n") {
				sep = strings.TrimSpace(between) + between[strings.IndexByte(between, ',')+1:]
				if !strings.HasPrefix(strings.TrimSpace(between), ",") {
					sep = ", "
				}
			}
		}
		var parts []string
		for i := 0; i <= len(l.items); i++ {
			parts = append(parts, fe.inserts[i]...)
			if i < len(l.items) && !fe.removed[i] {
				it := l.items[i]
				parts = append(parts, string(t.src[it.dash:it.end]))
			}
		}
		if len(fe.removed) == 0 && len(l.items) > 0 {
			// Only insertions: splice them in place so the list's own layout stays.
			fe.sp.dropped = true
			for i := 0; i <= len(l.items); i++ {
				if len(fe.inserts[i]) == 0 {
					continue
				}
				ins := strings.Join(fe.inserts[i], sep)
				if i < len(l.items) {
					p.add(l.items[i].dash, l.items[i].dash, ins+sep)
				} else {
					end := l.items[len(l.items)-1].end
					p.add(end, end, sep+ins)
				}
			}
			continue
		}
		inner := strings.Join(parts, sep)
		lead := string(t.src[l.open+1 : l.close])
		if strings.HasPrefix(lead, " ") && inner != "" {
			inner = " " + inner + " "
		}
		fe.sp.text = inner
	}
}

// finishRemovals turns a block list whose items all go into the removal of its key.
func (p *Plan) finishRemovals() {
	t := p.f.t
	for list, br := range p.removals {
		if len(br.removed) < len(list.items) || p.inserted[list] > 0 {
			mergeRemovalRuns(t, br)
			continue
		}
		for _, s := range br.removed {
			s.dropped = true
		}
		idx := -1
		for i, e := range br.owner.entries {
			if e == br.ent {
				idx = i
			}
		}
		start := t.lineStart(br.ent.keyStart)
		alone := strings.TrimSpace(string(t.src[start:br.ent.keyStart])) == ""
		if br.owner.flow || !alone || idx == 0 && br.owner != p.f.root {
			// The key shares its line with something else (`- columns:` as an item's first
			// key): leave an empty list rather than rewrite the line.
			p.add(br.ent.colon, br.ent.val.end, " []")
			continue
		}
		p.add(start, t.lineEnd(br.ent.end), "")
	}
}

package yamledit

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/goccy/go-yaml/ast"
)

type kind int

const (
	kScalar kind = iota
	kMap
	kSeq
	kAlias
	kNull // an implicit null: `key:` with nothing after it
)

type scalarStyle int

const (
	plain scalarStyle = iota
	singleQuoted
	doubleQuoted
	literal
	folded
)

// node is a YAML value with byte extents in the normalised text. The parser gives where things
// start; where they end is worked out here from the text, so a splice can cover exactly a value,
// an entry or an item and nothing else.
type node struct {
	kind     kind
	flow     bool
	start    int // first byte, anchor and tag included
	valStart int // first byte of the value itself
	end      int // just past the last byte of content (block nodes: of their last content line)
	open     int // flow collections: offset of '[' or '{'
	close    int // flow collections: offset of ']' or '}'
	entries  []*mapEntry
	items    []*seqItem
	style    scalarStyle
	str      string // scalar value as decoded (number/bool values as written)
	anchor   string
	alias    string
	target   *node // what an alias points to, once resolved
	line     int
	parentIn int // indentation of the block that holds this node (key or dash column)
}

type mapEntry struct {
	key      string
	keyNode  *node
	keyStart int
	colon    int // offset just past the ':'
	col      int // 0-based column of the key
	line     int
	merge    bool
	val      *node
	end      int // end of the entry's content (see text.trimEnd)
}

type seqItem struct {
	dash int // offset of '-' (block) or of the item (flow)
	col  int
	line int
	val  *node
	end  int
}

// builder converts the parser's AST into nodes with extents.
type builder struct {
	t        *text
	anchors  map[string]*node
	aliases  []*node
	depth    int
	depthErr bool
}

// build converts one AST node. The extents of block nodes are filled in by finish.
func (b *builder) build(n ast.Node, parentIn int) (*node, error) {
	if n == nil {
		return nil, nil
	}
	b.depth++
	defer func() { b.depth-- }()
	if b.depth > maxDepth {
		b.depthErr = true
		return nil, fmt.Errorf("YAML nested deeper than %d levels", maxDepth)
	}
	tk := n.GetToken()
	if tk == nil || tk.Position == nil {
		return nil, fmt.Errorf("yaml node without position")
	}
	off := b.t.offset(tk.Position.Line, tk.Position.Column)
	switch v := n.(type) {
	case *ast.AnchorNode:
		inner, err := b.build(v.Value, parentIn)
		if err != nil {
			return nil, err
		}
		name := ""
		if v.Name != nil {
			name = v.Name.GetToken().Value
		}
		if inner == nil {
			// `key: &a` with no value: an anchored null.
			inner = &node{kind: kNull, start: off, valStart: off, end: off, line: b.t.lineOf(off), parentIn: parentIn}
			inner.end = b.scanPlain(off, len(b.t.src), false)
		}
		inner.start = off
		inner.anchor = name
		if name != "" {
			b.anchors[name] = inner
		}
		return inner, nil
	case *ast.TagNode:
		inner, err := b.build(v.Value, parentIn)
		if err != nil {
			return nil, err
		}
		if inner == nil {
			inner = &node{kind: kNull, start: off, valStart: off, line: b.t.lineOf(off), parentIn: parentIn}
			inner.end = b.scanPlain(off, len(b.t.src), false)
		}
		inner.start = off
		return inner, nil
	case *ast.AliasNode:
		name := ""
		if v.Value != nil {
			name = v.Value.GetToken().Value
		}
		a := &node{kind: kAlias, start: off, valStart: off, alias: name, line: b.t.lineOf(off), parentIn: parentIn}
		a.end = off + 1 + len(name)
		b.aliases = append(b.aliases, a)
		return a, nil
	case *ast.MappingNode:
		m := &node{kind: kMap, flow: v.IsFlowStyle, start: off, valStart: off, line: b.t.lineOf(off), parentIn: parentIn}
		if v.IsFlowStyle {
			m.open = b.t.offset(v.Start.Position.Line, v.Start.Position.Column)
			m.start, m.valStart = m.open, m.open
			if v.End != nil && v.End.Position != nil {
				m.close = b.t.offset(v.End.Position.Line, v.End.Position.Column)
			} else {
				m.close = findClose(b.t.src, m.open)
			}
			m.end = m.close + 1
		}
		for _, mv := range v.Values {
			e, err := b.entry(mv, m)
			if err != nil {
				return nil, err
			}
			m.entries = append(m.entries, e)
		}
		if !m.flow && len(m.entries) > 0 {
			m.start, m.valStart = m.entries[0].keyStart, m.entries[0].keyStart
			m.line = m.entries[0].line
		}
		return m, nil
	case *ast.MappingValueNode:
		// A single-entry mapping the parser did not wrap.
		m := &node{kind: kMap, line: b.t.lineOf(off), parentIn: parentIn}
		e, err := b.entry(v, m)
		if err != nil {
			return nil, err
		}
		m.entries = []*mapEntry{e}
		m.start, m.valStart = e.keyStart, e.keyStart
		m.line = e.line
		return m, nil
	case *ast.SequenceNode:
		s := &node{kind: kSeq, flow: v.IsFlowStyle, start: off, valStart: off, line: b.t.lineOf(off), parentIn: parentIn}
		if v.IsFlowStyle {
			s.open = off
			if v.End != nil && v.End.Position != nil {
				s.close = b.t.offset(v.End.Position.Line, v.End.Position.Column)
			} else {
				s.close = findClose(b.t.src, s.open)
			}
			s.end = s.close + 1
		}
		col := b.t.colOf(off)
		for i, item := range v.Values {
			dash := off
			if !s.flow && i < len(v.Entries) && v.Entries[i] != nil && v.Entries[i].Start != nil {
				p := v.Entries[i].Start.Position
				dash = b.t.offset(p.Line, p.Column)
			}
			in := col
			if s.flow {
				in = parentIn
			}
			val, err := b.build(item, in)
			if err != nil {
				return nil, err
			}
			if s.flow && val != nil {
				dash = val.start
			} else if s.flow {
				continue
			}
			s.items = append(s.items, &seqItem{dash: dash, col: b.t.colOf(dash), line: b.t.lineOf(dash), val: val})
		}
		return s, nil
	case *ast.NullNode:
		raw := tk.Value
		if raw == "null" || raw == "~" || raw == "Null" || raw == "NULL" {
			if bytes.HasPrefix(b.t.src[off:], []byte(raw)) {
				return &node{kind: kScalar, start: off, valStart: off, end: off + len(raw), str: "", line: b.t.lineOf(off), parentIn: parentIn}, nil
			}
		}
		return nil, nil
	case *ast.LiteralNode:
		s := &node{kind: kScalar, start: off, valStart: off, line: b.t.lineOf(off), parentIn: parentIn, style: literal}
		if strings.HasPrefix(tk.Value, ">") {
			s.style = folded
		}
		if v.Value != nil {
			s.str = v.Value.Value
		}
		return s, nil
	case *ast.StringNode:
		off = b.fixScalarStart(off, tk.Value, tk.Origin)
		s := &node{kind: kScalar, start: off, valStart: off, line: b.t.lineOf(off), parentIn: parentIn, str: v.Value}
		if off < len(b.t.src) {
			switch b.t.src[off] {
			case '"':
				s.style = doubleQuoted
			case '\'':
				s.style = singleQuoted
			}
		}
		return s, nil
	case *ast.MappingKeyNode:
		return b.build(v.Value, parentIn)
	default:
		// Numbers, booleans, infinities and NaN: plain scalars kept as written.
		off = b.fixScalarStart(off, tk.Value, tk.Origin)
		s := &node{kind: kScalar, start: off, valStart: off, line: b.t.lineOf(off), parentIn: parentIn, str: tk.Value}
		return s, nil
	}
}

func (b *builder) entry(mv *ast.MappingValueNode, parent *node) (*mapEntry, error) {
	kt := mv.Key.GetToken()
	if kt == nil || kt.Position == nil {
		return nil, fmt.Errorf("mapping key without position")
	}
	ks := b.t.offset(kt.Position.Line, kt.Position.Column)
	e := &mapEntry{keyStart: ks, col: b.t.colOf(ks), line: b.t.lineOf(ks)}
	if _, ok := mv.Key.(*ast.MergeKeyNode); ok {
		e.merge = true
		e.key = "<<"
	} else {
		kn, err := b.build(mv.Key, e.col)
		if err != nil {
			return nil, err
		}
		if kn != nil {
			e.keyNode = kn
			e.key = kn.str
			if kn.kind == kScalar {
				kn.end = b.scalarEnd(kn, len(b.t.src), true)
			}
		}
	}
	if mv.Start != nil && mv.Start.Position != nil {
		e.colon = b.t.offset(mv.Start.Position.Line, mv.Start.Position.Column) + 1
	}
	if e.colon <= ks {
		e.colon = ks + len(e.key) + 1
	}
	in := e.col
	if parent.flow {
		in = parent.parentIn
	}
	val, err := b.build(mv.Value, in)
	if err != nil {
		return nil, err
	}
	e.val = val
	return e, nil
}

// fixScalarStart checks the parser's column for a scalar against the text. The parser counts a
// plain scalar's trailing blanks into its column (`name: id   \t` is reported four columns late),
// so when the text at off is not the scalar, look for it earlier on the same line.
func (b *builder) fixScalarStart(off int, value, origin string) int {
	src := b.t.src
	want := strings.TrimLeft(origin, " \t\n")
	if i := strings.IndexAny(want, "\n"); i >= 0 {
		want = want[:i]
	}
	want = strings.TrimRight(want, " \t")
	if want == "" {
		want = value
		if i := strings.IndexByte(want, '\n'); i >= 0 {
			want = want[:i]
		}
	}
	if want == "" || off > len(src) || bytes.HasPrefix(src[off:], []byte(want)) {
		return off
	}
	ls := b.t.lineStart(minInt(off, len(src)))
	line := string(src[ls:b.t.lineContentEnd(ls)])
	rel := off - ls
	if rel > len(line) {
		rel = len(line)
	}
	if i := strings.LastIndex(line[:rel], want); i >= 0 {
		return ls + i
	}
	if i := strings.Index(line, want); i >= 0 {
		return ls + i
	}
	return off
}

// findClose finds the bracket closing the flow collection opened at open, skipping quoted text.
func findClose(src []byte, open int) int {
	depth := 0
	for i := open; i < len(src); i++ {
		switch src[i] {
		case '[', '{':
			depth++
		case ']', '}':
			depth--
			if depth == 0 {
				return i
			}
		case '"':
			i = skipDouble(src, i)
		case '\'':
			i = skipSingle(src, i)
		}
	}
	return len(src) - 1
}

// skipDouble returns the offset of the quote closing the double-quoted scalar opened at i.
func skipDouble(src []byte, i int) int {
	for j := i + 1; j < len(src); j++ {
		switch src[j] {
		case '\\':
			j++
		case '"':
			return j
		}
	}
	return len(src) - 1
}

// skipSingle returns the offset of the quote closing the single-quoted scalar opened at i.
func skipSingle(src []byte, i int) int {
	for j := i + 1; j < len(src); j++ {
		if src[j] == '\'' {
			if j+1 < len(src) && src[j+1] == '\'' {
				j++
				continue
			}
			return j
		}
	}
	return len(src) - 1
}

// finish fills in the end of n and of everything inside it. bound is where the next sibling (or
// the enclosing block's end) starts; inFlow says the node sits inside a flow collection.
func (b *builder) finish(n *node, bound int, inFlow bool) {
	if n == nil {
		return
	}
	switch n.kind {
	case kAlias:
		return
	case kNull:
		n.end = n.valStart
		return
	case kScalar:
		n.end = b.scalarEnd(n, bound, inFlow)
		return
	case kMap:
		if n.flow {
			for i, e := range n.entries {
				eb := n.close
				if i+1 < len(n.entries) {
					eb = n.entries[i+1].keyStart
				}
				b.finish(e.val, eb, true)
				e.end = e.colon
				if e.keyNode != nil && e.keyNode.end > e.end {
					e.end = e.keyNode.end
				}
				if e.val != nil && e.val.end > e.end {
					e.end = e.val.end
				}
			}
			return
		}
		for i, e := range n.entries {
			eb := bound
			if i+1 < len(n.entries) {
				eb = b.t.lineStart(n.entries[i+1].keyStart)
			}
			floor := e.colon
			if e.val != nil {
				b.finish(e.val, eb, false)
				if e.val.end > floor {
					floor = e.val.end
				}
			}
			if inFlow {
				e.end = floor
			} else {
				e.end = b.t.trimEnd(eb, floor, e.col)
			}
		}
		if len(n.entries) > 0 {
			n.end = n.entries[len(n.entries)-1].end
		}
	case kSeq:
		if n.flow {
			for i, it := range n.items {
				ib := n.close
				if i+1 < len(n.items) {
					ib = n.items[i+1].dash
				}
				b.finish(it.val, ib, true)
				it.end = it.dash
				if it.val != nil {
					it.end = it.val.end
				}
			}
			return
		}
		for i, it := range n.items {
			ib := bound
			if i+1 < len(n.items) {
				ib = b.t.lineStart(n.items[i+1].dash)
			}
			floor := it.dash + 1
			if it.val != nil {
				b.finish(it.val, ib, false)
				if it.val.end > floor {
					floor = it.val.end
				}
			}
			it.end = b.t.trimEnd(ib, floor, it.col)
		}
		if len(n.items) > 0 {
			n.end = n.items[len(n.items)-1].end
		}
	}
}

// scalarEnd finds the end of a scalar's text.
func (b *builder) scalarEnd(n *node, bound int, inFlow bool) int {
	src := b.t.src
	s := n.valStart
	if s >= len(src) {
		return s
	}
	switch n.style {
	case doubleQuoted:
		return skipDouble(src, s) + 1
	case singleQuoted:
		return skipSingle(src, s) + 1
	case literal, folded:
		hdrEnd := b.t.lineContentEnd(s)
		if bound < hdrEnd {
			bound = hdrEnd
		}
		end := b.t.trimEnd(bound, trimRightSpace(src, s, hdrEnd), n.parentIn)
		if end > hdrEnd {
			// Trailing blanks on a block scalar's last line are content.
			end = b.t.lineContentEnd(end)
		}
		return end
	}
	return b.scanPlain(s, bound, inFlow)
}

// scanPlain finds the end of a plain scalar starting at s: it stops at a comment, and in flow
// context at a flow indicator; continuation lines before bound belong to it.
func (b *builder) scanPlain(s, bound int, inFlow bool) int {
	src := b.t.src
	if bound > len(src) {
		bound = len(src)
	}
	end := s
	i := s
	for i < bound {
		c := src[i]
		if c == '#' && i > s && (src[i-1] == ' ' || src[i-1] == '\t' || src[i-1] == '\n') {
			break
		}
		if inFlow && (c == ',' || c == ']' || c == '}' || c == '[' || c == '{') {
			break
		}
		if c == ':' && (i+1 >= len(src) || src[i+1] == ' ' || src[i+1] == '\n' || src[i+1] == '\t' || (inFlow && (src[i+1] == ',' || src[i+1] == ']' || src[i+1] == '}'))) {
			break
		}
		if c == '\n' {
			// A continuation line is more of the scalar unless it is blank or a comment.
			ls := i + 1
			if ls >= bound {
				break
			}
			blank, comment, _ := b.t.lineKind(ls)
			if comment {
				break
			}
			if blank {
				i = b.t.lineContentEnd(ls)
				continue
			}
			i++
			continue
		}
		if c != ' ' && c != '\t' {
			end = i + 1
		}
		i++
	}
	return end
}

// resolve points every alias at its anchor.
func (b *builder) resolve() {
	for _, a := range b.aliases {
		a.target = b.anchors[a.alias]
	}
}

// deref follows aliases to the node they stand for.
func deref(n *node) *node {
	for i := 0; n != nil && n.kind == kAlias && i < 100; i++ {
		n = n.target
	}
	return n
}

// get returns the entry for key in a mapping, following merge keys (`<<: *defaults`) the way
// YAML does: explicit keys win over merged ones.
func (n *node) get(key string) *mapEntry {
	n = deref(n)
	if n == nil || n.kind != kMap {
		return nil
	}
	var merged []*node
	for _, e := range n.entries {
		if e.merge {
			merged = append(merged, e.val)
			continue
		}
		if e.key == key {
			return e
		}
	}
	for _, m := range merged {
		m = deref(m)
		if m == nil {
			continue
		}
		if m.kind == kSeq {
			for _, it := range m.items {
				if e := it.val.get(key); e != nil {
					return e
				}
			}
			continue
		}
		if e := m.get(key); e != nil {
			return e
		}
	}
	return nil
}

// own returns the entry for key written in the mapping itself (no merges).
func (n *node) own(key string) *mapEntry {
	if n == nil || n.kind != kMap {
		return nil
	}
	for _, e := range n.entries {
		if !e.merge && e.key == key {
			return e
		}
	}
	return nil
}

// scalarString returns a scalar's value, or "" for anything else.
func (n *node) scalarString() string {
	n = deref(n)
	if n == nil || n.kind != kScalar {
		return ""
	}
	return n.str
}

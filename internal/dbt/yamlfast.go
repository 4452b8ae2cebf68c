package dbt

import (
	"bytes"
	"io"
	"math"
	"unicode/utf8"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/token"

	yaml3 "go.yaml.in/yaml/v3"

	"github.com/dataops-dev/dataops/internal/yamllimit"
)

// Property files are most of what a cold load parses after the Jinja renders (a quarter of the
// CPU of a cold `parse` on 2,000-model projects), and go.yaml.in/yaml/v3 builds its node tree
// in about half the time and a quarter of the allocations of goccy's parser. So a document is
// first read with it; whatever it refuses, or holds something this reader does not take as
// goccy's builder does (past the node or depth bounds, a self-referencing anchor, a tag of its
// own), goes through the goccy path unchanged, whose errors and limits are the ones users
// see. The two give the same tree for what the fast path keeps (yamlfast_test.go checks it on
// every YAML file of the repository).

// parseYAMLFast is parseYAML's fast path; ok false means "parse it the usual way".
func parseYAMLFast(rel string, data []byte) (n *ynode, ok bool) {
	defer func() {
		if recover() != nil {
			n, ok = nil, false
		}
	}()
	if len(data) > yamllimit.MaxBytes || yamllimit.CheckNesting(data) != nil {
		return nil, false
	}
	// One document, read to the end: Unmarshal would stop after the first and accept what
	// follows it unread (`[a]` and then a mapping), where goccy and PyYAML refuse the file.
	dec := yaml3.NewDecoder(bytes.NewReader(data))
	var doc, next yaml3.Node
	if err := dec.Decode(&doc); err != nil {
		return nil, false
	}
	if err := dec.Decode(&next); err != io.EOF {
		return nil, false
	}
	if doc.Kind == 0 || len(doc.Content) == 0 || doc.Content[0].Kind == yaml3.ScalarNode && doc.Content[0].Tag == "!!null" {
		// No document, or an empty first one that a later one may follow: rare, and the goccy
		// path reads past it.
		return nil, false
	}
	b := &fastBuilder{rel: rel, data: data, built: map[*yaml3.Node]*ynode{}, sizes: map[*yaml3.Node]int{}}
	if b.size(&doc) > yamllimit.MaxNodes || b.bad {
		return nil, false
	}
	out := b.build(&doc, 0)
	if b.bad {
		return nil, false
	}
	return out, true
}

type fastBuilder struct {
	rel   string
	data  []byte
	lines []int                  // offsets where lines start, made when an anchor needs them
	built map[*yaml3.Node]*ynode // anchored nodes, shared by their aliases as goccy's builder shares them
	sizes map[*yaml3.Node]int    // expanded size of anchored nodes
	bad   bool                   // something the goccy path must decide
}

// size counts the nodes of n with aliases expanded, as yamllimit counts them, so that a
// document past the bound goes to the path that refuses it with its place.
func (b *fastBuilder) size(n *yaml3.Node) int {
	if n == nil || b.bad {
		return 0
	}
	if n.Kind == yaml3.AliasNode {
		return b.size(n.Alias)
	}
	if s, ok := b.sizes[n]; ok {
		if s < 0 {
			b.bad = true // an anchor inside its own value
			return 0
		}
		return s
	}
	if n.Anchor != "" {
		b.sizes[n] = -1
	}
	s := 1
	for _, c := range n.Content {
		s += b.size(c)
		if s > yamllimit.MaxNodes {
			break
		}
	}
	if n.Anchor != "" {
		b.sizes[n] = s
	}
	return s
}

func (b *fastBuilder) pos(n *yaml3.Node) Pos {
	return Pos{Path: b.rel, Line: n.Line, Column: n.Column}
}

func (b *fastBuilder) build(n *yaml3.Node, depth int) *ynode {
	if b.bad || depth > maxYAMLDepth {
		b.bad = true
		return nil
	}
	if n.Kind == yaml3.AliasNode {
		if out, ok := b.built[n.Alias]; ok {
			return out
		}
		b.bad = true // an alias before its anchor was built
		return nil
	}
	var out *ynode
	switch n.Kind {
	case yaml3.DocumentNode:
		return b.build(n.Content[0], depth+1)
	case yaml3.MappingNode:
		out = &ynode{Kind: yMap, Pos: b.pos(n)}
		for i := 0; i+1 < len(n.Content); i += 2 {
			b.addPair(out, n.Content[i], n.Content[i+1], depth)
		}
		if len(out.KeyPos) > 0 {
			out.Pos = out.KeyPos[0]
		}
	case yaml3.SequenceNode:
		p, ok := b.valuePos(n)
		if !ok {
			b.bad = true
			return nil
		}
		out = &ynode{Kind: ySeq, Pos: p, Vals: make([]*ynode, 0, len(n.Content))}
		for _, c := range n.Content {
			out.Vals = append(out.Vals, b.build(c, depth+1))
		}
	case yaml3.ScalarNode:
		v, ok := scalarValue(n)
		if !ok {
			b.bad = true
			return nil
		}
		p, ok := b.valuePos(n)
		if !ok {
			b.bad = true
			return nil
		}
		out = &ynode{Kind: yScalar, Scalar: v, Pos: p}
	default:
		b.bad = true
		return nil
	}
	if n.Anchor != "" {
		b.built[n] = out
	}
	return out
}

func (b *fastBuilder) addPair(out *ynode, k, v *yaml3.Node, depth int) {
	val := b.build(v, depth+1)
	if b.bad {
		return
	}
	if k.Kind == yaml3.ScalarNode && k.Tag == "!!merge" && k.Value == "<<" {
		out.merge(val)
		return
	}
	if k.Kind != yaml3.ScalarNode {
		b.bad = true // complex keys: the goccy path says what it makes of them
		return
	}
	kn := b.build(k, depth+1)
	if b.bad {
		return
	}
	key := kn.str()
	if kn.Scalar == nil {
		key = "null"
	}
	out.set(key, val, kn.Pos)
}

// scalarValue is a scalar's value as the goccy builder gives it. Plain scalars are typed by
// goccy's own rules (its token classes and node constructors, which differ from YAML 1.2's in
// places: `1e3` is a string to both goccy and PyYAML); quoted and block scalars are strings. A
// tagged scalar is left to the goccy path (ok false): tags are rare in property files, and
// goccy's builder has rules of its own for them.
func scalarValue(n *yaml3.Node) (v any, ok bool) {
	if n.Style&yaml3.TaggedStyle != 0 {
		return nil, false
	}
	if n.Style&(yaml3.DoubleQuotedStyle|yaml3.SingleQuotedStyle|yaml3.LiteralStyle|yaml3.FoldedStyle) != 0 {
		return n.Value, true
	}
	return plainValue(n.Value)
}

func plainValue(s string) (any, bool) {
	if s == "" {
		return nil, true // `key:` with nothing after it
	}
	// goccy types a plain scalar only as a number (a digit, a sign or a dot first) or as one
	// of its keywords (~, <<, true, false, null in three cases, .inf, .nan): any other first
	// byte, or a longer word, is a string, without the classification's lookups.
	switch c := s[0]; {
	case c >= '0' && c <= '9', c == '+', c == '-', c == '.', c == '~', c == '<':
	case (c == 't' || c == 'T' || c == 'f' || c == 'F' || c == 'n' || c == 'N') && len(s) <= len("false"):
	default:
		return s, true
	}
	tk := token.New(s, s, nil)
	switch tk.Type {
	case token.NullType, token.ImplicitNullType:
		return nil, true
	case token.BoolType:
		return ast.Bool(tk).Value, true
	case token.IntegerType, token.BinaryIntegerType, token.OctetIntegerType, token.HexIntegerType:
		switch x := ast.Integer(tk).Value.(type) {
		case int:
			return int64(x), true
		case uint64:
			if x <= math.MaxInt64 {
				return int64(x), true
			}
			return x, true
		case nil:
			return nil, false
		default:
			return x, true
		}
	case token.FloatType:
		return ast.Float(tk).Value, true
	case token.InfinityType:
		return ast.Infinity(tk).Value, true
	case token.StringType:
		return s, true
	}
	return nil, false
}

// valuePos is where goccy's builder places a node: at its value, past an anchor written
// before it on the same line (`a: &x [1, 2]` is at the bracket). ok false when the value starts
// on a later line.
func (b *fastBuilder) valuePos(n *yaml3.Node) (Pos, bool) {
	p := b.pos(n)
	if n.Anchor == "" {
		return p, true
	}
	if b.lines == nil {
		b.lines = []int{0}
		for i, c := range b.data {
			if c == '\n' {
				b.lines = append(b.lines, i+1)
			}
		}
	}
	if n.Line < 1 || n.Line > len(b.lines) {
		return p, false
	}
	line := b.data[b.lines[n.Line-1]:]
	if j := bytes.IndexByte(line, '\n'); j >= 0 {
		line = line[:j]
	}
	line = bytes.TrimRight(line, "\r")
	col := n.Column
	off := 0
	for range col - 1 {
		if off >= len(line) {
			return p, false
		}
		_, size := utf8.DecodeRune(line[off:])
		off += size
	}
	// Skip the anchor (and a tag beside it) written before the value.
	for off < len(line) && (line[off] == '&' || line[off] == '!') {
		for off < len(line) && line[off] != ' ' && line[off] != '\t' {
			off++
			col++
		}
		for off < len(line) && (line[off] == ' ' || line[off] == '\t') {
			off++
			col++
		}
	}
	if off >= len(line) || line[off] == '#' {
		return p, false
	}
	p.Column = col
	return p, true
}

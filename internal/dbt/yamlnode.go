package dbt

import (
	"errors"
	"fmt"
	"github.com/dataops-dev/dataops/internal/source"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/dataops-dev/dataops/internal/yamllimit"
)

// ynode is a YAML value with the position it was written at. Property files are walked as
// ynodes so that every model, column and test keeps its line; plain values (configs, meta, test
// arguments) are converted with value().
type ynode struct {
	Kind   ykind
	Keys   []string // mapping keys, in file order
	Vals   []*ynode // mapping values (parallel to Keys) or sequence items
	KeyPos []Pos    // position of each mapping key
	Scalar any      // string, int64, uint64, float64, bool or nil
	Pos    Pos
}

type ykind int

const (
	yScalar ykind = iota
	yMap
	ySeq
)

// get returns the value of a mapping key, or nil.
func (n *ynode) get(key string) *ynode {
	if n == nil || n.Kind != yMap {
		return nil
	}
	for i, k := range n.Keys {
		if k == key {
			return n.Vals[i]
		}
	}
	return nil
}

// keyPos is the position of a mapping key, or the mapping's position.
func (n *ynode) keyPos(key string) Pos {
	if n == nil {
		return Pos{}
	}
	for i, k := range n.Keys {
		if k == key {
			return n.KeyPos[i]
		}
	}
	return n.Pos
}

// str returns a scalar as a string ("" for a missing value or null).
func (n *ynode) str() string {
	if n == nil || n.Kind != yScalar || n.Scalar == nil {
		return ""
	}
	switch v := n.Scalar.(type) {
	case string:
		return v
	default:
		return fmt.Sprint(v)
	}
}

// isNull says whether the node is absent or an explicit null.
func (n *ynode) isNull() bool { return n == nil || (n.Kind == yScalar && n.Scalar == nil) }

// value converts a node to plain Go values: map[string]any, []any and scalars.
func (n *ynode) value() any {
	if n == nil {
		return nil
	}
	switch n.Kind {
	case yMap:
		m := make(map[string]any, len(n.Keys))
		for i, k := range n.Keys {
			m[k] = n.Vals[i].value()
		}
		return m
	case ySeq:
		l := make([]any, len(n.Vals))
		for i, v := range n.Vals {
			l[i] = v.value()
		}
		return l
	default:
		return n.Scalar
	}
}

// mapValue converts a mapping node to a map; anything else gives nil.
func (n *ynode) mapValue() map[string]any {
	if n == nil || n.Kind != yMap {
		return nil
	}
	m, _ := n.value().(map[string]any)
	return m
}

// strList reads a string or a list of strings (dbt accepts both for tags and paths).
func (n *ynode) strList() []string {
	if n == nil {
		return nil
	}
	switch n.Kind {
	case ySeq:
		out := make([]string, 0, len(n.Vals))
		for _, v := range n.Vals {
			if v.Kind == yScalar && v.Scalar != nil {
				out = append(out, v.str())
			}
		}
		return out
	case yScalar:
		if n.Scalar == nil {
			return nil
		}
		return []string{n.str()}
	}
	return nil
}

// parseYAML parses one YAML document into a ynode. rel names the file in errors. An empty
// document gives an empty mapping. Syntax errors become *InputError with the position.
func parseYAML(rel string, data []byte) (n *ynode, err error) {
	// The YAML library is not ours: a panic on hostile input must become an input error.
	defer func() {
		if r := recover(); r != nil {
			n, err = nil, &InputError{Pos: Pos{Path: rel}, Msg: fmt.Sprintf("invalid YAML: %v", r)}
		}
	}()
	data = trimBOM(data)
	if n, ok := parseYAMLFast(rel, data); ok {
		return n, nil
	}
	return parseYAMLGoccy(rel, data)
}

// parseYAMLGoccy is parseYAML through goccy's parser: the path of every document the fast
// path leaves, and so of every error and refusal.
func parseYAMLGoccy(rel string, data []byte) (*ynode, error) {
	// The file comes from the pull request: an alias bomb or absurd nesting is refused before
	// anything is expanded.
	f, _, err := yamllimit.Parse(data, yamllimit.MaxNodes, parser.AllowDuplicateMapKey())
	if err != nil {
		// A merge's conflict markers are why, more often than the first token YAML trips on.
		if line, marker := source.ConflictMarker(string(data)); line > 0 {
			return nil, &InputError{Pos: Pos{Path: rel, Line: line, Column: 1},
				Msg: fmt.Sprintf("unresolved merge conflict: the line %q a merge leaves is still in the file", marker)}
		}
		return nil, yamlError(rel, err)
	}
	b := &ybuilder{rel: rel, anchors: map[string]*ynode{}}
	for _, doc := range f.Docs {
		if doc == nil || doc.Body == nil {
			continue
		}
		n, err := b.build(doc.Body, 0)
		if err != nil {
			return nil, err
		}
		return n, nil
	}
	return &ynode{Kind: yMap, Pos: Pos{Path: rel, Line: 1, Column: 1}}, nil
}

// yamlError turns a go-yaml error into an InputError at the error's token.
func yamlError(rel string, err error) error {
	var le *yamllimit.Error
	if errors.As(err, &le) {
		return &InputError{Pos: Pos{Path: rel, Line: le.Line, Column: le.Column}, Msg: "YAML refused: " + le.Msg}
	}
	var ye yaml.Error
	if errors.As(err, &ye) {
		pos := Pos{Path: rel}
		if tk := ye.GetToken(); tk != nil && tk.Position != nil {
			pos.Line, pos.Column = tk.Position.Line, tk.Position.Column
		}
		return &InputError{Pos: pos, Msg: "invalid YAML: " + ye.GetMessage()}
	}
	return &InputError{Pos: Pos{Path: rel}, Msg: "invalid YAML: " + firstLine(err.Error())}
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

type ybuilder struct {
	rel     string
	anchors map[string]*ynode
}

// maxYAMLDepth bounds nesting so hostile input cannot exhaust the stack.
const maxYAMLDepth = 200

func (b *ybuilder) pos(n ast.Node) Pos {
	p := Pos{Path: b.rel}
	if n != nil {
		if tk := n.GetToken(); tk != nil && tk.Position != nil {
			p.Line, p.Column = tk.Position.Line, tk.Position.Column
		}
	}
	return p
}

func (b *ybuilder) errAt(n ast.Node, format string, args ...any) error {
	return &InputError{Pos: b.pos(n), Msg: fmt.Sprintf(format, args...)}
}

func (b *ybuilder) build(n ast.Node, depth int) (*ynode, error) {
	if depth > maxYAMLDepth {
		return nil, b.errAt(n, "invalid YAML: nesting deeper than %d levels", maxYAMLDepth)
	}
	switch v := n.(type) {
	case nil:
		return &ynode{Kind: yScalar}, nil
	case *ast.DocumentNode:
		return b.build(v.Body, depth+1)
	case *ast.MappingNode:
		out := &ynode{Kind: yMap, Pos: b.pos(v)}
		for _, mv := range v.Values {
			if err := b.addPair(out, mv, depth); err != nil {
				return nil, err
			}
		}
		if len(out.KeyPos) > 0 {
			// a block mapping's own token is its first key; keep that position.
			out.Pos = out.KeyPos[0]
		}
		return out, nil
	case *ast.MappingValueNode:
		out := &ynode{Kind: yMap}
		if err := b.addPair(out, v, depth); err != nil {
			return nil, err
		}
		if len(out.KeyPos) > 0 {
			out.Pos = out.KeyPos[0]
		} else {
			out.Pos = b.pos(v)
		}
		return out, nil
	case *ast.SequenceNode:
		out := &ynode{Kind: ySeq, Pos: b.pos(v)}
		for _, item := range v.Values {
			c, err := b.build(item, depth+1)
			if err != nil {
				return nil, err
			}
			out.Vals = append(out.Vals, c)
		}
		return out, nil
	case *ast.AnchorNode:
		c, err := b.build(v.Value, depth+1)
		if err != nil {
			return nil, err
		}
		b.anchors[anchorName(v.Name)] = c
		return c, nil
	case *ast.AliasNode:
		name := anchorName(v.Value)
		c, ok := b.anchors[name]
		if !ok {
			return nil, b.errAt(v, "invalid YAML: unknown alias %q", name)
		}
		return c, nil
	case *ast.TagNode:
		c, err := b.build(v.Value, depth+1)
		if err != nil {
			return nil, err
		}
		if c.Kind == yScalar && v.Start != nil && (v.Start.Value == "!!str" || v.Start.Value == "!str") && c.Scalar != nil {
			c.Scalar = fmt.Sprint(c.Scalar)
		}
		return c, nil
	case *ast.LiteralNode:
		s := ""
		if v.Value != nil {
			s = v.Value.Value
		}
		return &ynode{Kind: yScalar, Scalar: s, Pos: b.pos(v)}, nil
	case *ast.NullNode:
		return &ynode{Kind: yScalar, Pos: b.pos(v)}, nil
	case *ast.StringNode:
		return &ynode{Kind: yScalar, Scalar: v.Value, Pos: b.pos(v)}, nil
	case *ast.CommentNode, *ast.CommentGroupNode:
		return &ynode{Kind: yScalar, Pos: b.pos(v)}, nil
	case ast.ScalarNode:
		val := v.GetValue()
		switch x := val.(type) {
		case int:
			val = int64(x)
		case uint64:
			if x <= 1<<63-1 {
				val = int64(x)
			}
		}
		return &ynode{Kind: yScalar, Scalar: val, Pos: b.pos(v)}, nil
	}
	return nil, b.errAt(n, "invalid YAML: unsupported node %s", n.Type())
}

func anchorName(n ast.Node) string {
	if n == nil {
		return ""
	}
	if s, ok := n.(*ast.StringNode); ok {
		return s.Value
	}
	return n.String()
}

func (b *ybuilder) addPair(out *ynode, mv *ast.MappingValueNode, depth int) error {
	val, err := b.build(mv.Value, depth+1)
	if err != nil {
		return err
	}
	if mv.Key != nil && mv.Key.IsMergeKey() {
		out.merge(val)
		return nil
	}
	var keyNode ast.Node = mv.Key
	if mk, ok := keyNode.(*ast.MappingKeyNode); ok {
		keyNode = mk.Value
	}
	kn, err := b.build(keyNode, depth+1)
	if err != nil {
		return err
	}
	if kn.Kind != yScalar {
		return b.errAt(mv, "invalid YAML: a mapping key must be a scalar")
	}
	key := kn.str()
	if kn.Scalar == nil {
		key = "null"
	}
	out.set(key, val, b.pos(keyNode))
	return nil
}

// merge is `<<: *base` (or a list of aliases): the mappings' keys join n's without overriding.
func (n *ynode) merge(val *ynode) {
	one := func(src *ynode) {
		if src == nil || src.Kind != yMap {
			return
		}
		for i, k := range src.Keys {
			if n.get(k) == nil {
				n.Keys = append(n.Keys, k)
				n.Vals = append(n.Vals, src.Vals[i])
				n.KeyPos = append(n.KeyPos, src.KeyPos[i])
			}
		}
	}
	if val.Kind == ySeq {
		for _, s := range val.Vals {
			one(s)
		}
	} else {
		one(val)
	}
}

// set adds a key to the mapping n; a later duplicate key replaces the earlier one, as PyYAML
// (and so dbt) does.
func (n *ynode) set(key string, val *ynode, at Pos) {
	for i, k := range n.Keys {
		if k == key {
			n.Vals[i] = val
			n.KeyPos[i] = at
			return
		}
	}
	n.Keys = append(n.Keys, key)
	n.Vals = append(n.Vals, val)
	n.KeyPos = append(n.KeyPos, at)
}

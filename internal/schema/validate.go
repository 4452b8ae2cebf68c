package schema

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/dataops-dev/dataops/internal/yamllimit"
)

// Property-file validation rules.
const (
	RuleYAMLSyntax     = "yaml-syntax"
	RuleDuplicateKey   = "yaml-duplicate-key"
	RuleUnknownKey     = "property-unknown-key"
	RuleWrongType      = "property-wrong-type"
	RuleMissingName    = "property-missing-name"
	RuleDuplicateEntry = "property-duplicate-entry"
	RuleVersion        = "property-version"
	// RuleTestName is a test name dbt reads only in part (a warning) or not at all (an error).
	// Whether a macro defines the test is the loader's check (dbt.KindUnknownTest): it needs
	// the project's and its packages' macros.
	RuleTestName = "property-test-name"
)

// ValidatePropertyFile checks a property file (models/*.yml) the way `dbt parse` reads it:
// top-level keys, the keys each kind of entry may have, the types of the values dbt reads, names
// present and unique, test names dbt can read, and no key written twice in one mapping. Every finding has the file, line
// and column. Unknown keys and duplicate keys are warnings (dbt 1.10 warns, older versions
// rejected unknown keys); everything dbt refuses to parse is an error. It never reads other
// files and never runs anything.
func ValidatePropertyFile(path string, data []byte) []Finding {
	v := &validator{path: path, anchors: map[string]*vnode{}}
	src := []byte(strings.ReplaceAll(string(data), "\r\n", "\n"))
	f, _, err := yamllimit.Parse(src, yamllimit.MaxNodes, parser.AllowDuplicateMapKey())
	if err != nil {
		fd := Finding{Rule: RuleYAMLSyntax, Severity: SeverityError, Path: path, Line: 1, Message: "invalid YAML: " + firstLineOf(err.Error())}
		var ye yaml.Error
		if errors.As(err, &ye) {
			fd.Message = "invalid YAML: " + ye.GetMessage()
			if tk := ye.GetToken(); tk != nil && tk.Position != nil {
				fd.Line, fd.Column = tk.Position.Line, tk.Position.Column
			}
		}
		return v.finish(append(v.out, fd))
	}
	for _, doc := range f.Docs {
		if doc == nil || doc.Body == nil {
			continue
		}
		root := v.build(doc.Body, 0)
		if root == nil {
			continue
		}
		v.top(root)
		break
	}
	return v.finish(v.out)
}

func firstLineOf(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

type vkind int

const (
	vScalar vkind = iota
	vMap
	vSeq
)

// vnode is a YAML value with its position; aliases are resolved to the anchored value and merge
// keys (`<<: *defaults`) are kept apart so explicit keys can be checked on their own.
type vnode struct {
	kind      vkind
	keys      []vkey
	merged    []*vnode
	items     []*vnode
	scalar    any // string, int64/uint64, float64, bool or nil
	line, col int
}

type vkey struct {
	name      string
	line, col int
	val       *vnode
}

type validator struct {
	path    string
	anchors map[string]*vnode
	out     []Finding
}

func (v *validator) add(rule, sev string, line, col int, format string, args ...any) {
	v.out = append(v.out, Finding{Agent: "schema", Rule: rule, Severity: sev, Path: v.path, Line: line, Column: col, Message: fmt.Sprintf(format, args...)})
}

func (v *validator) finish(out []Finding) []Finding {
	for i := range out {
		out[i].Agent = "schema"
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Line != out[j].Line {
			return out[i].Line < out[j].Line
		}
		return out[i].Column < out[j].Column
	})
	return out
}

func pos(n ast.Node) (int, int) {
	if n == nil {
		return 0, 0
	}
	if tk := n.GetToken(); tk != nil && tk.Position != nil {
		return tk.Position.Line, tk.Position.Column
	}
	return 0, 0
}

const maxValidateDepth = 200

func (v *validator) build(n ast.Node, depth int) *vnode {
	if n == nil || depth > maxValidateDepth {
		return nil
	}
	line, col := pos(n)
	switch x := n.(type) {
	case *ast.AnchorNode:
		inner := v.build(x.Value, depth+1)
		if inner != nil && x.Name != nil {
			v.anchors[x.Name.GetToken().Value] = inner
		}
		return inner
	case *ast.AliasNode:
		if x.Value != nil {
			return v.anchors[x.Value.GetToken().Value]
		}
		return nil
	case *ast.TagNode:
		return v.build(x.Value, depth+1)
	case *ast.MappingNode:
		m := &vnode{kind: vMap, line: line, col: col}
		for _, mv := range x.Values {
			v.entry(m, mv, depth)
		}
		if len(m.keys) > 0 && !x.IsFlowStyle {
			m.line, m.col = m.keys[0].line, m.keys[0].col
		}
		return m
	case *ast.MappingValueNode:
		m := &vnode{kind: vMap}
		v.entry(m, x, depth)
		if len(m.keys) > 0 {
			m.line, m.col = m.keys[0].line, m.keys[0].col
		}
		return m
	case *ast.SequenceNode:
		s := &vnode{kind: vSeq, line: line, col: col}
		for _, it := range x.Values {
			if c := v.build(it, depth+1); c != nil {
				s.items = append(s.items, c)
			} else {
				l, cc := pos(it)
				s.items = append(s.items, &vnode{kind: vScalar, line: l, col: cc})
			}
		}
		return s
	case *ast.StringNode:
		return &vnode{kind: vScalar, scalar: x.Value, line: line, col: col}
	case *ast.LiteralNode:
		s := ""
		if x.Value != nil {
			s = x.Value.Value
		}
		return &vnode{kind: vScalar, scalar: s, line: line, col: col}
	case *ast.IntegerNode:
		return &vnode{kind: vScalar, scalar: x.Value, line: line, col: col}
	case *ast.FloatNode:
		return &vnode{kind: vScalar, scalar: x.Value, line: line, col: col}
	case *ast.BoolNode:
		return &vnode{kind: vScalar, scalar: x.Value, line: line, col: col}
	case *ast.NullNode:
		return &vnode{kind: vScalar, scalar: nil, line: line, col: col}
	case *ast.MappingKeyNode:
		return v.build(x.Value, depth+1)
	}
	return &vnode{kind: vScalar, scalar: n.GetToken().Value, line: line, col: col}
}

func (v *validator) entry(m *vnode, mv *ast.MappingValueNode, depth int) {
	kl, kc := pos(mv.Key)
	val := v.build(mv.Value, depth+1)
	if val == nil {
		l, c := pos(mv.Value)
		val = &vnode{kind: vScalar, line: l, col: c}
	}
	if _, ok := mv.Key.(*ast.MergeKeyNode); ok {
		if val.kind == vSeq {
			m.merged = append(m.merged, val.items...)
		} else {
			m.merged = append(m.merged, val)
		}
		return
	}
	name := ""
	if k := v.build(mv.Key, depth+1); k != nil && k.kind == vScalar {
		name = fmt.Sprint(k.scalar)
	}
	for _, prev := range m.keys {
		if prev.name == name {
			v.add(RuleDuplicateKey, SeverityWarning, kl, kc, "key %q is written twice in this mapping (first at line %d); YAML keeps only the last", name, prev.line)
		}
	}
	m.keys = append(m.keys, vkey{name: name, line: kl, col: kc, val: val})
}

// get returns the value of key, explicit keys first, then merged mappings.
func (n *vnode) get(key string) *vkey {
	if n == nil || n.kind != vMap {
		return nil
	}
	for i := range n.keys {
		if n.keys[i].name == key {
			return &n.keys[i]
		}
	}
	for _, m := range n.merged {
		if k := m.get(key); k != nil {
			return k
		}
	}
	return nil
}

func (n *vnode) isNull() bool { return n == nil || n.kind == vScalar && n.scalar == nil }

func (n *vnode) str() (string, bool) {
	if n == nil || n.kind != vScalar {
		return "", false
	}
	s, ok := n.scalar.(string)
	return s, ok
}

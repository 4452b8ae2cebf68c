package yamledit

import (
	"errors"
	"fmt"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/parser"

	"github.com/dataops-dev/dataops/internal/yamllimit"
)

// Kinds of property-file entries that carry columns.
const (
	Models    = "models"
	Seeds     = "seeds"
	Snapshots = "snapshots"
	Analyses  = "analyses"
	Sources   = "sources" // a source's tables; Ref.Source names the source
)

// maxDepth bounds nesting so hostile input cannot exhaust the stack.
const maxDepth = 200

// Error is a load or edit failure at a place in a property file. Line is 0 when the failure has
// no place (a model that is not in the file).
type Error struct {
	Path   string
	Line   int
	Column int
	Msg    string
}

func (e *Error) Error() string {
	switch {
	case e.Line > 0 && e.Column > 0:
		return fmt.Sprintf("%s:%d:%d: %s", e.Path, e.Line, e.Column, e.Msg)
	case e.Line > 0:
		return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg)
	}
	return e.Path + ": " + e.Msg
}

// File is a parsed property file ready for planning edits. It is read-only: a Plan records edits
// against it and Apply returns new bytes, leaving the File as loaded.
type File struct {
	Path  string
	t     *text
	root  *node // the top-level mapping; nil for an empty document
	docAt int   // where the first document's content starts
	style Style
	// aliases are the file's `*name` nodes, resolved to their anchors: an edit that removes an
	// anchor must know who still uses it.
	aliases []*node

	cache map[string][]*Entry // Entries by kind: the file never changes once loaded
}

// Load parses a property file. path is only used in messages. A file that is not YAML, or whose
// top level is not a mapping, is an *Error with the position.
func Load(path string, data []byte) (f *File, err error) {
	defer func() {
		if r := recover(); r != nil {
			f, err = nil, &Error{Path: path, Msg: fmt.Sprintf("cannot read YAML: %v", r)}
		}
	}()
	t := newText(data)
	f = &File{Path: path, t: t}
	ast, _, err := yamllimit.Parse(t.src, yamllimit.MaxNodes, parser.AllowDuplicateMapKey())
	if err != nil {
		return nil, yamlError(path, t, err)
	}
	b := &builder{t: t, anchors: map[string]*node{}}
	for i, doc := range ast.Docs {
		if doc == nil || doc.Body == nil {
			continue
		}
		root, err := b.build(doc.Body, -1)
		if err != nil {
			return nil, &Error{Path: path, Msg: err.Error()}
		}
		if root == nil {
			continue
		}
		bound := len(t.src)
		// A later document bounds this one: its `---` line starts the next content.
		for _, later := range ast.Docs[i+1:] {
			if later != nil && later.Start != nil && later.Start.Position != nil {
				bound = t.lineStart(t.offset(later.Start.Position.Line, later.Start.Position.Column))
				break
			}
		}
		if end := docEndMarker(t, root.start); end >= 0 && end < bound {
			bound = end
		}
		b.finish(root, bound, false)
		b.resolve()
		f.aliases = b.aliases
		if root.kind != kMap {
			return nil, &Error{Path: path, Line: root.line, Column: t.colOf(root.valStart) + 1, Msg: "a property file's top level must be a mapping (version:, models:, ...)"}
		}
		f.root = root
		f.docAt = root.start
		break
	}
	if b.depthErr {
		return nil, &Error{Path: path, Msg: fmt.Sprintf("YAML nested deeper than %d levels", maxDepth)}
	}
	f.style = detectStyle(t, f.root)
	return f, nil
}

// docEndMarker finds a `...` or `---` line after off, which ends the document there.
func docEndMarker(t *text, off int) int {
	for l := t.lineOf(off); l < len(t.lines); l++ {
		ls := t.lines[l]
		rest := t.src[ls:t.lineContentEnd(ls)]
		s := strings.TrimRight(string(rest), " \t")
		if s == "..." || s == "---" || strings.HasPrefix(s, "--- ") || strings.HasPrefix(s, "... ") {
			return ls
		}
	}
	return -1
}

func yamlError(path string, t *text, err error) error {
	var ye yaml.Error
	if errors.As(err, &ye) {
		e := &Error{Path: path, Msg: "invalid YAML: " + ye.GetMessage()}
		if tk := ye.GetToken(); tk != nil && tk.Position != nil {
			e.Line, e.Column = tk.Position.Line, tk.Position.Column
		}
		return e
	}
	msg := err.Error()
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	return &Error{Path: path, Msg: "invalid YAML: " + msg}
}

// Bytes returns the file as loaded.
func (f *File) Bytes() []byte { return f.t.orig }

// Style returns the style detected in the file (the default style for an empty file).
func (f *File) Style() Style { return f.style }

// Ref names an entry of a property file: a model, seed, snapshot or analysis by name, or a
// source table by source and table name.
type Ref struct {
	Kind   string // Models, Seeds, Snapshots, Analyses or Sources
	Source string // Sources only
	Name   string
}

// ModelRef names a model.
func ModelRef(name string) Ref { return Ref{Kind: Models, Name: name} }

// SourceTableRef names a table of a source.
func SourceTableRef(source, table string) Ref {
	return Ref{Kind: Sources, Source: source, Name: table}
}

func (r Ref) String() string {
	if r.Kind == Sources {
		return fmt.Sprintf("source table %s.%s", r.Source, r.Name)
	}
	return strings.TrimSuffix(r.Kind, "s") + " " + r.Name
}

// Entry is a model, seed, snapshot, analysis or source table as written in the file.
type Entry struct {
	Ref            Ref
	Line, Column   int // the entry's `- name:` line
	Description    string
	HasDescription bool
	Columns        []*ColumnEntry // in file order; Index is the position in this list
	Tests          []*TestEntry   // entry-level tests

	item *seqItem
	list *node // the models:/tables: list that holds it
	node *node // its mapping
}

// ColumnEntry is a column as written in the file.
type ColumnEntry struct {
	Name           string
	Description    string
	HasDescription bool
	DataType       string
	HasDataType    bool
	Index          int
	Line, Column   int
	// Alias is set when the entry is `- *anchor`: the column is defined elsewhere and shared, so
	// edits to it are refused (edit the anchor's definition instead).
	Alias string
	Tests []*TestEntry

	item *seqItem
	node *node
}

// TestEntry is a generic test as written under `tests:` or `data_tests:`.
type TestEntry struct {
	Name         string // as written, namespace included: dbt_utils.expression_is_true
	Key          string // "tests" or "data_tests"
	Line, Column int
}

// Entries lists the entries of one kind (Models, Seeds, Snapshots, Analyses) in file order.
// For Sources it lists every table of every source.
func (f *File) Entries(kind string) []*Entry {
	if es, ok := f.cache[kind]; ok {
		return es
	}
	es := f.entries(kind)
	if f.cache == nil {
		f.cache = map[string][]*Entry{}
	}
	f.cache[kind] = es
	return es
}

func (f *File) entries(kind string) []*Entry {
	var out []*Entry
	if kind == Sources {
		for _, src := range f.listItems(Sources) {
			sn := deref(src.val)
			sname := sn.get("name").valueString()
			te := sn.get("tables")
			if te == nil {
				continue
			}
			tl := deref(te.val)
			if tl == nil || tl.kind != kSeq {
				continue
			}
			for _, it := range tl.items {
				out = append(out, f.entry(Ref{Kind: Sources, Source: sname}, it, tl))
			}
		}
		return out
	}
	l := f.list(kind)
	if l == nil {
		return nil
	}
	for _, it := range l.items {
		out = append(out, f.entry(Ref{Kind: kind}, it, l))
	}
	return out
}

// Models lists the models declared in the file.
func (f *File) Models() []*Entry { return f.Entries(Models) }

// Model returns the model named name, or nil.
func (f *File) Model(name string) *Entry { return f.Find(ModelRef(name)) }

// Find returns the entry r names, or nil.
func (f *File) Find(r Ref) *Entry {
	for _, e := range f.Entries(r.Kind) {
		if e.Ref.Name == r.Name && (r.Kind != Sources || e.Ref.Source == r.Source) {
			return e
		}
	}
	return nil
}

// SourceNames lists the sources declared in the file.
func (f *File) SourceNames() []string {
	var out []string
	for _, it := range f.listItems(Sources) {
		out = append(out, deref(it.val).get("name").valueString())
	}
	return out
}

// list returns the top-level block or flow list under key, or nil.
func (f *File) list(key string) *node {
	if f.root == nil {
		return nil
	}
	e := f.root.get(key)
	if e == nil {
		return nil
	}
	l := deref(e.val)
	if l == nil || l.kind != kSeq {
		return nil
	}
	return l
}

func (f *File) listItems(key string) []*seqItem {
	if l := f.list(key); l != nil {
		return l.items
	}
	return nil
}

func (f *File) pos(off int) (int, int) {
	return f.t.lineOf(off), f.t.colOf(off) + 1
}

func (f *File) entry(r Ref, it *seqItem, l *node) *Entry {
	n := deref(it.val)
	e := &Entry{Ref: r, item: it, list: l, node: n}
	e.Line, e.Column = f.pos(it.dash)
	e.Ref.Name = n.get("name").valueString()
	if d := n.get("description"); d != nil {
		e.Description, e.HasDescription = d.valueString(), true
	}
	e.Tests = f.tests(n)
	if ce := n.get("columns"); ce != nil {
		if cl := deref(ce.val); cl != nil && cl.kind == kSeq {
			for i, ci := range cl.items {
				c := &ColumnEntry{Index: i, item: ci}
				c.Line, c.Column = f.pos(ci.dash)
				if ci.val != nil && ci.val.kind == kAlias {
					c.Alias = ci.val.alias
				}
				cn := deref(ci.val)
				c.node = cn
				c.Name = cn.get("name").valueString()
				if d := cn.get("description"); d != nil {
					c.Description, c.HasDescription = d.valueString(), true
				}
				if d := cn.get("data_type"); d != nil {
					c.DataType, c.HasDataType = d.valueString(), true
				}
				c.Tests = f.tests(cn)
				e.Columns = append(e.Columns, c)
			}
		}
	}
	return e
}

// ColumnNamed returns the entry's column named name (case-sensitive first, then case-insensitive,
// as warehouses fold unquoted names), or nil.
func (e *Entry) ColumnNamed(name string) *ColumnEntry {
	for _, c := range e.Columns {
		if c.Name == name {
			return c
		}
	}
	for _, c := range e.Columns {
		if strings.EqualFold(c.Name, name) {
			return c
		}
	}
	return nil
}

func (f *File) tests(n *node) []*TestEntry {
	var out []*TestEntry
	for _, key := range []string{"tests", "data_tests"} {
		te := n.get(key)
		if te == nil {
			continue
		}
		tl := deref(te.val)
		if tl == nil || tl.kind != kSeq {
			continue
		}
		for _, it := range tl.items {
			t := &TestEntry{Name: testName(it.val), Key: key}
			t.Line, t.Column = f.pos(it.dash)
			out = append(out, t)
		}
	}
	return out
}

// testName reads a test's name from `- unique`, `- accepted_values: {...}` or
// `- {name: x, test_name: unique}`.
func testName(v *node) string {
	v = deref(v)
	if v == nil {
		return ""
	}
	switch v.kind {
	case kScalar:
		return v.str
	case kMap:
		if tn := v.get("test_name"); tn != nil {
			return tn.valueString()
		}
		for _, e := range v.entries {
			if !e.merge {
				return e.key
			}
		}
	}
	return ""
}

func (e *mapEntry) valueString() string {
	if e == nil {
		return ""
	}
	return e.val.scalarString()
}

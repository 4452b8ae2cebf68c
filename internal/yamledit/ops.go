package yamledit

import (
	"fmt"
	"strings"
)

// Column is a column entry to write.
type Column struct {
	Name        string
	Description string // omitted when empty
	DataType    string // omitted when empty
	Tests       []Test
	Extra       []KV // further keys (meta, tags, constraints, ...) written after the others
}

// Test is a generic test to write: `unique`, or `accepted_values` with arguments and config.
type Test struct {
	Name   string // namespace included: dbt_utils.accepted_range
	Args   []KV   // under `arguments:` (Style.Arguments) or inline
	Config []KV   // under `config:` (severity, where, ...)
}

// Model is a model (or seed, snapshot, source table) entry to write.
type Model struct {
	Name        string
	Description string
	Columns     []Column
	Tests       []Test
	Extra       []KV // further keys (config, meta, ...) written before columns
}

func (st *Style) columnKVs(c Column) []KV {
	kvs := []KV{{"name", c.Name}}
	desc := KV{"description", c.Description}
	dt := KV{"data_type", c.DataType}
	if st.DataTypeFirst {
		desc, dt = dt, desc
	}
	for _, kv := range []KV{desc, dt} {
		if kv.Value != "" {
			kvs = append(kvs, kv)
		}
	}
	kvs = append(kvs, c.Extra...)
	if len(c.Tests) > 0 {
		kvs = append(kvs, KV{st.TestsKey, st.testValues(c.Tests)})
	}
	return kvs
}

func (st *Style) modelKVs(m Model) []KV {
	kvs := []KV{{"name", m.Name}}
	if m.Description != "" {
		kvs = append(kvs, KV{"description", m.Description})
	}
	kvs = append(kvs, m.Extra...)
	if len(m.Tests) > 0 {
		kvs = append(kvs, KV{st.TestsKey, st.testValues(m.Tests)})
	}
	if len(m.Columns) > 0 {
		cols := make([]any, len(m.Columns))
		for i, c := range m.Columns {
			cols[i] = st.columnKVs(c)
		}
		kvs = append(kvs, KV{"columns", cols})
	}
	return kvs
}

func (st *Style) testValues(ts []Test) []any {
	out := make([]any, len(ts))
	for i, t := range ts {
		out[i] = st.testValue(t)
	}
	return out
}

// testValue is `name`, or `{name: {arguments: {...}, config: {...}}}` (inline arguments before
// dbt 1.10.5).
func (st *Style) testValue(t Test) any {
	if len(t.Args) == 0 && len(t.Config) == 0 {
		return t.Name
	}
	var inner []KV
	if st.Arguments && len(t.Args) > 0 {
		inner = append(inner, KV{"arguments", t.Args})
	} else {
		inner = append(inner, t.Args...)
	}
	if len(t.Config) > 0 {
		inner = append(inner, KV{"config", t.Config})
	}
	return []KV{{t.Name, inner}}
}

// AddColumn adds a column entry to r's `columns:` before the column now at index at (in the
// file as loaded; at < 0 or past the end appends), creating `columns:` when absent.
func (p *Plan) AddColumn(r Ref, at int, c Column) (err error) {
	defer p.recoverTo(&err)
	if c.Name == "" {
		return p.errf("AddColumn: column has no name")
	}
	e, err := p.target(r)
	if err != nil {
		return err
	}
	if e.ColumnNamed(c.Name) != nil && e.ColumnNamed(c.Name).Name == c.Name {
		return p.errAt(e.ColumnNamed(c.Name).item.dash, "%s already has column %q", r, c.Name)
	}
	if err := p.insertItem(e.node, "columns", p.Style.columnKVs(c), at); err != nil {
		return err
	}
	p.checks = append(p.checks, func(f *File) error {
		e2 := p.final(f, r)
		if e2 == nil || e2.ColumnNamed(c.Name) == nil {
			return fmt.Errorf("column %q of %s missing", c.Name, r)
		}
		return nil
	})
	return nil
}

// RemoveColumn deletes r's column entry named name, with the comment lines directly above it.
func (p *Plan) RemoveColumn(r Ref, name string) (err error) {
	defer p.recoverTo(&err)
	e, err := p.target(r)
	if err != nil {
		return err
	}
	c := e.ColumnNamed(name)
	if c == nil {
		return p.errAt(e.item.dash, "%s has no column %q", r, name)
	}
	ent := e.node.own("columns")
	if ent == nil {
		return p.errAt(e.item.dash, "columns of %s come from a merged anchor", r)
	}
	if err := p.removeItem(e.node, ent, deref(ent.val), c.Index); err != nil {
		return err
	}
	p.checks = append(p.checks, func(f *File) error {
		if e2 := p.final(f, r); e2 != nil && len(e2.Columns) != len(e.Columns)-p.removedCount(deref(ent.val)) {
			return fmt.Errorf("column %q of %s still there", name, r)
		}
		return nil
	})
	return nil
}

func (p *Plan) removedCount(list *node) int {
	n := 0
	if br := p.removals[list]; br != nil {
		n += len(br.removed)
	}
	if fe := p.flows[list]; fe != nil {
		n += len(fe.removed)
		for _, ins := range fe.inserts {
			n -= len(ins)
		}
	}
	return n - p.inserted[list]
}

// RenameColumn renames r's column old to new in place, keeping the name's quoting.
func (p *Plan) RenameColumn(r Ref, old, new string) (err error) {
	defer p.recoverTo(&err)
	_, c, err := p.columnOrAlias(r, old, true)
	if err != nil {
		return err
	}
	if c.Alias != "" {
		p.expand(c).kvs = append(p.expand(c).kvs, KV{"name", new})
		p.rename(r, old, new)
		p.checks = append(p.checks, func(f *File) error {
			if e2 := p.final(f, r); e2 == nil || e2.ColumnNamed(new) == nil {
				return fmt.Errorf("column %q of %s missing after rename", new, r)
			}
			return nil
		})
		return nil
	}
	ne := c.node.own("name")
	switch {
	case ne == nil:
		// The name comes from a merged anchor (`- <<: *date`): an own key overrides it.
		if err := p.setScalar(c.node, "name", new, roleName); err != nil {
			return err
		}
	case ne.val == nil || ne.val.kind != kScalar:
		return p.errAt(ne.keyStart, "column %q: name is not a string", old)
	default:
		p.add(ne.val.valStart, ne.val.end, p.rescalar(ne.val, new, roleName, ne.col+p.Style.Indent))
	}
	p.rename(r, old, new)
	p.checks = append(p.checks, func(f *File) error {
		if e2 := p.final(f, r); e2 == nil || e2.ColumnNamed(new) == nil {
			return fmt.Errorf("column %q of %s missing after rename", new, r)
		}
		return nil
	})
	return nil
}

// SetColumnDescription sets or replaces the description of r's column.
func (p *Plan) SetColumnDescription(r Ref, column, desc string) error {
	return p.setColumnField(r, column, "description", desc, roleDesc)
}

// SetColumnDataType sets or replaces the data_type of r's column.
func (p *Plan) SetColumnDataType(r Ref, column, dataType string) error {
	return p.setColumnField(r, column, "data_type", dataType, roleValue)
}

func (p *Plan) setColumnField(r Ref, column, key, v string, role strRole) (err error) {
	defer p.recoverTo(&err)
	_, c, err := p.columnOrAlias(r, column, true)
	if err != nil {
		return err
	}
	if c.Alias != "" {
		x := p.expand(c)
		x.kvs = append(x.kvs, KV{key, v})
	} else if err := p.setColumnFieldOwn(c, key, v, role); err != nil {
		return err
	}
	p.checks = append(p.checks, p.fieldCheck(r, column, key, v))
	return nil
}

func (p *Plan) setColumnFieldOwn(c *ColumnEntry, key, v string, role strRole) error {
	after := []string{"name"}
	if key == "data_type" && !p.Style.DataTypeFirst {
		after = []string{"description", "name"}
	}
	if key == "description" && p.Style.DataTypeFirst {
		after = []string{"data_type", "name"}
	}
	return p.setScalar(c.node, key, v, role, after...)
}

func (p *Plan) fieldCheck(r Ref, column, key, v string) func(*File) error {
	return func(f *File) error {
		e2 := p.final(f, r)
		c2 := (*ColumnEntry)(nil)
		if e2 != nil {
			c2 = e2.ColumnNamed(p.finalName(r, column))
		}
		if c2 == nil {
			return fmt.Errorf("column %q of %s missing", column, r)
		}
		got := c2.Description
		if key == "data_type" {
			got = c2.DataType
		}
		if strings.TrimRight(got, "\n") != strings.TrimRight(v, "\n") {
			return fmt.Errorf("%s of column %q reads back as %q", key, column, got)
		}
		return nil
	}
}

// SetDescription sets or replaces the description of the entry itself.
func (p *Plan) SetDescription(r Ref, desc string) (err error) {
	defer p.recoverTo(&err)
	e, err := p.target(r)
	if err != nil {
		return err
	}
	if err := p.setScalar(e.node, "description", desc, roleDesc, "name"); err != nil {
		return err
	}
	p.checks = append(p.checks, func(f *File) error {
		e2 := p.final(f, r)
		if e2 == nil || strings.TrimRight(e2.Description, "\n") != strings.TrimRight(desc, "\n") {
			return fmt.Errorf("description of %s does not read back", r)
		}
		return nil
	})
	return nil
}

// SetField sets a scalar key of the entry itself (for example data_type-like keys the caller
// knows about); the value is written as a string.
func (p *Plan) SetField(r Ref, key, v string) (err error) {
	defer p.recoverTo(&err)
	e, err := p.target(r)
	if err != nil {
		return err
	}
	if err := p.setScalar(e.node, key, v, roleValue, "description", "name"); err != nil {
		return err
	}
	if key == "name" {
		p.entryNames[r] = v
	}
	return nil
}

// AddTest adds a generic test to r's column (or to the entry itself when column is ""). It goes
// to the existing `tests:` or `data_tests:` list (flow lists stay flow), or a new one under the
// style's key.
func (p *Plan) AddTest(r Ref, column string, t Test) (err error) {
	defer p.recoverTo(&err)
	if t.Name == "" {
		return p.errf("AddTest: test has no name")
	}
	e, err := p.target(r)
	if err != nil {
		return err
	}
	owner := e.node
	if column != "" {
		_, c, err := p.columnOrAlias(r, column, true)
		if err != nil {
			return err
		}
		if c.Alias != "" {
			if c.node.get("tests") != nil || c.node.get("data_tests") != nil {
				// An own list would hide the anchor's tests from this column.
				return p.errAt(c.item.dash, "column %q of %s is an alias of &%s, which has tests of its own; add the test to the anchor instead", column, r, c.Alias)
			}
			x := p.expand(c)
			x.tests = append(x.tests, p.Style.testValue(t))
			p.checks = append(p.checks, p.testCheck(r, column, t))
			return nil
		}
		owner = c.node
	}
	key := p.Style.TestsKey
	for _, k := range []string{"data_tests", "tests"} {
		if owner.own(k) != nil {
			key = k
			break
		}
	}
	if err := p.insertItem(owner, key, p.Style.testValue(t), -1); err != nil {
		return err
	}
	p.checks = append(p.checks, p.testCheck(r, column, t))
	return nil
}

func (p *Plan) testCheck(r Ref, column string, t Test) func(*File) error {
	return func(f *File) error {
		e2 := p.final(f, r)
		if e2 == nil {
			return fmt.Errorf("%s missing", r)
		}
		tests := e2.Tests
		if column != "" {
			c2 := e2.ColumnNamed(p.finalName(r, column))
			if c2 == nil {
				return fmt.Errorf("column %q of %s missing", column, r)
			}
			tests = c2.Tests
		}
		for _, te := range tests {
			if te.Name == t.Name {
				return nil
			}
		}
		return fmt.Errorf("test %s on %s %s missing", t.Name, r, column)
	}
}

// RemoveTest deletes the first test named name (namespace optional) from r's column, or from the
// entry itself when column is "".
func (p *Plan) RemoveTest(r Ref, column, name string) (err error) {
	defer p.recoverTo(&err)
	e, err := p.target(r)
	if err != nil {
		return err
	}
	owner := e.node
	if column != "" {
		_, c, err := p.column(r, column)
		if err != nil {
			return err
		}
		owner = c.node
	}
	for _, k := range []string{"data_tests", "tests"} {
		ent := owner.own(k)
		if ent == nil {
			continue
		}
		list := deref(ent.val)
		if list == nil || list.kind != kSeq {
			continue
		}
		if ent.val.kind == kAlias {
			return p.errAt(ent.keyStart, "%s: is an alias shared with other entries", k)
		}
		for i, it := range list.items {
			tn := testName(it.val)
			if tn == name || (!strings.Contains(name, ".") && tn[strings.LastIndexByte(tn, '.')+1:] == name) {
				return p.removeItem(owner, ent, list, i)
			}
		}
	}
	where := r.String()
	if column != "" {
		where = fmt.Sprintf("column %q of %s", column, r)
	}
	return p.errAt(e.item.dash, "%s has no test %s", where, name)
}

// AddModel appends a model entry to the file's `models:` list, creating it when absent.
func (p *Plan) AddModel(m Model) error { return p.AddEntry(Models, m) }

// AddEntry appends an entry to the top-level list kind (Models, Seeds, Snapshots, Analyses).
func (p *Plan) AddEntry(kind string, m Model) (err error) {
	defer p.recoverTo(&err)
	if m.Name == "" {
		return p.errf("new %s entry has no name", kind)
	}
	if p.f.Find(Ref{Kind: kind, Name: m.Name}) != nil {
		return p.errf("%s is already declared in this file", Ref{Kind: kind, Name: m.Name})
	}
	kvs := p.Style.modelKVs(m)
	if p.f.root == nil {
		pd := p.pending[kind]
		if pd == nil {
			pd = &pending{prefix: kind + ":\n", dashCol: p.Style.SeqIndent}
			t := p.f.t
			p.pending[kind] = pd
			sp := p.add(len(t.src), len(t.src), "")
			sp.pend = pd
		}
		pd.items = append(pd.items, kvs)
	} else if err := p.insertItem(p.f.root, kind, kvs, -1); err != nil {
		return err
	}
	p.checks = append(p.checks, func(f *File) error {
		if f.Find(Ref{Kind: kind, Name: m.Name}) == nil {
			return fmt.Errorf("%s %s missing", kind, m.Name)
		}
		return nil
	})
	return nil
}

// RemoveEntry deletes an entry (a model, or with Ref.Kind Sources a source table).
func (p *Plan) RemoveEntry(r Ref) (err error) {
	defer p.recoverTo(&err)
	e := p.f.Find(r)
	if e == nil {
		return p.errf("%s is not declared in this file", r)
	}
	var owner *node
	if r.Kind == Sources {
		for _, it := range p.f.listItems(Sources) {
			sn := deref(it.val)
			if sn.get("name").valueString() == r.Source {
				owner = sn
			}
		}
	} else {
		owner = p.f.root
	}
	key := r.Kind
	if r.Kind == Sources {
		key = "tables"
	}
	ent := owner.own(key)
	if ent == nil {
		return p.errAt(e.item.dash, "%s comes from a merged anchor", r)
	}
	if err := p.removeItem(owner, ent, e.list, indexOf(e.list, e.item)); err != nil {
		return err
	}
	p.checks = append(p.checks, func(f *File) error {
		if countNamed(f, r) >= countNamed(p.f, r) {
			return fmt.Errorf("%s still declared", r)
		}
		return nil
	})
	return nil
}

// RemoveModel deletes a model entry.
func (p *Plan) RemoveModel(name string) error { return p.RemoveEntry(ModelRef(name)) }

func countNamed(f *File, r Ref) int {
	n := 0
	for _, e := range f.Entries(r.Kind) {
		if e.Ref == r {
			n++
		}
	}
	return n
}

func indexOf(l *node, it *seqItem) int {
	for i, x := range l.items {
		if x == it {
			return i
		}
	}
	return -1
}

// AddSourceTable appends a table to the source named source (which must be in the file).
func (p *Plan) AddSourceTable(source string, m Model) (err error) {
	defer p.recoverTo(&err)
	if m.Name == "" {
		return p.errf("new table of source %s has no name", source)
	}
	r := SourceTableRef(source, m.Name)
	if p.f.Find(r) != nil {
		return p.errf("%s is already declared in this file", r)
	}
	var sn *node
	for _, it := range p.f.listItems(Sources) {
		if n := deref(it.val); n.get("name").valueString() == source {
			if it.val.kind == kAlias {
				return p.errAt(it.dash, "source %s is an alias; edit the anchor instead", source)
			}
			sn = n
		}
	}
	if sn == nil || sn.kind != kMap {
		return p.errf("source %s is not declared in this file", source)
	}
	if err := p.insertItem(sn, "tables", p.Style.modelKVs(m), -1); err != nil {
		return err
	}
	p.checks = append(p.checks, func(f *File) error {
		if f.Find(r) == nil {
			return fmt.Errorf("%s missing", r)
		}
		return nil
	})
	return nil
}

package columns

import (
	"sort"
	"strings"
	"testing"

	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/sql/ast"
)

// testProject builds a project whose upstream nodes have the given columns. upstream maps a
// name to "a:int, b:text"; names with a dot are sources (src.table), others models. A spec of
// "?" is a source with no declared columns.
func testProject(dialect string, upstream map[string]string) *dbt.Project {
	p := &dbt.Project{
		Name: "p", Adapter: dialect,
		Packages:  []*dbt.Package{{Name: "p", IsRoot: true}},
		Nodes:     map[string]*dbt.Node{},
		Sources:   map[string]*dbt.Source{},
		ParentMap: map[string][]string{},
		ChildMap:  map[string][]string{},
	}
	names := make([]string, 0, len(upstream))
	for n := range upstream {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		spec := upstream[name]
		var cols []*dbt.Column
		if spec != "?" {
			for _, f := range splitTop(spec) {
				f = strings.TrimSpace(f)
				if f == "" {
					continue
				}
				n, t, _ := strings.Cut(f, ":")
				cols = append(cols, &dbt.Column{Name: n, DataType: t})
			}
		}
		if src, table, ok := strings.Cut(name, "."); ok {
			id := "source.p." + src + "." + table
			p.Sources[id] = &dbt.Source{UniqueID: id, SourceName: src, Name: table, Identifier: table, Schema: "raw", Columns: cols}
			continue
		}
		id := "model.p." + name
		p.Nodes[id] = &dbt.Node{UniqueID: id, ResourceType: dbt.Model, Package: "p", Name: name, Alias: name,
			Schema: "analytics", Columns: cols, Language: "sql", RawCode: "-- declared only"}
	}
	return p
}

// addModel adds the model under test with the given SQL and makes it depend on every other node.
func addModel(p *dbt.Project, name, sql string) *dbt.Node {
	id := "model.p." + name
	n := &dbt.Node{UniqueID: id, ResourceType: dbt.Model, Package: "p", Name: name, Alias: name,
		Schema: "analytics", RawCode: sql, Language: "sql", RelPath: "models/" + name + ".sql"}
	for up := range p.Nodes {
		n.DependsOn.Nodes = append(n.DependsOn.Nodes, up)
	}
	for up := range p.Sources {
		n.DependsOn.Nodes = append(n.DependsOn.Nodes, up)
	}
	sort.Strings(n.DependsOn.Nodes)
	p.Nodes[id] = n
	for _, up := range n.DependsOn.Nodes {
		p.ParentMap[id] = append(p.ParentMap[id], up)
		p.ChildMap[up] = append(p.ChildMap[up], id)
	}
	return n
}

// format renders columns as "a:int, b:text" (type "?" when unknown).
func format(cols []*Column) string {
	var parts []string
	for _, c := range cols {
		t := c.DataType
		if t == "" {
			t = "?"
		}
		parts = append(parts, c.Name+":"+t)
	}
	return strings.Join(parts, ", ")
}

func lineageOf(c *Column) string {
	var parts []string
	for _, l := range c.Lineage {
		parts = append(parts, shortRef(l))
	}
	return strings.Join(parts, " ")
}

func shortRef(r ColumnRef) string {
	id := r.Node
	if i := strings.LastIndexByte(id, '.'); i >= 0 {
		id = id[i+1:]
	}
	return id + "." + r.Column
}

// inferAST runs the analyzer over a hand-built tree for model m of project p.
func inferAST(p *dbt.Project, n *dbt.Node, q *ast.Query) *Node {
	inf := &inferrer{p: p, d: dialectFor(p.Adapter), rels: newRelations(p), slots: map[string]*slot{}}
	for id, up := range p.Nodes {
		if id == n.UniqueID {
			continue
		}
		s := &slot{id: id, node: up}
		inf.slots[id] = s
		s.out = inf.declaredOnly(up, &Node{UniqueID: id}, "")
		s.out.reindex()
	}
	for id, src := range p.Sources {
		s := &slot{id: id, source: src}
		s.out = inf.inferSource(src)
		inf.slots[id] = s
	}
	pr := &prepared{sql: n.RawCode, path: n.RelPath, file: &ast.File{Stmts: []ast.Stmt{q}}}
	s := &slot{id: n.UniqueID, node: n, prep: pr}
	for id := range inf.slots {
		s.parents = append(s.parents, id) // every other node is done
	}
	inf.slots[n.UniqueID] = s
	inf.inferSlot(s)
	return s.out
}

// Constructors for hand-built trees.
func ident(s string) *ast.Ident {
	if strings.HasPrefix(s, `"`) {
		return &ast.Ident{Name: strings.Trim(s, `"`), Quote: '"'}
	}
	return &ast.Ident{Name: s}
}

func cref(dotted string) *ast.ColumnRef {
	var parts []*ast.Ident
	for _, p := range strings.Split(dotted, ".") {
		parts = append(parts, ident(p))
	}
	return &ast.ColumnRef{Parts: parts}
}

func item(e ast.Expr, alias string) *ast.SelectItem {
	it := &ast.SelectItem{Expr: e}
	if alias != "" {
		it.Alias = ident(alias)
		it.As = true
	}
	return it
}

func table(dotted, alias string) *ast.TableName {
	var parts []*ast.Ident
	for _, p := range strings.Split(dotted, ".") {
		parts = append(parts, ident(p))
	}
	t := &ast.TableName{Name: &ast.Name{Parts: parts}}
	if alias != "" {
		t.Alias = &ast.Alias{Name: ident(alias)}
	}
	return t
}

func call(name string, args ...ast.Expr) *ast.Func {
	return &ast.Func{Name: &ast.Name{Parts: []*ast.Ident{ident(name)}}, Args: args}
}

func query(body ast.QueryExpr, ctes ...*ast.CTE) *ast.Query {
	q := &ast.Query{Body: body}
	if len(ctes) > 0 {
		q.With = &ast.With{CTEs: ctes}
	}
	return q
}

func expectNode(t *testing.T, got *Node, want string) {
	t.Helper()
	if s := format(got.Columns); s != want {
		t.Errorf("columns:\n got: %s\nwant: %s\nunresolved: %v\nnotes: %v", s, want, got.Unresolved, got.Notes)
	}
}

func TestAnalyzeHandBuiltTree(t *testing.T) {
	p := testProject("postgres", map[string]string{
		"orders":    "id:integer, customer_id:integer, amount:numeric(10,2), ordered_at:timestamp",
		"customers": "id:integer, name:text",
	})
	n := addModel(p, "m", "")
	// with o as (select * from orders)
	// select o.id as order_id, c.name, count(*) as n, sum(o.amount) as total, o.id > 3
	// from o join customers c on ...
	cte := &ast.CTE{Name: ident("o"), Query: query(&ast.Select{
		Items: []*ast.SelectItem{item(&ast.Star{}, "")},
		From:  []ast.TableExpr{table("orders", "")},
	})}
	count := call("count")
	count.Star = true
	q := query(&ast.Select{
		Items: []*ast.SelectItem{
			item(cref("o.id"), "order_id"),
			item(cref("c.name"), ""),
			item(count, "n"),
			item(call("sum", cref("o.amount")), "total"),
			item(&ast.Binary{Op: ">", X: cref("o.id"), Y: &ast.Literal{Kind: ast.LitNumber, Text: "3"}}, ""),
		},
		From: []ast.TableExpr{&ast.Join{Kind: "JOIN", Left: table("o", ""), Right: table("customers", "c")}},
	}, cte)
	got := inferAST(p, n, q)
	expectNode(t, got, "order_id:integer, name:text, n:bigint, total:numeric, ?column?:boolean")
	if len(got.Unresolved) != 0 {
		t.Errorf("unresolved: %v", got.Unresolved)
	}
	if l := lineageOf(got.Columns[0]); l != "orders.id" {
		t.Errorf("lineage of order_id through the CTE: %q", l)
	}
	if got.Columns[0].Kind != KindDirect || got.Columns[3].Kind != KindAggregate {
		t.Errorf("kinds: %s %s", got.Columns[0].Kind, got.Columns[3].Kind)
	}
	if !got.Columns[4].Unnamed || len(got.Notes) == 0 {
		t.Errorf("unnamed column should be marked and noted: %+v %v", got.Columns[4], got.Notes)
	}
}

func TestAnalyzeStarOverUnknownSource(t *testing.T) {
	p := testProject("snowflake", map[string]string{"raw.events": "?"})
	n := addModel(p, "m", "")
	q := query(&ast.Select{
		Items: []*ast.SelectItem{item(&ast.Star{}, ""), item(cref("e.user_id"), "uid")},
		From:  []ast.TableExpr{table("raw.events", "e")},
	})
	got := inferAST(p, n, q)
	if len(got.Unresolved) != 1 || !strings.Contains(got.Unresolved[0].Reason, "source raw.events") {
		t.Fatalf("want one unresolved reason naming the source, got %v", got.Unresolved)
	}
	expectNode(t, got, "uid:?")
	if l := lineageOf(got.Columns[0]); l != "events.user_id" {
		t.Errorf("opaque lineage: %q", l)
	}
}

func TestAnalyzeUnionAndValues(t *testing.T) {
	p := testProject("duckdb", map[string]string{"a": "x:integer, y:varchar", "b": "x:bigint, z:varchar"})
	n := addModel(p, "m", "")
	q := query(&ast.SetOp{Op: "UNION", All: true,
		Left: &ast.Select{Items: []*ast.SelectItem{item(cref("x"), ""), item(cref("y"), "label")},
			From: []ast.TableExpr{table("a", "")}},
		Right: &ast.Select{Items: []*ast.SelectItem{item(cref("x"), ""), item(cref("z"), "")},
			From: []ast.TableExpr{table("b", "")}},
	})
	got := inferAST(p, n, q)
	expectNode(t, got, "x:bigint, label:varchar")
	if l := lineageOf(got.Columns[1]); l != "a.y b.z" {
		t.Errorf("union lineage: %q", l)
	}
	vals := query(&ast.Select{
		Items: []*ast.SelectItem{item(&ast.Star{}, "")},
		From: []ast.TableExpr{&ast.DerivedTable{
			Query: query(&ast.Values{Rows: [][]ast.Expr{{&ast.Literal{Kind: ast.LitNumber, Text: "1"}, &ast.Literal{Kind: ast.LitString, Text: "'a'", Value: "a"}}}}),
			Alias: &ast.Alias{Name: ident("t"), Columns: []*ast.Ident{ident("k"), ident("v")}},
		}},
	})
	got = inferAST(p, n, vals)
	expectNode(t, got, "k:integer, v:varchar")
}

// splitTop splits "a:int, b:numeric(10,2)" at the commas outside parentheses and brackets.
func splitTop(spec string) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(spec); i++ {
		switch spec[i] {
		case '(', '<':
			depth++
		case ')', '>':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, spec[start:i])
				start = i + 1
			}
		}
	}
	return append(out, spec[start:])
}

package columns

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// rel builds a relation of node id with columns "a:int, b:text" style.
func rel(alias, node, spec string) *relation {
	r := &relation{alias: alias, path: []string{alias}, complete: true, node: node}
	for _, f := range splitTop(spec) {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		name, t, _ := strings.Cut(f, ":")
		c := &col{name: name, t: typeOf(t), pos: -1, kind: KindDirect}
		if node != "" {
			c.lineage = []ColumnRef{{Node: node, Column: name}}
		}
		r.cols = append(r.cols, c)
	}
	return r
}

func names(cols []*col) string {
	var s []string
	for _, c := range cols {
		s = append(s, c.name)
	}
	return strings.Join(s, ",")
}

func TestUsingJoinStar(t *testing.T) {
	a := rel("a", "model.p.a", "id:int, x:text")
	b := rel("b", "model.p.b", "y:text, id:int")
	s := &scope{rels: []*relation{a, b}}
	usingJoin(s, []*relation{a}, b, []string{"id"})
	out, inc := expandStar(s, s.rels, true, starOptions{})
	if got := names(out); got != "id,x,y" {
		t.Fatalf("select * with using: %s", got)
	}
	if got := names(s.rels[0].starCols(true)); got != "x" {
		t.Fatalf("a's bare star columns: %s", got)
	}
	if len(inc) != 0 {
		t.Fatalf("incomplete: %v", inc)
	}
	if len(out[0].lineage) != 2 {
		t.Errorf("using column lineage from both sides: %v", out[0].lineage)
	}
	// b.* still lists b's id
	out, _ = expandStar(s, []*relation{b}, false, starOptions{})
	if got := names(out); got != "y,id" {
		t.Errorf("b.* lists b's own columns: %s", got)
	}
	res, _ := s.resolve([]string{"id"})
	if res.c == nil || res.ambiguous {
		t.Errorf("unqualified using column should resolve unambiguously: %+v", res)
	}
}

func TestNaturalColumns(t *testing.T) {
	a := rel("a", "model.p.a", "id:int, x:text, k:int")
	b := rel("b", "model.p.b", "k:int, y:text, id:int")
	if got := strings.Join(naturalColumns([]*relation{a}, b), ","); got != "k,id" {
		t.Errorf("natural columns: %s", got)
	}
}

func TestStarOptions(t *testing.T) {
	a := rel("a", "model.p.a", "id:int, x:text, y:text, z:date")
	s := &scope{rels: []*relation{a}}
	rep := &col{name: "ignored", t: typeOf("varchar"), kind: KindTransform}
	out, _ := expandStar(s, s.rels, true, starOptions{
		exclude: map[string]bool{"x": true},
		replace: map[string]*col{"y": rep},
		rename:  map[string]string{"z": "zed"},
	})
	if got := names(out); got != "id,y,zed" {
		t.Fatalf("star options: %s", got)
	}
	if out[1].t.text != "varchar" || out[1].kind != KindTransform {
		t.Errorf("replace keeps the new expression: %+v", out[1])
	}
}

func TestResolveUnknownAndOpaque(t *testing.T) {
	known := rel("k", "model.p.k", "id:int")
	unknown := &relation{alias: "u", path: []string{"u"}, opaque: []string{"source.p.raw.u"}}
	s := &scope{rels: []*relation{known, unknown}}
	res, _ := s.resolve([]string{"u", "anything"})
	if res.c == nil || len(res.c.lineage) != 1 || res.c.lineage[0].Node != "source.p.raw.u" {
		t.Fatalf("qualified unknown column: %+v", res)
	}
	res, _ = s.resolve([]string{"other"})
	if res.c == nil || res.c.lineage[0].Column != "other" {
		t.Fatalf("unqualified unknown column goes to the only incomplete relation: %+v", res)
	}
	res, _ = s.resolve([]string{"ID"})
	if res.c == nil || res.c.lineage[0].Node != "model.p.k" {
		t.Fatalf("case-insensitive lookup: %+v", res)
	}
	closed := &scope{rels: []*relation{known}}
	res, _ = closed.resolve([]string{"nope"})
	if !res.unknown {
		t.Errorf("unknown column in complete relations should be unknown: %+v", res)
	}
	// struct field: t.rec.field where rec is a column
	st := rel("t", "model.p.t", "rec:struct")
	res, fields := (&scope{rels: []*relation{st}}).resolve([]string{"t", "rec", "field"})
	if res.c == nil || res.c.name != "rec" || len(fields) != 1 || fields[0] != "field" {
		t.Errorf("struct field access: %+v %v", res, fields)
	}
	res, fields = (&scope{rels: []*relation{st}}).resolve([]string{"rec", "field"})
	if res.c == nil || res.c.name != "rec" || len(fields) != 1 {
		t.Errorf("unqualified struct field access: %+v %v", res, fields)
	}
}

func TestSetOp(t *testing.T) {
	d := dialectFor("postgres")
	a := rel("a", "model.p.a", "id:integer, v:text")
	b := rel("b", "model.p.b", "key:bigint, w:text")
	out := d.setOp([]*relation{a, b}, setMatch{})
	if got := names(out.cols); got != "id,v" {
		t.Fatalf("union names: %s", got)
	}
	if out.cols[0].t.text != "bigint" {
		t.Errorf("union type: %q", out.cols[0].t.text)
	}
	if len(out.cols[0].lineage) != 2 {
		t.Errorf("union lineage: %v", out.cols[0].lineage)
	}
	c := rel("c", "model.p.c", "v:text, extra:date")
	out = d.setOp([]*relation{a, c}, setMatch{how: matchFull})
	if got := names(out.cols); got != "id,v,extra" {
		t.Errorf("union by name: %s", got)
	}
	for how, want := range map[matchHow]string{matchLeft: "id,v", matchInner: "v"} {
		if got := names(d.setOp([]*relation{a, c}, setMatch{how: how}).cols); got != want {
			t.Errorf("union by name, match %d: %s, want %s", how, got, want)
		}
	}
	if got := names(d.setOp([]*relation{a, c}, setMatch{how: matchInner, on: []string{"extra", "ID"}}).cols); got != "extra,id" {
		t.Errorf("corresponding by a list: %s", got)
	}
}

// A source that spells its schema and identifier with their quotes (schema: '"REFERENCE"')
// is the relation the SQL names without them.
func TestQuotedSourcePartsResolve(t *testing.T) {
	p := testProject("snowflake", map[string]string{"raw.codes": "CODE_ID:number, TERM:text"})
	s := p.Sources["source.p.raw.codes"]
	s.Database, s.Schema, s.Identifier = "ANALYTICS", `"REFERENCE"`, `"CODES"`
	n := addModel(p, "m", `select code_id, term from ANALYTICS."REFERENCE"."CODES"`)
	got := Infer(p, Options{Models: []string{n.UniqueID}}).Node(n.UniqueID)
	if s := format(got.Columns); s != "code_id:number, term:text" {
		t.Errorf("columns %s, unresolved %v", s, got.Unresolved)
	}
	if id, ok := p.LookupRelation([]string{"ANALYTICS", `"REFERENCE"`, `"CODES"`}); !ok || id != s.UniqueID {
		t.Errorf("LookupRelation = %q, %v", id, ok)
	}
}

// A model whose select list is partly unknown and whose property entry lists one of its
// columns still shows its readers the columns it names: the entry is not the whole list.
func TestPartialEntryKeepsNamedColumns(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"dbt_project.yml": "name: pe\nversion: '1.0'\nconfig-version: 2\nprofile: pe\n",
		"models/a.sql": "{%- set cols = adapter.get_columns_in_relation(source('raw', 'orders')) -%}\n" +
			"with o as (select {% for c in cols %}{{ c.name }}, {% endfor %}1 as d from {{ source('raw', 'orders') }})\nselect o.id, o.company_id from o\n",
		"models/b.sql":      "select a.id, a.company_id from {{ ref('a') }} as a\n",
		"models/schema.yml": "version: 2\nsources:\n  - name: raw\n    tables:\n      - name: orders\nmodels:\n  - name: a\n    columns:\n      - name: id\n",
	} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, _, res := inferWith(t, dir, "", true)
	b := res.Node("model.pe.b")
	if b == nil || len(b.Notes) > 0 || len(b.Columns) != 2 || len(b.Columns[1].Lineage) != 1 {
		t.Fatalf("b: %+v", b)
	}
}

package dbt

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dataops-dev/dataops/internal/cache"

	"github.com/dataops-dev/dataops/internal/jinja"
)

func TestCompileWithPlaceholders(t *testing.T) {
	dir := writeProject(t, map[string]string{
		"dbt_project.yml":     "name: c\nprofile: none\nmodels:\n  c:\n    eph:\n      +materialized: ephemeral\n",
		"models/eph/base.sql": "select 1 as id",
		"models/aliased.sql":  "{{ config(alias='renamed', schema='x') }}\nselect 1 as id",
		"models/user.sql": "select * from {{ ref('base') }} join {{ ref('aliased') }} using (id)\n" +
			"-- ident {{ ref('aliased').identifier }} schema {{ ref('aliased').schema | upper }}\n" +
			"-- this {{ this }} / {{ this.identifier }}",
		"models/cut.sql":   "select * from {{ ref('base') }}, {{ ref('aliased') }} -- cut {{ ref('aliased').identifier[:3] }}",
		"models/plain.sql": "select * from {{ ref('aliased') }}",
	})
	p, err := Load(t.Context(), LoadOptions{Dir: dir, Compile: true, Getenv: envOf(nil)})
	if err != nil {
		t.Fatal(err)
	}
	u := p.Nodes["model.c.user"]
	want := []string{
		`from __dbt__cte__base join "c"."main_x"."renamed" using (id)`,
		"-- ident renamed schema MAIN_X",
		`-- this "c"."main"."user" / user`,
	}
	for _, w := range want {
		if !strings.Contains(u.CompiledCode, w) {
			t.Errorf("compiled code lacks %q:\n%s", w, u.CompiledCode)
		}
	}
	checkMap(t, u)
	plain := p.Nodes["model.c.plain"]
	if plain.CompiledCode != `select * from "c"."main_x"."renamed"` {
		t.Errorf("plain compiled = %q", plain.CompiledCode)
	}
	checkMap(t, plain)
	// A template that cuts a placeholder apart is rendered again with the real relations.
	cut := p.Nodes["model.c.cut"]
	if cut.CompiledCode != `select * from __dbt__cte__base, "c"."main_x"."renamed" -- cut ren` {
		t.Errorf("cut compiled = %q", cut.CompiledCode)
	}
	checkMap(t, cut)
	if id, ok := p.LookupRelation([]string{"__dbt__cte__base"}); !ok || id != "model.c.base" {
		t.Errorf("LookupRelation(__dbt__cte__base) = %q, %v", id, ok)
	}
	// The literal text before the ref still maps byte for byte to the template.
	seg := plain.Render.Map.Segments[0]
	if !seg.Literal || seg.Out != 0 || seg.Src != 0 || seg.Len != len("select * from ") {
		t.Errorf("first segment = %+v", seg)
	}
}

// checkMap verifies that the offset map covers the output without gaps or overlaps.
func checkMap(t *testing.T, n *Node) {
	t.Helper()
	if n.Render == nil || n.Render.Map == nil {
		t.Fatalf("%s has no offset map", n.UniqueID)
	}
	if n.Render.Output != n.CompiledCode {
		t.Errorf("%s: Render.Output is not CompiledCode", n.UniqueID)
	}
	at := 0
	for _, s := range n.Render.Map.Segments {
		if s.Out != at {
			t.Fatalf("%s: segment %+v starts at %d, want %d", n.UniqueID, s, s.Out, at)
		}
		if s.Literal && n.RawCode[s.Src:s.Src+s.Len] != n.CompiledCode[s.Out:s.Out+s.Len] {
			t.Errorf("%s: literal segment %+v does not match the template", n.UniqueID, s)
		}
		at += s.Len
	}
	if at != len(n.CompiledCode) {
		t.Errorf("%s: segments cover %d bytes of %d", n.UniqueID, at, len(n.CompiledCode))
	}
}

func TestShiftMap(t *testing.T) {
	m := &jinja.OffsetMap{Segments: []jinja.Segment{
		{Out: 0, Len: 5, Src: 0, Literal: true},
		{Out: 5, Len: 10, Src: 5},
		{Out: 15, Len: 3, Src: 20, Literal: true},
	}}
	got := shiftMap(m, []span{{start: 6, end: 9, newLen: 7}, {start: 10, end: 14, newLen: 0}})
	want := []jinja.Segment{
		{Out: 0, Len: 5, Src: 0, Literal: true},
		{Out: 5, Len: 10 + 4 - 4, Src: 5},
		{Out: 15, Len: 3, Src: 20, Literal: true},
	}
	for i := range want {
		if got.Segments[i] != want[i] {
			t.Errorf("segment %d = %+v, want %+v", i, got.Segments[i], want[i])
		}
	}
}

// A render that reads a relation's name as a string and branches on it sees the name, not
// the placeholder the parse render stands in with: the node is compiled again, cached or not.
func TestRelationPartsReadAsStrings(t *testing.T) {
	dir := writeProject(t, map[string]string{
		"dbt_project.yml": "name: c\nprofile: none\n",
		"models/base.sql": "select 1 as id",
		"models/combine_events.sql": "{%- set parts = this.name.split('_') -%}\n" +
			"select {{ parts | length }} as n, {{ this.name.startswith('combine') }} as s, {{ ref('base').identifier == 'base' }} as b, {{ this.name | length }} as l from {{ ref('base') }}",
	})
	want := `select 2 as n, True as s, True as b, 14 as l from "c"."main"."base"`
	cacheDir := filepath.Join(t.TempDir(), "cache")
	for run := 0; run < 3; run++ {
		opts := LoadOptions{Dir: dir, Compile: true, Getenv: envOf(nil)}
		if run > 0 {
			c, err := cache.New(cacheDir, 1<<30)
			if err != nil {
				t.Fatal(err)
			}
			opts.Cache = c
		}
		p, err := Load(t.Context(), opts)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.Nodes["model.c.combine_events"].CompiledCode; got != want {
			t.Fatalf("run %d: compiled %q, want %q", run, got, want)
		}
	}
}

// A ref() to a model that does not exist compiles to its bare name; reading that name back
// must not land on another model whose alias happens to be the same.
func TestDanglingRefIsNotAnAlias(t *testing.T) {
	dir := writeProject(t, map[string]string{
		"dbt_project.yml":      "name: c\nprofile: none\n",
		"models/orders_v2.sql": "{{ config(alias='orders') }}\nselect 1 as id",
		"models/customers.sql": "{{ config(alias='clients') }}\nselect 1 as id",
		"models/report.sql":    "select * from {{ ref('orders') }}",
		"models/by_client.sql": "select * from {{ ref('customers') }}",
	})
	p, err := Load(t.Context(), LoadOptions{Dir: dir, Compile: true, Getenv: envOf(nil)})
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Nodes["model.c.report"].CompiledCode; got != `select * from "orders"` {
		t.Fatalf("report compiled = %q", got)
	}
	if id, ok := p.LookupRelation([]string{"orders"}); ok {
		t.Errorf("the dangling ref('orders') was read as %s", id)
	}
	for parts, want := range map[string]string{"clients": "model.c.customers", "customers": "model.c.customers", "orders_v2": "model.c.orders_v2", "main.orders": "model.c.orders_v2"} {
		if id, ok := p.LookupRelation(strings.Split(parts, ".")); !ok || id != want {
			t.Errorf("LookupRelation(%s) = %q, %v; want %s", parts, id, ok, want)
		}
	}
}

// A compiler error that prints `this` or a ref names the relations, not the placeholders the
// parse render stood them in with.
func TestCompilerErrorNamesRelations(t *testing.T) {
	dir := writeProject(t, map[string]string{
		"dbt_project.yml": "name: c\nprofile: none\n",
		"models/base.sql": "select 1 as id",
		"models/m.sql": "{{ exceptions.raise_compiler_error(\"in '{}' from {} / {}\".format(this, ref('base'), source('raw', 'orders'))) }}\n" +
			"select 1 as id",
	})
	p, err := Load(t.Context(), LoadOptions{Dir: dir, Compile: true, Getenv: envOf(nil)})
	if err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for _, d := range p.Diagnostics {
		if d.Kind == "compiler-error" {
			msgs = append(msgs, d.Message)
		}
	}
	want := `in '"c"."main"."m"' from "base" / "raw"."orders"`
	if len(msgs) != 1 || msgs[0] != want {
		t.Errorf("compiler errors = %q, want [%q]", msgs, want)
	}
}

// A source's own `quoting:` quotes its relation in compiled code, not only in relation_name,
// on an adapter that quotes nothing by default: Snowflake's schema weetabix-org must be quoted.
func TestCompileSourceQuoting(t *testing.T) {
	dir := writeProject(t, map[string]string{
		"dbt_project.yml": "name: c\nprofile: none\n",
		"models/src.yml": "sources:\n  - name: org\n    database: RZ\n    schema: weetabix-org\n    quoting: {database: true, schema: true, identifier: false}\n" +
			"    tables: [{name: actions}]\n  - name: plain\n    tables: [{name: t}]\n",
		"models/m.sql":     "select id from {{ source('org', 'actions') }}, {{ source('plain', 't') }}",
		"models/again.sql": "{% set r = source('org', 'actions') %}select id from {{ r.include(database=false) }}",
	})
	p, err := Load(t.Context(), LoadOptions{Dir: dir, Compile: true, Adapter: "snowflake", Getenv: envOf(nil)})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := p.Nodes["model.c.m"].CompiledCode, `select id from "RZ"."weetabix-org".actions, `; !strings.HasPrefix(got, want) {
		t.Errorf("compiled = %q, want it to start with %q", got, want)
	}
	if got := p.Nodes["model.c.again"].CompiledCode; got != `select id from "weetabix-org".actions` {
		t.Errorf("compiled = %q", got)
	}
}

// A package's macro used without the package is reported where it is written: in the model
// that calls it, not in the macro file that first named the package.
func TestUnknownPackageMacroIsReportedWhereWritten(t *testing.T) {
	dir := writeProject(t, map[string]string{
		"dbt_project.yml": "name: c\nprofile: none\n",
		"macros/m.sql":    "{% macro my_union(rels) %}\n    {{ dbt_utils.union_relations(relations=rels) }}\n{% endmacro %}\n",
		"models/a.sql":    "select 1 as id",
		"models/b.sql":    "{{ my_union([ref('a')]) }}",
		"models/c.sql":    "select *\nfrom {{ dbt_utils.unpivot(relation=ref('a'), cast_to='text') }}",
	})
	p, err := Load(t.Context(), LoadOptions{Dir: dir, Compile: true, Getenv: envOf(nil)})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range p.Diagnostics {
		if d.Kind == "unknown-macro" && strings.Contains(d.Message, "unpivot") {
			got = append(got, fmt.Sprintf("%s:%d:%d", d.Pos.Path, d.Pos.Line, d.Pos.Column))
		}
	}
	if len(got) != 1 || got[0] != "models/c.sql:2:9" {
		t.Errorf("unpivot reported at %v, want models/c.sql:2:9", got)
	}
}

// A message that printed `this` names the relation of the config before the render, which a
// compiling load works out only for such a message; the node itself is named from its final
// config.
func TestMessageNamesThisBeforeTheRender(t *testing.T) {
	dir := writeProject(t, map[string]string{
		"dbt_project.yml": "name: c\nprofile: none\nmodels:\n  c:\n    +schema: pre\n",
		"models/m.sql":    "{{ config(alias='after') }}\n{% do exceptions.raise_compiler_error('building ' ~ this) %}\nselect 1",
	})
	p, err := Load(t.Context(), LoadOptions{Dir: dir, Compile: true, Getenv: envOf(nil)})
	if err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for _, d := range p.Diagnostics {
		msgs = append(msgs, d.Message)
	}
	if want := `building "c"."main_pre"."m"`; !slices.Contains(msgs, want) {
		t.Errorf("diagnostics %q, want %q", msgs, want)
	}
	if n := p.Nodes["model.c.m"]; n == nil || n.Alias != "after" || n.Schema != "main_pre" {
		t.Errorf("node named %+v", n)
	}
}

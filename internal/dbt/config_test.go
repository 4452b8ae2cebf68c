package dbt

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestTreeConfigFollowsFQN(t *testing.T) {
	tree := map[string]any{
		"+persist_docs": map[string]any{"relation": true},
		"p": map[string]any{
			"materialized": "view",                        // a scalar without + is a config
			"docs":         map[string]any{"show": false}, // a mapping without + is a folder
			"+tags":        []any{"all"},
			"staging": map[string]any{
				"+materialized": "table",
				"+tags":         "stg",
				"orders":        map[string]any{"+alias": "orders_v"},
			},
		},
		"other": map[string]any{"+materialized": "ephemeral"},
	}
	cfg := map[string]any{}
	treeConfig(cfg, tree, []string{"p", "staging", "orders"})
	eq(t, "materialized (deepest wins)", cfg["materialized"], "table")
	eq(t, "tags (appended)", cfg["tags"], []string{"all", "stg"})
	eq(t, "alias (by node name)", cfg["alias"], "orders_v")
	eq(t, "persist_docs (root level)", cfg["persist_docs"], map[string]any{"relation": true})
	if _, ok := cfg["docs"]; ok {
		t.Errorf("docs without + is a folder, not a config: %v", cfg["docs"])
	}
	other := map[string]any{}
	treeConfig(other, tree, []string{"p", "marts", "x"})
	eq(t, "sibling folder keeps the package level", other["materialized"], "view")
}

func TestMergeConfigBehaviours(t *testing.T) {
	dst := map[string]any{"tags": []string{"a"}, "meta": map[string]any{"x": 1}, "post-hook": []any{"h1"}, "materialized": "view"}
	mergeConfig(dst, map[string]any{"tags": "b", "meta": map[string]any{"y": 2}, "post_hook": "h2", "materialized": "table"})
	eq(t, "tags", dst["tags"], []string{"a", "b"})
	eq(t, "meta", dst["meta"], map[string]any{"x": 1, "y": 2})
	eq(t, "hooks", dst["post-hook"], []any{"h1", "h2"})
	eq(t, "materialized", dst["materialized"], "table")
}

func TestVarsByPackage(t *testing.T) {
	dir := writeProject(t, map[string]string{
		"dbt_project.yml":                  "name: root\nprofile: none\nvars:\n  shared: root\n  pkg:\n    only_pkg: from_root\n",
		"models/m.sql":                     "select '{{ var(\"shared\") }}' as a",
		"dbt_packages/pkg/dbt_project.yml": "name: pkg\nvars:\n  shared: pkg\n  only_pkg: pkg\n  own: pkg_own\n",
		"dbt_packages/pkg/models/n.sql":    "select '{{ var(\"shared\") }}|{{ var(\"only_pkg\") }}|{{ var(\"own\") }}' as a",
	})
	p, err := Load(t.Context(), LoadOptions{Dir: dir, Compile: true, Getenv: envOf(nil)})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "root model", p.Nodes["model.root.m"].CompiledCode, "select 'root' as a")
	eq(t, "package model: root globals and root's scoped vars over the package's own", p.Nodes["model.pkg.n"].CompiledCode, "select 'root|from_root|pkg_own' as a")
}

// A hook's ref() and source() count among the model's dependencies, as dbt counts them when
// it renders the hooks while parsing, from the model's config() and from dbt_project.yml.
func TestHookRefsAreDependencies(t *testing.T) {
	dir := writeProject(t, map[string]string{
		"dbt_project.yml": "name: p\nprofile: none\nmodels:\n  p:\n    +post-hook: \"insert into {{ ref('log') }} select 1\"\n    inc:\n      +pre-hook:\n        - sql: \"select 1 from {{ source('raw', 'audit') }}\"\n",
		"models/log.sql":  "select 1 as id\n",
		"models/src.yml":  "sources:\n  - name: raw\n    tables: [{name: audit}]\n",
		"models/a.sql":    "select 1 as id\n",
		"models/d.sql":    "select 1 as id\n",
		"models/inc/c.sql": "{{ config(post_hook=[\"delete from {{ this }} where id in (select id from {{ ref('d') }})\"]) }}\n" +
			"select id from {{ ref('a') }}\n",
	})
	p, err := loadDir(t, dir)
	if err != nil {
		t.Fatal(err)
	}
	c := p.Nodes["model.p.c"]
	var refs []string
	for _, r := range c.Refs {
		refs = append(refs, fmt.Sprintf("%s@%d", r.Name, r.Pos.Line))
	}
	for _, s := range c.SourceRefs {
		refs = append(refs, s.Source+"."+s.Table)
	}
	if got := strings.Join(refs, " "); got != "a@2 log@1 d@1 raw.audit" {
		t.Errorf("refs = %q, want a@2 log@1 d@1 raw.audit", got)
	}
	if a := p.Nodes["model.p.a"]; len(a.Refs) != 1 || len(a.SourceRefs) != 0 {
		t.Errorf("a model outside the pre-hook's folder: %v %v, want only the project-wide hook's log", a.Refs, a.SourceRefs)
	}
	// The project-wide hook runs on log too: log does not depend on itself.
	if l := p.Nodes["model.p.log"]; len(l.Refs) != 0 {
		t.Errorf("log refs itself: %v", l.Refs)
	}
}

// A doc() call naming no docs block is reported wherever it is written: a model's entry, a
// source table's, a source column's.
func TestUnknownDocsReported(t *testing.T) {
	dir := writeProject(t, map[string]string{
		"dbt_project.yml": "name: p\nprofile: none\n",
		"models/a.sql":    "select 1 as id\n",
		"models/docs.md":  "{% docs known %}Known.{% enddocs %}\n",
		"models/s.yml": "sources:\n  - name: raw\n    tables:\n      - name: t\n        description: '{{ doc(\"table_doc\") }}'\n" +
			"        columns:\n          - name: c\n            description: '{{ doc(\"col_doc\") }}'\n          - name: k\n            description: '{{ doc(\"known\") }}'\n" +
			"models:\n  - name: a\n    columns:\n      - name: id\n        description: '{{ doc(\"model_col_doc\") }}'\n",
	})
	p, err := loadDir(t, dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range p.Diagnostics {
		if d.Kind == "unknown-doc" {
			got = append(got, fmt.Sprintf("%d:%s", d.Pos.Line, d.Message))
		}
	}
	want := []string{`4:doc("table_doc") names no docs block`, `7:doc("col_doc") names no docs block`, `14:doc("model_col_doc") names no docs block`}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("unknown-doc diagnostics = %q, want %q", got, want)
	}
	if u := p.UnknownDocs(`{{ doc("known") }} and {{ doc('gone') }}`); len(u) != 1 || u[0] != "gone" {
		t.Errorf("UnknownDocs = %v", u)
	}
}

// Generic tests of equal configs share one map; a test disabled with a model it refers to gets
// a copy, and the tests sharing the map it had stay enabled.
func TestTestsShareConfigs(t *testing.T) {
	dir := writeProject(t, map[string]string{
		"dbt_project.yml": "name: p\nprofile: none\n",
		"models/a.sql":    "select 1 as id",
		"models/b.sql":    "{{ config(enabled=false) }}\nselect 1 as id",
		"models/c.sql":    "select 1 as id",
		"models/props.yml": "version: 2\nmodels:\n" +
			"  - name: a\n    columns:\n      - name: id\n        tests:\n          - not_null\n          - unique\n" +
			"          - relationships: {to: ref('b'), field: id}\n" +
			"  - name: c\n    columns:\n      - name: id\n        tests:\n          - not_null:\n              config: {severity: warn}\n",
	})
	p, err := loadDir(t, dir)
	if err != nil {
		t.Fatal(err)
	}
	var enabled []*Node
	for _, n := range sortedNodes(p.Nodes) {
		if n.ResourceType == Test {
			enabled = append(enabled, n)
		}
	}
	if len(enabled) != 3 {
		t.Fatalf("%d enabled tests, want 3", len(enabled))
	}
	var errs, warns []*Node
	for _, n := range enabled {
		if configBool(n.Config, "enabled", false) != true {
			t.Errorf("%s: enabled %v", n.UniqueID, n.Config["enabled"])
		}
		if n.Config["severity"] == "WARN" {
			warns = append(warns, n)
		} else {
			errs = append(errs, n)
		}
	}
	if len(errs) != 2 || len(warns) != 1 {
		t.Fatalf("%d tests of severity error, %d warn", len(errs), len(warns))
	}
	if reflect.ValueOf(errs[0].Config).UnsafePointer() != reflect.ValueOf(errs[1].Config).UnsafePointer() {
		t.Error("tests of equal configs do not share the map")
	}
	var off []*Node
	for _, list := range p.Disabled {
		for _, n := range list {
			if n.ResourceType == Test {
				off = append(off, n)
			}
		}
	}
	if len(off) != 1 || configBool(off[0].Config, "enabled", true) {
		t.Fatalf("disabled tests %d, the test of b enabled", len(off))
	}
}

// A copy of a config is written to the manifest as the original is: an empty list stays [],
// not null (a test disabled with its model has its config copied before it is changed).
func TestCloneConfigKeepsEmptyLists(t *testing.T) {
	c := cloneConfig(map[string]any{"tags": []string{}, "post-hook": []any{}, "meta": map[string]any{}})
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"meta":{},"post-hook":[],"tags":[]}`; string(b) != want {
		t.Errorf("cloneConfig = %s, want %s", b, want)
	}
}

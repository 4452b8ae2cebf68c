package dbt

import "testing"

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

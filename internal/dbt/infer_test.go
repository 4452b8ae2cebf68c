package dbt

import "testing"

func TestInferSourcesFromUnknownMacro(t *testing.T) {
	dir := writeProject(t, map[string]string{
		"dbt_project.yml": "name: i\nprofile: none\n",
		"models/src.yml":  "sources:\n  - name: shop\n    tables:\n      - name: orders\n      - name: items\n",
		// Reads only through a macro of a package that is not installed: inferred.
		"models/a.sql": "{{\n  missing_pkg.union_tables(\n    source_name='shop', table_name=\"orders\"\n  )\n}}",
		// Has a real dependency: the unknown macro's arguments are not taken as one.
		"models/b.sql": "select {{ missing_pkg.partition_by(package_name='shop', alias='items') }} from {{ source('shop', 'orders') }}",
		// Arguments that name no source table: nothing inferred.
		"models/c.sql": "{{ missing_pkg.union_tables(source_name='shop', table_name='nope') }}",
	})
	p, err := loadDir(t, dir)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "a deps", p.Nodes["model.i.a"].DependsOn.Nodes, []string{"source.i.shop.orders"})
	eq(t, "b deps", p.Nodes["model.i.b"].DependsOn.Nodes, []string{"source.i.shop.orders"})
	eq(t, "c deps", p.Nodes["model.i.c"].DependsOn.Nodes, []string{})
	found := false
	for _, d := range p.Diagnostics {
		if d.Kind == "inferred-source" {
			found = true
			if d.Pos.Path != "models/a.sql" || d.Pos.Line != 2 {
				t.Errorf("inferred-source at %+v", d.Pos)
			}
		}
	}
	if !found {
		t.Errorf("no inferred-source warning: %+v", p.Diagnostics)
	}
	eq(t, "call args", callArgs("x\n  f.g(a='(', b=\")\")\n", 2, 3), `a='(', b=")"`)
	eq(t, "not a call", callArgs("x + y", 1, 1), "")
}

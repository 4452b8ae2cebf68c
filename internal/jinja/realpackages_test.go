//go:build realprojects

package jinja

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The package sources (dbt-utils, fivetran_utils) are not part of the repository; this test
// reads them from DATAOPS_PKGS_SRC (a folder holding clones of dbt-labs/dbt-utils as dbt-utils and
// fivetran/dbt_fivetran_utils as dbt_fivetran_utils) and runs only with the realprojects build tag.
func packageMacros(t *testing.T, dir, pkg string) []MacroFile {
	t.Helper()
	var out []MacroFile
	for _, f := range sqlFiles(filepath.Join(dir, "macros")) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(dir, f)
		out = append(out, MacroFile{Package: pkg, Path: rel, Source: string(b)})
	}
	if len(out) == 0 {
		t.Fatalf("no macro files under %s", dir)
	}
	return out
}

const packageModel = `{{ config(materialized='table') }}
with source as (
    select {{ dbt_utils.star(from=ref('stg_orders'), except=['_fivetran_synced']) }}
    from {{ ref('stg_orders') }}
),
fields as (
    select
        {{ fivetran_utils.fill_staging_columns(source_columns=adapter.get_columns_in_relation(source('shop', 'orders')), staging_columns=order_columns()) }}
    from source
)
select *, {{ dbt_utils.generate_surrogate_key(['id', 'created_at']) }} as order_key
from fields
`

const rootMacros = `{% macro order_columns() %}
{{ return([{"name": "id", "datatype": dbt.type_int()}, {"name": "created_at", "datatype": dbt.type_timestamp()}]) }}
{% endmacro %}`

func TestRealPackages(t *testing.T) {
	src := os.Getenv("DATAOPS_PKGS_SRC")
	if src == "" {
		t.Fatal("DATAOPS_PKGS_SRC must name the folder of package sources")
	}
	files := []MacroFile{{Package: "shop", Path: "macros/cols.sql", Source: rootMacros}}
	files = append(files, packageMacros(t, filepath.Join(src, "dbt-utils"), "dbt_utils")...)
	files = append(files, packageMacros(t, filepath.Join(src, "dbt_fivetran_utils"), "fivetran_utils")...)

	env, diags := New(Options{RootPackage: "shop", Adapter: "postgres", MacroFiles: files, Target: map[string]any{"schema": "analytics"}})
	for _, d := range diags {
		t.Errorf("%s:%d:%d %s %s", d.Path, d.Pos.Line, d.Pos.Column, d.Kind, d.Message)
	}
	for _, execute := range []bool{false, true} {
		res := env.Render(Input{Path: "models/orders.sql", Source: packageModel, Package: "shop", Name: "orders", Execute: execute, Resolver: fakeResolver{}})
		if res.Err != nil {
			t.Fatal(res.Err)
		}
		for _, w := range res.Warnings {
			t.Errorf("execute=%v: %s:%d:%d %s %s", execute, w.Path, w.Pos.Line, w.Pos.Column, w.Kind, w.Message)
		}
		for _, want := range []string{
			`cast(null as INT) as id`,
			`cast(null as timestamp) as created_at`,
			`md5(cast(coalesce(cast(id as TEXT), '_dbt_utils_surrogate_key_null_') || '-' || coalesce(cast(created_at as TEXT), '_dbt_utils_surrogate_key_null_') as TEXT))`,
		} {
			if !strings.Contains(strings.Join(strings.Fields(res.Output), " "), want) {
				t.Errorf("execute=%v: output lacks %q:\n%s", execute, want, res.Output)
			}
		}
		star := "select *\n"
		if execute {
			star = "select \n*\n/* No columns were returned"
		}
		if !strings.Contains(res.Output, star) {
			t.Errorf("execute=%v: star rendered as:\n%s", execute, res.Output)
		}
		if got := strings.Join(refNames(res), ","); !strings.HasPrefix(got, "stg_orders") {
			t.Errorf("refs: %s", got)
		}
		if len(res.Sources) != 1 || res.Sources[0].Table != "orders" {
			t.Errorf("sources: %+v", res.Sources)
		}
		for _, id := range []string{"macro.dbt_utils.star", "macro.fivetran_utils.fill_staging_columns", "macro.dbt_utils.generate_surrogate_key"} {
			if !strings.Contains(strings.Join(res.MacrosUsed, " "), id) {
				t.Errorf("MacrosUsed lacks %s: %v", id, res.MacrosUsed)
			}
		}
	}

	// With columns known (the hook the column engine fills in DAG order), star lists them and
	// fill_staging_columns keeps the columns the source has.
	cols := func(rel Relation) ([]Column, bool) {
		switch rel.Identifier {
		case "stg_orders":
			return []Column{{Name: "id", DataType: "integer"}, {Name: "_fivetran_synced", DataType: "timestamp"}, {Name: "amount", DataType: "numeric"}}, true
		case "orders":
			return []Column{{Name: "id", DataType: "integer"}}, true
		}
		return nil, false
	}
	res := env.Render(Input{Path: "models/orders.sql", Source: packageModel, Package: "shop", Name: "orders", Execute: true, Resolver: fakeResolver{}, Columns: cols})
	flat := strings.Join(strings.Fields(res.Output), " ")
	if !strings.Contains(flat, `select "id", "amount" from`) || !strings.Contains(flat, "id as id") || !strings.Contains(flat, "cast(null as timestamp) as created_at") {
		t.Errorf("with columns:\n%s\n%+v", res.Output, res.Warnings)
	}

	// The same model with the packages not installed: stubs, warnings, refs still found.
	bare, _ := New(Options{RootPackage: "shop", Adapter: "postgres", MacroFiles: files[:1]})
	res = bare.Render(Input{Path: "models/orders.sql", Source: packageModel, Package: "shop", Name: "orders"})
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	var unknown []string
	for _, w := range res.Warnings {
		if w.Kind == "unknown-macro" {
			unknown = append(unknown, strings.Split(w.Message, "'")[1])
		}
	}
	if strings.Join(unknown, ",") != "dbt_utils.star,fivetran_utils.fill_staging_columns,dbt_utils.generate_surrogate_key" {
		t.Errorf("unknown macros: %v", unknown)
	}
	if got := strings.Join(refNames(res), ","); got != "stg_orders,stg_orders" || len(res.Sources) != 1 {
		t.Errorf("refs %s sources %+v", got, res.Sources)
	}
}

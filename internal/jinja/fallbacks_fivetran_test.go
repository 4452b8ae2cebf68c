package jinja

import (
	"strings"
	"testing"
)

// Without fivetran_utils installed, a Fivetran staging model still selects its columns: the
// ones the source is known to have by name, the others as typed nulls, aliases kept.
func TestMissingFivetranUtilsFallbacks(t *testing.T) {
	env := testEnv(t, nil)
	src := `{% set cols = [{"name": "id", "datatype": dbt.type_int()}, {"name": "Note", "datatype": dbt.type_string(), "alias": "note_text"}, {"name": "order", "datatype": dbt.type_string(), "quote": true}] %}
select
    {{ fivetran_utils.fill_staging_columns(source_columns=adapter.get_columns_in_relation(ref('tmp')), staging_columns=cols) }}
    {{ fivetran_utils.source_relation(union_schema_variable='s', union_database_variable='d') }}
from base
{{ fivetran_utils.string_agg('a', "','") }}`
	res := render(t, env, src, func(in *Input) {
		in.Columns = func(Relation) ([]Column, bool) { return []Column{{Name: "ID"}, {Name: "other"}}, true }
	})
	want := `
select
    id as id,
    cast(null as TEXT) as note_text,
    cast(null as TEXT) as "order"
    , cast('' as TEXT) as source_relation
from base
string_agg(a, ',')`
	if res.Output != want {
		t.Errorf("output\n got: %q\nwant: %q", res.Output, want)
	}
	w := warnings(res, "unknown-macro")
	if len(w) != 3 || !strings.Contains(w[0].Message, "fivetran_utils.fill_staging_columns") || w[0].Pos.Line != 3 {
		t.Errorf("each stand-in is still reported at its call: %+v", w)
	}
}

// A current Fivetran `_tmp` model is one union_connections call: without fivetran_utils it
// still selects from its source (the edge and the columns survive), and a project that unions
// connections it defined as sources selects from each of them.
func TestMissingFivetranUtilsUnionConnections(t *testing.T) {
	src := `{{ fivetran_utils.union_connections(connection_dictionary='hubspot_sources', single_source_name='hubspot', single_table_name='company') }}`
	res := render(t, testEnv(t, nil), src)
	want := `select * from hubspot.company as source_table`
	if res.Output != want {
		t.Errorf("output\n got: %q\nwant: %q", res.Output, want)
	}
	if len(res.Sources) != 1 || res.Sources[0].Source != "hubspot" || res.Sources[0].Table != "company" {
		t.Errorf("the source is recorded: %+v", res.Sources)
	}

	union := testEnv(t, func(o *Options) {
		o.Vars["shop"]["hubspot_sources"] = []any{map[string]any{"name": "hubspot_eu"}, map[string]any{"name": "hubspot_us"}}
		o.Vars["shop"]["has_defined_sources"] = true
	})
	res = render(t, union, src)
	want = "select *, cast('hubspot_eu' as TEXT) as _dbt_source_relation from hubspot_eu.company as source_table\n" +
		"union all\nselect *, cast('hubspot_us' as TEXT) as _dbt_source_relation from hubspot_us.company as source_table"
	if res.Output != want {
		t.Errorf("union output\n got: %q\nwant: %q", res.Output, want)
	}

	undeclared := testEnv(t, func(o *Options) {
		o.Vars["shop"]["hubspot_sources"] = []any{map[string]any{"name": "hubspot_eu", "schema": "eu"}}
	})
	res = render(t, undeclared, src)
	if want := `select cast(null as TEXT) as _dbt_source_relation limit 0`; res.Output != want || len(res.Sources) != 0 {
		t.Errorf("connections not declared as sources: got %q, sources %+v", res.Output, res.Sources)
	}
}

// enabled_vars decides which models and columns exist; apply_source_relation and
// partition_by_source_relation end every current Fivetran staging model and window.
func TestMissingFivetranUtilsEnabledVars(t *testing.T) {
	env := testEnv(t, func(o *Options) { o.Vars["shop"]["shop_refunds_enabled"] = false })
	src := `{{ config(enabled=fivetran_utils.enabled_vars(['shop_orders_enabled']) and var('shop_x_enabled', False)) }}` +
		`{{ fivetran_utils.enabled_vars(['shop_orders_enabled']) }} {{ fivetran_utils.enabled_vars(['shop_orders_enabled', 'shop_refunds_enabled']) }} ` +
		`{{ fivetran_utils.enabled_vars_one_true(['shop_a', 'shop_b']) }} {{ fivetran_utils.enabled_vars_one_true(['shop_a', 'shop_refunds_enabled']) }}` +
		`|{{ fivetran_utils.apply_source_relation('shop') }}|{{ fivetran_utils.partition_by_source_relation('shop', alias='o') }}|{{ fivetran_utils.array_agg('id') }}`
	res := render(t, env, src)
	want := `True False False False|, cast('' as TEXT) as source_relation||array_agg(id)`
	if res.Output != want {
		t.Errorf("output\n got: %q\nwant: %q", res.Output, want)
	}
	if v, ok := res.Config["enabled"]; !ok || v != false {
		t.Errorf("enabled_vars(...) and a false var is false: %#v", res.Config["enabled"])
	}

	union := testEnv(t, func(o *Options) {
		o.Vars["shop"]["shop_sources"] = []any{map[string]any{"name": "a"}, map[string]any{"name": "b"}}
	})
	res = render(t, union, `{{ fivetran_utils.apply_source_relation('shop') }}|{{ fivetran_utils.partition_by_source_relation('shop', alias='o') }}|{{ fivetran_utils.partition_by_source_relation('shop', has_other_partitions='no') }}`)
	if want := `, _dbt_source_relation as source_relation|, o.source_relation|partition by source_relation`; res.Output != want {
		t.Errorf("union output\n got: %q\nwant: %q", res.Output, want)
	}
}

// json_parse reads a value at a JSON path in each warehouse's syntax, so the cast around it
// still parses.
func TestMissingFivetranUtilsJSONParse(t *testing.T) {
	src := `cast({{ fivetran_utils.json_parse('h.value', ['minutes']) }} as int)`
	for adapter, want := range map[string]string{
		"postgres":  `cast((h.value::json #>> '{minutes}') as int)`,
		"bigquery":  `cast(json_extract_scalar(h.value, '$.minutes') as int)`,
		"snowflake": `cast(parse_json(h.value)['minutes'] as int)`,
		"redshift":  `cast(json_extract_path_text(h.value, 'minutes') as int)`,
	} {
		env := testEnv(t, func(o *Options) { o.Adapter = adapter })
		if res := render(t, env, src); res.Output != want {
			t.Errorf("%s\n got: %q\nwant: %q", adapter, res.Output, want)
		}
	}
}

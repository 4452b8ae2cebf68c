package jinja

import "testing"

// adapter.get_relation finds a relation the template named with ref() or source() (the project
// declares it), and nothing else: Fivetran's union_data selects from the source when found.
func TestGetRelationOfNamedRelation(t *testing.T) {
	env := testEnv(t, nil)
	tmpl := `{%- set s = source('raw', 'orders') -%}
{%- set found = adapter.get_relation(database=s.database, schema=s.schema, identifier='orders') -%}
{%- if found is not none %}select * from {{ found }}{% else %}select null as _dbt_source_relation{% endif %}
{{ adapter.get_relation(s.database, s.schema, 'ORDERS') is none }}|{{ adapter.get_relation(s.database, s.schema, 'refunds') is none }}|{{ adapter.get_relation('otherdb', 'other', 'orders') is none }}|{{ adapter.get_relation(this.database, this.schema, this.identifier) is none }}|{{ adapter.get_relation(ref('stg').database, ref('stg').schema, 'stg') is none }}`
	res := render(t, env, tmpl, func(in *Input) {
		in.Resolver = fakeResolver{}
		in.This = Relation{Database: "warehouse", Schema: "analytics", Identifier: "m"}
	})
	want := `select * from "rawdb"."raw"."orders"
False|True|True|True|False`
	if res.Output != want || res.Err != nil {
		t.Errorf("got %q (err %v, warnings %+v)\nwant %q", res.Output, res.Err, res.Warnings, want)
	}
	// Without a resolver a source renders as source.table, and is found the same way.
	res = render(t, env, `{{ adapter.get_relation(none, source('raw', 'orders').schema, 'orders') }}`)
	if res.Output != "raw.orders" {
		t.Errorf("without a resolver: %q %+v", res.Output, res.Warnings)
	}
}

package jinja

import (
	"testing"
)

const benchAliasMacro = `{% macro generate_alias_name(custom_alias_name=none, node=none) -%}
    {% do return(adapter.dispatch('generate_alias_name', 'dbt')(custom_alias_name, node)) %}
{%- endmacro %}

{% macro default__generate_alias_name(custom_alias_name=none, node=none) -%}
    {%- if target.schema.startswith("git_") -%}
        {{ ( target.schema + '_' + node.name | trim ) | truncate(128,True,'',0)}}
    {%- elif target.schema.startswith("dune_spellbook_ci__tmp_") -%}
        {{ node.name | trim | truncate(128,True,'',0) }}
    {%- else -%}
        {%- if custom_alias_name is none -%}
            {{ node.name }}
        {%- else -%}
            {{ custom_alias_name | trim }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
`

// BenchmarkNamerRender is the render of a naming macro for one node, as a load makes for every
// model: a short call whose cost is mostly the render's and the macro call's own.
func BenchmarkNamerRender(b *testing.B) {
	env := testEnv(b, func(o *Options) {
		o.MacroFiles = append(o.MacroFiles, MacroFile{Package: "shop", Path: "macros/alias.sql", Source: benchAliasMacro})
	})
	in := Input{Path: "generate_alias_name", Source: "{{ generate_alias_name(__dataops_name_arg, __dataops_name_node) }}",
		Package: "shop", ResourceType: "macro",
		Globals: map[string]any{"__dataops_name_arg": nil, "__dataops_name_node": Literal(map[string]any{"name": "orders"})}}
	b.ReportAllocs()
	c0 := cpuTime()
	for b.Loop() {
		if res := env.Render(in); res.Err != nil || res.Output != "orders" {
			b.Fatal(res.Err, res.Output)
		}
	}
	b.ReportMetric(float64(cpuTime()-c0)/float64(b.N), "cpu-ns/op")
}

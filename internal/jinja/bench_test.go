package jinja

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"
)

// cpuTime is the process's user+system CPU time. Benchmarks report it per operation too:
// on a shared machine wall time says more about the neighbours than about the renderer.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchModel is a typical mart model: config, refs, a loop over columns, package macros,
// dispatch and an incremental filter.
const benchModel = `{{ config(materialized='incremental', unique_key='order_id', tags=['daily']) }}

{%- set payment_methods = ['credit_card', 'coupon', 'bank_transfer', 'gift_card'] -%}

with orders as (
    select * from {{ ref('stg_orders') }}
),
payments as (
    select * from {{ ref('stg_payments') }}
),
order_payments as (
    select
        order_id,
        {% for payment_method in payment_methods -%}
        sum(case when payment_method = '{{ payment_method }}' then amount else 0 end) as {{ payment_method }}_amount,
        {% endfor -%}
        sum(amount) as total_amount
    from payments
    group by order_id
)
select
    orders.order_id,
    orders.customer_id,
    {{ cents_to_dollars('order_payments.total_amount') }} as amount,
    {{ utils.greet('x') }} as greeting,
    {{ dbt_utils.generate_surrogate_key(['orders.order_id', 'orders.customer_id']) }} as sk
from orders
left join order_payments using (order_id)
{% if is_incremental() %}
where orders.order_date > (select max(order_date) from {{ this }})
{% endif %}
`

func BenchmarkRender(b *testing.B) {
	env := testEnv(b, nil)
	in := Input{Path: "models/orders.sql", Source: benchModel, Package: "shop", Name: "orders", Incremental: true, Resolver: fakeResolver{}}
	b.ReportAllocs()
	c0 := cpuTime()
	for b.Loop() {
		if res := env.Render(in); res.Err != nil {
			b.Fatal(res.Err)
		}
	}
	b.ReportMetric(float64(cpuTime()-c0)/float64(b.N), "cpu-ns/op")
}

func BenchmarkRenderParallel(b *testing.B) {
	env := testEnv(b, nil)
	in := Input{Path: "models/orders.sql", Source: benchModel, Package: "shop", Name: "orders", Incremental: true, Resolver: fakeResolver{}}
	b.ReportAllocs()
	c0 := cpuTime()
	defer func() { b.ReportMetric(float64(cpuTime()-c0)/float64(b.N), "cpu-ns/op") }()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if res := env.Render(in); res.Err != nil {
				b.Error(res.Err)
				return
			}
		}
	})
}

// BenchmarkNew compiles 200 macro files, as a project with a few packages has.
func BenchmarkNew(b *testing.B) {
	var files []MacroFile
	for i := 0; i < 200; i++ {
		files = append(files, MacroFile{Package: fmt.Sprintf("pkg%d", i%4), Path: fmt.Sprintf("macros/m%d.sql", i), Source: fmt.Sprintf(
			"{%% macro m%d(a, b=none) %%}{%% if b %%}{{ a ~ b }}{%% else %%}{{ adapter.dispatch('x%d', 'pkg%d')(a) }}{%% endif %%}{%% endmacro %%}\n"+
				"{%% macro default__x%d(a) %%}{%% for c in a %%}{{ c }},{%% endfor %%}{%% endmacro %%}", i, i, i%4, i)})
	}
	b.ReportAllocs()
	c0 := cpuTime()
	defer func() { b.ReportMetric(float64(cpuTime()-c0)/float64(b.N), "cpu-ns/op") }()
	for b.Loop() {
		if _, diags := New(Options{RootPackage: "pkg0", Adapter: "postgres", MacroFiles: files}); len(diags) > 0 {
			b.Fatal(diags)
		}
	}
}

// benchVarsMacros is a package that keeps its settings in macros: a dict literal of settings
// (some nested), flattened into a list of small dicts, filtered by key on every lookup. Each
// lookup rebuilds and walks the whole table, so dict literals, loops, tests, attribute
// lookups and method calls on dicts and lists dominate.
func benchVarsMacros() MacroFile {
	var b strings.Builder
	b.WriteString("{% macro project_settings() %}\n{% set vars = {\n")
	for i := 0; i < 60; i++ {
		if i%10 == 9 {
			fmt.Fprintf(&b, "  'NESTED_%d': {'a': 'x%d', 'b': %d, 'c': true},\n", i, i, i)
			continue
		}
		fmt.Fprintf(&b, "  'SETTING_%d': '%d',\n", i, i)
	}
	b.WriteString("} %}\n{{ return(vars) }}\n{% endmacro %}\n")
	b.WriteString(`{% macro flat_settings() %}
{% set out = {} %}
{% do out.update({target.name: project_settings()}) %}
{% set flat = [] %}
{% for project, vars in out.items() %}
  {% for key, value in vars.items() %}
    {% if value is mapping %}
      {% for subkey, subvalue in value.items() %}
        {% do flat.append({'project': project, 'key': subkey, 'parent_key': key, 'value': subvalue}) %}
      {% endfor %}
    {% else %}
      {% do flat.append({'project': project, 'key': key, 'parent_key': none, 'value': value}) %}
    {% endif %}
  {% endfor %}
{% endfor %}
{{ return(flat) }}
{% endmacro %}
{% macro setting(key, default=none) %}
{% set found = [] %}
{% for item in flat_settings() %}
  {% if item.key == key or item.parent_key == key %}{% do found.append(item) %}{% endif %}
{% endfor %}
{% if found | length == 0 %}{{ return(default) }}{% endif %}
{% if found[0].parent_key is none %}{{ return(found[0].value) }}{% endif %}
{% set m = {} %}
{% for item in found %}{% do m.update({item.key: item.value}) %}{% endfor %}
{{ return(m) }}
{% endmacro %}
`)
	return MacroFile{Package: "shop", Path: "macros/settings.sql", Source: b.String()}
}

const benchVarsModel = `{% set ns = namespace() %}
{% set ns.a = setting('SETTING_3', 'x') %}
{% set ns.b = setting('NESTED_19') %}
{% set ns.c = setting('MISSING', 7) %}
{% set ns.d = setting('SETTING_42') %}
select {{ ns.a }}, {{ ns.b.a }}, {{ ns.c }}, {{ ns.d }}
`

func BenchmarkRenderVarsMacros(b *testing.B) {
	env := testEnv(b, func(o *Options) { o.MacroFiles = append(o.MacroFiles, benchVarsMacros()) })
	in := Input{Path: "models/settings.sql", Source: benchVarsModel, Package: "shop", Name: "settings", Execute: true, Resolver: fakeResolver{}}
	if res := env.Render(in); res.Err != nil || !strings.Contains(res.Output, "select 3, x19, 7, 42") {
		b.Fatalf("%v %q %v", res.Err, res.Output, res.Warnings)
	}
	b.ReportAllocs()
	c0 := cpuTime()
	for b.Loop() {
		env.Render(in)
	}
	b.ReportMetric(float64(cpuTime()-c0)/float64(b.N), "cpu-ns/op")
}

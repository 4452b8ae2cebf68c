package jinja

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// testEnv is a project "shop" on postgres with a package "utils" and a few vars.
func testEnv(t testing.TB, mod func(*Options)) *Env {
	t.Helper()
	opts := Options{
		RootPackage: "shop",
		Adapter:     "postgres",
		Target:      map[string]any{"name": "ci", "schema": "analytics", "database": "warehouse", "password": "s3cret"},
		Vars: map[string]map[string]any{
			"":      {"start_date": "2020-01-01", "limit": 10},
			"shop":  {"start_date": "2020-01-01", "limit": 10, "scoped": "root-scoped"},
			"utils": {"start_date": "2020-01-01", "limit": 10, "scoped": "utils-scoped"},
		},
		CLIVars: map[string]any{"cli": "from-cli"},
		Getenv: func(k string) (string, bool) {
			v, ok := map[string]string{"HOME_REGION": "eu", "DBT_ENV_SECRET_TOKEN": "hunter2"}[k]
			return v, ok
		},
		EnvVars:      EnvVars{Allow: []string{"HOME_REGION", "NOPE"}},
		RunStartedAt: time.Date(2024, 3, 4, 5, 6, 7, 0, time.UTC),
		MacroFiles: []MacroFile{
			{Package: "shop", Path: "macros/money.sql", Source: `{% macro cents_to_dollars(col, scale=2) -%}
round({{ col }} / 100.0, {{ scale }})
{%- endmacro %}

{% macro postgres__greet(name) %}hello from shop, {{ name }}{% endmacro %}

{% macro which_var() %}{{ var('scoped') }}{% endmacro %}

{% macro columns() %}{{ return(['id', 'amount']) }}{% endmacro %}

{% macro wrap() %}<{{ caller() }}>{% endmacro %}

{% macro recurse(n) %}{{ recurse(n) }}{% endmacro %}

{% test positive(model, column_name) %}
select * from {{ model }} where {{ column_name }} < 0
{% endtest %}`},
			{Package: "utils", Path: "macros/greet.sql", Source: `{% macro greet(name) %}{{ return(adapter.dispatch('greet', 'utils')(name)) }}{% endmacro %}
{% macro default__greet(name) %}hello, {{ name }}{% endmacro %}
{% macro which_var() %}{{ var('scoped') }}{% endmacro %}
{% macro star(from, except=[]) %}{% do _check(from) %}*{% endmacro %}
{% macro _check(obj) %}{% if not (obj is mapping and obj.get('metadata', {}).get('type', '').endswith('Relation')) %}{% do exceptions.raise_compiler_error("star expected a Relation, got " ~ obj) %}{% endif %}{% endmacro %}`},
		},
	}
	if mod != nil {
		mod(&opts)
	}
	env, diags := New(opts)
	for _, d := range diags {
		t.Fatalf("macro file diagnostic: %s:%d:%d %s", d.Path, d.Pos.Line, d.Pos.Column, d.Message)
	}
	return env
}

func render(t *testing.T, env *Env, src string, mod ...func(*Input)) *Result {
	t.Helper()
	in := Input{Path: "models/m.sql", Source: src, Package: "shop", Name: "m", ResourceType: "model"}
	for _, m := range mod {
		m(&in)
	}
	res := env.Render(in)
	if res.Output == "" && src != "" && res.Err != nil {
		t.Fatalf("no output for %q", src)
	}
	checkMap(t, in.Source, res)
	return res
}

// checkMap verifies the offset map's invariants on every render of these tests: segments
// cover the output in order without gaps, and every literal byte is the template's byte.
func checkMap(t *testing.T, src string, res *Result) {
	t.Helper()
	out := 0
	for _, s := range res.Map.Segments {
		if s.Out != out {
			t.Fatalf("segment starts at %d, want %d (%+v)", s.Out, out, res.Map.Segments)
		}
		if s.Literal && (s.Src+s.Len > len(src) || src[s.Src:s.Src+s.Len] != res.Output[s.Out:s.Out+s.Len]) {
			t.Fatalf("literal segment %+v does not match the template", s)
		}
		if !s.Literal && (s.Src < 0 || s.Src >= len(src)) {
			t.Fatalf("segment %+v points outside the template", s)
		}
		out += s.Len
	}
	if out != len(res.Output) {
		t.Fatalf("segments cover %d bytes of %d", out, len(res.Output))
	}
}

func warnings(res *Result, kind string) []Diagnostic {
	var out []Diagnostic
	for _, w := range res.Warnings {
		if w.Kind == kind {
			out = append(out, w)
		}
	}
	return out
}

func TestRenderOutput(t *testing.T) {
	env := testEnv(t, nil)
	resolved := func(in *Input) {
		in.Resolver = fakeResolver{}
		in.This = Relation{Database: "warehouse", Schema: "analytics", Identifier: "m"}
	}
	cases := []struct {
		name, src, want string
		mod             func(*Input)
	}{
		{"text", "select 1 as x\n", "select 1 as x", nil},
		{"a colon after a statement's header, as Python writes it", "{% macro m(a): %}<{{ a }}>{% endmacro %}{% for x in [1, 2]: %}{% if x == 1: %}{{ m(x) }}{% elif x == 3: %}three{% else: %}{{ x }}{% endif %}{% endfor %}{% set s = [1, 2][1:] %}{{ s }}", "<1>2[2]", nil},
		{"for with a parenthesized target", "{% for (k, v) in {'a': 1}.items() %}{{ k }}={{ v }}{% endfor %}{% for (x) in [2] %}{{ x }}{% endfor %}", "a=12", nil},
		{"ref bare", "select * from {{ ref('orders') }}", "select * from orders", nil},
		{"ref resolved", "select * from {{ ref('orders') }}", `select * from "warehouse"."analytics"."orders"`, resolved},
		{"ref two args", "{{ ref('shop', 'orders') }}", "orders", nil},
		{"ref ephemeral", "{{ ref('eph') }}", "__dbt__cte__eph", resolved},
		{"source bare", "{{ source('raw', 'payments') }}", "raw.payments", nil},
		{"source bare with a name to quote", "{{ source('raw', 'my-orders') }} {{ ref('2024 orders') }}", `raw."my-orders" "2024 orders"`, nil},
		{"source resolved", "{{ source('raw', 'payments') }}", `"rawdb"."raw"."payments"`, resolved},
		{"relation attrs", "{{ ref('orders').schema }}.{{ ref('orders').identifier }}", "analytics.orders", resolved},
		{"relation include", "{{ ref('orders').include(database=false) }}", `"analytics"."orders"`, resolved},
		{"this", "{{ this }} {{ this.schema }} {{ this.name }}", `"warehouse"."analytics"."m" analytics m`, resolved},
		{"this bare", "{{ this }}", "m", nil},
		{"format prints what is not a string as str()", "{{ \"in '{}': {} {}\".format(this, none, [1, 'a']) }}", `in '"warehouse"."analytics"."m"': None [1, 'a']`, resolved},
		{"format keeps numbers' specs", "{{ '{:>4}|{:.1f}|{}'.format(7, 2.25, true) }}", "   7|2.2|True", nil},
		{"format takes the strings methods return", "{% set a = 'f({})'.format('id') %}{{ 'trim({})'.format(a) }} {{ 'x_{}'.format('abc'.upper()) }}", "trim(f(id)) x_ABC", nil},
		{"no-break spaces inside tags", "{%\u00a0if\u00a0true\u00a0%}\u00a0a{{\u00a0 1 }}{%\u00a0endif\u00a0%}", "\u00a0a1", nil},
		{"a free name iterates as Jinja's Undefined", "{% macro fr() %}{{ obs is iterable }}|{{ obs is string }}|{{ none is iterable }}{% endmacro %}{{ fr() }}", "True|False|False", nil},
		{"a left-out parameter is undefined, not none", "{% macro isl(obj, e=false) %}{{ obj is iterable }}|{{ obj is defined }}|{{ obj is mapping }}|{{ obj is string }}|{{ obj is none }}|{{ obj | default('d') }}|[{{ obj }}]|{{ obj | length }}{% if obj %}!{% endif %}{% endmacro %}{{ isl(e=true) }}", "True|False|False|False|False|d|[]|0", nil},
		{"a none default is none", "{% macro f(x=none) %}{{ x is none }}{% endmacro %}{{ f() }}", "True", nil},
		{"fromyaml lets a repeated key's last value win", "{% set d = fromyaml('a: 1\\nb: 2\\na: 3') %}{{ d['a'] }} {{ d['b'] }}", "3 2", nil},
		{"fromyaml keeps a mapping's order", "{% for k, v in fromyaml('zeta: 1\\nalpha: {b: 2, a: 3}').items() %}{{ k }}={{ v }};{% endfor %}", "zeta=1;alpha={'b': 2, 'a': 3};", nil},
		{"integer literal past int64", "{{ 105311596331855300602201538317979276640056460191511695660591596829410056223515 }} {{ 9223372036854775807 }}", "105311596331855300602201538317979276640056460191511695660591596829410056223515 9223372036854775807", nil},
		{"config renders empty", "{{ config(materialized='table') }}select 1", "select 1", nil},
		{"config get", "{{ config(materialized='view') }}{{ config.get('materialized') }} {{ config.get('missing', 'dflt') }} {{ config.get('unique_key', default='id') }}", "view dflt id", nil},
		{"var global", "{{ var('start_date') }}", "2020-01-01", nil},
		{"var cli", "{{ var('cli') }}", "from-cli", nil},
		{"var default", "{{ var('nope', 'fallback') }} {{ var('nope', default=3) }}", "fallback 3", nil},
		{"var scoped root", "{{ var('scoped') }}", "root-scoped", nil},
		{"var scoped by the node's package", "{{ utils.which_var() }} {{ which_var() }}", "root-scoped root-scoped", nil},
		{"var scoped by the node's package (package model)", "{{ utils.which_var() }} {{ var('scoped') }}", "utils-scoped utils-scoped", func(in *Input) { in.Package = "utils" }},
		{"env_var", "{{ env_var('HOME_REGION') }} {{ env_var('NOPE', 'dflt') }}", "eu dflt", nil},
		{"is_incremental", "{% if is_incremental() %}inc{% else %}full{% endif %}", "inc", func(in *Input) { in.Incremental = true }},
		{"is_incremental false", "{% if is_incremental() %}inc{% else %}full{% endif %}", "full", nil},
		{"target", "{{ target.name }} {{ target.schema }} {{ target.type }} [{{ target.password }}]", "ci analytics postgres []", nil},
		{"macro", "select {{ cents_to_dollars('amount') }}", "select round(amount / 100.0, 2)", nil},
		{"macro kwargs", "{{ cents_to_dollars(col='a', scale=4) }}", "round(a / 100.0, 4)", nil},
		{"package macro via namespace", "{{ shop.cents_to_dollars('x') }}", "round(x / 100.0, 2)", nil},
		{"dispatch root override", "{{ utils.greet('ann') }}", "hello from shop, ann", nil},
		{"return list", "{% for c in columns() %}{{ c }};{% endfor %}", "id;amount;", nil},
		{"call caller", "{% call wrap() %}inside{% endcall %}", "<inside>", nil},
		{"model macro", "{% macro twice(x) %}{{ x }}{{ x }}{% endmacro %}{{ twice('ab') }}", "abab", nil},
		{"set block", "{% set q %}select {{ 1 + 1 }}{% endset %}{{ q | upper }}", "SELECT 2", nil},
		{"do and append", "{% set xs = [] %}{% for i in range(3) %}{% do xs.append(i * 2) %}{% endfor %}{{ xs | join(',') }}", "0,2,4", nil},
		{"print tag", "{% set cmd = 'drop view x' %}{% print(cmd) %};{% print cmd ~ '!' %}", "drop view x;drop view x!", nil},
		{"context looks a macro up by a built name", "{% set n = 'cents_to_' ~ 'dollars' %}{% if context.get(n) is not none %}{{ context[n]('a') }}{% endif %}|{{ context.get('no_such_vars') is none }}|{{ context.get('nope', 'd') }}|{{ 'cents_to_dollars' in context.keys() }}", "round(a / 100.0, 2)|True|d|True", nil},
		{"dict update", "{% set d = {'a': 1} %}{% do d.update({'b': 2}) %}{{ d.b }}{{ d['a'] }}{{ d | length }}", "212", nil},
		{"whitespace control", "a\n{%- if true -%}\n  b\n{%- endif -%}\n c", "abc", nil},
		{"raw", "{% raw %}{{ not rendered }}{% endraw %}", "{{ not rendered }}", nil},
		{"docs swallowed", "a{% docs x %}doc {{ text }}{% enddocs %}b", "ab", nil},
		{"materialization swallowed", "a{% materialization table, default %}{{ x }}{% endmaterialization %}b", "ab", nil},
		{"test block swallowed", "a{% test t(model) %}select 1{% endtest %}b", "ab", nil},
		{"percent format", `{{ "%s_%05.1f_%d" % ('a', 2.25, 7) }} {{ '%(k)s' % {'k': 'v'} }}`, "a_002.2_7 v", nil},
		{"modulo", "{{ 7 % 3 }} {{ -7 % 3 }}", "1 2", nil},
		{"power int", "{{ 2 ** 10 }}", "1024", nil},
		{"conditional expression in args", "{{ cents_to_dollars('x' if true else 'y', scale=(1 if false else 3)) }}", "round(x / 100.0, 3)", nil},
		{"conditional is lazy", "{% set n = none %}{{ (n.attr if n is not none else 'none-safe') }}", "none-safe", nil},
		{"filter binds tighter than in", "{{ 'A'|lower in ['a','b']|map('upper')|map('lower') }}", "True", nil},
		{"filter binds tighter than ~", "{{ 'a' ~ 'b'|upper }}", "aB", nil},
		{"trailing commas", "{{ cents_to_dollars(\n  'x',\n  scale=1,\n) }}{% set d = {'a': 1,} %}{{ d.a }}", "round(x / 100.0, 1)1", nil},
		{"three-target for", "{% for a, b, c in [(1, 2, 3), (4, 5, 6)] %}{{ a + b + c }};{% endfor %}", "6;15;", nil},
		{"tuple subscript", "{% set x = {'a': 1}['a', 'b'] if false else 2 %}{{ x }}{{ [1, 2, 3][1:] }}{{ [4, 5][0,] is undefined }}", "2[2, 3]True", nil},
		{"tuple set", "{% set a, b = ['x', 'y'] %}{{ b }}{{ a }}", "yx", nil},
		{"bare tuple printed", "{{ var('nope', 'd'), 'x' }}|{{ (1, 2) }}|{{ [1, 2] }}|{{ f(1, 2) if false else 3 }}", "('d', 'x')|(1, 2)|[1, 2]|3", nil},
		{"bare tuple set", "{% set t = 1, 2 %}{% set a, b = 3, 4 %}{{ t[1] }}{{ t | length }}{{ a }}{{ b }}", "2234", nil},
		{"splat", "{% set kw = {'scale': 0} %}{% set args = ['c'] %}{{ cents_to_dollars(*args, **kw) }}", "round(c / 100.0, 0)", nil},
		{"newline operators", "{% if (\n  true and\n  'a' in ['a']\n) %}y{% endif %}", "y", nil},
		{"run_query is empty", "{% set r = run_query('select 1') %}{% for row in r %}x{% endfor %}{{ r.columns | length }}{{ r.rows | length }}", "00", nil},
		{"query results index as empty", "{% set r = run_query('select 1') %}{{ r.columns[0].values() | length }}[{{ r.rows[0][0] }}]{% for v in r.columns[0].values() %}x{% endfor %}{{ r.rows | list | length }}", "0[]0", nil},
		{"statement and load_result", "{% call statement('s', fetch_result=True) %}select * from {{ ref('orders') }}{% endcall %}{{ load_result('s')['data'] | length }}", "0", nil},
		{"adapter", "{{ adapter.quote('x') }} {{ adapter.get_relation(database='a', schema='b', identifier='c') is none }} {{ adapter.get_columns_in_relation(ref('orders')) | length }}", `"x" True 0`, nil},
		{"api relation", "{{ api.Relation.create(database='d', schema='s', identifier='i') }}", `"d"."s"."i"`, nil},
		{"dbt builtins", "{{ dbt_version }} {{ execute }} {{ flags.FULL_REFRESH }} {{ project_name }} {{ graph.nodes | length }}", "1.10.0 False False shop 0", nil},
		{"builtins ref", "{{ builtins.ref('orders') }}", "orders", nil},
		{"run_started_at", "{{ run_started_at.strftime('%Y-%m-%d %H:%M') }} {{ run_started_at.year }}", "2024-03-04 05:06 2024", nil},
		{"modules", "{{ modules.datetime.datetime(2021, 2, 3).strftime('%Y%m%d') }} {{ modules.re.sub('[0-9]+', 'N', 'a1b22') }} {{ modules.re.match('a(b)', 'abc').group(1) }}", "20210203 aNbN b", nil},
		{"date arithmetic", "{% set d = modules.datetime %}{{ (d.datetime(2021, 3, 1, 6) - d.timedelta(days=7)).strftime('%Y-%m-%d %H') }} " +
			"{{ (d.timedelta(hours=1) + d.datetime(2021, 3, 1)).strftime('%H') }} {{ (d.date(2021, 3, 1) - d.timedelta(hours=1)).strftime('%Y-%m-%d') }} " +
			"{{ (d.datetime(2021, 3, 2) - d.datetime(2021, 3, 1)).days }} {{ (d.timedelta(days=2) - d.timedelta(days=1)).days }} {{ 7 - 2 }} {{ 7.5 - 2 }}",
			"2021-02-22 06 01 2021-02-28 1 1 5 5.5", nil},
		{"json yaml", `{{ fromjson('{"a": [1, 2]}').a[1] }} {{ tojson({'k': 'v'}) }} {{ fromyaml('x: 3').x }} {{ toyaml({'k': 1}) | trim }}`, `2 {"k":"v"} 3 k: 1`, nil},
		{"zip set md5", "{% for a, b in zip([1, 2], ['x', 'y']) %}{{ a }}{{ b }}{% endfor %} {{ set([1, 1, 2]) | length }} {{ local_md5('abc') }}", "1x2y 2 900150983cd24fb0d6963f7d28e17f72", nil},
		{"log and print", "a{{ log('hi', info=True) }}{{ print('x') }}b", "ab", nil},
		{"cross-db", "{{ dbt.type_string() }} {{ dbt.hash('c') }} {{ dbt.concat(['a', 'b']) }} {{ dbt.dateadd('day', 1, 'd') }}", "TEXT md5(cast(c as TEXT)) a || b d + ((interval '1 day') * (1))", nil},
		{"generate_schema_name", "{{ generate_schema_name('stg', none) }} {{ generate_schema_name(none, none) }}", "analytics_stg analytics", nil},
		{"generate_schema_name_for_env off prod", "{{ generate_schema_name_for_env('stg', none) }} {{ generate_schema_name_for_env(none, none) }}", "analytics analytics", nil},
		{"default__ naming macros", "{{ default__generate_schema_name('stg', none) }} {{ default__generate_database_name(none, none) }} {{ default__generate_alias_name('a ', none) }}", "analytics_stg warehouse a", nil},
		{"namespace set", "{% set ns = namespace(n=0) %}{% for i in [1, 2, 3] %}{% set ns.n = ns.n + i %}{% endfor %}{{ ns.n }}", "6", nil},
		{"default filter", "{{ nothing_here | default('d1') }} {{ var('nope', none) | default('d2') }} {{ '' | default('d3', true) }} {{ 'x' | d('no') }}", "d1 d2 d3 x", nil},
		{"none prints as None", "{{ none }} {{ var('nope', none) }} [{{ target.nope }}] [{{ {'a': 1}['b'] }}]", "None None [] []", nil},
		{"undefined attributes", "{% set rel = adapter.get_relation(database='d', schema='s', identifier='t') %}{% if rel.is_view %}view{% else %}table{% endif %}[{{ rel.schema }}][{{ rel['x'] }}][{{ [1][5] }}]{{ rel.a.b is none }}", "table[][][]True", nil},
		{"set attribute", "{% set ns = namespace(a=1) %}{% set ns.a = ns.a + 1 %}{{ ns.a }}{{ ns['a'] }}", "22", nil},
		{"is defined", "{{ undefined_thing is defined }} {{ target is defined }}", "False True", nil},
		{"star with relation check", "{{ utils.star(from=ref('orders')) }}", "*", nil},
		{"globals", "{{ hook_value }}", "bound", func(in *Input) { in.Globals = map[string]any{"hook_value": "bound"} }},
		{"literal globals", "{{ d.get('b') }} {{ d.get('z', 'dflt') }} {% for k, v in d.items() %}{{ k }}{% endfor %} {{ d.l[1:] | join('+') }} {{ d.l is iterable }}",
			"2 dflt abl y+z True", func(in *Input) {
				in.Globals = map[string]any{"d": Literal(map[string]any{"l": []string{"x", "y", "z"}, "b": 2, "a": nil})}
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var mods []func(*Input)
			if c.mod != nil {
				mods = append(mods, c.mod)
			}
			res := render(t, env, c.src, mods...)
			if res.Err != nil {
				t.Fatalf("error: %v", res.Err)
			}
			if res.Output != c.want {
				t.Errorf("output\n got: %q\nwant: %q\nwarnings: %+v", res.Output, c.want, res.Warnings)
			}
			for _, w := range res.Warnings {
				if w.Kind == "render-error" || w.Kind == "compiler-error" || w.Kind == "syntax" {
					t.Errorf("unexpected %s: %s at %d:%d", w.Kind, w.Message, w.Pos.Line, w.Pos.Column)
				}
			}
		})
	}
}

type fakeResolver struct{}

func (fakeResolver) Ref(pkg, name, version string) (Relation, bool) {
	switch name {
	case "eph":
		return Relation{Identifier: "eph", Ephemeral: true}, true
	case "missing":
		return Relation{}, false
	}
	return Relation{Database: "warehouse", Schema: "analytics", Identifier: name}, true
}

func (fakeResolver) Source(source, table string) (Relation, bool) {
	return Relation{Database: "rawdb", Schema: source, Identifier: table}, true
}

// Keyword arguments are evaluated in the order they are written, as in Jinja, so the refs and
// sources they call are recorded in that order on every render (gonja's own order is a Go
// map's); what the call receives is unchanged.
func TestKeywordArgumentsInWrittenOrder(t *testing.T) {
	env := testEnv(t, nil)
	src := "{% macro m(a, b, c, d, e='') %}{{ d }} {{ c }} {{ b }} {{ a }}{{ e }}{% endmacro %}" +
		"{{ m(d=source('raw', 't4'), c=ref('r3'), b=ref('r2'), a=ref('r1'), e=1) }}" +
		"{{ config(materialized='table', tags=['x']) }}{{ config.get('materialized') }}{{ {'k': 1}.get('k', default=2) }}" +
		"{% set ns = namespace(m=m) %}{{ ns.m(d=ref('m4'), c=ref('m3'), b=ref('m2'), a=ref('m1')) }}"
	for range 20 {
		res := render(t, env, src)
		if got := refNames(res); fmt.Sprint(got) != "[r3 r2 r1 m4 m3 m2 m1]" || len(res.Sources) != 1 {
			t.Fatalf("refs %v, sources %v", got, res.Sources)
		}
		if res.Output != "raw.t4 r3 r2 r11table1m4 m3 m2 m1" {
			t.Fatalf("output %q", res.Output)
		}
	}
}

func TestRefsAndSources(t *testing.T) {
	env := testEnv(t, nil)
	src := "select *\nfrom {{ ref('orders') }}\njoin {{ ref('shop', 'customers', v=2) }} using (id)\n" +
		"{% for t in ['a', 'b'] %}join {{ source('raw', t) }}{% endfor %}\n" +
		"{{ ref('versioned', version='3') }}"
	res := render(t, env, src)
	want := []Ref{
		{Name: "orders", Pos: Position{Line: 2, Column: 13}},
		{Package: "shop", Name: "customers", Version: "2", Pos: Position{Line: 3, Column: 21}},
		{Name: "versioned", Version: "3", Pos: Position{Line: 5, Column: 8}},
	}
	if fmt.Sprint(res.Refs) != fmt.Sprint(want) {
		t.Errorf("refs\n got: %+v\nwant: %+v", res.Refs, want)
	}
	if len(res.Sources) != 2 || res.Sources[0] != (SourceRef{Source: "raw", Table: "a", Pos: Position{Line: 4, Column: 31}}) || res.Sources[1].Table != "b" {
		t.Errorf("sources: %+v", res.Sources)
	}
}

func TestConfigCapture(t *testing.T) {
	env := testEnv(t, nil)
	src := `{{ config(materialized='incremental', unique_key=['id', 'day'], tags=['nightly'], meta={'owner': 'ann'}) }}
{{ config({'schema': 'marts'}) }}{{ config.require('nope') }}select 1`
	res := render(t, env, src, func(in *Input) {
		in.Config = map[string]any{"materialized": "view", "tags": []any{"base"}, "meta": map[string]any{"team": "x"}}
	})
	c := res.Config
	if c["materialized"] != "incremental" || c["schema"] != "marts" {
		t.Errorf("config: %v", c)
	}
	if fmt.Sprint(c["unique_key"]) != "[id day]" || fmt.Sprint(c["tags"]) != "[base nightly]" {
		t.Errorf("lists: %v %v", c["unique_key"], c["tags"])
	}
	if fmt.Sprint(c["meta"]) != "map[owner:ann team:x]" {
		t.Errorf("meta: %v", c["meta"])
	}
	w := warnings(res, "compiler-error")
	if len(w) != 1 || w[0].Pos.Line != 2 || !strings.Contains(w[0].Message, "nope") {
		t.Errorf("config.require warning: %+v", res.Warnings)
	}
}

func TestWarnings(t *testing.T) {
	env := testEnv(t, nil)
	src := "select\n  {{ dbt_utils.star(from=ref('stg_x'), except=['a']) }},\n  {{ dbt_utils.star(ref('stg_y')) }}\n" +
		"from {{ fivetran_utils.fill_staging_columns(source_columns=adapter.get_columns_in_relation(source('raw', 'orders')), staging_columns=[]) }}\n" +
		"{{ var('nope') }}{{ env_var('NOPE') }}{{ env_var('DBT_ENV_SECRET_TOKEN') }}\n" +
		"{{ exceptions.raise_compiler_error('bad ' ~ 'thing') }}after{{ exceptions.warn('careful') }}"
	res := render(t, env, src)
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if got := fmt.Sprint(refNames(res)); got != "[stg_x stg_y]" {
		t.Errorf("refs inside unknown macros: %s", got)
	}
	if len(res.Sources) != 1 || res.Sources[0].Table != "orders" {
		t.Errorf("sources inside unknown macros: %+v", res.Sources)
	}
	unknown := warnings(res, "unknown-macro")
	if len(unknown) != 2 {
		t.Fatalf("want one unknown-macro warning per name, got %+v", unknown)
	}
	if unknown[0].Pos != (Position{Line: 2, Column: 6}) || !strings.Contains(unknown[0].Message, "dbt_utils.star") {
		t.Errorf("first unknown macro: %+v", unknown[0])
	}
	if unknown[1].Pos != (Position{Line: 4, Column: 9}) || !strings.Contains(unknown[1].Message, "fivetran_utils.fill_staging_columns") {
		t.Errorf("second unknown macro: %+v", unknown[1])
	}
	if w := warnings(res, "unknown-var"); len(w) != 1 || w[0].Pos.Line != 5 {
		t.Errorf("unknown-var: %+v", w)
	}
	if w := warnings(res, "unknown-env-var"); len(w) != 1 || !strings.Contains(w[0].Message, "NOPE") {
		t.Errorf("unknown-env-var: %+v", w)
	}
	if w := warnings(res, "refused-env-var"); len(w) != 1 || !strings.Contains(w[0].Message, "secret") {
		t.Errorf("refused-env-var: %+v", w)
	}
	if strings.Contains(res.Output, "hunter2") {
		t.Error("a secret env var reached the output")
	}
	if w := warnings(res, "compiler-error"); len(w) != 1 || w[0].Message != "bad thing" || w[0].Pos.Line != 6 {
		t.Errorf("compiler-error: %+v", w)
	}
	if w := warnings(res, "warn"); len(w) != 1 || w[0].Message != "careful" {
		t.Errorf("warn: %+v", w)
	}
	if !strings.HasSuffix(res.Output, "after") {
		t.Errorf("render must go on after raise_compiler_error: %q", res.Output)
	}
}

func refNames(res *Result) []string {
	var out []string
	for _, r := range res.Refs {
		out = append(out, r.Name)
	}
	return out
}

func TestRuntimeErrorBecomesWarning(t *testing.T) {
	env := testEnv(t, nil)
	res := render(t, env, "a\n{{ 1 + [1] }}\nb {{ ref('x') }}")
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if res.Output != "a\n\nb x" {
		t.Errorf("output %q", res.Output)
	}
	w := warnings(res, "render-error")
	if len(w) != 1 || w[0].Pos != (Position{Line: 2, Column: 1}) {
		t.Errorf("render-error: %+v", res.Warnings)
	}
}

func TestSyntaxError(t *testing.T) {
	env := testEnv(t, nil)
	src := "select 1\n{% if x %}\nno end"
	res := env.Render(Input{Path: "models/bad.sql", Source: src, Package: "shop"})
	if res.Err == nil || res.Output != src {
		t.Fatalf("want raw source and an error, got %q %v", res.Output, res.Err)
	}
	w := warnings(res, "syntax")
	if len(w) != 1 || w[0].Path != "models/bad.sql" {
		t.Fatalf("syntax diagnostic: %+v", res.Warnings)
	}
	if !strings.HasPrefix(res.Err.Error(), "models/bad.sql:") {
		t.Errorf("error must name the file: %v", res.Err)
	}
	checkMap(t, src, res)

	res = env.Render(Input{Path: "models/bad2.sql", Source: "select {{ 1 +  }}", Package: "shop"})
	w = warnings(res, "syntax")
	if res.Err == nil || len(w) != 1 || w[0].Pos.Line != 1 || w[0].Pos.Column < 8 {
		t.Errorf("syntax position: %+v %v", res.Warnings, res.Err)
	}
}

func TestLimits(t *testing.T) {
	env := testEnv(t, func(o *Options) {
		o.Limits = &Limits{MaxOutput: 1 << 16, MaxSteps: 100000, MaxRangeItems: 10000, MaxDepth: 20, MaxTime: 5 * time.Second}
	})
	for _, src := range []string{
		"{% for i in range(10**9) %}x{% endfor %}",
		"{{ recurse(1) }}",
		"{{ 'x' * 10**9 }}",
		"{% set ns = namespace(s='xx') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s | length }}",
		"{% for i in range(9000) %}{% for j in range(9000) %}{{ j }}{% endfor %}{% endfor %}",
		"{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}",
	} {
		start := time.Now()
		res := render(t, env, src)
		if len(warnings(res, "resource-limit")) == 0 {
			t.Errorf("%q: no resource-limit warning (%+v)", src, res.Warnings)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%q took %s", src, d)
		}
	}
	// Nesting deep enough to exhaust the stack is refused, in the template and in values.
	for _, src := range []string{
		"{{ " + strings.Repeat("(", 100000) + "1" + strings.Repeat(")", 100000) + " }}",
		strings.Repeat("{% if true %}", 100000) + "x" + strings.Repeat("{% endif %}", 100000),
	} {
		if res := env.Render(Input{Path: "models/deep.sql", Source: src, Package: "shop"}); res.Err == nil || !strings.Contains(res.Err.Error(), "nested too deeply") {
			t.Errorf("deep template: %v", res.Err)
		}
	}
	res := render(t, env, "{% set ns = namespace(l=[], d={}) %}{% for i in range(5000) %}{% set ns.l = [ns.l] %}{% set ns.d = {'a': ns.d} %}{% endfor %}{{ ns.l }}{{ ns.d }}")
	if len(warnings(res, "render-error")) == 0 {
		t.Errorf("deeply nested values must be refused: %+v", res.Warnings)
	}
	// A cycle would make printing recurse forever.
	res = render(t, env, "{% set d = {} %}{% do d.update({'self': d}) %}{% set l = [] %}{% do l.append(l) %}{{ d }}{{ l }}")
	if len(warnings(res, "render-error")) != 2 {
		t.Errorf("self-containing values must be refused: %+v", res.Warnings)
	}
}

func TestImport(t *testing.T) {
	env := testEnv(t, nil)
	res := render(t, env, "{% import 'macros/money.sql' as money %}{{ money.cents_to_dollars('a') }} {% from 'money.sql' import cents_to_dollars as c2d %}{{ c2d('b', 0) }}")
	if res.Output != "round(a / 100.0, 2) round(b / 100.0, 0)" {
		t.Errorf("output %q warnings %+v", res.Output, res.Warnings)
	}
	res = render(t, env, "{% import '/etc/passwd' as p %}{{ p.x() }}")
	if res.Output != "" || len(warnings(res, "unknown-macro")) == 0 {
		t.Errorf("importing a file that is not a macro file: %q %+v", res.Output, res.Warnings)
	}
}

func TestMacroCatalog(t *testing.T) {
	env := testEnv(t, nil)
	var names []string
	for _, m := range env.Macros() {
		if m.Package != "dbt" {
			names = append(names, m.UniqueID+"@"+m.Path+":"+fmt.Sprint(m.Line))
		}
	}
	got := strings.Join(names, " ")
	for _, want := range []string{"macro.shop.cents_to_dollars@macros/money.sql:1", "macro.shop.test_positive@macros/money.sql:15", "macro.utils.default__greet@macros/greet.sql:2"} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %s in %s", want, got)
		}
	}
	if m, ok := env.TestMacro("positive"); !ok || m.Package != "shop" || !m.Test {
		t.Errorf("TestMacro(positive) = %+v %v", m, ok)
	}
	if m, ok := env.TestMacro("not_null"); !ok || m.Package != "dbt" {
		t.Errorf("TestMacro(not_null) = %+v %v", m, ok)
	}
	// Only macros the template calls itself count (dispatch targets belong to greet), dbt's own
	// included, as in dbt's depends_on.macros.
	res := render(t, env, "{{ utils.greet('x') }}{{ cents_to_dollars('y') }}{% if is_incremental() %}{% endif %}{{ dbt.type_string() }}{{ type_int() }}")
	if got := strings.Join(res.MacrosUsed, " "); got != "macro.dbt.is_incremental macro.dbt.type_int macro.dbt.type_string macro.shop.cents_to_dollars macro.utils.greet" {
		t.Errorf("MacrosUsed: %s", got)
	}
}

func TestDispatch(t *testing.T) {
	for _, c := range []struct {
		adapter string
		order   map[string][]string
		want    string
	}{
		{"postgres", nil, "hello from shop, x"},
		{"redshift", nil, "hello from shop, x"}, // redshift falls back to postgres__ macros
		{"snowflake", nil, "hello, x"},
		{"postgres", map[string][]string{"utils": {"utils"}}, "hello, x"},
	} {
		env := testEnv(t, func(o *Options) { o.Adapter = c.adapter; o.DispatchOrder = c.order })
		res := render(t, env, "{{ utils.greet('x') }}")
		if res.Output != c.want {
			t.Errorf("%s %v: %q, want %q", c.adapter, c.order, res.Output, c.want)
		}
	}
}

// dbt's own cross-database and naming macros dispatch in namespace dbt, whose search begins
// with the root project (or the project's dispatch config for dbt): an implementation there
// replaces dbt's, however the macro is called.
func TestDBTMacrosDispatchToTheProject(t *testing.T) {
	for _, c := range []struct {
		name    string
		adapter string
		order   map[string][]string
		want    string
	}{
		{"adapter override", "duckdb", nil, "sysdatetime()|sysdatetime()|md5(cast(x as TEXT))|dev_s"},
		{"default override wins over dbt's adapter one", "postgres", nil, "sysdatetime()|sysdatetime()|md5(cast(x as TEXT))|dev_s"},
		{"the adapter's own beside the default", "snowflake", nil, "sysdatetime()|sysdatetime()|sha2(x)|dev_s"},
		{"search order naming a package without them", "duckdb", map[string][]string{"dbt": {"utils", "dbt"}}, "current_timestamp|current_timestamp|md5(cast(x as TEXT))|dev_s"},
	} {
		env := testEnv(t, func(o *Options) {
			o.Adapter = c.adapter
			o.DispatchOrder = c.order
			o.Target = map[string]any{"schema": "dev"}
			o.MacroFiles = append(o.MacroFiles, MacroFile{Package: o.RootPackage, Path: "macros/over.sql", Source: `{% macro duckdb__current_timestamp() %}sysdatetime(){% endmacro %}
{% macro default__current_timestamp() %}sysdatetime(){% endmacro %}
{% macro snowflake__hash(field) %}sha2({{ field }}){% endmacro %}
{% macro default__generate_schema_name(custom_schema_name, node) %}{{ target.schema }}_{{ custom_schema_name }}{% endmacro %}`})
		})
		res := render(t, env, "{{ dbt.current_timestamp() }}|{{ current_timestamp() }}|{{ dbt.hash('x') }}|{{ generate_schema_name('s', none) }}")
		if res.Output != c.want {
			t.Errorf("%s: %q, want %q", c.name, res.Output, c.want)
		}
	}
}

// A namespace that names no installed package is searched as no namespace at all: the package
// whose macro dispatches, then the root project (dbt's search when the namespace is not a
// dependency: the node's package, then the root project).
func TestDispatchNamespaceNotAPackage(t *testing.T) {
	env := testEnv(t, func(o *Options) {
		o.MacroFiles = append(o.MacroFiles, MacroFile{Package: "utils", Path: "macros/least.sql", Source: `{% macro least(a, b) %}{{ return(adapter.dispatch('least', 'macros')(a, b)) }}{% endmacro %}
{% macro default__least(a, b) %}case when {{ a }} <= {{ b }} then {{ a }} else {{ b }} end{% endmacro %}`})
	})
	res := render(t, env, "{{ utils.least('x', 'y') }}|{{ adapter.dispatch('nope', 'dbt_utils')() }}")
	if want := "case when x <= y then x else y end|"; res.Output != want {
		t.Errorf("output %q, want %q", res.Output, want)
	}
	w := warnings(res, "unknown-macro")
	if len(w) != 1 || !strings.Contains(w[0].Message, "dbt_utils.nope") {
		t.Errorf("only the macro no package has is unknown: %+v", w)
	}
}

func TestQuoting(t *testing.T) {
	for adapter, want := range map[string]string{
		"postgres":   `"warehouse"."analytics"."orders"`,
		"duckdb":     `"warehouse"."analytics"."orders"`,
		"bigquery":   "`warehouse`.`analytics`.`orders`",
		"snowflake":  "warehouse.analytics.orders",
		"databricks": "warehouse.analytics.orders",
	} {
		env := testEnv(t, func(o *Options) { o.Adapter = adapter })
		res := render(t, env, "{{ ref('orders') }}", func(in *Input) { in.Resolver = fakeResolver{} })
		if res.Output != want {
			t.Errorf("%s: %s, want %s", adapter, res.Output, want)
		}
	}
	env := testEnv(t, func(o *Options) { o.Adapter = "snowflake"; o.Quoting = &QuotePolicy{Identifier: true} })
	res := render(t, env, "{{ ref('orders') }}", func(in *Input) { in.Resolver = fakeResolver{} })
	if res.Output != `warehouse.analytics."orders"` {
		t.Errorf("quoting override: %s", res.Output)
	}
}

func TestVarHoldingJinja(t *testing.T) {
	env := testEnv(t, func(o *Options) {
		o.Vars["shop"]["orders_table"] = "{{ source('raw', 'orders') }}"
	})
	res := render(t, env, "select * from {{ var('orders_table') }}")
	if res.Output != "select * from raw.orders" || len(res.Sources) != 1 {
		t.Errorf("%q %+v", res.Output, res.Sources)
	}
}

func TestRenderTest(t *testing.T) {
	env := testEnv(t, nil)
	in := Input{Path: "models/schema.yml", Package: "shop", Resolver: fakeResolver{}}
	res := env.RenderTest("not_null", map[string]any{"model": "{{ ref('orders') }}", "column_name": "id"}, in)
	want := "select id\nfrom \"warehouse\".\"analytics\".\"orders\"\nwhere id is null\n"
	if res.Err != nil || res.Output != want {
		t.Errorf("not_null: %q %v %+v", res.Output, res.Err, res.Warnings)
	}
	if len(res.Refs) != 1 || res.Refs[0].Name != "orders" {
		t.Errorf("refs: %+v", res.Refs)
	}
	res = env.RenderTest("accepted_values", map[string]any{"model": "{{ ref('orders') }}", "column_name": "status", "values": []any{"a", "b"}}, in)
	if !strings.Contains(res.Output, "where value_field not in (\n    'a','b'\n)") {
		t.Errorf("accepted_values: %q %+v", res.Output, res.Warnings)
	}
	res = env.RenderTest("shop.positive", map[string]any{"model": "{{ ref('orders') }}", "column_name": "amount"}, in)
	if !strings.Contains(res.Output, `select * from "warehouse"."analytics"."orders" where amount < 0`) {
		t.Errorf("project test: %q %+v", res.Output, res.Warnings)
	}
	if res := env.RenderTest("nope", nil, in); res.Err == nil {
		t.Error("unknown test must fail")
	}
}

func TestExtractBlocks(t *testing.T) {
	src := "{% snapshot orders_snap %}\n{{ config(unique_key='id') }}\nselect * from {{ source('raw', 'orders') }}\n{% endsnapshot %}\r\n\r\n{%- snapshot b -%}x{% endsnapshot %}"
	blocks, diags := ExtractBlocks(src, "snapshot")
	if len(diags) != 0 || len(blocks) != 2 {
		t.Fatalf("%+v %+v", blocks, diags)
	}
	b := blocks[0]
	if b.Name != "orders_snap" || src[b.BodyStart:b.BodyStart+len(b.Body)] != b.Body || !strings.HasPrefix(b.Body, "\n{{ config") || b.Pos.Line != 1 {
		t.Errorf("block 0: %+v", b)
	}
	if blocks[1].Name != "b" || blocks[1].Body != "x" || blocks[1].Pos.Line != 6 || src[blocks[1].End-2:blocks[1].End] != "%}" {
		t.Errorf("block 1: %+v", blocks[1])
	}
	if _, diags := ExtractBlocks("{% snapshot x %}no end", "snapshot"); len(diags) != 1 {
		t.Errorf("unclosed block: %+v", diags)
	}
}

func TestMissingDbtUtilsFallbacks(t *testing.T) {
	env := testEnv(t, nil)
	src := "select {{ dbt_utils.star(ref('a')) }}, {{ dbt_utils.star(from=ref('a'), relation_alias='t') }}, {{ dbt_utils.star(ref('a'), 'u', ['x', 'y']) }}, {{ dbt_utils.star(ref('a'), prefix='p_') }},\n" +
		"{{ dbt_utils.generate_surrogate_key(['id', 'day']) }} as sk,\n" +
		"{{ dbt_utils.safe_divide('a', 'b') }} as r, {{ dbt_utils.type_string() }}\n{{ dbt_utils.group_by(2) }}\n{{ dbt_utils.pivot('x', []) }}"
	res := render(t, env, src)
	want := "select *, t.*, u.* exclude (x, y), ,\n" +
		"md5(cast(coalesce(cast(id as TEXT), '_dbt_utils_surrogate_key_null_') || '-' || coalesce(cast(day as TEXT), '_dbt_utils_surrogate_key_null_') as TEXT)) as sk,\n" +
		"( a ) / nullif( ( b ), 0) as r, TEXT\ngroup by 1,2\n"
	if res.Output != want {
		t.Errorf("output\n got: %q\nwant: %q", res.Output, want)
	}
	w := warnings(res, "unknown-macro")
	if len(w) != 6 || !strings.Contains(w[0].Message, "without a warehouse") || !strings.Contains(w[5].Message, "dbt_utils.pivot' is not defined (is a package missing?); rendered as empty") {
		t.Errorf("warnings: %+v", w)
	}
	if len(res.Refs) != 4 {
		t.Errorf("refs: %+v", res.Refs)
	}
}

func TestMissingDbtUtilsSlugify(t *testing.T) {
	env := testEnv(t, nil)
	res := render(t, env, "select a as {{ dbt_utils.slugify('Count Events' ~ '_daily') }}, b as {{ dbt_utils.slugify(string='7-day / total') }}")
	if want := "select a as count_events_daily, b as _7_day__total"; res.Output != want {
		t.Errorf("output\n got: %q\nwant: %q", res.Output, want)
	}
}

func TestMissingDbtUtilsFilteredColumns(t *testing.T) {
	env := testEnv(t, nil)
	src := "{% set cols = dbt_utils.get_filtered_columns_in_relation(from=ref('orders'), except=['NOTE']) %}" +
		"select {% for c in cols %}{{ c }}{% if not loop.last %}, {% endif %}{% endfor %} from {{ ref('orders') }}"
	cols := func(rel Relation) ([]Column, bool) {
		if rel.Identifier != "orders" {
			return nil, false
		}
		return []Column{{Name: "id"}, {Name: "note"}, {Name: "amount"}}, true
	}
	// Parsing without columns: dbt_utils returns '' before it would ask the warehouse, but
	// the render is marked as one whose select list depends on another relation's columns.
	res := render(t, env, src)
	if res.Output != "select  from orders" || !res.AskedColumns {
		t.Errorf("without columns: %q asked=%v", res.Output, res.AskedColumns)
	}
	res = render(t, env, src, func(in *Input) { in.Resolver = fakeResolver{}; in.Columns = cols })
	if !strings.HasPrefix(res.Output, "select id, amount from ") {
		t.Errorf("with columns: %q", res.Output)
	}
	w := warnings(res, "unknown-macro")
	if len(w) != 1 || !strings.Contains(w[0].Message, "dbt_utils.get_filtered_columns_in_relation") || !strings.Contains(w[0].Message, "without a warehouse") {
		t.Errorf("warnings: %+v", w)
	}
	res = render(t, env, "{{ dbt_utils.get_filtered_columns_in_relation(ref('orders')) | length }}", func(in *Input) { in.Execute = true })
	if res.Output != "0" {
		t.Errorf("executing with no columns known: %q", res.Output)
	}
}

func TestMemoryBudget(t *testing.T) {
	env := testEnv(t, func(o *Options) {
		o.Limits = &Limits{MaxOutput: 1 << 16, MaxSteps: 1 << 20, MaxRangeItems: 1 << 16, MaxDepth: 20, MaxTime: 5 * time.Second}
	})
	for _, src := range []string{
		"{% set l = [] %}{% set s = 'x' * 60000 %}{% for i in range(60000) %}{% do l.append(s ~ i) %}{% endfor %}",
		"{{ ([1] * 10**6) | length }}",
		"{% set ns = namespace(l=[1]) %}{% for i in range(40) %}{% set ns.l = ns.l + ns.l %}{% endfor %}",
	} {
		res := render(t, env, src)
		if len(warnings(res, "resource-limit")) == 0 {
			t.Errorf("%q: no resource-limit warning (%+v)", src, res.Warnings)
		}
	}
}

func TestColumnsHook(t *testing.T) {
	env := testEnv(t, nil)
	cols := func(rel Relation) ([]Column, bool) {
		if rel.Identifier != "orders" {
			return nil, false
		}
		return []Column{{Name: "id", DataType: "integer"}, {Name: "note", DataType: "varchar(10)"}}, true
	}
	src := "{% for c in adapter.get_columns_in_relation(ref('orders')) %}{{ c.name }}:{{ c.data_type }}:{{ c.is_string() }}:{{ c.quoted }},{% endfor %}" +
		"{{ adapter.get_columns_in_relation(ref('other')) | length }}{{ utils.star(from=ref('orders')) }}"
	res := render(t, env, src, func(in *Input) { in.Resolver = fakeResolver{}; in.Columns = cols })
	if res.Output != `id:integer:False:"id",note:varchar(10):True:"note",0*` {
		t.Errorf("%q %+v", res.Output, res.Warnings)
	}
	if !res.AskedColumns {
		t.Error("AskedColumns not set by a render that listed columns")
	}
	res = render(t, env, "{{ adapter.get_columns_in_relation(ref('orders')) | length }}")
	if res.Output != "0" || !res.AskedColumns {
		t.Errorf("without the hook: %q asked=%v", res.Output, res.AskedColumns)
	}
	if res = render(t, env, "select {{ utils.star(from=ref('orders')) }} from {{ ref('orders') }}"); res.AskedColumns {
		t.Error("AskedColumns set by a render that did not ask (star returns * when not executing)")
	}
}

func TestGenerateSchemaNameForEnvOnProd(t *testing.T) {
	env := testEnv(t, func(o *Options) { o.Target = map[string]any{"name": "prod", "schema": "analytics"} })
	res := render(t, env, "{{ generate_schema_name_for_env(' stg ', none) }} {{ generate_schema_name_for_env(none, none) }}")
	if res.Err != nil || res.Output != "stg analytics" {
		t.Fatalf("got %q, %v; want the custom schema as is on prod and the target schema without one", res.Output, res.Err)
	}
}

// A short template is compiled once and rendered with each render's own globals.
func TestShortTemplateKeptAcrossRenders(t *testing.T) {
	env := testEnv(t, nil)
	for _, v := range []string{"one", "two", "one"} {
		res := env.Render(Input{Path: "call", Source: "{{ arg | upper }}", Globals: map[string]any{"arg": v}})
		if res.Err != nil || res.Output != strings.ToUpper(v) {
			t.Fatalf("render with %q: %q, %v", v, res.Output, res.Err)
		}
	}
	compiled := func() int {
		n := 0
		env.kept.Range(func(_, v any) bool {
			if _, ok := v.(*fileInfo); ok {
				n++
			}
			return true
		})
		return n
	}
	if n := compiled(); n != 1 {
		t.Errorf("kept %d compiled templates, want 1", n)
	}
	// A short template rendered once is not kept compiled.
	if res := env.Render(Input{Path: "once", Source: "{{ 1 + 1 }}"}); res.Output != "2" {
		t.Fatalf("once: %q", res.Output)
	}
	if n := compiled(); n != 1 {
		t.Errorf("after a template rendered once: kept %d compiled templates, want 1", n)
	}
	long := strings.Repeat("x", keptSourceMax+1)
	if res := env.Render(Input{Path: "long", Source: long}); res.Output != long {
		t.Fatalf("long template: %q", res.Output)
	}
	if _, ok := env.kept.Load(keptKey{"long", "", long}); ok || compiled() != 1 {
		t.Error("a template over keptSourceMax was kept")
	}
}

// A column whose type the columns hook does not know has UnknownType as its data_type, so a
// macro that casts to each column's type (dbt_utils.union_relations) still writes SQL.
func TestColumnOfUnknownTypeHasAPlaceholderType(t *testing.T) {
	env := testEnv(t, nil)
	src := "{% for c in adapter.get_columns_in_relation(ref('orders')) %}cast(null as {{ c.data_type }}) as {{ c.name }} {% endfor %}"
	cols := func(rel Relation) ([]Column, bool) {
		return []Column{{Name: "id", DataType: "bigint"}, {Name: "note"}}, true
	}
	res := render(t, env, src, func(in *Input) { in.Resolver = fakeResolver{}; in.Columns = cols; in.Execute = true })
	if want := "cast(null as bigint) as id cast(null as " + UnknownType + ") as note "; res.Output != want {
		t.Errorf("got %q, want %q", res.Output, want)
	}
}

// SQL Server (and Fabric and Synapse, which inherit from it) get its adapter's SQL and type
// labels from dbt's cross-database macros.
func TestCrossDatabaseSQLServer(t *testing.T) {
	for _, adapter := range []string{"sqlserver", "synapse"} {
		env := testEnv(t, func(o *Options) { o.Adapter = adapter })
		res := render(t, env, "{{ dbt.type_string() }}|{{ dbt.type_boolean() }}|{{ dbt.hash('x') }}|{{ dbt.current_timestamp() }}")
		want := "VARCHAR(8000)|bit|convert(varchar(50), hashbytes('md5', coalesce(convert(varchar(8000), x), '')), 2)|cast(sysdatetime() as datetime2(6))"
		if res.Output != want {
			t.Errorf("%s: %q, want %q", adapter, res.Output, want)
		}
	}
}

// A ref used as a dict key comes back as its string, quoted as the project's quoting config
// says ("DB".int_product.orders): the relation asked about is read from that string, parts
// unquoted, not taken whole as a table name.
func TestFilteredColumnsOfARelationReadBackFromItsString(t *testing.T) {
	env := testEnv(t, nil)
	src := "{% set models = {'\"DB\".int_product.orders': 'o'} %}{% for m in models.keys() %}" +
		"{% set cols = dbt_utils.get_filtered_columns_in_relation(from=m) %}" +
		"select {% for c in cols %}{{ c }}{% if not loop.last %}, {% endif %}{% endfor %}{% endfor %}"
	var asked []Relation
	cols := func(rel Relation) ([]Column, bool) {
		asked = append(asked, rel)
		if rel != (Relation{Database: "DB", Schema: "int_product", Identifier: "orders"}) {
			return nil, false
		}
		return []Column{{Name: "id"}, {Name: "amount"}}, true
	}
	res := render(t, env, src, func(in *Input) { in.Resolver = fakeResolver{}; in.Columns = cols })
	if res.Output != "select id, amount" {
		t.Errorf("output %q, relations asked %+v", res.Output, asked)
	}
	for s, want := range map[string]Relation{
		"orders":                  {Identifier: "orders"},
		"analytics.orders":        {Schema: "analytics", Identifier: "orders"},
		"`p`.`d`.`t`":             {Database: "p", Schema: "d", Identifier: "t"},
		`"DB"."My.Schema".orders`: {Database: "DB", Schema: "My.Schema", Identifier: "orders"},
	} {
		if got := relationFromString(s); got != want {
			t.Errorf("relationFromString(%q) = %+v, want %+v", s, got, want)
		}
	}
}

// A render is marked as reading the clock when a function of modules gave it the time, itself
// or in a macro it called; a template that only names one in a branch not taken reads nothing,
// and its output is the same on the next run.
func TestReadClock(t *testing.T) {
	env := testEnv(t, func(o *Options) {
		o.MacroFiles = append(o.MacroFiles, MacroFile{Package: "shop", Path: "macros/since.sql", Source: `{% macro since(ci) %}{% if ci %}{{ (modules.datetime.date.today() - modules.datetime.timedelta(days=14)).strftime('%Y-%m-%d') }}{% else %}2024-07-15{% endif %}{% endmacro %}`})
	})
	today := time.Now().Format("2006-01-02")
	for _, c := range []struct {
		src   string
		clock bool
	}{
		{"{{ modules.datetime.date.today() }}", true},
		{"{{ modules.datetime.datetime.now().year }}", true},
		{"{{ modules.datetime.datetime.utcnow() }}", true},
		{"{{ modules.datetime.datetime.today() }}", true},
		{"{{ modules.time.time() > 0 }}", true},
		{"{{ since(true) }}", true},
		{"{{ since(false) }}", false},
		{"{% if false %}{{ modules.datetime.datetime.now() }}{% endif %}x", false},
		{"{{ modules.datetime.date(2024, 1, 2) }}", false},
	} {
		res := render(t, env, c.src)
		if res.Err != nil {
			t.Fatalf("%s: %v", c.src, res.Err)
		}
		if res.ReadClock != c.clock {
			t.Errorf("%s: ReadClock %v, want %v (output %q)", c.src, res.ReadClock, c.clock, res.Output)
		}
	}
	if res := render(t, env, "{{ modules.datetime.date.today() }}"); res.Output != today {
		t.Errorf("date.today() gave %q, want %q", res.Output, today)
	}
}

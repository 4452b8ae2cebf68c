package jinja

import (
	"strings"
	"testing"
	"time"
)

// FuzzRender renders arbitrary text: it must never panic or hang, Output must always be set
// (the raw source when the template cannot be parsed), and the offset map must describe the
// output. Seeds are in testdata/fuzz/FuzzRender.
func FuzzRender(f *testing.F) {
	for _, s := range []string{
		mapModel,
		"{{ ref('a') }}{{ source('s', 't') }}{{ config(x=1) }}",
		"{% macro m(a, b=[1, {'k': (1 if x else 2)}]) %}{{ caller() }}{% endmacro %}{% call m(1) %}x{% endcall %}",
		"{% for a, b, c in x %}{% set p, q = a %}{% endfor %}",
		"{% for (a, b) in x %}{{ a }}{% endfor %}{% for (a in x %}{% endfor %}",
		"{{ '%s' % x }}{{ 'a' * 3 }}{{ x|lower in y|map('upper') }}",
		"{% raw %}{{{% endraw %}{# c #}{%- if x -%}{{- y -}}{%- endif -%}",
		"{{ dbt_utils.star(from=ref('x'), except=[1,]) }}",
		"{% import 'macros/money.sql' as m %}{{ m.cents_to_dollars(1) }}",
		"\r\n{{ x }}\r\n{%- set y = 1 -%}\r",
	} {
		f.Add(s)
	}
	env := testEnv(f, func(o *Options) {
		o.Limits = &Limits{MaxOutput: 1 << 16, MaxSteps: 20000, MaxRangeItems: 20000, MaxDepth: 30, MaxTime: 2 * time.Second}
	})
	f.Fuzz(func(t *testing.T, src string) {
		res := env.Render(Input{Path: "models/fuzz.sql", Source: src, Package: "shop", Name: "fuzz"})
		if res == nil || res.Map == nil {
			t.Fatal("no result")
		}
		if res.Err != nil && strings.Contains(res.Err.Error(), "internal error") {
			t.Fatalf("internal error on %q: %v", src, res.Err)
		}
		if res.Err != nil && res.Output != src {
			t.Fatalf("a failed render must return the raw source")
		}
		checkMap(t, src, res)
	})
}

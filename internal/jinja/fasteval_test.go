package jinja

import (
	"fmt"
	"testing"
)

// eval gives what gonja's evaluator gives, values and messages alike: every expression is
// rendered printed, as a condition and through a set, once with eval and once with gonja's
// evaluator alone.
func TestEvalAsGonja(t *testing.T) {
	exprs := []string{
		`a == b`, `a != b`, `a == 1`, `1 < 2`, `2 <= 2`, `3 > 2.5`, `'a' < 'b'`, `'b' >= 'a'`, `1 < 'a'`, `none == none`,
		`a in l`, `'k' in d`, `'z' in d`, `'x' in 'xyz'`, `l == [1, 2]`, `d == {'k': 'v'}`,
		`a and b`, `'' and 'x'`, `'' or 'fb'`, `0 or none`, `l and d`, `none or undefined_name`,
		`not a`, `not ''`, `not not l`, `cents_to_dollars and 1`, `not cents_to_dollars`, `undefined_name or 'x'`,
		`d.k`, `d.missing`, `d.k.upper()`, `l[0]`, `l[5]`, `{'a': 1}.a`, `{'a': [1, 2]}.a[1]`, `m.nested.deep`,
		`d.get('k')`, `d.items() | list`, `l | length > 1`, `x is none and a`, `(a == 1) == true`,
		`cents_to_dollars('c', scale=3)`, `cents_to_dollars(scale=1, col='x')`, `columns()[1]`,
		`undefined_name.attr`, `undefined_name()`, `a.b.c()`, `l.nope()`, `d.update(1, 2, 3)`, `'a' + 1`,
		`(1 / 0) == 1`, `1 == (d.k.nope())`, `[1, d.missing] == [1, none]`, `range(3) == [0, 1, 2]`,
		`'%s-%s' % (a, b) == '1-2'`, `a ~ b ~ l`, `[a, [b, {'x': l}]]`, `{'k': none, 'j': [none]}`,
		`'a,b'.split(',')`, `d.get('zz', 'dflt')`, `'x'.replace('x', 'y')`, `l.index(2)`, `namespace(v=1).v`,
		`d.items()`, `d.keys() | list`, `'{}-{}'.format(a, b=2)`, `cents_to_dollars.nope`, `l.append(undefined_name.x.y)`,
		`d is mapping`, `x is none`, `x is not none`, `d.k is string and not (l is string)`, `undefined_name.x is defined`,
		`l | length`, `d.k | upper | lower`, `l | join(',')`, `l | nosuchfilter`, `undefined_name.x | default('dv')`, `d | tojson`,
		`l is divisibleby(d.k)`, `x is nosuchtest`, `l | map('nosuch') | list`,
		`d.get(*['k'])`, `cents_to_dollars(**{'col': 'c'})`, `(1).real`, `'ab'.upper`, `l.pop`,
	}
	globals := map[string]any{"a": 1, "b": 2, "l": []any{1, 2}, "d": map[string]any{"k": "v"},
		"m": map[string]any{"nested": map[string]any{"deep": "yes"}}, "x": nil}
	e := testEnv(t, nil)
	render := func(src string) string {
		res := e.Render(Input{Path: "models/x.sql", Source: src, Package: "shop", Name: "x", Resolver: fakeResolver{}, Globals: globals})
		return fmt.Sprintf("%q err=%v warnings=%v", res.Output, res.Err, res.Warnings)
	}
	defer func() { directEval = true }()
	for _, x := range exprs {
		for _, src := range []string{"{{ " + x + " }}", "{% if " + x + " %}T{% else %}F{% endif %}", "{% set v = " + x + " %}{{ v }}", "{% do " + x + " %}."} {
			directEval = true
			got := render(src)
			directEval = false
			want := render(src)
			if got != want {
				t.Errorf("%s:\n got %s\nwant %s", src, got, want)
			}
		}
	}
}

package jinja

import "testing"

// A macro is true, as a Python function is; a name no package defines is not.
func TestMacroTruth(t *testing.T) {
	env := testEnv(t, nil)
	for _, c := range []struct{ src, want string }{
		// dbt code picks the macro that exists: the first true one.
		{`{% set m = dbt.current_timestamp_backcompat or nope.current_timestamp %}{% if not m %}none{% else %}{{ m() }}{% endif %}`, "current_timestamp::timestamp"},
		{`{% set m = nope.current_timestamp or cents_to_dollars %}{{ m('x') }}`, "round(x / 100.0, 2)"},
		{`{% if cents_to_dollars %}yes{% endif %}|{% if nope.x %}yes{% else %}no{% endif %}`, "yes|no"},
		{`{% if false %}a{% elif utils.greet %}b{% endif %}`, "b"},
		{`{{ (cents_to_dollars and 'both') }}|{{ (nope.x and 'both') is none }}|{{ not cents_to_dollars }}|{{ not nope.x }}`, "both|False|False|True"},
		{`{{ 'shown' if cents_to_dollars }}`, "shown"},
		{`{% for f in [cents_to_dollars, nope.x] if f %}{{ loop.index }}{% endfor %}`, "1"},
		// Values that are not functions keep their truth and come back as themselves.
		{`{{ '' or 'fallback' }}|{{ 'a' and 'b' }}|{{ [] or [1] }}|{{ not '' }}`, "fallback|b|[1]|True"},
	} {
		res := render(t, env, c.src)
		if res.Output != c.want || res.Err != nil {
			t.Errorf("%s\n got %q (err %v, warnings %+v), want %q", c.src, res.Output, res.Err, res.Warnings, c.want)
		}
	}
}

// String literals written one after the other are one string, as in Jinja (and Python).
func TestAdjacentStringLiterals(t *testing.T) {
	env := testEnv(t, nil)
	res := render(t, env, "{% set name = 'x' %}{% set cmd = \"run \"\"\"~ name ~\"\"\" now\" %}{{ cmd }}|{{ 'a' \"b\" 'c' }}|{{ ['p' 'q', 'r'] }}")
	if res.Output != "run x now|abc|['pq', 'r']" || res.Err != nil {
		t.Errorf("got %q (err %v, warnings %+v)", res.Output, res.Err, res.Warnings)
	}
	res = render(t, env, "select 1\n{{ 'a' 'b' + }}")
	if w := warnings(res, "syntax"); len(w) != 1 || w[0].Pos.Line != 2 {
		t.Errorf("a syntax error after joined strings keeps its line: %+v", res.Warnings)
	}
}

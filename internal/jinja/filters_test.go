package jinja

import "testing"

// Jinja's string filters call str() on what they are given; a number or a missing value
// piped through trim must not fail the render.
func TestStringFiltersTakeAnyValue(t *testing.T) {
	env := testEnv(t, nil)
	rendersAs(t, env, []renderCase{
		{"{{ 5 | trim }}", "5"},
		{"{% set b = 17 %}{% if b is not none and b | trim != '' %}after {{ b }}{% endif %}", "after 17"},
		{"{{ nothing_here | trim }}|", "|"},
		{"{{ 3 | indent(2) }}", "3"},
		{"{{ 1.5 | upper }}", "1.5"},
		{"{{ '  x ' | trim }}", "x"},
		{"{{ 7 | int + 1 }}", "8"},
	})
}

// A filter after a test applies to the test's result: `x is not none | string` is
// `(x is not none) | string`, as in a property file's `enabled: "{{ var('v') is not true | as_bool }}"`.
func TestFilterAfterTest(t *testing.T) {
	env := testEnv(t, nil)
	rendersAs(t, env, []renderCase{
		{"{{ 1 is not none | string }}", "True"},
		{"{{ none is not none | string | lower }}", "false"},
		{"{% set d = {'k': 2} %}{{ d.k is divisibleby(2) | string }}", "True"},
		{"{{ x.y is defined | string }}", "False"},
		{"{% if 3 is number | string == 'True' %}yes{% endif %}", "yes"},
	})
}

// as_bool after config(), as packages write a model's first line, adds nothing to the SQL:
// config gives an empty string and dbt prints a marked empty string as it is.
func TestAsBoolAfterConfig(t *testing.T) {
	env := testEnv(t, nil)
	rendersAs(t, env, []renderCase{
		{"{{ config(enabled=var('off_by_default', false)) | as_bool }}\nselect 1", "\nselect 1"},
		{"{{ '' | as_bool }}|{{ 'false' | as_bool }}|{{ (1 == 1) | as_bool }}", "|False|True"},
	})
}

type renderCase struct{ src, want string }

// rendersAs renders each case's source in env and compares the output.
func rendersAs(t *testing.T, env *Env, cases []renderCase) {
	t.Helper()
	for _, c := range cases {
		res := render(t, env, c.src)
		if res.Err != nil {
			t.Errorf("%s: %v", c.src, res.Err)
			continue
		}
		if res.Output != c.want {
			t.Errorf("%s: got %q, want %q", c.src, res.Output, c.want)
		}
	}
}

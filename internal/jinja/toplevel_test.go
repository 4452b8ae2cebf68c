package jinja

import (
	"strings"
	"testing"
)

// A macro file is cut into its top-level blocks before Jinja sees it, as dbt does: banner
// lines such as `{% ### %}` or `{% # note %}` between macros, which Jinja itself rejects, cost
// no macro, and positions inside the blocks stay those of the file.
func TestMacroFileTextBetweenBlocks(t *testing.T) {
	src := "{% macro a() %}A{% endmacro %}\n\n" +
		"{% ############################ %}\n" +
		"{% # a note, not a tag %}\n" +
		"{{ stray( }}\n" +
		"{% set ignored = 1 %}\n" +
		"{%- macro b(x='{% endmacro %}') -%}\n" +
		"B{{ x }}\n" +
		"{%- endmacro %}\n" +
		"{% test ok(model) %}select 1{% endtest %}\n"
	env := testEnv(t, func(o *Options) {
		o.MacroFiles = append(o.MacroFiles, MacroFile{Package: "shop", Path: "macros/banner.sql", Source: src})
	})
	lines := map[string]int{}
	for _, m := range env.Macros() {
		if m.Path == "macros/banner.sql" {
			lines[m.Name] = m.Line
		}
	}
	if lines["a"] != 1 || lines["b"] != 7 || lines["test_ok"] != 10 || len(lines) != 3 {
		t.Fatalf("macros and lines: %v", lines)
	}
	if res := render(t, env, "{{ a() }}{{ b('y') }}"); res.Output != "ABy" || res.Err != nil {
		t.Errorf("output %q err %v warnings %+v", res.Output, res.Err, res.Warnings)
	}
}

// A syntax error inside a block is still reported at its place in the file.
func TestMacroFileSyntaxErrorPosition(t *testing.T) {
	src := "{% # banner %}\n{% macro a() %}\nselect {{ 1 + }}\n{% endmacro %}\n"
	_, diags := New(Options{RootPackage: "shop", Adapter: "postgres",
		MacroFiles: []MacroFile{{Package: "shop", Path: "macros/bad.sql", Source: src}}})
	if len(diags) != 1 || diags[0].Path != "macros/bad.sql" || diags[0].Pos.Line != 3 || diags[0].Pos.Column < 12 {
		t.Fatalf("diagnostics: %+v", diags)
	}
}

func TestMaskTopLevel(t *testing.T) {
	for _, c := range []struct {
		src, want string
		ok        bool
	}{
		{"x{% macro a() %}{{ '}}' }}{% endmacro %}y", " {% macro a() %}{{ '}}' }}{% endmacro %} ", true},
		{"{# {% macro no() %} #}\n{% raw %}{% macro no() %}{% endraw %}", blanks(22) + "\n" + blanks(37), true},
		{"é{% # n %}\r\n{%- test t() -%}1{%- endtest -%}", blanks(len("é{% # n %}")) + "\r\n{%- test t() -%}1{%- endtest -%}", true},
		{"{% macro a() %}unclosed", "{% macro a() %}unclosed", false},
		{"{{ 'open", "{{ 'open", false},
	} {
		got, ok := maskTopLevel(c.src)
		if got != c.want || ok != c.ok || len(got) != len(c.src) {
			t.Errorf("maskTopLevel(%q) = %q, %v; want %q, %v", c.src, got, ok, c.want, c.ok)
		}
	}
}

func blanks(n int) string { return strings.Repeat(" ", n) }

package templating

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dataops-dev/dataops/internal/lint"
)

func configFor(t *testing.T, body string) *lint.Config {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, ".sqlfluff"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := lint.NewConfigLoader(dir, nil).ForDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestSQLFluffBuiltins(t *testing.T) {
	// Macro folders resolve inside the working directory (the project being linted).
	work := t.TempDir()
	t.Chdir(work)
	macros := filepath.Join(work, "macros")
	if err := os.Mkdir(macros, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(macros, "m.sql"), []byte("{% macro cents(x) %}({{ x }} / 100){% endmacro %}"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := configFor(t, "[sqlfluff]\ndialect = ansi\n[sqlfluff:templater:jinja]\napply_dbt_builtins = True\nload_macros_from_path = "+macros+"\n")
	src := "select {{ cents('amount') }} as a\nfrom {{ ref('orders') }}\njoin {{ source('shop', 'payments') }} using (id)\n{% if is_incremental() %}where x > 1{% endif %}\n"
	r := New().Render("m.sql", src, cfg)
	if r.Failed {
		t.Fatalf("render failed: %v", r.Problems)
	}
	want := "select (amount / 100) as a\nfrom orders\njoin shop_payments using (id)\nwhere x > 1\n"
	if r.Output != want {
		t.Errorf("output:\n%q\nwant\n%q", r.Output, want)
	}
	// "from " is literal text: its rendered offset maps back to the same source offset.
	out := strings.Index(r.Output, "from ")
	in := strings.Index(src, "from ")
	found := false
	for _, s := range r.Map {
		if s.Literal && out >= s.Out && out < s.Out+s.Len {
			found = true
			if s.Src+out-s.Out != in {
				t.Errorf("maps to %d, want %d", s.Src+out-s.Out, in)
			}
		}
	}
	if !found {
		t.Error("literal text not in a literal segment")
	}
}

func TestRawAndUnsupportedTemplaters(t *testing.T) {
	src := "select {{ x }}\n"
	if r := New().Render("a.sql", src, configFor(t, "[sqlfluff]\ntemplater = raw\n")); r.Output != src {
		t.Errorf("raw templater changed the text: %q", r.Output)
	}
	r := New().Render("a.sql", src, configFor(t, "[sqlfluff]\ntemplater = python\n"))
	if r.Output != src || len(r.Problems) == 0 {
		t.Errorf("python templater must lint as written and say so: %+v", r)
	}
	r = New().Render("a.sql", "select * from {{ ref('x') }}\n", configFor(t, "[sqlfluff]\ntemplater = dbt-cloud\n"))
	if r.Output != "select * from x\n" || len(r.Problems) != 0 {
		t.Errorf("dbt-cloud is rendered as dbt: %+v", r)
	}
	r = New().Render("a.sql", "select 1\n", configFor(t, "[sqlfluff:templater:jinja]\nlibrary_path = /tmp/lib\n"))
	if r.Output != "select 1\n" {
		t.Errorf("output %q", r.Output)
	}
	// A configuration's problem is said once, with the first file rendered, not with every file.
	tp, cfg := New(), configFor(t, "[sqlfluff:templater:jinja]\nlibrary_path = /tmp/lib\n")
	var said []string
	for _, f := range []string{"a.sql", "b.sql", "c.sql"} {
		said = append(said, tp.Render(f, "select {{ 1 }}\n", cfg).Problems...)
	}
	if len(said) != 1 || !strings.Contains(said[0], "library_path is ignored") {
		t.Errorf("problems = %q, want library_path once", said)
	}
}

func TestContextVariables(t *testing.T) {
	cfg := configFor(t, "[sqlfluff]\ndialect = ansi\n[sqlfluff:templater:jinja:context]\nmy_table = real_table\nlimit_rows = 10\n")
	src := "select *\nfrom {{ my_table }}\nlimit {{ limit_rows }}\n"
	r := New().Render("m.sql", src, cfg)
	if r.Output != "select *\nfrom real_table\nlimit 10\n" {
		t.Fatalf("output %q (%v)", r.Output, r.Problems)
	}
	// Offsets still point into the file as written.
	for _, s := range r.Map {
		if s.Literal && src[s.Src:s.Src+s.Len] != r.Output[s.Out:s.Out+s.Len] {
			t.Errorf("segment %+v maps %q to %q", s, r.Output[s.Out:s.Out+s.Len], src[s.Src:s.Src+s.Len])
		}
	}
}

// TestMacroPathOutsideRefused: load_macros_from_path is configuration a pull request writes;
// a folder outside the working directory, or a link out of it, reads nothing.
func TestMacroPathOutsideRefused(t *testing.T) {
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "m.sql"), []byte("{% macro leak() %}outside-secret{% endmacro %}"), 0o644); err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	t.Chdir(work)
	if err := os.Mkdir(filepath.Join(work, "macros"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "m.sql"), filepath.Join(work, "macros", "link.sql")); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{outside, "../" + filepath.Base(outside), "macros"} {
		cfg := configFor(t, "[sqlfluff]\ndialect = ansi\n[sqlfluff:templater:jinja]\nload_macros_from_path = "+p+"\n")
		r := New().Render("m.sql", "select '{{ leak() }}' as a\n", cfg)
		if strings.Contains(r.Output, "outside-secret") {
			t.Errorf("load_macros_from_path = %s: a macro from outside rendered", p)
		}
		if !strings.Contains(strings.Join(r.Problems, "\n"), "leads outside the project") {
			t.Errorf("load_macros_from_path = %s: no problem reported: %v", p, r.Problems)
		}
	}
}

// TestOwnMacroPathOutside: the user's own configuration names a macro folder anywhere, as
// SQLFluff reads it; a link out of that folder still reads nothing.
func TestOwnMacroPathOutside(t *testing.T) {
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "audit.sql"), []byte("{% macro audit(cte_ref) %}select * from {{ cte_ref }}{% endmacro %}"), 0o644); err != nil {
		t.Fatal(err)
	}
	further := t.TempDir()
	if err := os.WriteFile(filepath.Join(further, "x.sql"), []byte("{% macro leak() %}further-secret{% endmacro %}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(further, "x.sql"), filepath.Join(outside, "link.sql")); err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir())
	cfg := configFor(t, "[sqlfluff]\ndialect = ansi\n[sqlfluff:templater:jinja]\nload_macros_from_path = "+outside+"\n")
	tp := New()
	tp.OwnMacroPaths = true
	r := tp.Render("m.sql", "with final as (select 1 as a)\n{{ audit(cte_ref='final') }}\n", cfg)
	if !strings.Contains(r.Output, "select * from final") {
		t.Errorf("the macro from the configured folder did not render: %q %v", r.Output, r.Problems)
	}
	r = tp.Render("n.sql", "select '{{ leak() }}' as a\n", cfg)
	if strings.Contains(r.Output, "further-secret") {
		t.Errorf("a link out of the configured folder was read: %q", r.Output)
	}
}

// TestSQLFluffVar: SQLFluff 1.4.5's dbt builtins define var as `lambda variable, default="":
// "item"`, so a var() guarding a branch is true and one looped over gives the letters of
// "item": those bodies are linted there, and must be here.
func TestSQLFluffVar(t *testing.T) {
	src := "select\n    a\n    {% if var('with_b', false) %}, b{% endif %}\n" +
		"    {% for p in var('props', []) %}, c_{{ p }}{% endfor %}\n    , '{{ var('ctx_var') }}' as v\nfrom t\n"
	for _, tc := range []struct {
		name, cfg, want string
	}{
		{"dbt builtins", "[sqlfluff:templater:jinja]\napply_dbt_builtins = True\n[sqlfluff:templater:jinja:context]\nctx_var = x\n",
			"select\n    a\n    , b\n    , c_i, c_t, c_e, c_m\n    , 'item' as v\nfrom t\n"},
		// Without the builtins var() is the templater's own: the default, or a context value.
		{"no dbt builtins", "[sqlfluff:templater:jinja]\napply_dbt_builtins = False\n[sqlfluff:templater:jinja:context]\nctx_var = x\n",
			"select\n    a\n    \n    \n    , 'x' as v\nfrom t\n"},
		// The dbt templater runs dbt: var() reads the vars, then the default.
		{"dbt templater", "templater = dbt\n[sqlfluff:templater:jinja:context]\nctx_var = x\n",
			"select\n    a\n    \n    \n    , 'x' as v\nfrom t\n"},
	} {
		r := New().Render("m.sql", src, configFor(t, "[sqlfluff]\ndialect = ansi\n"+tc.cfg))
		if r.Failed || r.Output != tc.want {
			t.Errorf("%s: output %q, want %q (%v)", tc.name, r.Output, tc.want, r.Problems)
		}
	}
	if Var(configFor(t, "[sqlfluff]\ndialect = ansi\n")) == nil {
		t.Error("SQLFluff's defaults (jinja templater, dbt builtins) give no var() builtin")
	}
	// A context variable named var takes the builtin's place, as SQLFluff fills only the
	// names its context leaves free.
	cfg := configFor(t, "[sqlfluff]\ndialect = ansi\n[sqlfluff:templater:jinja:context]\nvar = fixed\n")
	if r := New().Render("m.sql", "select '{{ var }}' as v\n", cfg); r.Output != "select 'fixed' as v\n" {
		t.Errorf("context var: %q (%v)", r.Output, r.Problems)
	}
}

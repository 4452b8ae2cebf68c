package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

type lintReport []struct {
	Filepath   string `json:"filepath"`
	Violations []struct {
		Line int    `json:"start_line_no"`
		Pos  int    `json:"start_line_pos"`
		Code string `json:"code"`
		Name string `json:"name"`
	} `json:"violations"`
}

func lintCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func lintDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func codesByLine(rep lintReport) map[string]bool {
	out := map[string]bool{}
	for _, f := range rep {
		for _, v := range f.Violations {
			out[filepath.Base(f.Filepath)+":"+strconv.Itoa(v.Line)+":"+v.Code] = true
		}
	}
	return out
}

const lintConfig = "[sqlfluff]\ndialect = snowflake\ntemplater = jinja\n\n[sqlfluff:templater:jinja]\napply_dbt_builtins = True\n\n[sqlfluff:rules:LT05]\nmax_line_length = 60\n"

func TestLintCommandJSON(t *testing.T) {
	dir := lintDir(t, map[string]string{
		".sqlfluff":  lintConfig,
		"orders.sql": "{{ config(materialized='table') }}\n\nselect\n    id,\n    amount\nFROM {{ ref('stg_orders') }}\n",
		"clean.sql":  "select\n    id,\n    amount\nfrom orders\n",
	})
	code, out, stderr := lintCLI(t, "lint", "--format", "json", filepath.Join(dir, "orders.sql"), filepath.Join(dir, "clean.sql"))
	if code != ExitFindings {
		t.Fatalf("exit %d, want 1; stderr %s", code, stderr)
	}
	var rep lintReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, out)
	}
	got := codesByLine(rep)
	if !got["orders.sql:6:CP01"] || len(rep) != 2 || len(rep[1].Violations) != 0 {
		t.Errorf("got %v", got)
	}
	if rep[0].Violations[0].Name != "capitalisation.keywords" {
		t.Errorf("name = %q", rep[0].Violations[0].Name)
	}
	// --exclude-rules with a legacy code, and a clean run exits 0.
	code, out, _ = lintCLI(t, "lint", "--format", "json", "--exclude-rules", "L010", filepath.Join(dir, "orders.sql"))
	if code != ExitOK || strings.Contains(out, "CP01") {
		t.Errorf("exit %d, out %s", code, out)
	}
	// --rules narrows to one rule by name.
	code, out, _ = lintCLI(t, "lint", "--format", "json", "--rules", "capitalisation.keywords", dir)
	if code != ExitFindings || !strings.Contains(out, "CP01") || strings.Contains(out, "LT01") {
		t.Errorf("exit %d, out %s", code, out)
	}
}

func TestLintCommandNoqaAndDirectives(t *testing.T) {
	dir := lintDir(t, map[string]string{
		".sqlfluff": lintConfig,
		"a.sql":     "-- sqlfluff:rules:LT05:max_line_length:200\nselect a_column_name_that_is_long, another_long_column_name from t\nSELECT 1 -- noqa: CP01\n",
	})
	code, out, _ := lintCLI(t, "lint", "--format", "json", "--rules", "LT05,CP01", filepath.Join(dir, "a.sql"))
	if code != ExitOK {
		t.Errorf("exit %d: %s", code, out)
	}
}

func TestLintCommandFix(t *testing.T) {
	src := "select\n    a,b\nFROM {{ ref('x') }}\n"
	dir := lintDir(t, map[string]string{".sqlfluff": lintConfig, "m.sql": src})
	path := filepath.Join(dir, "m.sql")
	code, _, stderr := lintCLI(t, "lint", "--fix", "--rules", "CP01,LT01", path)
	if code != ExitOK {
		t.Errorf("exit %d after fixing everything fixable; stderr %s", code, stderr)
	}
	got, _ := os.ReadFile(path)
	if string(got) != "select\n    a, b\nfrom {{ ref('x') }}\n" {
		t.Errorf("fixed file:\n%s", got)
	}
}

func TestLintCommandUsageErrors(t *testing.T) {
	dir := lintDir(t, map[string]string{".sqlfluff": "[sqlfluff]\nnot a setting\n", "a.sql": "select 1\n"})
	if code, _, stderr := lintCLI(t, "lint", filepath.Join(dir, "a.sql")); code != ExitUsage || !strings.Contains(stderr, ".sqlfluff:2") {
		t.Errorf("malformed config: exit %d, stderr %q", code, stderr)
	}
	if code, _, _ := lintCLI(t, "lint", "--format", "yaml", filepath.Join(dir, "a.sql")); code != ExitUsage {
		t.Errorf("bad format: exit %d", code)
	}
	if code, _, _ := lintCLI(t, "lint", "--rules", "XX99", filepath.Join(dir, "a.sql")); code != ExitUsage {
		t.Errorf("unknown rule: exit %d", code)
	}
	if code, _, _ := lintCLI(t, "lint", filepath.Join(dir, "missing.sql")); code != ExitUsage {
		t.Errorf("missing file: exit %d", code)
	}
}

// TestLintEngineSQLFluff runs Debian's real sqlfluff 1.4.5 and reads its legacy report.
func TestLintEngineSQLFluff(t *testing.T) {
	exe := os.Getenv("DATAOPS_TEST_SQLFLUFF")
	if exe == "" {
		exe = "/usr/bin/sqlfluff"
	}
	if _, err := os.Stat(exe); err != nil {
		t.Fatalf("the sqlfluff delegation test needs Debian's sqlfluff at %s (apt-get install sqlfluff): %v", exe, err)
	}
	dir := lintDir(t, map[string]string{".sqlfluff": "[sqlfluff]\ndialect = ansi\n", "a.sql": "select a\nFROM t\n"})
	code, out, stderr := lintCLI(t, "lint", "--engine", "sqlfluff", "--sqlfluff", exe, "--format", "json", "--rules", "CP01", filepath.Join(dir, "a.sql"))
	if code != ExitFindings {
		t.Fatalf("exit %d; stderr %s; out %s", code, stderr, out)
	}
	var rep lintReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	got := codesByLine(rep)
	if !got["a.sql:2:CP01"] {
		t.Errorf("got %v, want CP01 on line 2 (sqlfluff 1.x reports L010)", got)
	}
	if rep[0].Violations[0].Name != "capitalisation.keywords" {
		t.Errorf("name not filled from our registry: %q", rep[0].Violations[0].Name)
	}
	if code, _, _ := lintCLI(t, "lint", "--engine", "sqlfluff", "--sqlfluff", filepath.Join(dir, "nope"), filepath.Join(dir, "a.sql")); code != ExitInternal {
		t.Errorf("missing executable: exit %d", code)
	}
}

// TestLintDbtProject lints the example project's models with no path arguments.
func TestLintDbtProject(t *testing.T) {
	proj, err := filepath.Abs(filepath.Join("..", "..", "examples", "shop"))
	if err != nil {
		t.Fatal(err)
	}
	code, out, stderr := lintCLI(t, "lint", "--project", proj, "--format", "json")
	if code != ExitOK && code != ExitFindings {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rep lintReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if len(rep) == 0 {
		t.Fatal("no models linted")
	}
	for _, f := range rep {
		if !strings.HasSuffix(f.Filepath, ".sql") || !strings.Contains(f.Filepath, "models") {
			t.Errorf("unexpected file %s", f.Filepath)
		}
	}
}

// TestLintEngineSQLFluffRefusesLibraryPath: a pull request's .sqlfluff naming a library_path
// makes Debian's sqlfluff 1.4.5 (which has no --library-path option) import that package;
// dataops refuses the configuration before sqlfluff starts, so the package never runs.
func TestLintEngineSQLFluffRefusesLibraryPath(t *testing.T) {
	exe := "/usr/bin/sqlfluff"
	if _, err := os.Stat(exe); err != nil {
		t.Fatalf("needs Debian's sqlfluff at %s (apt-get install sqlfluff): %v", exe, err)
	}
	outside := t.TempDir()
	pwned := filepath.Join(outside, "pwned")
	dir := lintDir(t, map[string]string{
		".sqlfluff":            "[sqlfluff]\ndialect = ansi\n\n[sqlfluff:templater:jinja]\nlibrary_path = evil_lib\n",
		"evil_lib/__init__.py": "open(" + strconv.Quote(pwned) + ", 'w').write('x')\n",
		"models/a.sql":         "select 1 as a\n",
	})
	code, _, stderr := lintCLI(t, "lint", "--engine", "sqlfluff", "--sqlfluff", exe, filepath.Join(dir, "models"))
	if code != ExitUsage || !strings.Contains(stderr, ".sqlfluff:5") {
		t.Errorf("exit %d, stderr %q: want 2 naming .sqlfluff:5", code, stderr)
	}
	if _, err := os.Stat(pwned); err == nil {
		t.Fatal("the configuration's library ran")
	}
}

// Files named on the command line whose configuration asks for SQLFluff's dbt templater are
// rendered with the project's macros, as that templater renders them; with the Jinja
// templater and no macro path, the macro is unknown and its join is missing.
func TestLintPathsWithDbtTemplater(t *testing.T) {
	files := map[string]string{
		"dbt_project.yml": "name: p\nversion: '1'\nconfig-version: 2\nprofile: p\n",
		"macros/lkp.sql":  "{% macro lkp(a) %}xref as {{ a }} on {{ a }}.id = src.id{% endmacro %}\n",
		"models/m.sql":    "select\n    src.id,\n    div_lkp.val\nfrom src\nleft join {{ lkp('div_lkp') }}\n",
	}
	for templater, want := range map[string]int{"dbt": 0, "jinja": 1} {
		files[".sqlfluff"] = "[sqlfluff]\ndialect = ansi\ntemplater = " + templater + "\nrules = RF01\n"
		dir := lintDir(t, files)
		t.Chdir(dir)
		code, out, stderr := lintCLI(t, "lint", "--format", "json", "models/m.sql")
		var rep lintReport
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatalf("%s: exit %d, not JSON: %v\n%s%s", templater, code, err, out, stderr)
		}
		if len(rep) != 1 || len(rep[0].Violations) != want {
			t.Errorf("templater %s: %+v, want %d RF01", templater, rep, want)
		}
	}
}

// TestLintSQLFluffVar: under SQLFluff's jinja templater with dbt builtins, var() is "item"
// whatever the default (SQLFluff 1.4.5), so the bodies of `{% if var('x', false) %}` and
// `{% for p in var('l', []) %}` are linted (LT04 twice) — whether the file is named or the
// project's models are linted. The dbt templater runs dbt: var() gives the default, the
// bodies render nothing and only LT09 remains.
func TestLintSQLFluffVar(t *testing.T) {
	files := map[string]string{
		"dbt_project.yml": "name: p\nversion: '1'\nconfig-version: 2\nprofile: p\n",
		"models/m.sql": "select\n    a\n    {% if var('with_b', false) %}\n    , b\n    {% endif %}\n" +
			"    {% for p in var('props', []) %}\n    , c_{{ p }}\n    {% endfor %}\nfrom {{ ref('t') }}\n",
	}
	for _, tc := range []struct{ templater, want string }{
		{"jinja\n\n[sqlfluff:templater:jinja]\napply_dbt_builtins = True", "LT04:4 LT04:7"},
		{"dbt", "LT09:1"},
	} {
		files[".sqlfluff"] = "[sqlfluff]\ndialect = ansi\ntemplater = " + tc.templater + "\n"
		dir := lintDir(t, files)
		t.Chdir(dir)
		for _, args := range [][]string{{"models/m.sql"}, {}} {
			code, out, stderr := lintCLI(t, append([]string{"lint", "--format", "json"}, args...)...)
			var rep lintReport
			if err := json.Unmarshal([]byte(out), &rep); err != nil {
				t.Fatalf("exit %d, not JSON: %v\n%s%s", code, err, out, stderr)
			}
			var got []string
			for _, f := range rep {
				for _, v := range f.Violations {
					got = append(got, fmt.Sprintf("%s:%d", v.Code, v.Line))
				}
			}
			if g := strings.Join(got, " "); g != tc.want {
				t.Errorf("templater %s, lint %v: %s, want %s", strings.Fields(tc.templater)[0], args, g, tc.want)
			}
		}
	}
}

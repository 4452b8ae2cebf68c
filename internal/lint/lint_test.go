package lint

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// testRule flags every occurrence of the word "bad", with a fix to "good".
type testRule struct{ meta *Meta }

func (r testRule) Meta() *Meta { return r.meta }

func (r testRule) Check(c *Context) {
	for i, t := range c.Doc.Toks {
		if strings.EqualFold(t.Text, "bad") {
			c.Report(i, "found bad", c.Replace(i, "good"))
		}
	}
	c.found = append(c.found, finding{}) // an empty report must not break mapping
	c.found = c.found[:len(c.found)-1]
}

var (
	ruleA = testRule{&Meta{Code: "XX01", Name: "test.bad", Description: "bad word", Groups: []string{"core", "test"}, Aliases: []string{"L999"}, Fixable: true,
		Options: []Option{{Name: "level", Default: "1"}}}}
	ruleB = testRule{&Meta{Code: "YY02", Name: "other.rule", Description: "other", Groups: []string{"other"}}}
)

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestConfigPrecedenceAndNesting(t *testing.T) {
	root := t.TempDir()
	write(t, filepath.Join(root, "setup.cfg"), "[sqlfluff]\ndialect = ansi\nmax_line_length = 1\n")
	write(t, filepath.Join(root, "tox.ini"), "[sqlfluff]\nmax_line_length = 2\n")
	write(t, filepath.Join(root, "pep8.ini"), "[sqlfluff]\nmax_line_length = 3\n")
	write(t, filepath.Join(root, ".sqlfluff"), "[sqlfluff]\nmax_line_length = 4\n[sqlfluff:rules:XX01]\nlevel = 7\n")
	write(t, filepath.Join(root, "pyproject.toml"), "[tool.other]\nx = 1\n[tool.sqlfluff.core]\nmax_line_length = 5 # comment\nrules = [\"XX01\",\n  \"L999\"]\n[tool.sqlfluff.rules.\"test.bad\"]\nlevel = 8\n")
	write(t, filepath.Join(root, "sub", ".sqlfluff"), "[sqlfluff]\ndialect = snowflake\n")
	l := NewConfigLoader(root, nil)
	l.UseRules([]Rule{ruleA, ruleB})
	cfg, err := l.ForDir(root)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := cfg.Core("max_line_length"); v != "5" {
		t.Errorf("max_line_length = %q, want 5 (pyproject.toml wins)", v)
	}
	if got := cfg.List("rules"); len(got) != 2 || got[1] != "L999" {
		t.Errorf("rules = %v", got)
	}
	if got := cfg.RuleOptions(ruleA.meta).Int("level", 0); got != 8 {
		t.Errorf("level = %d, want 8 (rule section by name from pyproject)", got)
	}
	sub, err := l.ForDir(filepath.Join(root, "sub"))
	if err != nil {
		t.Fatal(err)
	}
	if sub.Dialect() != "snowflake" {
		t.Errorf("sub dialect = %q", sub.Dialect())
	}
	if v, _ := sub.Core("max_line_length"); v != "5" {
		t.Errorf("sub inherits max_line_length, got %q", v)
	}
	if d := cfgDefault(t).RuleOptions(ruleA.meta).Int("level", 0); d != 1 {
		t.Errorf("default level = %d", d)
	}
}

func cfgDefault(t *testing.T) *Config {
	l := NewConfigLoader(t.TempDir(), nil)
	c, err := l.ForDir(l.Root)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestConfigErrorsNameFileAndLine(t *testing.T) {
	root := t.TempDir()
	write(t, filepath.Join(root, ".sqlfluff"), "[sqlfluff]\ndialect = ansi\nthis line is wrong\n")
	_, err := NewConfigLoader(root, nil).ForDir(root)
	if err == nil || !strings.Contains(err.Error(), ".sqlfluff:3:") {
		t.Fatalf("err = %v, want file:3", err)
	}
}

func TestSelection(t *testing.T) {
	all := []Rule{ruleA, ruleB}
	cases := []struct {
		include, exclude []string
		want             string
	}{
		{nil, nil, "XX01,YY02"},
		{[]string{"core"}, nil, "XX01"},
		{[]string{"L999"}, nil, "XX01"},
		{[]string{"other.rule"}, nil, "YY02"},
		{[]string{"all"}, []string{"XX*"}, "YY02"},
		{[]string{"XX01", "YY02"}, []string{"test"}, "YY02"},
	}
	for _, c := range cases {
		var got []string
		for _, r := range SelectRules(all, c.include, c.exclude) {
			got = append(got, r.Meta().Code)
		}
		if strings.Join(got, ",") != c.want {
			t.Errorf("rules=%v exclude=%v: got %v, want %s", c.include, c.exclude, got, c.want)
		}
	}
	if bad := UnknownRefs(all, []string{"XX01", "nope"}); len(bad) != 1 || bad[0] != "nope" {
		t.Errorf("UnknownRefs = %v", bad)
	}
	if CurrentCode("l010") != "CP01" || CurrentCode("LT01") != "LT01" {
		t.Error("legacy code mapping")
	}
}

func lintSource(t *testing.T, src string, fix bool, rules ...Rule) FileResult {
	t.Helper()
	dir := t.TempDir()
	l := &Linter{Rules: rules, Loader: NewConfigLoader(dir, nil), Fix: fix}
	return l.LintFile(File{Path: "x.sql", AbsPath: filepath.Join(dir, "x.sql"), Source: src})
}

func lines(vs []Violation) string {
	var b strings.Builder
	for _, v := range vs {
		b.WriteString(v.Code + "@" + strconv.Itoa(v.Line) + " ")
	}
	return strings.TrimSpace(b.String())
}

func TestNoqa(t *testing.T) {
	src := strings.Join([]string{
		"select bad",                   // 1: reported
		"select bad -- noqa",           // 2: all silenced
		"select bad -- noqa: XX01",     // 3: silenced by code
		"select bad -- noqa: L999",     // 4: silenced by legacy alias
		"select bad -- noqa: YY02",     // 5: another rule: reported
		"-- noqa: disable=test.bad",    // 6
		"select bad",                   // 7: disabled
		"-- noqa: enable=all",          // 8
		"select bad",                   // 9: reported
		"select bad -- noqa:XX01,YY02", // 10
	}, "\n")
	res := lintSource(t, src, false, ruleA)
	if got := lines(res.Violations); got != "XX01@1 XX01@5 XX01@9" {
		t.Errorf("got %q", got)
	}
}

func TestDirectivesAndWarnings(t *testing.T) {
	src := "-- sqlfluff:rules:XX01:level:3\n-- sqlfluff:warnings:XX01\nselect bad\n"
	res := lintSource(t, src, false, ruleA)
	if len(res.Violations) != 1 || !res.Violations[0].Warning {
		t.Fatalf("want one warning, got %+v", res.Violations)
	}
	cfg := cfgDefault(t).withDirectives(findDirectives(src))
	if got := cfg.RuleOptions(ruleA.meta).Int("level", 0); got != 3 {
		t.Errorf("level = %d", got)
	}
}

// fakeTemplater renders `{{ x }}` as `bad` (generated) and keeps the rest literal.
type fakeTemplater struct{}

func (fakeTemplater) Render(_, src string, _ *Config) Rendered {
	i := strings.Index(src, "{{ x }}")
	if i < 0 {
		return RawTemplater{}.Render("", src, nil)
	}
	out := src[:i] + "bad" + src[i+7:]
	return Rendered{Output: out, Map: []Segment{
		{Out: 0, Len: i, Src: 0, Literal: true},
		{Out: i, Len: 3, Src: i, Literal: false},
		{Out: i + 3, Len: len(src) - i - 7, Src: i + 7, Literal: true},
	}}
}

func TestTemplatedTextIsNeitherReportedNorFixed(t *testing.T) {
	src := "select {{ x }}, bad\nfrom t\n"
	dir := t.TempDir()
	l := &Linter{Rules: []Rule{ruleA}, Loader: NewConfigLoader(dir, nil), Templater: fakeTemplater{}, Fix: true}
	res := l.LintFile(File{Path: "x.sql", AbsPath: filepath.Join(dir, "x.sql"), Source: src})
	if got := lines(res.Violations); got != "XX01@1" {
		t.Fatalf("got %q, want only the literal 'bad'", got)
	}
	if v := res.Violations[0]; v.Col != 17 {
		t.Errorf("column %d, want 17 (position in the source file)", v.Col)
	}
	if !res.Changed || res.Fixed != "select {{ x }}, good\nfrom t\n" {
		t.Errorf("fixed = %q", res.Fixed)
	}
}

func TestFormats(t *testing.T) {
	res := lintSource(t, "select bad\n", false, ruleA)
	results := []FileResult{res}
	var buf bytes.Buffer
	if err := Write(&buf, "json", results, []Rule{ruleA}); err != nil {
		t.Fatal(err)
	}
	var parsed []map[string]any
	if err := json.Unmarshal(buf.Bytes(), &parsed); err != nil {
		t.Fatalf("json: %v\n%s", err, buf.String())
	}
	v := parsed[0]["violations"].([]any)[0].(map[string]any)
	for _, k := range []string{"start_line_no", "start_line_pos", "end_line_no", "end_line_pos", "code", "name", "description", "warning"} {
		if _, ok := v[k]; !ok {
			t.Errorf("json violation lacks %q", k)
		}
	}
	if v["start_line_pos"].(float64) != 8 || v["end_line_pos"].(float64) != 11 {
		t.Errorf("positions %v", v)
	}
	buf.Reset()
	if err := Write(&buf, "github-annotation-native", results, nil); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), "::error title=SQLFluff,file=x.sql,line=1,col=8") {
		t.Errorf("native annotation: %q", buf.String())
	}
	for _, f := range []string{"sarif", "github-annotation"} {
		buf.Reset()
		if err := Write(&buf, f, results, []Rule{ruleA}); err != nil {
			t.Fatal(err)
		}
		var anyJSON any
		if err := json.Unmarshal(buf.Bytes(), &anyJSON); err != nil {
			t.Errorf("%s is not JSON: %v", f, err)
		}
	}
	buf.Reset()
	if err := Write(&buf, "human", results, nil); err != nil || !strings.Contains(buf.String(), "L:   1 | P:   8 | XX01") {
		t.Errorf("human: %q %v", buf.String(), err)
	}
	if err := Write(&buf, "yaml", results, nil); err == nil {
		t.Error("unknown format accepted")
	}
}

func TestParseSQLFluffJSONLegacy(t *testing.T) {
	data := `[{"filepath": "a.sql", "violations": [{"line_no": 3, "line_pos": 5, "code": "L010", "description": "Keywords must be consistently upper case."}]},
	{"filepath": "b.sql", "violations": [{"start_line_no": 1, "start_line_pos": 2, "end_line_no": 1, "end_line_pos": 4, "code": "LT01", "name": "layout.spacing", "description": "x", "warning": true}]}]`
	res, err := ParseSQLFluffJSON([]byte(data), nil)
	if err != nil {
		t.Fatal(err)
	}
	a, b := res[0].Violations[0], res[1].Violations[0]
	if a.Code != "CP01" || a.Line != 3 || a.Col != 5 {
		t.Errorf("legacy violation: %+v", a)
	}
	if b.Code != "LT01" || b.EndCol != 4 || !b.Warning || b.Name != "layout.spacing" {
		t.Errorf("current violation: %+v", b)
	}
	if _, err := ParseSQLFluffJSON([]byte("not json"), nil); err == nil {
		t.Error("bad JSON accepted")
	}
}

func TestLargeFileSkipped(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, ".sqlfluff"), "[sqlfluff]\nlarge_file_skip_byte_limit = 5\n")
	l := &Linter{Rules: []Rule{ruleA}, Loader: NewConfigLoader(dir, nil)}
	res := l.LintFile(File{Path: "x.sql", AbsPath: filepath.Join(dir, "x.sql"), Source: "select bad\n"})
	if len(res.Violations) != 0 || len(res.Problems) != 1 {
		t.Errorf("want skipped with a problem, got %+v", res)
	}
}

// lineRule has the options SQLFluff 2.0 moved out of the rules sections.
var lineRule = testRule{&Meta{Code: "ZZ05", Name: "test.long_lines", Aliases: []string{"L916"},
	Options: []Option{{Name: "max_line_length", Default: "80"}, {Name: "tab_space_size", Default: "4"}}}}

func ruleOpts(t *testing.T, root, dir string) Options {
	t.Helper()
	l := NewConfigLoader(root, nil)
	l.UseRules([]Rule{lineRule})
	cfg, err := l.ForDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return cfg.RuleOptions(lineRule.meta)
}

// TestSharedRuleOptions: max_line_length is read where SQLFluff 2.0+ keeps it ([sqlfluff]) and
// where 1.x kept it ([sqlfluff:rules], moved per file as SQLFluff does); a rule's own section
// still wins, and a deeper file wins over a shallower one whichever place each uses.
func TestSharedRuleOptions(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		want  int
	}{
		{"default", nil, 80},
		{"core", map[string]string{".sqlfluff": "[sqlfluff]\nmax_line_length = 200\n"}, 200},
		{"legacy rules section", map[string]string{".sqlfluff": "[sqlfluff:rules]\nmax_line_length = 100\n"}, 100},
		{"core beats legacy in one file", map[string]string{".sqlfluff": "[sqlfluff]\nmax_line_length = 120\n[sqlfluff:rules]\nmax_line_length = 100\n"}, 120},
		{"rule section beats core", map[string]string{".sqlfluff": "[sqlfluff]\nmax_line_length = 120\n[sqlfluff:rules:L916]\nmax_line_length = 90\n"}, 90},
		{"pyproject core", map[string]string{"pyproject.toml": "[tool.sqlfluff.core]\nmax_line_length = 120\n"}, 120},
		{"deeper legacy beats shallower core", map[string]string{".sqlfluff": "[sqlfluff]\nmax_line_length = 120\n", "sub/.sqlfluff": "[sqlfluff:rules]\nmax_line_length = 60\n"}, 60},
		{"deeper core beats shallower legacy", map[string]string{".sqlfluff": "[sqlfluff:rules]\nmax_line_length = 60\n", "sub/setup.cfg": "[sqlfluff]\nmax_line_length = 150\n"}, 150},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root := t.TempDir()
			for name, body := range c.files {
				write(t, filepath.Join(root, name), body)
			}
			if got := ruleOpts(t, root, filepath.Join(root, "sub")).Int("max_line_length", 0); got != c.want {
				t.Errorf("max_line_length = %d, want %d", got, c.want)
			}
		})
	}
	root := t.TempDir()
	write(t, filepath.Join(root, ".sqlfluff"), "[sqlfluff:indentation]\ntab_space_size = 2\n")
	if got := ruleOpts(t, root, root).Int("tab_space_size", 0); got != 2 {
		t.Errorf("tab_space_size from [sqlfluff:indentation] = %d, want 2", got)
	}
}

// TestTOMLDottedRuleSection: in pyproject.toml, [tool.sqlfluff.rules.capitalisation.keywords]
// is the rule capitalisation.keywords (TOML reads its dots as nested tables).
func TestTOMLDottedRuleSection(t *testing.T) {
	root := t.TempDir()
	write(t, filepath.Join(root, "pyproject.toml"), "[tool.sqlfluff.rules.test.long_lines]\nmax_line_length = 70\n")
	if got := ruleOpts(t, root, root).Int("max_line_length", 0); got != 70 {
		t.Errorf("max_line_length = %d, want 70", got)
	}
}

// TestCommentAfterValue is the shape of a real .sqlfluff: `max_line_length = 100  # Set
// maximum line length`. SQLFluff refuses the value; the linter reads 100 and says so.
func TestCommentAfterValue(t *testing.T) {
	root := t.TempDir()
	write(t, filepath.Join(root, ".sqlfluff"), "[sqlfluff]\ndialect = snowflake\n\n[sqlfluff:rules]\nmax_line_length = 100  # Set maximum line length\n[sqlfluff:rules:L916]  # Indentation\ntab_space_size = 4  ; Define tab space size\n")
	l := NewConfigLoader(root, nil)
	l.UseRules([]Rule{lineRule})
	cfg, err := l.ForDir(root)
	if err != nil {
		t.Fatal(err)
	}
	o := cfg.RuleOptions(lineRule.meta)
	if o.Int("max_line_length", 0) != 100 || o.Int("tab_space_size", 0) != 4 {
		t.Errorf("max_line_length %d, tab_space_size %d; want 100 and 4", o.Int("max_line_length", 0), o.Int("tab_space_size", 0))
	}
	notes := l.Notes()
	if len(notes) != 2 || !strings.Contains(notes[0], ".sqlfluff:5: max_line_length") || !strings.Contains(notes[0], "read as 100") {
		t.Errorf("notes = %q", notes)
	}
}

// TestSearchRoot: inside a git work tree the search starts at its top wherever the command
// runs; outside one, at the folder the project shares with the working directory.
func TestSearchRoot(t *testing.T) {
	repo := t.TempDir()
	write(t, filepath.Join(repo, ".git", "HEAD"), "ref: refs/heads/main\n")
	proj := filepath.Join(repo, "src", "dbt")
	write(t, filepath.Join(proj, "dbt_project.yml"), "name: x\n")
	for _, cwd := range []string{repo, proj, filepath.Join(proj, "models"), t.TempDir()} {
		if got := SearchRoot(proj, cwd); got != repo {
			t.Errorf("SearchRoot(project, %s) = %s, want the repository top %s", cwd, got, repo)
		}
	}
	plain := t.TempDir()
	sub := filepath.Join(plain, "analytics")
	write(t, filepath.Join(sub, "dbt_project.yml"), "name: x\n")
	if got := SearchRoot(sub, plain); got != plain {
		t.Errorf("no git, run from the parent: %s, want %s", got, plain)
	}
	if got := SearchRoot(sub, filepath.Join(sub, "models")); got != sub {
		t.Errorf("no git, run from inside the project: %s, want the project %s", got, sub)
	}
}

// A byte order mark is not a column: findings on the first line keep SQLFluff's positions,
// and a fix keeps the mark.
func TestByteOrderMarkIsNoColumn(t *testing.T) {
	res := lintSource(t, "\ufeffselect bad\nfrom bad\n", true, ruleA)
	if len(res.Violations) != 2 || res.Violations[0].Col != 8 || res.Violations[1].Col != 6 {
		t.Fatalf("violations = %+v, want columns 8 and 6", res.Violations)
	}
	if res.Fixed != "\ufeffselect good\nfrom good\n" {
		t.Errorf("fixed = %q", res.Fixed)
	}
}

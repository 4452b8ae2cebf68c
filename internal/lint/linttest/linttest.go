// Package linttest runs a lint rule over its testdata: every `.sql` file under testdata/ is
// linted with that rule alone, and the lines marked `-- want: CODE` must be exactly the lines
// it flags. A file's first lines may set `-- dialect: NAME` and `-- options: key=value, ...`
// (the rule's options). When `NAME.sql.golden` exists, the rule's fixes applied to the file must
// give it. The `-- want:` markers are removed before linting, so they do not count as comments
// or line length.
package linttest

import (
	"flag"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dataops-dev/dataops/internal/lazyregexp"
	"github.com/dataops-dev/dataops/internal/lint"
	"github.com/dataops-dev/dataops/internal/lint/templating"
)

var update = flag.Bool("update", false, "rewrite .sql.golden files from the fixes")

var wantRE = lazyregexp.New(`[ \t]*-- want: ([A-Z]{2}[0-9]{2}(?:, *[A-Z]{2}[0-9]{2})*)[ \t]*$`)

// Case is one prepared testdata file.
type Case struct {
	Path    string
	Source  string       // with the want markers removed
	Want    map[int]bool // lines that must be flagged
	Dialect string
	Options map[string]string
}

// Load reads and prepares a testdata file for rule code.
func Load(t *testing.T, path, code string) Case {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	c := Case{Path: path, Want: map[int]bool{}, Dialect: "ansi", Options: map[string]string{}}
	lines := strings.Split(string(data), "\n")
	for i, l := range lines {
		if m := wantRE.FindStringSubmatchIndex(l); m != nil {
			codes := l[m[2]:m[3]]
			for _, cd := range strings.Split(codes, ",") {
				if strings.TrimSpace(cd) == code {
					c.Want[i+1] = true
				}
			}
			lines[i] = l[:m[0]]
		}
		if strings.HasPrefix(l, "-- dialect:") {
			c.Dialect = strings.TrimSpace(strings.TrimPrefix(l, "-- dialect:"))
		}
		if strings.HasPrefix(l, "-- options:") {
			for _, kv := range strings.Split(strings.TrimPrefix(l, "-- options:"), ",") {
				k, v, ok := strings.Cut(kv, "=")
				if ok {
					c.Options[strings.TrimSpace(k)] = strings.TrimSpace(v)
				}
			}
		}
	}
	c.Source = strings.Join(lines, "\n")
	return c
}

// Run lints every testdata file of a rule and checks findings and fixes.
func Run(t *testing.T, rule lint.Rule) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "*.sql"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no testdata/*.sql files")
	}
	m := rule.Meta()
	for _, f := range files {
		f := f
		t.Run(filepath.Base(f), func(t *testing.T) {
			c := Load(t, f, m.Code)
			res := lintCase(t, rule, c, false)
			got := map[int]bool{}
			for _, v := range res.Violations {
				if v.Code != m.Code {
					t.Errorf("%s:%d: finding of another rule %s", f, v.Line, v.Code)
				}
				got[v.Line] = true
			}
			for _, line := range slices.Sorted(maps.Keys(c.Want)) {
				if !got[line] {
					t.Errorf("%s:%d: want %s, got nothing", f, line, m.Code)
				}
			}
			for _, v := range res.Violations {
				if !c.Want[v.Line] {
					t.Errorf("%s:%d:%d: unexpected %s: %s", f, v.Line, v.Col, v.Code, v.Description)
				}
			}
			golden := f + ".golden"
			if _, err := os.Stat(golden); err != nil && !*update {
				return
			}
			fixed := lintCase(t, rule, c, true)
			out := c.Source
			if fixed.Changed {
				out = fixed.Fixed
			}
			if *update {
				if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, _ := os.ReadFile(golden)
			if string(want) != out {
				t.Errorf("%s: fixed text differs from %s\n--- got ---\n%s\n--- want ---\n%s", f, golden, out, want)
			}
			// A fixed file must not still break the rule where the fix applied.
			again := lintCase(t, rule, Case{Path: c.Path, Source: out, Dialect: c.Dialect, Options: c.Options}, false)
			for _, v := range again.Violations {
				if v.Fixable {
					t.Errorf("%s:%d: still %s after fixing: %s", golden, v.Line, v.Code, v.Description)
				}
			}
		})
	}
}

func lintCase(t *testing.T, rule lint.Rule, c Case, fix bool) lint.FileResult {
	t.Helper()
	dir := t.TempDir()
	var cfg strings.Builder
	cfg.WriteString("[sqlfluff]\ndialect = " + c.Dialect + "\n\n[sqlfluff:rules:" + rule.Meta().Code + "]\n")
	for k, v := range c.Options {
		cfg.WriteString(k + " = " + v + "\n")
	}
	if err := os.WriteFile(filepath.Join(dir, ".sqlfluff"), []byte(cfg.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	l := &lint.Linter{Rules: []lint.Rule{rule}, Loader: lint.NewConfigLoader(dir, nil), Fix: fix, DefaultDialect: "ansi"}
	return l.LintFile(lint.File{Path: c.Path, AbsPath: filepath.Join(dir, filepath.Base(c.Path)), Source: c.Source})
}

// TemplatedLines lints src as a dbt model (rendered by the Jinja templater, default settings,
// ANSI) with rule alone, and returns the lines of its findings and the whole result.
func TemplatedLines(t *testing.T, rule lint.Rule, src string) ([]int, lint.FileResult) {
	t.Helper()
	l := &lint.Linter{Rules: []lint.Rule{rule}, Loader: lint.NewConfigLoader(t.TempDir(), nil), DefaultDialect: "ansi", Templater: templating.New()}
	res := l.LintFile(lint.File{Path: "m.sql", AbsPath: filepath.Join(t.TempDir(), "m.sql"), Source: src})
	var lines []int
	for _, v := range res.Violations {
		lines = append(lines, v.Line)
	}
	return lines, res
}

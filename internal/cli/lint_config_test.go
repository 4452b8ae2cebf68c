package cli

// One SQLFluff configuration resolution for every command that lints, on the shape of a real
// monorepo: the dbt project in src/analytics, the team's SQLFluff settings in the repository's
// pyproject.toml (max_line_length 120, layout rules excluded by name), a model with a
// 109-character line, trailing spaces, an odd indent and table aliases.

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/dataops-dev/dataops/internal/lint"
)

const monorepoPyproject = `[tool.black]
line-length = 88

[tool.sqlfluff.core]
dialect = "ansi"
max_line_length = 120
exclude_rules = [
  "layout.indent",
  "layout.spacing",
]
`

// monorepoModel: line 7 is 109 characters; line 4 ends in spaces (LT01, excluded); line 5 is
// indented by 6 (LT02, excluded); o and c are table aliases (AL07, off by default); line 8's
// FROM is the one finding the configuration leaves (CP01).
const monorepoModel = "select\n" +
	"    o.order_id,\n" +
	"    o.customer_id,\n" +
	"    c.customer_name,   \n" +
	"      o.amount,\n" +
	"    o.ordered_at,\n" +
	"    case when o.status = 'returned' then 'refund' else 'sale' end as kind_of_transaction_shown_in_the_reports\n" +
	"FROM orders as o\n" +
	"left join customers as c on o.customer_id = c.customer_id\n"

// monorepo builds the repository, commits it, and returns its top and the project folder.
func monorepo(t *testing.T, extra map[string]string) (string, string) {
	t.Helper()
	if len(strings.Split(monorepoModel, "\n")[6]) != 109 {
		t.Fatal("the long line is no longer 109 characters")
	}
	files := map[string]string{
		"pyproject.toml":                     monorepoPyproject,
		"src/analytics/dbt_project.yml":      "name: analytics\nversion: '1.0'\nconfig-version: 2\nprofile: analytics\n",
		"src/analytics/models/orders_fx.sql": monorepoModel,
		"src/analytics/models/other.sql":     "select 1 as one\n",
	}
	for k, v := range extra {
		files[k] = v
	}
	repo := lintDir(t, files)
	gitIn(t, repo, "init", "-q", "-b", "main")
	gitIn(t, repo, "add", "-A")
	gitIn(t, repo, "commit", "-q", "-m", "base")
	return repo, filepath.Join(repo, "src", "analytics")
}

func gitIn(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@t", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@t")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

// lintFindings runs dataops lint --format json and returns "file:line:code" entries.
func lintFindings(t *testing.T, args ...string) []string {
	t.Helper()
	code, out, stderr := lintCLI(t, append([]string{"lint", "--format", "json"}, args...)...)
	if code != ExitOK && code != ExitFindings {
		t.Fatalf("lint %v: exit %d: %s", args, code, stderr)
	}
	var rep lintReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	var got []string
	for k := range codesByLine(rep) {
		got = append(got, k)
	}
	sort.Strings(got)
	return got
}

// reviewLintFindings runs review --format json and returns its lint findings as
// "file:line:code", and its trust notes' paths.
func reviewLintFindings(t *testing.T, dir string, args ...string) ([]string, []string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := RunEnv(&Env{Ctx: context.Background(), Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
		Getenv: testGetenv(nil)}, append([]string{"review", "--format", "json", "--fail-on", "never", "--no-history"}, args...))
	if code != ExitOK {
		t.Fatalf("review %v: exit %d: %s", args, code, errb.String())
	}
	var rv struct {
		Findings []struct {
			Agent, Rule, Path string
			Line              int
		}
	}
	if err := json.Unmarshal(out.Bytes(), &rv); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out.String())
	}
	var lint, notes []string
	for _, f := range rv.Findings {
		switch f.Agent {
		case "lint":
			lint = append(lint, filepath.Base(f.Path)+":"+strconv.Itoa(f.Line)+":"+f.Rule)
		case "trust":
			notes = append(notes, f.Path)
		}
	}
	sort.Strings(lint)
	return lint, notes
}

// TestLintConfigResolution: lint with paths, lint on the project (from the repository's top
// and from inside the project) and review all read the repository's pyproject.toml.
func TestLintConfigResolution(t *testing.T) {
	repo, proj := monorepo(t, nil)
	want := []string{"orders_fx.sql:8:CP01"}

	t.Run("lint paths from the repository top", func(t *testing.T) {
		t.Chdir(repo)
		if got := lintFindings(t, filepath.Join("src", "analytics", "models")); !slices.Equal(got, want) {
			t.Errorf("got %v, want %v", got, want)
		}
	})
	t.Run("lint the project from the repository top", func(t *testing.T) {
		t.Chdir(repo)
		if got := lintFindings(t, "--project", filepath.Join("src", "analytics")); !slices.Equal(got, want) {
			t.Errorf("got %v, want %v", got, want)
		}
	})
	t.Run("lint the project from inside it", func(t *testing.T) {
		t.Chdir(filepath.Join(proj, "models"))
		if got := lintFindings(t, "--project", ".."); !slices.Equal(got, want) {
			t.Errorf("got %v, want %v", got, want)
		}
	})
	t.Run("review", func(t *testing.T) {
		// The change touches every line of the model, so every finding is on a changed line.
		os.WriteFile(filepath.Join(proj, "models", "orders_fx.sql"), []byte("-- orders in foreign currency\n"+monorepoModel), 0o644)
		defer os.WriteFile(filepath.Join(proj, "models", "orders_fx.sql"), []byte(monorepoModel), 0o644)
		got, _ := reviewLintFindings(t, repo, "--project", proj, "--base", "HEAD", "--all-lines")
		if want := []string{"orders_fx.sql:9:CP01"}; !slices.Equal(got, want) {
			t.Errorf("got %v, want %v", got, want)
		}
	})
}

// TestLintConfigResolutionTrustBase: with --trust base, the repository's pyproject.toml is
// read as the base has it; the pull request's edit to it is named, not believed.
func TestLintConfigResolutionTrustBase(t *testing.T) {
	repo, proj := monorepo(t, nil)
	os.WriteFile(filepath.Join(repo, "pyproject.toml"), []byte(strings.Replace(monorepoPyproject, "max_line_length = 120", "max_line_length = 40", 1)), 0o644)
	os.WriteFile(filepath.Join(proj, "models", "orders_fx.sql"), []byte("-- orders in foreign currency\n"+monorepoModel), 0o644)
	got, notes := reviewLintFindings(t, repo, "--project", proj, "--base", "HEAD", "--all-lines", "--trust", "base")
	if want := []string{"orders_fx.sql:9:CP01"}; !slices.Equal(got, want) {
		t.Errorf("lint findings %v, want %v (the base's max_line_length 120)", got, want)
	}
	if !slices.Contains(notes, "../../pyproject.toml") {
		t.Errorf("trust notes %v: want one on ../../pyproject.toml", notes)
	}
	got, _ = reviewLintFindings(t, repo, "--project", proj, "--base", "HEAD", "--all-lines", "--trust", "worktree")
	if !slices.Contains(got, "orders_fx.sql:8:LT05") {
		t.Errorf("--trust worktree: %v, want the work tree's limit of 40 to flag line 8", got)
	}
}

// TestLintConfigResolutionWithoutGit: outside a git work tree the search starts where the
// working directory and the project meet, as SQLFluff's does.
func TestLintConfigResolutionWithoutGit(t *testing.T) {
	dir := lintDir(t, map[string]string{
		".sqlfluff":                      "[sqlfluff]\ndialect = ansi\nmax_line_length = 120\nexclude_rules = layout.indent, layout.spacing\n",
		"analytics/dbt_project.yml":      "name: analytics\nversion: '1.0'\nconfig-version: 2\n",
		"analytics/models/orders_fx.sql": monorepoModel,
	})
	t.Chdir(dir)
	if got, want := lintFindings(t, "--project", "analytics"), []string{"orders_fx.sql:8:CP01"}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// TestLintConfigResolutionMatchesSQLFluff runs Debian's sqlfluff 1.4.5 from the repository's
// top on the monorepo, with the settings in the form 1.4.5 reads (legacy codes, the rules
// section's max_line_length), and requires the same findings from dataops lint.
func TestLintConfigResolutionMatchesSQLFluff(t *testing.T) {
	exe := "/usr/bin/sqlfluff"
	if _, err := os.Stat(exe); err != nil {
		t.Fatalf("needs Debian's sqlfluff at %s (apt-get install sqlfluff): %v", exe, err)
	}
	legacy := "[sqlfluff]\ndialect = ansi\nexclude_rules = L001,L003,L039,L031\n\n[sqlfluff:rules]\nmax_line_length = 120\n"
	repo, _ := monorepo(t, map[string]string{"pyproject.toml": "[tool.black]\nline-length = 88\n", ".sqlfluff": legacy})
	rulesFlag := "L016,L001,L003,L039,L010,L031"
	cmd := exec.Command(exe, "lint", "--format", "json", "--rules", rulesFlag, filepath.Join("src", "analytics", "models"))
	cmd.Dir = repo
	out, _ := cmd.Output()
	var rep []struct {
		Filepath   string `json:"filepath"`
		Violations []struct {
			Line int    `json:"line_no"`
			Code string `json:"code"`
		} `json:"violations"`
	}
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatalf("sqlfluff gave no JSON: %v\n%s", err, out)
	}
	var theirs []string
	for _, f := range rep {
		for _, v := range f.Violations {
			theirs = append(theirs, filepath.Base(f.Filepath)+":"+strconv.Itoa(v.Line)+":"+lint.CurrentCode(v.Code))
		}
	}
	sort.Strings(theirs)
	if want := []string{"orders_fx.sql:8:CP01"}; !slices.Equal(theirs, want) {
		t.Fatalf("sqlfluff 1.4.5 found %v; the fixture expects %v", theirs, want)
	}
	t.Chdir(repo)
	if got := lintFindings(t, "--rules", rulesFlag, filepath.Join("src", "analytics", "models")); !slices.Equal(got, theirs) {
		t.Errorf("dataops lint paths: %v, sqlfluff: %v", got, theirs)
	}
	if got := lintFindings(t, "--rules", rulesFlag, "--project", filepath.Join("src", "analytics")); !slices.Equal(got, theirs) {
		t.Errorf("dataops lint --project: %v, sqlfluff: %v", got, theirs)
	}
}

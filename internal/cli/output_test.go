package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runIn(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := RunEnv(&Env{Ctx: context.Background(), Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: testGetenv(nil)}, args)
	return code, out.String(), errb.String()
}

// TestCoverageColumnsUnknown: a model whose SQL cannot be read and that no property entry
// lists has columns nobody knows; coverage says so instead of "0 columns".
func TestCoverageColumnsUnknown(t *testing.T) {
	dir := lintDir(t, map[string]string{
		"dbt_project.yml": "name: p\nversion: '1.0'\nconfig-version: 2\nprofile: p\n",
		"profiles.yml":    "p:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n",
		"models/ok.sql":   "select 1 as id\n",
		"models/odd.sql":  "this is not ( sql at all\n",
	})
	code, out, stderr := runIn(t, "coverage", "--project", dir)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(out, "odd                                              columns unknown\n") || strings.Contains(out, "odd                                                0 columns") {
		t.Errorf("coverage:\n%s", out)
	}
	if !strings.Contains(out, "columns unknown for 1 model(s)") {
		t.Errorf("totals do not say a model's columns are unknown:\n%s", out)
	}
	if !strings.Contains(out, "ok                                                 1 columns") {
		t.Errorf("a model with known columns lost its count:\n%s", out)
	}
}

// TestColumnsTextHasAHeader: the columns table says what each column is.
func TestColumnsTextHasAHeader(t *testing.T) {
	code, out, stderr := runIn(t, "columns", "--project", "../../examples/shop", "stg_orders")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(out, "\n")
	if len(lines) < 3 || strings.Join(strings.Fields(lines[1]), " ") != "line column type kind from" {
		t.Errorf("columns output:\n%s", out)
	}
}

// TestEveryOutputEndsWithANewline runs each reporting command in each of its formats on a
// change to examples/shop: whatever a command prints, on either stream, ends with a newline,
// so a shell prompt or the next command's output never starts on its last line.
func TestEveryOutputEndsWithANewline(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, shopTree(t))
	gitIn(t, dir, "init", "-q", "-b", "main")
	gitIn(t, dir, "add", "-A")
	gitIn(t, dir, "commit", "-q", "-m", "base")
	for path, edit := range demoHead() {
		p := filepath.Join(dir, filepath.FromSlash(path))
		old, _ := os.ReadFile(p)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(edit(string(old))), 0o644)
	}
	cmds := [][]string{
		{"parse"}, {"parse", "--format", "json"},
		{"columns"}, {"columns", "--format", "json"},
		{"coverage"}, {"coverage", "--format", "json"}, {"coverage", "--format", "markdown"}, {"coverage", "--base", "HEAD"},
		{"lineage", "fct_orders"}, {"lineage", "fct_orders", "--format", "json"}, {"lineage", "fct_orders", "--format", "mermaid"},
		{"diff", "--base", "HEAD"}, {"diff", "--base", "HEAD", "--format", "json"},
		{"schema", "--base", "HEAD"}, {"schema", "--base", "HEAD", "--format", "json"},
		{"tests", "--base", "HEAD", "--no-history"}, {"tests", "--base", "HEAD", "--format", "json", "--no-history"}, {"tests", "--base", "HEAD", "--format", "gx", "--no-history"},
		{"lint"}, {"lint", "--format", "json"}, {"lint", "--format", "github-annotation"}, {"lint", "--format", "github-annotation-native"}, {"lint", "--format", "sarif"},
		{"review", "--base", "HEAD", "--no-history"}, {"review", "--base", "HEAD", "--no-history", "--format", "markdown"},
		{"review", "--base", "HEAD", "--no-history", "--format", "json"}, {"review", "--base", "HEAD", "--no-history", "--format", "sarif"},
		{"review", "--base", "HEAD", "--no-history", "--format", "github"},
	}
	failing := [][]string{{"lint", "--format", "nope"}, {"review"}, {"columns", "no_such_model"}}
	for i, args := range append(cmds, failing...) {
		_, out, stderr := runIn(t, append(args, "--project", dir)...)
		for name, s := range map[string]string{"stdout": out, "stderr": stderr} {
			if s != "" && !strings.HasSuffix(s, "\n") {
				t.Errorf("%s: %s does not end with a newline: …%q", strings.Join(args, " "), name, s[max(0, len(s)-80):])
			}
		}
		if i < len(cmds) && out == "" {
			t.Errorf("%s printed nothing", strings.Join(args, " "))
		}
		if i >= len(cmds) && stderr == "" {
			t.Errorf("%s failed without a word", strings.Join(args, " "))
		}
	}
}

package cli

// Golden end-to-end cases. Every folder testdata/e2e/<case>/ holding a `cmd` file is a case:
//
//	cmd        the arguments, one line, split like a shell does (quotes group words);
//	           {project} is the project the case runs on, {tmp} a scratch directory, and
//	           {base} the project before the change (pull-request cases only)
//	project/   a small project of its own to run on (copied to a temporary directory first)
//	stdin      optional standard input
//	env        optional KEY=VALUE lines: the only environment the command sees
//	expected/  stdout, stderr (when not empty), exit_code, and files/<path> for every file
//	           the command created or changed in the project copy or in {tmp}
//
// A case without project/ runs on a copy of examples/shop, or, when prCases or reviewCases
// name it, on examples/shop with the case's edits applied (schema_cases_test.go): those cases
// keep no project files, only their command and expected outputs.
//
// Output is normalised before comparing: the temporary paths become {project}, {base} and
// {tmp}, durations like 0.42s become <dur>, RFC 3339 timestamps and manifest created_at values
// become <timestamp>.
// `go test ./internal/cli -run '^TestE2E$' -update` rewrites expected/ from what the cases
// produce, and nothing else. An expected file that no case produces fails the run.

import (
	"bytes"
	"context"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/e2e")

const e2eRoot = "../../testdata/e2e"

func TestE2E(t *testing.T) {
	entries, err := os.ReadDir(e2eRoot)
	if err != nil {
		t.Fatalf("reading %s: %v", e2eRoot, err)
	}
	ran := 0
	for _, e := range entries {
		dir := filepath.Join(e2eRoot, e.Name())
		if !e.IsDir() {
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, "cmd")); err != nil {
			t.Errorf("%s: a case folder needs a cmd file", dir)
			continue
		}
		ran++
		t.Run(e.Name(), func(t *testing.T) {
			t.Parallel()
			runE2ECase(t, dir)
		})
	}
	if ran == 0 {
		t.Fatalf("no cases under %s", e2eRoot)
	}
}

func runE2ECase(t *testing.T, dir string) { runE2ECaseEnv(t, dir, nil) }

// runE2ECaseEnv runs a case with extra variables added to its environment.
func runE2ECaseEnv(t *testing.T, dir string, extra map[string]string) {
	cmdLine, err := os.ReadFile(filepath.Join(dir, "cmd"))
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	project := filepath.Join(work, "project")
	scratch := filepath.Join(work, "tmp")
	if err := os.MkdirAll(scratch, 0o755); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(dir, "project")
	_, err = os.Stat(src)
	ownProject := err == nil
	// The base lives outside work so that only the project and {tmp} are compared.
	var baseDir string
	if pc, ok := prCaseNamed(filepath.Base(dir)); ok {
		if ownProject {
			t.Fatalf("%s: a pull-request case is built from examples/shop and its edits; remove project/", dir)
		}
		base, head := pc.trees(t)
		baseDir = filepath.Join(t.TempDir(), "base")
		writeTree(t, baseDir, base)
		writeTree(t, project, head)
	} else {
		if !ownProject {
			src = "../../examples/shop"
		}
		if err := copyTree(src, project); err != nil {
			t.Fatal(err)
		}
	}
	if strings.Contains(string(cmdLine), "{base}") && baseDir == "" {
		t.Fatalf("%s: cmd names {base} but no pull-request case has this name", dir)
	}
	before := snapshotTree(t, work)

	args := splitArgs(strings.TrimSpace(string(cmdLine)))
	for i, a := range args {
		a = strings.ReplaceAll(a, "{project}", project)
		a = strings.ReplaceAll(a, "{tmp}", scratch)
		if baseDir != "" {
			a = strings.ReplaceAll(a, "{base}", baseDir)
		}
		args[i] = a
	}
	environ := map[string]string{}
	if data, err := os.ReadFile(filepath.Join(dir, "env")); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if k, v, ok := strings.Cut(strings.TrimSpace(line), "="); ok && !strings.HasPrefix(k, "#") {
				environ[k] = v
			}
		}
	}
	for k, v := range extra {
		environ[k] = v
	}
	var stdin bytes.Reader
	if data, err := os.ReadFile(filepath.Join(dir, "stdin")); err == nil {
		stdin = *bytes.NewReader(data)
	}
	var stdout, stderr bytes.Buffer
	env := &Env{Ctx: context.Background(), Stdin: &stdin, Stdout: &stdout, Stderr: &stderr,
		Getenv: testGetenv(environ)}
	code := RunEnv(env, args)

	norm := func(s string) string {
		if baseDir != "" {
			s = strings.ReplaceAll(s, baseDir, "{base}")
		}
		return normalizeOutput(s, project, scratch)
	}
	got := map[string]string{
		"stdout":    norm(stdout.String()),
		"exit_code": strconv.Itoa(code) + "\n",
	}
	if stderr.Len() > 0 {
		got["stderr"] = norm(stderr.String())
	}
	after := snapshotTree(t, work)
	for rel, content := range after {
		if prev, ok := before[rel]; ok && prev == content {
			continue
		}
		got["files/"+rel] = norm(content)
	}
	for rel := range before {
		if _, ok := after[rel]; !ok {
			got["files/"+rel] = "<deleted>\n"
		}
	}
	expDir := filepath.Join(dir, "expected")
	if *update {
		_ = os.RemoveAll(expDir)
		for name, content := range got {
			p := filepath.Join(expDir, filepath.FromSlash(name))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	want := map[string]string{}
	_ = filepath.WalkDir(expDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(expDir, p)
		data, _ := os.ReadFile(p)
		want[filepath.ToSlash(rel)] = string(data)
		return nil
	})
	names := map[string]bool{}
	for k := range got {
		names[k] = true
	}
	for k := range want {
		names[k] = true
	}
	sorted := make([]string, 0, len(names))
	for k := range names {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	for _, name := range sorted {
		g, gok := got[name]
		w, wok := want[name]
		switch {
		case !wok:
			t.Errorf("%s: produced but not expected (run with -update):\n%s", name, clip(g))
		case !gok:
			t.Errorf("%s: expected but not produced", name)
		case g != w:
			t.Errorf("%s differs from %s:\n%s", name, filepath.Join(expDir, name), firstDiff(w, g))
		}
	}
}

var (
	durationRE  = regexp.MustCompile(`\b\d+(\.\d+)?(ms|µs|s)\b`)
	timestampRE = regexp.MustCompile(`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})`)
	// dbt's manifest writes creation times as Unix seconds.
	createdAtRE = regexp.MustCompile(`"created_at": ?\d+(\.\d+)?`)
)

func normalizeOutput(s, project, scratch string) string {
	s = strings.ReplaceAll(s, project, "{project}")
	s = strings.ReplaceAll(s, scratch, "{tmp}")
	s = timestampRE.ReplaceAllString(s, "<timestamp>")
	s = createdAtRE.ReplaceAllString(s, `"created_at": "<timestamp>"`)
	return durationRE.ReplaceAllString(s, "<dur>")
}

// splitArgs splits a command line on spaces, keeping quoted words together.
func splitArgs(s string) []string {
	var out []string
	var cur strings.Builder
	inWord := false
	var quote rune
	for _, r := range s {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '"' || r == '\'':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			if inWord {
				out = append(out, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		out = append(out, cur.String())
	}
	return out
}

func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			// Local build state of the example is never part of a case.
			if rel == ".dataops" || rel == "target" || rel == "logs" {
				return filepath.SkipDir
			}
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
}

// snapshotTree reads every file under root, except DuckDB databases and caches, whose bytes
// are not stable.
func snapshotTree(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if strings.HasSuffix(rel, ".dataops/cache") {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(rel, ".duckdb") || strings.HasSuffix(rel, ".duckdb.wal") {
			return nil
		}
		data, err := os.ReadFile(p)
		if err == nil {
			out[rel] = string(data)
		}
		return nil
	})
	return out
}

func clip(s string) string {
	if len(s) > 2000 {
		return s[:2000] + "\n..."
	}
	return s
}

// firstDiff shows the first differing line with a little context.
func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + strconv.Itoa(i+1) + ":\n  want: " + w + "\n  got:  " + g
		}
	}
	return "(only trailing differences)"
}

package change

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/dataops-dev/dataops/internal/columns"
	"github.com/dataops-dev/dataops/internal/dbt"
)

func keptLoad(ctx context.Context, d string, roots []string, _ bool) (*dbt.Project, error) {
	return dbt.Load(ctx, dbt.LoadOptions{Dir: d, Roots: roots, Getenv: func(string) (string, bool) { return "", false }})
}

// summary is what a change says of its models and property files, for comparing two runs.
func summary(t *testing.T, cs *ChangeSet) string {
	t.Helper()
	data, err := json.Marshal([]any{cs.Models, cs.PropertyFiles})
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func keptTrees(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

// A change run again on the same work tree reads its base from the tree the first run kept,
// and says what a run with a tree of its own says; an edit to the same files keeps the tree,
// an edit to another file makes another.
func TestKeptLightTreeIsReused(t *testing.T) {
	dir := gitRepo(t, map[string]string{
		"dbt_project.yml":    "name: p\nprofile: none\n",
		"macros/m.sql":       "{% macro m() %}2{% endmacro %}",
		"models/a.sql":       "select 1 as x",
		"models/b.sql":       "select {{ m() }} as y",
		"models/_models.yml": "version: 2\nmodels:\n  - name: a\n    columns:\n      - name: x\n",
		"staging/c.sql":      "select 3 as w",
	})
	keep := filepath.Join(t.TempDir(), "trees")
	detect := func(kept string) *ChangeSet {
		t.Helper()
		cs, err := Detect(context.Background(), Options{Dir: dir, BaseRef: "HEAD", Load: keptLoad, KeptTrees: kept, Infer: ColumnsInferrer(columns.Options{Dialect: "duckdb"})})
		if err != nil {
			t.Fatalf("Detect: %v", err)
		}
		t.Cleanup(cs.Close)
		if !cs.LightBase {
			t.Fatal("the change should take a light base")
		}
		return cs
	}
	same := func(what string) {
		t.Helper()
		want := summary(t, detect(""))
		if got := summary(t, detect(keep)); got != want {
			t.Errorf("%s: with a kept tree\n%s\nwithout\n%s", what, got, want)
		}
	}

	write(t, dir, map[string]string{"models/a.sql": "select 1 as x, 2 as z"})
	same("first run")
	trees := keptTrees(t, keep)
	if len(trees) != 2 || trees[0] != ".sqlfluffignore" {
		t.Fatalf("kept trees = %v, want the linter's ignore file and one tree", trees)
	}
	trees = trees[1:]
	base := filepath.Join(keep, trees[0], "models", "a.sql")
	before, err := os.Stat(base)
	if err != nil {
		t.Fatalf("the kept tree holds no base a.sql: %v", err)
	}
	if data, _ := os.ReadFile(base); string(data) != "select 1 as x" {
		t.Errorf("kept base a.sql = %q, want the committed text", data)
	}
	if before.Mode().Perm()&0o222 != 0 {
		t.Errorf("kept base a.sql is writable (%v)", before.Mode())
	}

	write(t, dir, map[string]string{"models/a.sql": "select 1 as x, 2 as z, 4 as v"})
	same("second edit of the same file")
	if got := keptTrees(t, keep)[1:]; !reflect.DeepEqual(got, trees) {
		t.Errorf("kept trees = %v, want %v again", got, trees)
	}
	after, err := os.Stat(base)
	if err != nil || !os.SameFile(before, after) || !after.ModTime().Equal(before.ModTime()) {
		t.Errorf("the kept tree was built again (%v)", err)
	}

	write(t, dir, map[string]string{"models/b.sql": "select {{ m() }} as y, 5 as u"})
	same("another file changed")
	if got := keptTrees(t, keep)[1:]; len(got) != 2 {
		t.Errorf("kept trees = %v, want a second one", got)
	}

	// A changed property file that describes a model outside the tree's folders: the run
	// reads that model's base too, in a tree of its own.
	write(t, dir, map[string]string{"models/_models.yml": "version: 2\nmodels:\n  - name: a\n    columns:\n      - name: x\n  - name: c\n    description: C.\n"})
	same("property file describing a model elsewhere")
}

// A link where a tree would be is not followed: the run builds a temporary tree.
func TestKeptTreeLinkIsNotFollowed(t *testing.T) {
	dir := gitRepo(t, map[string]string{
		"dbt_project.yml": "name: p\nprofile: none\n",
		"models/a.sql":    "select 1 as x",
	})
	write(t, dir, map[string]string{"models/a.sql": "select 2 as x"})
	repo := &Repo{Top: dir}
	s := &sides{repo: repo, baseCommit: run(t, dir, "rev-parse", "HEAD"), headDir: dir, changed: []string{"models/a.sql"}}
	s.lightIncluded = lightFilter(dir, s.changed)
	keep := filepath.Join(t.TempDir(), "trees")
	elsewhere := t.TempDir()
	if err := os.MkdirAll(keep, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(elsewhere, filepath.Join(keep, s.keptTreeKey())); err != nil {
		t.Fatal(err)
	}
	got, err := s.keptTree(context.Background(), keep)
	if err != nil || got != "" {
		t.Errorf("keptTree = %q, %v; want no kept tree", got, err)
	}
	if entries, _ := os.ReadDir(elsewhere); len(entries) != 0 {
		t.Errorf("wrote %d entries through the link", len(entries))
	}

	// A head extracted from a ref keeps no tree.
	s2 := *s
	s2.headCommit = s.baseCommit
	if got, err := s2.keptTree(context.Background(), t.TempDir()); err != nil || got != "" {
		t.Errorf("extracted head: keptTree = %q, %v", got, err)
	}
}

func TestCleanKeptTreesRemovesOnlyTrees(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, ".sqlfluffignore"), []byte("*\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tree := filepath.Join(dir, "0123456789abcdef0123456789abcdef")
	build := tree + ".build-123"
	other := filepath.Join(dir, "notes")
	for _, d := range []string{tree, build, other} {
		if err := os.MkdirAll(filepath.Join(d, "models"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	n, err := CleanKeptTrees(dir)
	if err != nil || n != 2 {
		t.Fatalf("CleanKeptTrees = %d, %v; want 2 removed", n, err)
	}
	if got := keptTrees(t, dir); !reflect.DeepEqual(got, []string{"notes"}) {
		t.Errorf("left %v, want only notes", got)
	}
	if n, err := CleanKeptTrees(filepath.Join(dir, "missing")); err != nil || n != 0 {
		t.Errorf("missing directory: %d, %v", n, err)
	}
}

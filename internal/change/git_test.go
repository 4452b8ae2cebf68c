package change

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// gitRepo makes a repository in a temp dir with files committed, returning its directory.
func gitRepo(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	run(t, dir, "init", "-q", "-b", "main")
	write(t, dir, files)
	commit(t, dir, "base")
	return dir
}

func run(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@t", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@t")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

func write(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if content == "" {
			if err := os.Remove(p); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func commit(t *testing.T, dir, msg string) string {
	t.Helper()
	run(t, dir, "add", "-A")
	run(t, dir, "commit", "-q", "-m", msg)
	return run(t, dir, "rev-parse", "HEAD")
}

func readTree(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		if d.Type()&os.ModeSymlink != 0 {
			if st, err := os.Stat(p); err != nil || st.IsDir() {
				return nil
			}
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		out[filepath.ToSlash(rel)] = string(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestRepoSubdirectoryAndRefs(t *testing.T) {
	ctx := context.Background()
	repo := gitRepo(t, map[string]string{
		"README.md":                       "top\n",
		"transform/x/dbt_project.yml":     "name: x\n",
		"transform/x/models/a.sql":        "select 1 as a\n",
		"transform/x/models/schema.yml":   "version: 2\n",
		"transform/x/models/sub/keep.sql": "select 2 as k\n",
	})
	proj := filepath.Join(repo, "transform", "x")
	r, err := FindRepo(ctx, filepath.Join(proj, "models"))
	if err != nil {
		t.Fatal(err)
	}
	if r.Prefix != "transform/x/models" {
		t.Fatalf("prefix from a subfolder = %q", r.Prefix)
	}
	r, err = FindRepo(ctx, proj)
	if err != nil {
		t.Fatal(err)
	}
	if r.Prefix != "transform/x" {
		t.Fatalf("prefix = %q", r.Prefix)
	}
	base, err := r.ResolveRef(ctx, "main")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.ResolveRef(ctx, "no-such-branch"); err == nil || !strings.Contains(err.Error(), "no-such-branch") {
		t.Fatalf("unknown ref error = %v", err)
	}

	// Work-tree changes: one edited, one deleted, one untracked; plus a committed head.
	write(t, proj, map[string]string{"models/a.sql": "select 1 as a, 2 as b\n", "models/new.sql": "select 3 as n\n"})
	write(t, proj, map[string]string{"models/sub/keep.sql": ""})
	changed, err := r.ChangedFiles(ctx, base, "")
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(changed)
	if got := strings.Join(changed, ","); got != "models/a.sql,models/new.sql,models/sub/keep.sql" {
		t.Fatalf("changed = %s", got)
	}

	dest := t.TempDir()
	projBase, err := r.BuildTree(ctx, base, proj, changed, dest)
	if err != nil {
		t.Fatal(err)
	}
	got := readTree(t, projBase)
	want := map[string]string{
		"dbt_project.yml":     "name: x\n",
		"models/a.sql":        "select 1 as a\n",
		"models/schema.yml":   "version: 2\n",
		"models/sub/keep.sql": "select 2 as k\n",
	}
	if len(got) != len(want) {
		t.Fatalf("base tree = %v", got)
	}
	for k, v := range want {
		if got[k] != v {
			t.Fatalf("base tree %s = %q, want %q", k, got[k], v)
		}
	}
	// The work tree is untouched.
	if b, _ := os.ReadFile(filepath.Join(proj, "models/a.sql")); string(b) != "select 1 as a, 2 as b\n" {
		t.Fatalf("work tree changed: %q", b)
	}
	if st := run(t, repo, "status", "--porcelain"); !strings.Contains(st, "models/a.sql") {
		t.Fatalf("status = %q", st)
	}

	// Extract a committed head.
	head := commit(t, repo, "head")
	projHead, err := r.Extract(ctx, head, filepath.Join(t.TempDir(), "h"))
	if err != nil {
		t.Fatal(err)
	}
	h := readTree(t, projHead)
	if h["models/new.sql"] != "select 3 as n\n" || h["models/sub/keep.sql"] != "" || len(h) != 4 {
		t.Fatalf("head tree = %v", h)
	}
	changed, err = r.ChangedFiles(ctx, base, head)
	if err != nil {
		t.Fatal(err)
	}
	if len(changed) != 3 {
		t.Fatalf("changed between commits = %v", changed)
	}
}

func TestBuildTreeLinksPackages(t *testing.T) {
	ctx := context.Background()
	repo := gitRepo(t, map[string]string{"dbt_project.yml": "name: p\n", ".gitignore": "dbt_packages/\n"})
	write(t, repo, map[string]string{"dbt_packages/u/dbt_project.yml": "name: u\n"})
	r, err := FindRepo(ctx, repo)
	if err != nil {
		t.Fatal(err)
	}
	base, _ := r.ResolveRef(ctx, "HEAD")
	proj, err := r.BuildTree(ctx, base, repo, nil, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(proj, "dbt_packages/u/dbt_project.yml")); err != nil || string(b) != "name: u\n" {
		t.Fatalf("packages not visible in the base tree: %v %q", err, b)
	}
}

func TestNotARepository(t *testing.T) {
	dir := t.TempDir()
	_, err := FindRepo(context.Background(), dir)
	if err == nil || !strings.Contains(err.Error(), "not inside a git repository") {
		t.Fatalf("err = %v", err)
	}
}

func TestUntarRefusesEscapes(t *testing.T) {
	ctx := context.Background()
	repo := gitRepo(t, map[string]string{"dbt_project.yml": "name: p\n"})
	if err := os.Symlink("../../etc/passwd", filepath.Join(repo, "evil")); err != nil {
		t.Fatal(err)
	}
	head := commit(t, repo, "link")
	r, _ := FindRepo(ctx, repo)
	dest := t.TempDir()
	proj, err := r.Extract(ctx, head, dest)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(filepath.Join(proj, "evil")); err == nil {
		t.Fatal("a symlink leaving the tree was extracted")
	}
}

// A clone that lacks a blob (a size-limited or partial clone) still gives a base: a data file
// it lacks is left out, and a model it lacks is an error naming the file.
func TestBuildTreeMissingBlob(t *testing.T) {
	ctx := context.Background()
	repo := gitRepo(t, map[string]string{"dbt_project.yml": "name: p\n", "seeds/big.csv": "a\n1\n", "models/a.sql": "select 1 as a\n"})
	r, err := FindRepo(ctx, repo)
	if err != nil {
		t.Fatal(err)
	}
	base, _ := r.ResolveRef(ctx, "HEAD")
	drop := func(rel string) {
		id := strings.TrimSpace(run(t, repo, "rev-parse", "HEAD:"+rel))
		if err := os.Remove(filepath.Join(repo, ".git", "objects", id[:2], id[2:])); err != nil {
			t.Fatal(err)
		}
		if err := os.Remove(filepath.Join(repo, filepath.FromSlash(rel))); err != nil {
			t.Fatal(err)
		}
	}
	drop("seeds/big.csv")
	proj, err := r.BuildTree(ctx, base, repo, []string{"seeds/big.csv"}, t.TempDir())
	if err != nil {
		t.Fatalf("a missing data file stopped the base: %v", err)
	}
	if got := readTree(t, proj); got["models/a.sql"] != "select 1 as a\n" || len(got) != 2 {
		t.Fatalf("base tree = %v", got)
	}
	drop("models/a.sql")
	if _, err := r.BuildTree(ctx, base, repo, []string{"models/a.sql"}, t.TempDir()); err == nil || !strings.Contains(err.Error(), "models/a.sql") {
		t.Fatalf("a missing model: err = %v, want one naming models/a.sql", err)
	}
}

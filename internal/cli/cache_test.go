package cli

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/dataops-dev/dataops/internal/cache"
)

// Every golden case, run twice on one cache directory: the first run fills it, the second
// reads what the first stored, and both must produce exactly the golden output.
func TestE2EColdAndWarmCache(t *testing.T) {
	if *update {
		return // goldens are written by TestE2E
	}
	entries, err := os.ReadDir(e2eRoot)
	if err != nil {
		t.Fatal(err)
	}
	stored := 0
	for _, e := range entries {
		dir := filepath.Join(e2eRoot, e.Name())
		if _, err := os.Stat(filepath.Join(dir, "cmd")); err != nil {
			continue
		}
		cacheDir := filepath.Join(t.TempDir(), "cache")
		t.Run(e.Name(), func(t *testing.T) {
			env := map[string]string{"DATAOPS_CACHE_DIR": cacheDir}
			t.Run("cold", func(t *testing.T) { runE2ECaseEnv(t, dir, env) })
			u, err := cache.Status(cacheDir)
			if err != nil {
				t.Fatal(err)
			}
			stored += u.Entries
			t.Run("warm", func(t *testing.T) { runE2ECaseEnv(t, dir, env) })
		})
	}
	if stored == 0 {
		t.Fatal("no case stored anything in its cache")
	}
}

// A review run again on the same work tree reads its base from the tree the first run kept
// under the cache directory, says the same as a run without a cache, and `cache clean`
// removes the kept trees with the entries.
func TestReviewKeepsItsLightTree(t *testing.T) {
	_, proj := shopRepo(t)
	f := filepath.Join(proj, "models/staging/stg_customers.sql")
	data, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(f, append(data, []byte("\n-- reviewed again\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "cache")
	review := func(args ...string) string {
		t.Helper()
		out, errOut, code := runCLI(t, append([]string{"review", "--project", proj, "--base", "HEAD~1", "--format", "json", "--no-history"}, args...)...)
		if code > 1 {
			t.Fatalf("review %v: exit %d: %s", args, code, errOut)
		}
		return out
	}
	want := review("--no-cache")
	for run := 1; run <= 2; run++ {
		if got := review("--cache-dir", dir); got != want {
			t.Errorf("run %d with the cache:\n%s\nwithout:\n%s", run, got, want)
		}
		trees, err := filepath.Glob(filepath.Join(dir, keptTreesDir, "[0-9a-f]*"))
		if err != nil || len(trees) != 1 {
			t.Fatalf("run %d: kept trees %v (%v), want one", run, trees, err)
		}
	}
	if _, errOut, code := runCLI(t, "cache", "clean", "--project", proj, "--cache-dir", dir); code != 0 {
		t.Fatalf("cache clean: exit %d: %s", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, keptTreesDir)); !os.IsNotExist(err) {
		t.Errorf("cache clean left the kept trees (%v)", err)
	}
}

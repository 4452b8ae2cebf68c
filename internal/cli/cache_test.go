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

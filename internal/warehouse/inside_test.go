package warehouse

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dataops-dev/dataops/internal/dbt"
)

func duckProfile(path string) string {
	return "shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      schema: main\n      path: " + path + "\n"
}

// A profiles.yml inside the project is project content: its DuckDB path stays in the project.
func TestProjectProfilePathConfined(t *testing.T) {
	top := t.TempDir()
	dir, outside := filepath.Join(top, "project"), filepath.Join(top, "outside")
	write(t, filepath.Join(dir, "dbt_project.yml"), "name: shop\nprofile: shop\n")
	write(t, filepath.Join(outside, "canary.txt"), "canary\n")
	if err := os.Symlink(outside, filepath.Join(dir, "out")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "missing.duckdb"), filepath.Join(dir, "dangling.duckdb")); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{
		filepath.Join(outside, "x.duckdb"),
		"../outside/x.duckdb",
		"data/../../outside/x.duckdb",
		"out/x.duckdb",            // a linked directory
		"out/new/x.duckdb",        // a linked directory, then a missing one
		"dangling.duckdb",         // a link to a file that does not exist yet
		"\"{{ env_var('DB') }}\"", // the same through env_var
		"/etc/passwd",
	} {
		write(t, filepath.Join(dir, "profiles.yml"), duckProfile(bad))
		_, err := resolve(dbt.ProfileOptions{ProjectDir: dir, Getenv: env(map[string]string{"DB": "../outside/e.duckdb"})}, false)
		var te *TargetError
		if !errors.As(err, &te) || te.Path != filepath.Join(dir, "profiles.yml") || te.Line != 7 || !errors.Is(err, ErrOutside) {
			t.Errorf("path %s: %v, want an error at profiles.yml:7", bad, err)
		}
	}
	// DBT_PROFILES_DIR (or --profiles-dir) naming the project does not make its profile the
	// runner's own.
	_, err := resolve(dbt.ProfileOptions{ProjectDir: dir, Getenv: env(map[string]string{"DBT_PROFILES_DIR": dir})}, false)
	if !errors.Is(err, ErrOutside) {
		t.Errorf("DBT_PROFILES_DIR=project: %v", err)
	}
	_, err = resolve(dbt.ProfileOptions{ProjectDir: dir, ProfilesDir: filepath.Join(dir, "."), Getenv: env(nil)}, false)
	if !errors.Is(err, ErrOutside) {
		t.Errorf("--profiles-dir project: %v", err)
	}
	for _, ok := range []string{"data/shop.duckdb", ".dataops/x.duckdb", filepath.Join(dir, "abs.duckdb"), `":memory:"`} {
		write(t, filepath.Join(dir, "profiles.yml"), duckProfile(ok))
		tg, err := resolve(dbt.ProfileOptions{ProjectDir: dir, Getenv: env(nil)}, false)
		if err != nil {
			t.Errorf("path %s: %v", ok, err)
			continue
		}
		if ok != `":memory:"` && (tg.Root != dir || !strings.HasPrefix(tg.Path, dir+string(filepath.Separator))) {
			t.Errorf("path %s: target %+v", ok, tg)
		}
	}
	entries, _ := os.ReadDir(outside)
	if len(entries) != 1 {
		t.Fatalf("outside holds %d entries", len(entries))
	}
}

// The runner's own profiles (~/.dbt, a --profiles-dir or DBT_PROFILES_DIR outside the project)
// may point anywhere.
func TestRunnerProfileMayPointAnywhere(t *testing.T) {
	top := t.TempDir()
	dir, home, pdir := filepath.Join(top, "project"), filepath.Join(top, "home"), filepath.Join(top, "profiles")
	write(t, filepath.Join(dir, "dbt_project.yml"), "name: shop\nprofile: shop\n")
	elsewhere := filepath.Join(top, "warehouse", "shop.duckdb")
	write(t, filepath.Join(home, ".dbt", "profiles.yml"), duckProfile(elsewhere))
	write(t, filepath.Join(pdir, "profiles.yml"), duckProfile(elsewhere))
	for name, opts := range map[string]dbt.ProfileOptions{
		"home":             {ProjectDir: dir, Getenv: env(nil), Home: home},
		"--profiles-dir":   {ProjectDir: dir, ProfilesDir: pdir, Getenv: env(nil)},
		"DBT_PROFILES_DIR": {ProjectDir: dir, Getenv: env(map[string]string{"DBT_PROFILES_DIR": pdir})},
	} {
		tg, err := resolve(opts, false)
		if err != nil || tg.Path != elsewhere || tg.Root != "" {
			t.Errorf("%s: %+v %v", name, tg, err)
		}
	}
	// Unless the caller says the file is project content (a base commit's copy).
	_, err := resolve(dbt.ProfileOptions{ProjectDir: dir, ProfilesDir: pdir, Getenv: env(nil)}, true)
	if !errors.Is(err, ErrOutside) {
		t.Errorf("project content in a scratch directory: %v", err)
	}
}

func TestInside(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "a"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("a", filepath.Join(dir, "in")); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{"x.duckdb": "x.duckdb", "a/b/c": "a/b/c", "in/x": "in/x", filepath.Join(dir, "a", "x"): "a/x", "a/../y": "y"} {
		if got, err := Inside(dir, path); err != nil || got != filepath.FromSlash(want) {
			t.Errorf("Inside(%s) = %q %v, want %q", path, got, err, want)
		}
	}
	for _, path := range []string{"..", "../x", "/x", dir + "x/y"} {
		if _, err := Inside(dir, path); !errors.Is(err, ErrOutside) {
			t.Errorf("Inside(%s) = %v, want ErrOutside", path, err)
		}
	}
}

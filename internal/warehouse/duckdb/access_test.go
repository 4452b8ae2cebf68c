package duckdb

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/dataops-dev/dataops/internal/warehouse"
)

// fixture is a project directory and a directory outside it holding canary.txt.
type fixture struct{ project, outside string }

func newFixture(t *testing.T) fixture {
	t.Helper()
	top := t.TempDir()
	f := fixture{project: filepath.Join(top, "project"), outside: filepath.Join(top, "outside")}
	for _, d := range []string{f.project + "/seeds", f.outside, f.project + "-sibling"} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write := func(path, s string) {
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(f.outside+"/canary.txt", "canary\n")
	write(f.project+"-sibling/x.txt", "sibling\n")
	write(f.project+"/seeds/a.csv", "id,name\n1,ann\n")
	write(f.outside+"/b.csv", "id,name\n2,bob\n")
	for link, target := range map[string]string{"seeds/link.csv": f.outside + "/canary.txt", "out": f.outside} {
		if err := os.Symlink(target, filepath.Join(f.project, link)); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// unchanged fails the test when anything was created in the outside directory.
func (f fixture) unchanged(t *testing.T) {
	t.Helper()
	entries, err := os.ReadDir(f.outside)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, ",") != "b.csv,canary.txt" {
		t.Fatalf("outside directory now holds %v", names)
	}
}

func lit(s string) string { return warehouse.DuckDB.Literal(s) }

// refused runs SQL that must fail with DuckDB's permission error, which names the file.
func refused(t *testing.T, w warehouse.Warehouse, q, file string) {
	t.Helper()
	_, err := w.Query(context.Background(), q, 0)
	if err == nil {
		t.Errorf("%s: ran", q)
		return
	}
	if msg := err.Error(); !strings.Contains(msg, "Permission Error") || !strings.Contains(msg, file) {
		t.Errorf("%s: %v, want a permission error naming %s", q, err, file)
	}
}

func TestReadOnlyReachesNoFile(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	path := filepath.Join(f.project, "w.duckdb")
	w, err := Open(ctx, path, warehouse.Access{Write: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Exec(ctx, "create table t as select 1 as x"); err != nil {
		t.Fatal(err)
	}
	// Writes reach no file either: external access is off whenever no directory is allowed.
	refused(t, w, "copy (select 1) to "+lit(f.outside+"/x.csv"), f.outside+"/x.csv")
	w.Close()

	w, err = Open(ctx, path, warehouse.ReadOnly())
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if rows, err := w.Query(ctx, "select x from t", 0); err != nil || fmt.Sprint(rows.Values) != "[[1]]" {
		t.Fatalf("query = %v %v", rows, err)
	}
	refused(t, w, "select * from read_text("+lit(f.outside+"/canary.txt")+")", f.outside+"/canary.txt")
	refused(t, w, "select * from read_csv("+lit(f.project+"/seeds/a.csv")+")", f.project+"/seeds/a.csv")
	refused(t, w, "copy (select 42) to "+lit(f.outside+"/x.csv"), f.outside+"/x.csv")
	refused(t, w, "attach "+lit(f.outside+"/other.duckdb"), f.outside+"/other.duckdb")
	if err := w.Exec(ctx, "create table u (x integer)"); err == nil {
		t.Error("created a table in a read-only database")
	}
	f.unchanged(t)

	// Read-only never creates the database it is asked for.
	missing := filepath.Join(f.outside, "new", "w.duckdb")
	if _, err := Open(ctx, missing, warehouse.ReadOnly()); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("open of a missing file read-only: %v", err)
	}
	f.unchanged(t)
}

func TestBuildAccessStaysInProject(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	w, err := Open(ctx, filepath.Join(f.project, ".dataops", "w.duckdb"), warehouse.BuildAccess(f.project))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	rows, err := w.Query(ctx, "select content from read_text("+lit(f.project+"/seeds/a.csv")+")", 0)
	if err != nil || !strings.Contains(fmt.Sprint(rows.Values), "ann") {
		t.Fatalf("a file in the project: %v %v", rows, err)
	}
	for _, p := range []string{
		f.outside + "/canary.txt",
		f.project + "/seeds/link.csv",        // a link inside the project to a file outside
		f.project + "/out/canary.txt",        // through a linked directory
		f.project + "/../outside/canary.txt", // up and out
		f.project + "-sibling/x.txt",         // a name that merely starts like the project's
		"/etc/passwd",
	} {
		refused(t, w, "select * from read_text("+lit(p)+")", p)
	}
	refused(t, w, "copy (select 42 as pwned) to "+lit(f.outside+"/x.csv"), f.outside+"/x.csv")
	refused(t, w, "copy (select 42 as pwned) to "+lit(f.project+"/out/x.csv"), f.project+"/out/x.csv")
	// Seeds under the project load through DuckDB's CSV reader; one outside does not.
	n, err := w.LoadSeed(ctx, warehouse.Seed{Relation: warehouse.Relation{Schema: "main", Name: "a"}, Path: "seeds/a.csv", File: f.project + "/seeds/a.csv"})
	if err != nil || n != 1 {
		t.Fatalf("seed in the project: %d %v", n, err)
	}
	if _, err := w.LoadSeed(ctx, warehouse.Seed{Relation: warehouse.Relation{Schema: "main", Name: "b"}, Path: "b.csv", File: f.outside + "/b.csv"}); err == nil ||
		!strings.Contains(err.Error(), "Permission Error") {
		t.Fatalf("seed outside the project: %v", err)
	}
	f.unchanged(t)
}

// No SQL turns file access back on or widens it: the configuration is locked, on every
// connection of the pool.
func TestConfigurationLocked(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for name, a := range map[string]warehouse.Access{"read-only": warehouse.ReadOnly(), "build": warehouse.BuildAccess(f.project)} {
		t.Run(name, func(t *testing.T) {
			w, err := Open(ctx, ":memory:", a)
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			for _, q := range []string{
				"set enable_external_access = true",
				"set global enable_external_access = true",
				"reset enable_external_access",
				"set allowed_directories = ['/']",
				"set allowed_paths = [" + lit(f.outside+"/canary.txt") + "]",
				"set lock_configuration = false",
				"reset lock_configuration",
				"reset all",
				"set disabled_filesystems = ''",
				"set autoinstall_known_extensions = true",
				"set autoload_known_extensions = true",
				"pragma enable_external_access",
				"install httpfs",
				"load httpfs",
			} {
				if err := w.Exec(ctx, q); err == nil {
					t.Errorf("%s: ran", q)
				}
			}
			rows, err := w.Query(ctx, "select current_setting('enable_external_access'), current_setting('lock_configuration'), current_setting('autoinstall_known_extensions')", 0)
			if err != nil || fmt.Sprint(rows.Values) != "[[false true false]]" {
				t.Fatalf("settings = %v %v", rows, err)
			}
			// Queries in parallel take new connections from the pool; none of them reads.
			var wg sync.WaitGroup
			errs := make([]error, 8)
			for i := range errs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, errs[i] = w.Query(ctx, "select * from read_text("+lit(f.outside+"/canary.txt")+")", 0)
				}()
			}
			wg.Wait()
			for _, err := range errs {
				if err == nil || !strings.Contains(err.Error(), "Permission Error") {
					t.Fatalf("read outside on a pooled connection: %v", err)
				}
			}
		})
	}
}

// A target whose file must stay in the project (a project profile, the embedded default) is
// refused when a link leads it out, and nothing is created there.
func TestTargetRootConfines(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for _, path := range []string{f.project + "/out/w.duckdb", f.project + "/out/new/w.duckdb", f.outside + "/w.duckdb"} {
		tg := &warehouse.Target{Type: "duckdb", Path: path, Root: f.project}
		_, err := warehouse.Open(ctx, tg, warehouse.BuildAccess(f.project))
		if !errors.Is(err, warehouse.ErrOutside) {
			t.Errorf("%s: %v, want ErrOutside", path, err)
		}
	}
	if err := os.Symlink(f.outside, filepath.Join(f.project, ".dataops")); err != nil {
		t.Fatal(err)
	}
	if _, err := warehouse.Open(ctx, warehouse.DefaultTarget(f.project), warehouse.BuildAccess(f.project)); !errors.Is(err, warehouse.ErrOutside) {
		t.Errorf("default target through a linked .dataops: %v, want ErrOutside", err)
	}
	f.unchanged(t)
	// Inside, missing directories are made.
	tg := &warehouse.Target{Type: "duckdb", Path: f.project + "/a/b/w.duckdb", Root: f.project}
	w, err := warehouse.Open(ctx, tg, warehouse.BuildAccess(f.project))
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	if _, err := os.Stat(tg.Path); err != nil {
		t.Fatal(err)
	}
}

// A database this process already has open keeps its configuration: opening it again with
// other access fails rather than run with the first one's. A path that would carry driver
// options is refused.
func TestOpenNeverWeaker(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	path := filepath.Join(f.project, "w.duckdb")
	w, err := Open(ctx, path, warehouse.BuildAccess(f.project))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if again, err := Open(ctx, path, warehouse.ReadOnly()); err == nil {
		again.Close()
		t.Fatal("opened read-only a database this process has open read-write")
	}
	if _, err := w.Query(ctx, "select 1", 0); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path + "?access_mode=read_write", filepath.Join(f.project, "a#b.duckdb")} {
		if _, err := Open(ctx, p, warehouse.Access{Write: true}); err == nil || !strings.Contains(err.Error(), "may not hold") {
			t.Errorf("%s: %v", p, err)
		}
	}
}

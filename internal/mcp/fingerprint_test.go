package mcp

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestFingerprintSeesWhatALoadReads(t *testing.T) {
	dir := shopCopy(t)
	local := t.TempDir() // a local package of a monorepo, linked into dbt_packages
	write := func(p, s string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(local, "macros", "m.sql"), "{% macro m() %}1{% endmacro %}")
	if err := os.MkdirAll(filepath.Join(dir, "dbt_packages"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(local, filepath.Join(dir, "dbt_packages", "shared")); err != nil {
		t.Fatal(err)
	}
	fp := fingerprint(dir, "")
	later := time.Now().Add(2 * time.Second)
	for _, c := range []struct {
		what    string
		change  func()
		changes bool
	}{
		{"a README at the top", func() { write(filepath.Join(dir, "README.md"), "x") }, false},
		{"a script at the top", func() { write(filepath.Join(dir, "run.sql"), "x") }, false},
		{"the built DuckDB", func() { write(filepath.Join(dir, ".dataops", "dataops.duckdb"), "x") }, false},
		{"a log", func() { write(filepath.Join(dir, "logs", "dbt.log"), "x") }, false},
		{"target/run output", func() { write(filepath.Join(dir, "target", "run", "x.sql"), "x") }, false},
		{"a model's content", func() {
			write(filepath.Join(dir, "models", "staging", "stg_orders.sql"), "select 1 as x")
		}, true},
		{"a model's time only", func() {
			p := filepath.Join(dir, "models", "staging", "stg_orders.sql")
			if err := os.Chtimes(p, later, later); err != nil {
				t.Fatal(err)
			}
		}, true},
		{"a new docs file", func() { write(filepath.Join(dir, "models", "more.md"), "{% docs x %}y{% enddocs %}") }, true},
		{"settings", func() { write(filepath.Join(dir, ".dataops.yml"), "lint: {}\n") }, true},
		{"SQLFluff settings", func() { write(filepath.Join(dir, ".sqlfluff"), "[sqlfluff]\n") }, true},
		{"the catalog", func() { write(filepath.Join(dir, "target", "catalog.json"), "{}") }, true},
		{"a macro of a linked package", func() { write(filepath.Join(local, "macros", "m.sql"), "{% macro m() %}2{% endmacro %}") }, true},
		{"a removed model", func() {
			if err := os.Remove(filepath.Join(dir, "models", "staging", "stg_orders.sql")); err != nil {
				t.Fatal(err)
			}
		}, true},
	} {
		c.change()
		got := fingerprint(dir, "")
		if (got != fp) != c.changes {
			t.Errorf("%s: changed %v, want %v", c.what, got != fp, c.changes)
		}
		fp = got
	}
}

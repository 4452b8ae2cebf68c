//go:build linux

package mcp

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestWatcherCountsWhatALoadReads(t *testing.T) {
	dir := shopCopy(t)
	local := t.TempDir()
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
	w, err := newWatcher(dir, "", 1)
	if err != nil {
		t.Fatal(err)
	}
	defer w.close()
	gen, ok := w.poll()
	if !ok || gen != 1 {
		t.Fatalf("a fresh watcher: %d %v", gen, ok)
	}
	later := time.Now().Add(2 * time.Second)
	for _, c := range []struct {
		what    string
		change  func()
		changes bool
	}{
		{"a README at the top", func() { write(filepath.Join(dir, "README.md"), "x") }, false},
		{"an editor's swap file", func() { write(filepath.Join(dir, "models", ".stg_orders.sql.swp"), "x") }, false},
		{"the built DuckDB", func() { write(filepath.Join(dir, ".dataops", "dataops.duckdb"), "x") }, false},
		{"a log", func() { write(filepath.Join(dir, "logs", "dbt.log"), "x") }, false},
		{"target/run output", func() { write(filepath.Join(dir, "target", "run", "x.sql"), "x") }, true}, // target/ appeared
		{"more target/run output", func() { write(filepath.Join(dir, "target", "run", "y.sql"), "x") }, false},
		{"the catalog", func() { write(filepath.Join(dir, "target", "catalog.json"), "{}") }, true},
		{"a model's content", func() { write(filepath.Join(dir, "models", "staging", "stg_orders.sql"), "select 1 as x") }, true},
		{"a model's time only", func() {
			if err := os.Chtimes(filepath.Join(dir, "models", "staging", "stg_orders.sql"), later, later); err != nil {
				t.Fatal(err)
			}
		}, true},
		{"a save by rename", func() {
			tmp := filepath.Join(dir, "models", "staging", "stg_orders.sql~")
			write(tmp, "select 2 as x")
			if err := os.Rename(tmp, filepath.Join(dir, "models", "staging", "stg_orders.sql")); err != nil {
				t.Fatal(err)
			}
		}, true},
		{"a new folder", func() {
			if err := os.Mkdir(filepath.Join(dir, "models", "finance"), 0o755); err != nil {
				t.Fatal(err)
			}
		}, true},
		{"a model in the new folder", func() { write(filepath.Join(dir, "models", "finance", "f.sql"), "select 1") }, true},
		{"settings", func() { write(filepath.Join(dir, ".dataops.yml"), "lint: {}\n") }, true},
		{"a local package linked in", func() {
			if err := os.Symlink(local, filepath.Join(dir, "dbt_packages", "shared")); err != nil {
				t.Fatal(err)
			}
		}, true},
		{"a macro of the linked package", func() { write(filepath.Join(local, "macros", "m.sql"), "{% macro m() %}2{% endmacro %}") }, true},
		{"a removed folder", func() {
			if err := os.RemoveAll(filepath.Join(dir, "models", "finance")); err != nil {
				t.Fatal(err)
			}
		}, true},
	} {
		c.change()
		got, ok := w.poll()
		if !ok {
			t.Fatalf("%s: the watcher failed: %v", c.what, w.err)
		}
		if (got != gen) != c.changes {
			t.Errorf("%s: changed %v, want %v", c.what, got != gen, c.changes)
		}
		gen = got
	}
}

// Events the kernel had to drop count as a change, and the watcher goes on.
func TestWatcherOverflow(t *testing.T) {
	dir := shopCopy(t)
	w, err := newWatcher(dir, "", 1)
	if err != nil {
		t.Fatal(err)
	}
	defer w.close()
	gen, _ := w.poll()
	limit := 16384
	if b, err := os.ReadFile("/proc/sys/fs/inotify/max_queued_events"); err == nil {
		fmt.Sscan(string(b), &limit)
	}
	for i := 0; i <= limit; i++ {
		if err := os.WriteFile(filepath.Join(dir, "README.md"), []byte(fmt.Sprint(i)), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Remove(filepath.Join(dir, "README.md")); err != nil {
			t.Fatal(err)
		}
	}
	got, ok := w.poll()
	if !ok || got == gen {
		t.Fatalf("after an overflow: %d %v (%v)", got, ok, w.err)
	}
	if err := os.WriteFile(filepath.Join(dir, "models", "x.sql"), []byte("select 1"), 0o644); err != nil {
		t.Fatal(err)
	}
	if again, ok := w.poll(); !ok || again == got {
		t.Fatalf("after the overflow the watcher stopped seeing edits: %d %v", again, ok)
	}
}

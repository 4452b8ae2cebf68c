package testgen

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/dataops-dev/dataops/internal/dbt"
)

// A column whose test name carries a stray backtick or quote is tested by the test it was
// meant to be: dbt reads "not_null`" as not_null, and "`unique" is an error the review reports
// at its line. Neither gets a second, duplicate test proposed beside it.
func TestMisspeltTestNamesCountAsTheTest(t *testing.T) {
	dir := t.TempDir()
	for rel, s := range map[string]string{
		"dbt_project.yml": "name: p\nprofile: none\n",
		"models/m.sql":    "select 1 as id, 2 as amount",
		"models/m.yml": "version: 2\nmodels:\n  - name: m\n    columns:\n      - name: id\n        tests:\n          - \"`unique\"\n" +
			"      - name: amount\n        tests:\n          - not_null`\n",
	} {
		full := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p, err := dbt.Load(context.Background(), dbt.LoadOptions{Dir: dir, Adapter: "duckdb"})
	if err != nil {
		t.Fatal(err)
	}
	got := existingTests(p)["model.p.m"]
	if !got[dbt.ColumnKey("id")][Unique] || !got[dbt.ColumnKey("amount")][NotNull] {
		t.Errorf("existing tests %v: want unique on id, not_null on amount", got)
	}
}

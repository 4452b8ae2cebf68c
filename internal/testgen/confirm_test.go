package testgen

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/warehouse"
	"github.com/dataops-dev/dataops/internal/warehouse/duckdb"
	"github.com/dataops-dev/dataops/internal/warehouse/runner"
)

// The name says user_id is the key of stg_users; the data has two duplicated ids. The
// suggestion must come back failed with the count, and not_null (which holds) confirmed.
func TestConfirmOnData(t *testing.T) {
	ctx := context.Background()
	p, inf := loadCase(t, "testdata/contradict")
	w, err := duckdb.Open(ctx, filepath.Join(t.TempDir(), "t.duckdb"), warehouse.BuildAccess("testdata"))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	target := &warehouse.Target{Schema: "main"}
	for _, r := range runner.Run(ctx, runner.Config{Project: p, Warehouse: w, Target: target, Types: []string{dbt.Seed, dbt.Model}}) {
		if r.Failed() {
			t.Fatalf("%s: %s", r.Name, r.Message)
		}
	}
	res := Suggest(p, inf, Options{})
	Confirm(ctx, p, w, target, res)
	var unique, notNull *Suggestion
	for _, s := range res.Suggestions {
		if s.Column == "user_id" && s.Test == Unique {
			unique = s
		}
		if s.Column == "user_id" && s.Test == NotNull {
			notNull = s
		}
	}
	if unique == nil || notNull == nil {
		t.Fatalf("want unique and not_null on user_id, got %+v", res.Suggestions)
	}
	if unique.Status != Failed || unique.Failures != 2 {
		t.Errorf("unique: status %s failures %d, want failed with 2", unique.Status, unique.Failures)
	}
	if notNull.Status != Confirmed {
		t.Errorf("not_null: status %s, want confirmed", notNull.Status)
	}
	// A model never built cannot be checked: the suggestion stays unverified with the reason.
	p2, inf2 := loadCase(t, "testdata/cases/enum")
	res2 := Suggest(p2, inf2, Options{})
	Confirm(ctx, p2, w, target, res2)
	for _, s := range res2.Suggestions {
		if s.Status != Unverified || len(s.Reasons) == 0 {
			t.Errorf("unbuilt model: %+v", s)
		}
	}
}

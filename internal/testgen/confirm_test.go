package testgen

import (
	"context"
	"os"
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

// Suggestions carry names and values from the pull request's SQL: confirming them runs each as
// one quoted name in one statement. The column alias of issue 17 becomes a column the tests
// find, and the COPY it carries never runs.
func TestConfirmQuotesNames(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	canary := filepath.Join(dir, "x.csv")
	col := `1 as a_id, ' as s) t; COPY (select 42 as pwned) TO $$` + canary + `$$; select * from (select x_id from (select 1 as x_id) q where x_id`
	w, err := duckdb.Open(ctx, filepath.Join(dir, "t.duckdb"), warehouse.Access{Write: true})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	d := w.Dialect()
	if err := w.Exec(ctx, "create table main.pwn as select 7 as "+d.Ident(col)+", 'it''s' as status"); err != nil {
		t.Fatal(err)
	}
	id := "model.shop.pwn"
	p := &dbt.Project{Name: "shop", Nodes: map[string]*dbt.Node{id: {UniqueID: id, ResourceType: dbt.Model, Package: "shop", Name: "pwn",
		Schema: "main", Config: map[string]any{"materialized": "table"}}}, Sources: map[string]*dbt.Source{}, Macros: map[string]*dbt.Macro{}}
	res := &Result{Suggestions: []*Suggestion{
		{UniqueID: id, Column: col, Test: NotNull},
		{UniqueID: id, Column: col, Test: Unique},
		{UniqueID: id, Column: "status", Test: AcceptedValues, Arguments: map[string]any{"values": []any{"it's"}}},
		{UniqueID: id, Column: col, Test: Relationships, Arguments: map[string]any{"to": "ref('pwn')", "field": col}},
		{UniqueID: id, Test: CombinationKey, Arguments: map[string]any{"combination_of_columns": []any{col, "status"}}},
	}}
	Confirm(ctx, p, w, &warehouse.Target{Schema: "main"}, res)
	for _, s := range res.Suggestions {
		if s.Status != Confirmed {
			t.Errorf("%s on %q: %s %v", s.Test, s.Column, s.Status, s.Reasons)
		}
	}
	if _, err := os.Stat(canary); err == nil {
		t.Fatal("the COPY in the column name ran")
	}
}

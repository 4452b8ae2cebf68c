package change

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/dataops-dev/dataops/internal/columns"
	"github.com/dataops-dev/dataops/internal/dbt"
)

// A change to a family of models switched off by a var is detected as a change to any model:
// the column added to the model that is off, read through another that is off, on the light
// and the full base; switching a model on or off is an addition or a removal, as dbt sees it.
func TestChangeToModelsThatAreOff(t *testing.T) {
	project := "name: p\nprofile: none\nmodels:\n  p:\n    v2:\n      +enabled: \"{{ var('using_v2', false) }}\"\n"
	dir := gitRepo(t, map[string]string{
		"dbt_project.yml":           project,
		"models/orders.sql":         "select 1 as order_id",
		"models/v2/stg_v2_a.sql":    "select 1 as account_id, 'x' as account_name",
		"models/v2/v2_accounts.sql": "select account_id from {{ ref('stg_v2_a') }}",
		"models/v2/v2_old.sql":      "select 1 as x",
		"models/v2/_v2.yml":         "version: 2\nmodels:\n  - name: v2_accounts\n    columns:\n      - name: account_id\n",
	})
	load := func(ctx context.Context, d string, roots []string, _ bool) (*dbt.Project, error) {
		return dbt.Load(ctx, dbt.LoadOptions{Dir: d, Roots: roots, Compile: true, Getenv: func(string) (string, bool) { return "", false }})
	}
	write(t, dir, map[string]string{
		"models/v2/v2_accounts.sql": "select account_id, account_name from {{ ref('stg_v2_a') }}",
		"models/v2/v2_new.sql":      "select 2 as y",
	})
	if err := os.Remove(filepath.Join(dir, "models", "v2", "v2_old.sql")); err != nil {
		t.Fatal(err)
	}
	for _, full := range []bool{false, true} {
		cs, err := Detect(context.Background(), Options{Dir: dir, BaseRef: "HEAD", FullBase: full, Load: load,
			Infer: ColumnsInferrer(columns.Options{})})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]*ModelChange{}
		for _, m := range cs.Models {
			got[m.UniqueID] = m
		}
		if len(got) != 3 {
			t.Errorf("full base %v: %d changes, want 3: %v", full, len(got), got)
		}
		m := got["model.p.v2_accounts"]
		if m == nil || m.Change != Modified || !m.Off || len(m.Columns) != 1 || m.Columns[0].Name != "account_name" || m.Columns[0].Change != Added {
			t.Errorf("full base %v: v2_accounts: %+v", full, m)
		}
		if m := got["model.p.v2_new"]; m == nil || m.Change != Added || !m.Off {
			t.Errorf("full base %v: v2_new: %+v", full, m)
		}
		if m := got["model.p.v2_old"]; m == nil || m.Change != Removed || !m.Off || len(m.Impact) != 0 {
			t.Errorf("full base %v: v2_old: %+v", full, m)
		}
		cs.Close()
	}
}

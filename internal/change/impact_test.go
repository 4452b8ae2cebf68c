package change

import (
	"context"
	"testing"

	"github.com/dataops-dev/dataops/internal/columns"
	"github.com/dataops-dev/dataops/internal/dbt"
)

// A column renamed upstream while the pull request also edits a reader that still reads the old
// name (a comment added, the reference forgotten): the reader's head cannot resolve the column,
// so its base reading stands and the change is partial, naming the reader. A reader updated to
// the new name is not reported.
func TestRenameReadByEditedModel(t *testing.T) {
	dir := gitRepo(t, map[string]string{
		"dbt_project.yml":      "name: p\nprofile: none\n",
		"models/stg_users.sql": "select 1 as user_id, 'a' as first_name, 'b' as last_name",
		"models/dim_users.sql": "select users.user_id, users.first_name from {{ ref('stg_users') }} as users",
		"models/rpt_names.sql": "select users.user_id, users.last_name from {{ ref('stg_users') }} as users",
	})
	write(t, dir, map[string]string{
		"models/stg_users.sql": "select 1 as user_id, 'a' as given_name, 'b' as family_name",
		"models/dim_users.sql": "select users.user_id, users.first_name -- shown on invoices\nfrom {{ ref('stg_users') }} as users",
		"models/rpt_names.sql": "select users.user_id, users.family_name as last_name from {{ ref('stg_users') }} as users",
	})
	cs, err := Detect(context.Background(), Options{Dir: dir, BaseRef: "HEAD",
		Load: func(ctx context.Context, d string, roots []string, _ bool) (*dbt.Project, error) {
			return dbt.Load(ctx, dbt.LoadOptions{Dir: d, Roots: roots, Adapter: "duckdb", Getenv: func(string) (string, bool) { return "", false }})
		},
		Infer: ColumnsInferrer(columns.Options{Dialect: "duckdb"})})
	if err != nil {
		t.Fatalf("Detect: %v", err)
	}
	defer cs.Close()
	m := cs.Model("model.p.stg_users")
	if m == nil {
		t.Fatal("stg_users not changed")
	}
	got := map[string]bool{}
	for _, ci := range m.ColImpact {
		got[ci.Column+" -> "+ci.Node+"."+ci.NodeColumn] = true
	}
	if !got["first_name -> model.p.dim_users.first_name"] {
		t.Errorf("column impact %+v: want dim_users.first_name, which still reads the renamed column", m.ColImpact)
	}
	for k := range got {
		if k != "first_name -> model.p.dim_users.first_name" {
			t.Errorf("unexpected impact %s: rpt_names reads the new name", k)
		}
	}
}

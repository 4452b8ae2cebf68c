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
	cs := detectWorkTree(t, dir)
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

// A removed model's readers are the models that still read it: a consumer moved to another
// model, or deleted by the same change, is none. Likewise a column removed from a model is
// read by no model the change deletes.
func TestRemovedReadersStillRead(t *testing.T) {
	dir := gitRepo(t, map[string]string{
		"dbt_project.yml":       "name: p\nprofile: none\n",
		"models/old_lookup.sql": "select 1 as id, 'a' as label",
		"models/consumer.sql":   "select id, label from {{ ref('old_lookup') }}",
		"models/dim_author.sql": "select 1 as author_id, 'h' as author_hk",
		"models/brg_author.sql": "select author_id, author_hk from {{ ref('dim_author') }}",
		"models/stays.sql":      "select 2 as id",
		"models/reader.sql":     "select id from {{ ref('stays') }}",
		"models/gone.sql":       "select 3 as id",
		"models/still.sql":      "select id from {{ ref('gone') }}",
	})
	write(t, dir, map[string]string{
		"models/new_lookup.sql": "select code as id, name as label, region from {{ ref('stays') }} cross join (select 'x' as code, 'y' as name, 'z' as region)",
		"models/old_lookup.sql": "",
		"models/consumer.sql":   "select id, label from {{ ref('new_lookup') }}",
		"models/dim_author.sql": "select 1 as author_id",
		"models/brg_author.sql": "",
		"models/gone.sql":       "",
	})
	cs := detectWorkTree(t, dir)
	for id, want := range map[string]int{"model.p.old_lookup": 0, "model.p.gone": 1} {
		m := cs.Model(id)
		if m == nil || m.Change != Removed {
			t.Fatalf("%s not removed: %+v", id, m)
		}
		if len(m.Impact) != want {
			t.Errorf("%s: downstream %v, want %d node(s)", id, m.Impact, want)
		}
	}
	if m := cs.Model("model.p.dim_author"); m == nil || len(m.ColImpact) != 0 {
		t.Errorf("dim_author: column impact %+v, want none (its reader is deleted)", m)
	}
}

// detectWorkTree detects the change of dir's work tree against HEAD, on DuckDB, with columns.
func detectWorkTree(t *testing.T, dir string) *ChangeSet {
	t.Helper()
	cs, err := Detect(context.Background(), Options{Dir: dir, BaseRef: "HEAD",
		Load: func(ctx context.Context, d string, roots []string, _ bool) (*dbt.Project, error) {
			return dbt.Load(ctx, dbt.LoadOptions{Dir: d, Roots: roots, Adapter: "duckdb", Getenv: func(string) (string, bool) { return "", false }})
		},
		Infer: ColumnsInferrer(columns.Options{Dialect: "duckdb"})})
	if err != nil {
		t.Fatalf("Detect: %v", err)
	}
	t.Cleanup(cs.Close)
	return cs
}

package change

import (
	"context"
	"testing"

	"github.com/dataops-dev/dataops/internal/dbt"
)

// A property file that lists a column twice (a copy-paste slip real projects carry for years)
// must read the same on both sides: on a clean tree nothing changed, and an edit elsewhere in
// the same file changes only the model it touches. Both the light and the full base.
func TestDuplicateColumnEntriesAreNoChange(t *testing.T) {
	props := `version: 2
models:
  - name: stg_ip
    columns:
      - name: range_start
        description: Numeric start address of the network.
        tests: [not_null]
      - name: range_start
        description: Numeric end address of the network.
  - name: fct_feedback
    columns:
      - name: server_id
        description: The server.
`
	dir := gitRepo(t, map[string]string{
		"dbt_project.yml":         "name: p\nprofile: none\n",
		"models/stg_ip.sql":       "select 1 as range_start",
		"models/fct_feedback.sql": "select 1 as server_id",
		"models/_models.yml":      props,
	})
	load := func(ctx context.Context, d string, roots []string, _ bool) (*dbt.Project, error) {
		return dbt.Load(ctx, dbt.LoadOptions{Dir: d, Roots: roots, Getenv: func(string) (string, bool) { return "", false }})
	}
	detect := func(full bool) *ChangeSet {
		t.Helper()
		cs, err := Detect(context.Background(), Options{Dir: dir, BaseRef: "HEAD", FullBase: full, Load: load})
		if err != nil {
			t.Fatalf("Detect: %v", err)
		}
		t.Cleanup(cs.Close)
		return cs
	}
	for _, full := range []bool{false, true} {
		if cs := detect(full); len(cs.Models) != 0 {
			t.Errorf("clean tree (full base %v): %d models changed, first %s %+v", full, len(cs.Models), cs.Models[0].UniqueID, cs.Models[0].Properties)
		}
	}
	write(t, dir, map[string]string{"models/_models.yml": props + "        tests: [not_null]\n"})
	for _, full := range []bool{false, true} {
		cs := detect(full)
		if len(cs.Models) != 1 || cs.Models[0].UniqueID != "model.p.fct_feedback" {
			var ids []string
			for _, m := range cs.Models {
				ids = append(ids, m.UniqueID)
			}
			t.Errorf("edit of fct_feedback (full base %v): changed %v, want only model.p.fct_feedback", full, ids)
		}
	}
}

// The folded view of one side: the later entry's description wins, tests of both count.
func TestFoldColumns(t *testing.T) {
	cols := []*dbt.Column{
		{Name: "A", Description: "first", Tests: []*dbt.TestDef{{Name: "not_null"}}},
		{Name: "b"},
		{Name: "a", Description: "second", Tests: []*dbt.TestDef{{Name: "unique"}}},
	}
	set := foldColumns(cols)
	if len(set.order) != 2 || set.order[0].name != "A" || set.order[1].name != "b" {
		t.Fatalf("order = %+v", set.order)
	}
	a := set.byName["a"]
	if a.description != "second" {
		t.Errorf("description = %q, want the later entry's", a.description)
	}
	if a.tests != testsKey([]*dbt.TestDef{{Name: "unique"}, {Name: "not_null"}}) {
		t.Errorf("tests = %q, want both entries' tests", a.tests)
	}
}

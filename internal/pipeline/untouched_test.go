package pipeline

import (
	"testing"

	"github.com/dataops-dev/dataops/internal/change"
)

// TestUntouchedModelsGetNoProposals is the shape of a real review that proposed not_null
// tests for two NPS staging models the pull request never touched (listed as modified because
// their property file read differently on the two sides): a model is touched only when the
// change edits its SQL file, its configuration, or what its property entry says.
func TestUntouchedModelsGetNoProposals(t *testing.T) {
	props := func(descC string) string {
		return "version: 2\nmodels:\n  - name: a\n  - name: b\n    columns:\n      - name: id\n        description: Key.\n" +
			"  - name: c\n    description: " + descC + "\n  - name: d\n    columns:\n      - name: id\n        description: Key.\n      - name: id\n"
	}
	files := func(aSQL, descC string) map[string]string {
		return map[string]string{
			"dbt_project.yml":    "name: p\nversion: '1'\nconfig-version: 2\nprofile: p\n",
			"profiles.yml":       "p:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n",
			"models/a.sql":       aSQL,
			"models/b.sql":       "select 1 as id\n",
			"models/c.sql":       "select 1 as id\n",
			"models/d.sql":       "select 1 as id\n",
			"models/_models.yml": props(descC),
		}
	}
	base := loadProject(t, files("select 1 as id\n", "Old words."))
	head := loadProject(t, files("select 2 as id\n", "New words."))
	cs := &change.ChangeSet{Base: base, Head: head}
	for _, name := range []string{"a", "b", "c", "d"} {
		cs.Models = append(cs.Models, &change.ModelChange{UniqueID: "model.p." + name, Change: change.Modified, Path: "models/" + name + ".sql"})
	}
	touched := map[string]bool{"models/a.sql": true, "models/_models.yml": true}
	got := untouchedModels(cs, func(rel string) bool { return touched[rel] })
	want := map[string]bool{"model.p.b": true, "model.p.d": true}
	if len(got) != len(want) || !got["model.p.b"] || !got["model.p.d"] {
		t.Errorf("untouched %v, want %v (a's SQL and c's description changed)", got, want)
	}
	// Without knowing which files the change touched, nothing is left out.
	if got := untouchedModels(cs, nil); len(got) != 0 {
		t.Errorf("no file list, yet untouched %v", got)
	}
}

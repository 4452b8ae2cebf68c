package testgen

import (
	"reflect"
	"testing"

	"github.com/dataops-dev/dataops/internal/change"
)

// What a change asks tests for: a new model whole; a modified one only on what the change did
// to it (new, renamed, retyped and newly documented columns, and a unique_key it set: a metrics
// model made incremental on date); a removed one not at all.
func TestChangeScope(t *testing.T) {
	cs := &change.ChangeSet{Models: []*change.ModelChange{
		{UniqueID: "model.p.new", Change: change.Added},
		{UniqueID: "model.p.gone", Change: change.Removed},
		{UniqueID: "model.p.ez_metrics", Change: change.Modified,
			Columns:    []change.ColumnChange{{Name: "Created_On", Change: change.Added}, {Name: "fee", Change: change.Retyped}, {Name: "old", Change: change.Removed}},
			Config:     []change.ConfigChange{{Key: "unique_key", To: "date"}, {Key: "materialized", To: "incremental"}},
			Properties: []change.PropertyChange{{What: "column-added", Column: "app"}}},
		{UniqueID: "model.p.renamed", Change: change.Renamed, From: "model.p.before",
			Columns: []change.ColumnChange{{Name: "b", Change: change.Renamed, From: "a", To: "b"}},
			Config:  []change.ConfigChange{{Key: "unique_key", To: []any{"k1", "K2"}}}},
	}}
	models, cols := ChangeScope(cs)
	if !reflect.DeepEqual(models, map[string]bool{"model.p.new": true, "model.p.ez_metrics": true, "model.p.renamed": true}) {
		t.Errorf("models = %v", models)
	}
	want := map[string]map[string]bool{
		"model.p.ez_metrics": {"created_on": true, "fee": true, "app": true, "date": true},
		"model.p.renamed":    {"b": true, "k1": true, "k2": true},
	}
	if !reflect.DeepEqual(cols, want) {
		t.Errorf("columns = %v, want %v", cols, want)
	}
}

package testgen

import (
	"reflect"
	"testing"

	"github.com/dataops-dev/dataops/internal/change"
	"github.com/dataops-dev/dataops/internal/dbt"
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

// A model renamed into another folder is asked for whole when nothing tested it before (a
// silver model promoted to a gold mart); tested before, or renamed in place, only on what
// the change did to it.
func TestChangeScopePromotedModel(t *testing.T) {
	base := &dbt.Project{Nodes: map[string]*dbt.Node{
		"test.p.not_null_kept_id": {ResourceType: dbt.Test, TestMeta: &dbt.TestMetadata{Name: "not_null", AttachedNode: "model.p.silver__kept"}},
	}}
	renamed := func(from, to, fromPath, toPath string) *change.ModelChange {
		return &change.ModelChange{UniqueID: to, From: from, Change: change.Renamed, FromPath: fromPath, Path: toPath,
			Columns: []change.ColumnChange{{Name: "fee_id", Change: change.Renamed, From: "dip4_id", To: "fee_id"}}}
	}
	cs := &change.ChangeSet{Base: base, Models: []*change.ModelChange{
		renamed("model.p.silver__fees", "model.p.gold__fees", "models/silver/silver__fees.sql", "models/gold/intents/gold__fees.sql"),
		renamed("model.p.silver__kept", "model.p.gold__kept", "models/silver/silver__kept.sql", "models/gold/gold__kept.sql"),
		renamed("model.p.silver__here", "model.p.silver__there", "models/silver/silver__here.sql", "models/silver/silver__there.sql"),
	}}
	models, cols := ChangeScope(cs)
	if len(models) != 3 {
		t.Errorf("models = %v", models)
	}
	want := map[string]map[string]bool{
		"model.p.gold__kept":    {"fee_id": true},
		"model.p.silver__there": {"fee_id": true},
	}
	if !reflect.DeepEqual(cols, want) {
		t.Errorf("columns = %v, want %v (gold__fees whole)", cols, want)
	}
}

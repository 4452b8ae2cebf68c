package pipeline

import (
	"strings"
	"testing"

	"github.com/dataops-dev/dataops/internal/change"
)

// A snapshot block starts lines into its file: a clause of it maps to the file's line, not
// the block's.
func TestClauseLineInSnapshot(t *testing.T) {
	p := loadProject(t, map[string]string{
		"dbt_project.yml":    "name: p\nversion: '1'\nconfig-version: 2\nprofile: p\n",
		"profiles.yml":       "p:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n",
		"models/orders.sql":  "select 1 as order_id, 'placed' as status\n",
		"snapshots/snap.sql": "-- Order status history.\n-- Rows change when an order moves on.\n\n{% snapshot snap %}\n{{ config(target_schema='snapshots', unique_key='order_id', strategy='check', check_cols='all') }}\n\nselect\n    order_id,\n    status\nfrom {{ ref('orders') }}\nwhere status != 'returned'\n\n{% endsnapshot %}\n",
	})
	n := p.Nodes["snapshot.p.snap"]
	if n == nil {
		t.Fatal("no snapshot node")
	}
	sql := renderedSQL(n)
	if got := clauseLine(n, strings.Index(sql, "where")); got != 11 {
		t.Errorf("clauseLine of the filter = %d, want 11", got)
	}
}

// A value is shown as YAML flow reads it, without HTML escapes.
func TestShowValueKeepsComparisons(t *testing.T) {
	for v, want := range map[any]string{">= 0": `">= 0"`, "a & b": `"a & b"`, 3.0: "3", true: "true"} {
		if got := ShowValue(v); got != want {
			t.Errorf("ShowValue(%v) = %s, want %s", v, got, want)
		}
	}
	if got := ShowValue([]any{"<x>"}); got != `["<x>"]` {
		t.Errorf("list = %s", got)
	}
}

// A dedup moved into a model extracted upstream, which the model now reads instead of the
// source, keeps the model's rows: the removed `where rn = 1` is no change of grain.
func TestFilterMovedUpstream(t *testing.T) {
	files := map[string]string{
		"dbt_project.yml": "name: p\nversion: '1'\nconfig-version: 2\nprofile: p\n",
		"profiles.yml":    "p:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n",
		"models/raw.sql":  "select 1 as id, 1 as v, current_timestamp as ts\n",
	}
	dedup := "with ranked as (select *, row_number() over (partition by id order by ts desc) as rn from {{ ref('raw') }})\nselect id, v from ranked where rn = 1\n"
	files["models/stg.sql"] = dedup
	base := loadProject(t, files)
	files["models/stg_base.sql"] = dedup
	files["models/stg.sql"] = "select id, v from {{ ref('stg_base') }}\n"
	head := loadProject(t, files)
	cs := &change.ChangeSet{Base: base, Head: head, Models: []*change.ModelChange{{UniqueID: "model.p.stg", Change: change.Modified, SQLChanged: true}}}
	if d := grainDiffs(cs, "duckdb"); len(d[0].removed) != 0 {
		t.Errorf("removed clauses: %+v", d[0].removed)
	}
	// Dropped, not moved: the change is said.
	delete(files, "models/stg_base.sql")
	files["models/stg.sql"] = "select id, v from {{ ref('raw') }}\n"
	head = loadProject(t, files)
	cs = &change.ChangeSet{Base: base, Head: head, Models: []*change.ModelChange{{UniqueID: "model.p.stg", Change: change.Modified, SQLChanged: true}}}
	if d := grainDiffs(cs, "duckdb"); len(d[0].removed) == 0 {
		t.Error("a dropped dedup is not said")
	}
}

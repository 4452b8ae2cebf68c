package pipeline

import (
	"strings"
	"testing"
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

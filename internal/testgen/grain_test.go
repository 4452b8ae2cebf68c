package testgen

import (
	"fmt"
	"slices"
	"testing"

	"github.com/dataops-dev/dataops/internal/dbt"
)

// A description states a grain of several columns in many words; only the model's own
// columns count, so prose after the list, or entities that are no column, name no grain.
func TestDocumentedGrain(t *testing.T) {
	names := []string{"issue_id", "status_sequence", "status", "sprint_id", "day"}
	for _, c := range []struct {
		desc string
		want []string
	}{
		{"Each record is a transition. The grain is issue_id + status_sequence, providing a view of statuses.", []string{"issue_id", "status_sequence"}},
		{"Grain: issue_id, sprint_id.", []string{"issue_id", "sprint_id"}},
		{"One row per issue_id and sprint_id.", []string{"issue_id", "sprint_id"}},
		{"one record per `issue_id` per `day`", []string{"issue_id", "day"}},
		{"Unique on (issue_id, status_sequence).", []string{"issue_id", "status_sequence"}},
		{"The table is unique on the combination of issue_id, sprint_id, and day.", []string{"issue_id", "sprint_id", "day"}},
		{"The primary key is issue_id + day.", []string{"issue_id", "day"}},
		// One column, or words that are no column of the model: no composite grain.
		{"One row per issue_id.", nil},
		{"One row per issue and day.", nil},
		{"The grain is issue_id; status and sprint_id describe it.", nil},
		{"Statuses by issue_id and sprint_id.", nil},
	} {
		got, why := documentedGrain(c.desc, names)
		if !slices.Equal(got, c.want) {
			t.Errorf("%q: got %v, want %v", c.desc, got, c.want)
		}
		if (why == "") != (c.want == nil) {
			t.Errorf("%q: reason %q", c.desc, why)
		}
	}
}

// A window that numbers or compares rows per value makes its partition key no key; kept at
// 1 it is a dedup, and in a select that is DISTINCT or groups it says nothing of the rows.
func TestPartitionedColumns(t *testing.T) {
	for _, c := range []struct {
		sql  string
		want []string
	}{
		{"select issue_id, lag(status) over (partition by issue_id order by t) as prev from x", []string{"issue_id"}},
		{"with a as (select issue_id, sprint_id, row_number() over (partition by issue_id, sprint_id order by t) as seq from x) select * from a", []string{"issue_id", "sprint_id"}},
		{"with a as (select issue_id as id, lead(t) over (partition by issue_id order by t) as nxt from x) select id, nxt from a", []string{"id"}},
		// A name computed again above the window is no longer the partition key.
		{"with a as (select issue_id, lag(t) over (partition by issue_id order by t) as p from x) select issue_id + 1 as issue_id, p from a", nil},
		// Kept at 1: a dedup.
		{"with a as (select issue_id, row_number() over (partition by issue_id order by t desc) as rn from x) select issue_id from a where rn = 1", nil},
		{"select issue_id, row_number() over (partition by issue_id order by t) as rn from x qualify rn = 1", nil},
		{"select distinct issue_id, first_value(s) over (partition by issue_id order by t) as first_s from x", nil},
		// An aggregate over a window is no sequence.
		{"select issue_id, sum(n) over (partition by issue_id) as total from x", nil},
	} {
		s := readSignals(c.sql, "duckdb")
		var got []string
		for n := range s.partitioned {
			got = append(got, n)
		}
		slices.Sort(got)
		if !slices.Equal(got, c.want) {
			t.Errorf("%s\n  got %v, want %v", c.sql, got, c.want)
		}
	}
}

// A description makes a column the model's own key only when it speaks of this table: "primary
// key in users_user" names the table a column refers to.
func TestDocumentedPrimaryKey(t *testing.T) {
	for _, c := range []struct {
		desc string
		want bool
	}{
		{"int, primary key in this table", true},
		{"Primary key - unique identifier for each claim", true},
		{"Surrogate primary key derived from ticket id.", true},
		{"activity identifier (PK)", true},
		{"int, primary key for this table. At the grain of order id and line id.", true},
		{"int, primary key in ecommerce_order", false},
		{"The primary key for the record in `dim_gtfs_datasets` associated with this feed.", false},
		{"Primary key from main A&E attendance (FK)", false},
		{"Part of composite primary key - date the procedure was created", false},
		{"Rows with true here have a duplicate primary key", false},
		{"int, sequential ID tracking a single enrollment", false},
		{"", false},
	} {
		m := &dbt.Node{Columns: []*dbt.Column{{Name: "id", Description: c.desc}}}
		if got := documentedPrimaryKey(m, "ID") != ""; got != c.want {
			t.Errorf("%q: %v, want %v", c.desc, got, c.want)
		}
	}
}

// A team that declares unique_key on its incremental models and tests one key in six unique
// leaves its declared keys untested; one that tests two in five does not, nor does a project
// with too few tested models that declare one to tell.
func TestDeclaredKeysUntested(t *testing.T) {
	build := func(n, tested int) ([]*dbt.Node, []grain, map[string]map[string]map[string]bool) {
		var models []*dbt.Node
		var grains []grain
		existing := map[string]map[string]map[string]bool{}
		for i := 0; i < n; i++ {
			m := &dbt.Node{UniqueID: fmt.Sprintf("model.p.m%d", i)}
			models = append(models, m)
			grains = append(grains, grain{declared: []string{"id"}})
			existing[m.UniqueID] = map[string]map[string]bool{"id": {NotNull: true, Unique: i < tested}}
		}
		// A model without tests and one with a composite key count for nothing.
		models = append(models, &dbt.Node{UniqueID: "model.p.untested"}, &dbt.Node{UniqueID: "model.p.combo"})
		grains = append(grains, grain{declared: []string{"id"}}, grain{declared: []string{"a", "b"}})
		existing["model.p.combo"] = map[string]map[string]bool{"a": {Unique: true}}
		return models, grains, existing
	}
	for _, c := range []struct {
		n, tested int
		want      bool
	}{{6, 1, true}, {5, 2, false}, {4, 0, false}, {8, 1, true}, {8, 2, false}} {
		if got := declaredKeysUntested(build(c.n, c.tested)); got != c.want {
			t.Errorf("%d models declaring a key, %d tested unique: %v, want %v", c.n, c.tested, got, c.want)
		}
	}
}

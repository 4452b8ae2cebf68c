package review

import (
	"testing"

	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/jinja"
)

// The line of a snapshot's setting is where the config sets it, not a column of that name
// earlier in the file.
func TestSnapshotConfigLine(t *testing.T) {
	n := &dbt.Node{RelPath: "snapshots/s.sql", RawCode: "{% snapshot s %}\n-- strategy of pricing, unique_key noted below\n{{ config(\n  unique_key='id',\n  strategy = 'check',\n) }}\nselect id, strategy from t\n{% endsnapshot %}\n"}
	for key, want := range map[string]int{"unique_key": 4, "strategy": 5, "check_cols": 1} {
		if got := configLine(n, key); got != want {
			t.Errorf("configLine(%s) = %d, want %d", key, got, want)
		}
	}
}

// A snapshot whose database came from an env_var() that was not read has an unknown place:
// adding a default to the call (`env_var('DB')` to `env_var('DB', 'PREP')`) moves nothing.
func TestSnapshotPlaceFromUnreadEnvVar(t *testing.T) {
	snap := func(rel string) *dbt.Project {
		n := &dbt.Node{UniqueID: "snapshot.p.s", Name: "s", ResourceType: dbt.Snapshot, Package: "p", RelPath: "snapshots/s.sql",
			RelationName: rel, Config: map[string]any{}}
		return &dbt.Project{Name: "p", Nodes: map[string]*dbt.Node{n.UniqueID: n}}
	}
	if got := SnapshotFindings(snap(jinja.RefusedEnvVar+".snapshots.s"), snap("PREP.snapshots.s")); len(got) != 0 {
		t.Errorf("findings on an unknown place: %+v", got)
	}
	if got := SnapshotFindings(snap("RAW.snapshots.s"), snap("PREP.snapshots.s")); len(got) != 1 {
		t.Errorf("a real move gives %d findings, want 1", len(got))
	}
}

package review

import (
	"testing"

	"github.com/dataops-dev/dataops/internal/dbt"
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

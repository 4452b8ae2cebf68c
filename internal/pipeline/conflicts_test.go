package pipeline

import (
	"strings"
	"testing"

	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/review"
	"github.com/dataops-dev/dataops/internal/testgen"
)

// A test the SQL contradicts is a tests/unlisted-value warning at the column's line, naming
// the values to add and those no longer produced.
func TestConflictFindings(t *testing.T) {
	res := &testgen.Result{Conflicts: []*testgen.ValueConflict{{
		Model: "int_readings", UniqueID: "model.p.int_readings", Column: "band",
		Listed: []string{"Normal", "Acceptable"}, Unlisted: []string{"Elevated"}, Unproduced: []string{"Acceptable"},
		Why: "its CASE expression only produces 'Normal', 'Elevated'", Pos: dbt.Pos{Path: "models/int_readings.sql", Line: 7, Column: 5},
	}}}
	got := conflictFindings(res)
	if len(got) != 1 {
		t.Fatalf("%d findings, want 1", len(got))
	}
	f := got[0]
	if f.Agent != review.AgentTests || f.Rule != review.RuleUnlistedValue || f.Severity != review.SeverityWarning || f.Path != "models/int_readings.sql" || f.Line != 7 || f.Column != 5 {
		t.Errorf("finding %+v", f)
	}
	for _, want := range []string{"int_readings.band can hold 'Elevated'", "does not list", "it lists 'Acceptable', which the SQL does not produce"} {
		if !strings.Contains(f.Message, want) {
			t.Errorf("message %q lacks %q", f.Message, want)
		}
	}
}

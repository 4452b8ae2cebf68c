package testgen

import (
	"fmt"
	"strings"
	"testing"
)

// An accepted_values test the model's SQL contradicts is reported with the values it lacks:
// a CASE that now produces a band the list does not hold, a WHERE ... IN that keeps a kind it
// does not hold, and the copy downstream whose test keeps the old list. A list holding more
// than the SQL produces is no conflict, and neither is a test on a subset of the rows (its
// where config), a list Jinja renders, or a value written with a doubled quote for the query.
func TestValueConflicts(t *testing.T) {
	p, inf := loadCase(t, "testdata/cases/valueconflicts")
	res := Suggest(p, inf, Options{})
	got := map[string]*ValueConflict{}
	for _, c := range res.Conflicts {
		got[c.Model+"."+c.Column] = c
	}
	want := map[string]string{
		"int_readings.band": "[Diabetes - Elevated]",
		"int_readings.kind": "[other]",
		// Downstream, a copy of the band whose test keeps the old list.
		"fct_readings.band": "[Diabetes - Elevated]",
	}
	if len(got) != len(want) {
		t.Errorf("conflicts %v, want those of %v", keysOf(got), want)
	}
	for k, unlisted := range want {
		c := got[k]
		if c == nil {
			t.Errorf("%s: no conflict", k)
			continue
		}
		if fmt.Sprint(c.Unlisted) != unlisted {
			t.Errorf("%s: unlisted %v, want %s", k, c.Unlisted, unlisted)
		}
		if c.Why == "" || !strings.HasSuffix(c.Pos.Path, ".sql") || c.Pos.Line < 1 || len(c.Listed) < 2 {
			t.Errorf("%s: want a reason, the SQL's position and the listed values, got %+v", k, c)
		}
	}
	if c := got["int_readings.band"]; c != nil && (!strings.Contains(c.Why, "CASE") || fmt.Sprint(c.Unproduced) != "[Diabetes - Acceptable]") {
		t.Errorf("band: reason %q, unproduced %v", c.Why, c.Unproduced)
	}
	if c := got["fct_readings.band"]; c != nil && !strings.Contains(c.Why, "passes through values that int_readings only produces") {
		t.Errorf("fct_readings.band: reason %q", c.Why)
	}

	// Scoped to the model, as a review of a change to it is, the same conflicts: the copy
	// downstream breaks with it. Scoped to the copy alone, only the copy's.
	scoped := Suggest(p, inf, Options{Models: map[string]bool{"model.cases.int_readings": true}, Columns: map[string]map[string]bool{"model.cases.int_readings": {}}, NewColumns: true})
	if len(scoped.Conflicts) != len(res.Conflicts) {
		t.Errorf("scoped to int_readings: %d conflicts, want %d", len(scoped.Conflicts), len(res.Conflicts))
	}
	copyOnly := Suggest(p, inf, Options{Models: map[string]bool{"model.cases.fct_readings": true}, NewColumns: true})
	if len(copyOnly.Conflicts) != 1 || copyOnly.Conflicts[0].Model != "fct_readings" {
		t.Errorf("scoped to fct_readings: %v", copyOnly.Conflicts)
	}
}

func keysOf[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

package testgen

import (
	"testing"

	"github.com/dataops-dev/dataops/internal/dbt"
)

// A team that tests user_fk in the tables of its dimensional folder and never in the views of
// the same folder: the materialization rungs tell a new view from a new table, where the
// folder and the name alone put both at the same rate.
func TestReferencesWhereStored(t *testing.T) {
	col := func(model, mat string, tested bool) *column {
		c := &column{
			model: &dbt.Node{Name: model, OriginalFilePath: "models/dimensional/" + model + ".sql", Config: map[string]any{"materialized": mat}},
			name:  "user_fk", lower: "user_fk", pattern: "*_fk", layer: "fact",
			tests: map[string]bool{}, up: map[string]bool{},
			ev: &evidence{to: &keyOwner{column: "user_pk"}, toFrom: "doc"},
		}
		c.tests[Relationships] = tested
		return c
	}
	h := newHabits()
	for _, name := range []string{"tfact_order", "tfact_payment", "tfact_grade", "tfact_enrollment"} {
		h.observe(col(name, "incremental", true))
	}
	for _, name := range []string{"tfact_video_events", "tfact_chatbot_events", "tfact_problem_events"} {
		h.observe(col(name, "view", false))
	}
	table, _ := h.estimate(col("tfact_certificate", "incremental", false), Relationships, 0.75)
	view, _ := h.estimate(col("tfact_navigation_events", "view", false), Relationships, 0.75)
	if table < 0.5 || view >= 0.5 {
		t.Errorf("relationships estimate: incremental model %.2f (want >= 0.5), view %.2f (want < 0.5)", table, view)
	}
	// A model without a materialization is a view, as dbt builds it.
	if got := materialization(&dbt.Node{}); got != "view" {
		t.Errorf("materialization of a model without config = %q, want view", got)
	}
}

package testgen

import (
	"strings"
	"testing"

	"github.com/dataops-dev/dataops/internal/dbt"
)

// One folder, two property files: the team tests every documented foreign key of the facts
// declared in one and none of those of the event models declared in the other. A new model
// of each file follows its file, whatever the folder's rate; a file of too few columns does
// not outweigh the name.
func TestRelationshipsPerPropertyFile(t *testing.T) {
	dim := &dbt.Node{Name: "dim_platform"}
	col := func(model, file, name string, tested bool) *column {
		c := &column{
			model: &dbt.Node{Name: model, OriginalFilePath: "models/marts/" + model + ".sql", PatchPath: "shop://models/marts/" + file},
			name:  name, lower: name, pattern: "*_fk", layer: "other",
			tests: map[string]bool{}, up: map[string]bool{},
			ev: &evidence{to: &keyOwner{model: dim, column: "platform_pk"}, toFrom: "doc"},
		}
		c.tests[Relationships] = tested
		return c
	}
	h := newHabits()
	for i, m := range []string{"fct_orders", "fct_payments", "fct_grades"} {
		for _, name := range []string{"platform_fk", "user_fk", "a_fk", "b_fk"} {
			h.observe(col(m, "_fact_tables.yml", name+string(rune('0'+i)), true))
		}
	}
	for i, m := range []string{"fct_video_events", "fct_page_events", "fct_chat_events", "fct_click_events"} {
		for _, name := range []string{"platform_fk", "user_fk", "a_fk", "b_fk"} {
			h.observe(col(m, "_event_tables.yml", name+string(rune('0'+i)), false))
		}
	}
	fact, why := h.estimate(col("fct_certificates", "_fact_tables.yml", "certificate_type_fk", false), Relationships, 0.75)
	event, _ := h.estimate(col("fct_forum_events", "_event_tables.yml", "discussion_fk", false), Relationships, 0.75)
	if fact < 0.5 || event >= 0.5 {
		t.Errorf("relationships estimate: fact %.2f (want >= 0.5), event model %.2f (want < 0.5)", fact, event)
	}
	if !strings.Contains(why, "declared in models/marts/_fact_tables.yml") {
		t.Errorf("reason %q does not name the property file", why)
	}
	// A file showing two columns of the kind is one model's choice: the name's habit across
	// the project decides.
	h = newHabits()
	for _, m := range []string{"fct_a", "fct_b", "fct_c", "fct_d", "fct_e", "fct_f"} {
		h.observe(col(m, "_facts.yml", "version_fk", true))
	}
	h.observe(col("fct_small", "_small.yml", "version_fk", false))
	h.observe(col("fct_small", "_small.yml", "other_fk", false))
	if small, why := h.estimate(col("fct_small_new", "_small.yml", "version_fk", false), Relationships, 0.75); small < 0.5 {
		t.Errorf("relationships estimate in a file of two columns: %.2f (want >= 0.5; %s)", small, why)
	}
	// A model no property file declares has no such rung; the package is no part of the file.
	if r := propertyFileRung(&column{model: &dbt.Node{Name: "x"}}, ""); r != nil {
		t.Errorf("rung of an undeclared model: %q", r)
	}
	if f := propertyFile("shop://models/x.yml"); f != "models/x.yml" {
		t.Errorf("propertyFile = %q", f)
	}
}

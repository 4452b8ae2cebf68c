package testgen

import (
	"testing"

	"github.com/dataops-dev/dataops/internal/dbt"
)

// A name whose values the team checks in its staging models and not in the marts that carry
// it: the layer rung tells a new staging copy from a new mart copy.
func TestNameWithinLayer(t *testing.T) {
	named := func(name, model, layer, dir string, tested bool) *column {
		c := &column{
			model: &dbt.Node{Name: model, OriginalFilePath: dir + "/" + model + ".sql"},
			name:  name, lower: name, pattern: "other", layer: layer,
			tests: map[string]bool{}, up: map[string]bool{}, ev: &evidence{},
		}
		c.tests[AcceptedValues] = tested
		return c
	}
	col := func(model, layer, dir string, tested bool) *column {
		return named("user_gender", model, layer, dir, tested)
	}
	h := newHabits()
	for i, name := range []string{"stg_a", "stg_b", "stg_c", "stg_d"} {
		h.observe(col(name, "stg", "models/staging/s"+string(rune('0'+i)), true))
	}
	for i, name := range []string{"mart_a", "mart_b", "mart_c", "mart_d"} {
		h.observe(col(name, "mart", "models/marts/m"+string(rune('0'+i)), false))
	}
	// Other names of the same pattern go the other way, so the layer alone does not decide.
	for i := 0; i < 12; i++ {
		h.observe(named("code"+string(rune('a'+i)), "stg_other", "stg", "models/staging/o", false))
		h.observe(named("code"+string(rune('a'+i)), "mart_other", "mart", "models/marts/o", true))
	}
	stg, _ := h.estimate(col("stg_new", "stg", "models/staging/new", false), AcceptedValues, 0.3)
	mart, _ := h.estimate(col("mart_new", "mart", "models/marts/new", false), AcceptedValues, 0.3)
	if stg < 0.5 || mart >= 0.5 {
		t.Errorf("accepted_values estimate: staging copy %.2f (want >= 0.5), mart copy %.2f (want < 0.5)", stg, mart)
	}
	// A model of no known layer learns nothing from the others of none.
	for _, key := range evidenceLadder(col("x", "other", "models/x", false), AcceptedValues, "") {
		if key == "n=user_gender|l=other|k=no" {
			t.Errorf("accepted_values ladder has the rung of the unknown layer %q", key)
		}
	}
	// Relationships learn no layer rung: the name alone decides between the two.
	for _, c := range []*column{col("x", "stg", "models/staging/x", false)} {
		for _, key := range evidenceLadder(c, Relationships, "") {
			if key == "n=user_gender|l=stg|k=no" {
				t.Errorf("relationships ladder has the layer rung %q", key)
			}
		}
	}
}

// A leading id the team declares unique in its *_latest models and never in its *_all ones:
// the model's last word tells a new one of each apart.
func TestUniqueWithinModelWord(t *testing.T) {
	col := func(model string, tested bool) *column {
		c := &column{
			model: &dbt.Node{Name: model, OriginalFilePath: "models/int/" + model + ".sql"},
			name:  "person_id", lower: "person_id", pattern: "*_id", layer: "int", pk: "first",
			tests: map[string]bool{}, up: map[string]bool{}, ev: &evidence{},
		}
		c.tests[Unique] = tested
		return c
	}
	h := newHabits()
	for _, m := range []string{"int_bmi", "int_hba1c", "int_bp", "int_alt", "int_ggt", "int_ldl"} {
		h.observe(col(m+"_latest", true))
		h.observe(col(m+"_all", false))
		h.observe(col(m+"_register", true))
	}
	all, why := h.estimate(col("int_egfr_all", false), Unique, 0.5)
	latest, _ := h.estimate(col("int_egfr_latest", false), Unique, 0.5)
	if all >= 0.5 || latest < 0.5 {
		t.Errorf("unique estimate: *_all %.2f (want < 0.5; %s), *_latest %.2f (want >= 0.5)", all, why, latest)
	}
	if lastWord("int_bmi_all") != "all" || lastWord("x__") != "x" || lastWord("events") != "events" {
		t.Errorf("lastWord: %q %q %q", lastWord("int_bmi_all"), lastWord("x__"), lastWord("events"))
	}
}

// Copies of not-null upstream columns that the team tests again in one folder (silver) and
// leaves alone in another (gold): a new copy in each folder reads its folder's rate.
func TestNotNullWithinFolder(t *testing.T) {
	col := func(name, model, dir string, tested bool) *column {
		c := &column{
			model: &dbt.Node{Name: model, OriginalFilePath: dir + "/" + model + ".sql"},
			name:  name, lower: name, pattern: "other", layer: "other",
			tests: map[string]bool{}, up: map[string]bool{NotNull: true}, ev: &evidence{},
		}
		c.tests[NotNull] = tested
		return c
	}
	h := newHabits()
	for i := 0; i < 10; i++ {
		n := "col" + string(rune('a'+i))
		h.observe(col(n, "silver__x"+n, "models/silver", true))
		h.observe(col(n, "core__x"+n, "models/core", false))
	}
	silver, _ := h.estimate(col("amount", "silver__new", "models/silver", false), NotNull, 0.5)
	gold, why := h.estimate(col("amount", "core__new", "models/core", false), NotNull, 0.5)
	if silver < 0.5 || gold >= 0.5 {
		t.Errorf("not_null estimate: silver copy %.2f (want >= 0.5), gold copy %.2f (want < 0.5; %s)", silver, gold, why)
	}
}

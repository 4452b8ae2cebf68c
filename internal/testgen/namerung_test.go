package testgen

import (
	"testing"

	"github.com/dataops-dev/dataops/internal/dbt"
)

// One tested column of a name is one observation: the name rung with the key class and the
// name rung with the exact key class and signal hold the same column, and counting it twice
// made a single not_null on `claim_code` in one model a proposal on every other model's copy.
func TestNameRungCountedOnce(t *testing.T) {
	col := func(name, model string, tested bool) *column {
		c := &column{
			model: &dbt.Node{Name: model, OriginalFilePath: "models/m/" + model + ".sql"},
			name:  name, lower: name, pattern: "*_code", layer: "other",
			tests: map[string]bool{}, up: map[string]bool{}, ev: &evidence{},
		}
		c.tests[NotNull] = tested
		return c
	}
	seen := func(models ...string) *habits {
		h := newHabits()
		for _, m := range models {
			h.observe(col("claim_code", m, true))
		}
		for i := 0; i < 20; i++ {
			h.observe(col("code_"+string(rune('a'+i)), "other_model", false))
		}
		return h
	}
	once, why := seen("intake").estimate(col("claim_code", "report", false), NotNull, 0.05)
	if once >= 0.5 {
		t.Errorf("not_null after one tested claim_code: %.2f (%s), want < 0.5", once, why)
	}
	twice, why := seen("intake", "billing").estimate(col("claim_code", "report", false), NotNull, 0.05)
	if twice < 0.5 {
		t.Errorf("not_null after two tested claim_code: %.2f (%s), want >= 0.5", twice, why)
	}
}

package testgen

import (
	"testing"

	"github.com/dataops-dev/dataops/internal/dbt"
)

// A team that lists a column in its property files when it tests it, and leaves the others
// out: a listed column of a held-out model reads the rate over listed columns, a column no
// file lists yet (a change's new one) the rate over every column.
func TestListedColumnsLearnedApart(t *testing.T) {
	col := func(model, name string, listed, tested bool) *column {
		return &column{
			model: &dbt.Node{Name: model, OriginalFilePath: "models/" + model + ".sql"},
			name:  name, lower: name, pattern: columnPattern(name), layer: "other",
			listed: listed, unlisted: !listed,
			tests: map[string]bool{NotNull: tested}, up: map[string]bool{}, ev: &evidence{},
		}
	}
	h := newHabits()
	for i := 0; i < 10; i++ {
		m := "model_" + string(rune('a'+i))
		h.observe(col(m, "amount", true, true))
		for j := 0; j < 4; j++ {
			h.observe(col(m, "amount_"+string(rune('a'+j)), false, false))
		}
	}
	listed, _ := h.estimate(col("model_new", "amount_x", true, false), NotNull, prior(col("model_new", "amount_x", true, false), NotNull))
	unlisted, _ := h.estimate(col("model_new", "amount_x", false, false), NotNull, prior(col("model_new", "amount_x", false, false), NotNull))
	if listed < 0.5 || unlisted >= 0.45 {
		t.Errorf("not_null estimate: listed %.2f (want >= 0.5), not listed %.2f (want < 0.45)", listed, unlisted)
	}
}

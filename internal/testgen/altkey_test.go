package testgen

import (
	"testing"

	"github.com/dataops-dev/dataops/internal/dbt"
)

func TestAltKey(t *testing.T) {
	for _, c := range []struct{ model, col, want string }{
		{"stg__app__postgres__courses_courserun", "courserun_readable_id", "readable_id"},
		{"int__mitxonline__course_runs", "courserun_readable_id", "readable_id"},
		{"int__edxorg__mitx_users", "user_username", "username"},
		{"dim_users", "user_email", "email"},
		{"dim_certificate_type", "certificate_type_code", "code"},
		{"stg_shop__orders_enriched", "order_number", "number"},
		{"stg__app__openedx__edxval_video", "video_edx_uuid", ""},
		{"fct_order_lines", "order_number", ""},
		{"dim_users", "user_id", ""},
		{"dim_users", "country_code", ""},
		{"dim_users", "_code", ""},
	} {
		if got := altKey(c.model, c.col); got != c.want {
			t.Errorf("altKey(%q, %q) = %q, want %q", c.model, c.col, got, c.want)
		}
	}
}

// A team that tests its sources' natural keys unique has that habit learned apart from the
// columns that are no key; one that never does proposes none.
func TestAltKeyHabit(t *testing.T) {
	col := func(model, name string, tested bool) *column {
		c := &column{
			model: &dbt.Node{Name: model, OriginalFilePath: "models/" + model + ".sql"},
			name:  name, lower: name, pattern: columnPattern(name), layer: "stg",
			tests: map[string]bool{Unique: tested}, up: map[string]bool{}, ev: &evidence{},
			alt: altKey(model, name),
		}
		return c
	}
	for _, tests := range []bool{true, false} {
		h := newHabits()
		for _, e := range []string{"course", "program", "run", "user", "order", "page"} {
			h.observe(col("stg_app__"+e+"s", e+"_readable_id", tests))
			// Many columns that are no key, none tested unique, around them.
			for i := 0; i < 10; i++ {
				h.observe(col("stg_app__"+e+"s", e+"_attr"+string(rune('a'+i)), false))
			}
		}
		c := col("stg_app__cohorts", "cohort_slug", false)
		if c.alt == "" {
			t.Fatal("cohort_slug is no identifier of cohorts")
		}
		est, _ := h.estimate(c, Unique, prior(c, Unique))
		if tests && est < 0.6 || !tests && est > 0.1 {
			t.Errorf("unique estimate with the team testing natural keys %v: %.2f", tests, est)
		}
	}
}

package jinja

import (
	"strings"
	"testing"
)

// Without dbt_date installed, its relative dates still render SQL: a select item and a
// comparison stay SQL, and each call is still reported as an unknown macro.
func TestMissingDbtDateRelativeDates(t *testing.T) {
	env := testEnv(t, nil)
	res := render(t, env, `select {{ dbt_date.today() }} as d, {{ dbt_date.now() }} as t, {{ dbt_date.n_days_ago(7) }} as w, {{ dbt_date.yesterday("day_col") }} as y, {{ dbt_date.n_days_away(2, date=none) }} as a`)
	for _, want := range []string{
		"cast(cast(now() as timestamp) as date) as d",
		"cast(now() as timestamp) as t",
		"cast(cast(cast(now() as timestamp) as date) + ((interval '1 day') * (-7)) as date) as w",
		"cast(day_col + ((interval '1 day') * (-1)) as date) as y",
		"cast(cast(cast(now() as timestamp) as date) + ((interval '1 day') * (2)) as date) as a",
	} {
		if !strings.Contains(res.Output, want) {
			t.Errorf("lacks %q:\n%s", want, res.Output)
		}
	}
	if strings.Contains(res.Output, "None") {
		t.Errorf("a date of none is today:\n%s", res.Output)
	}
	if w := warnings(res, "unknown-macro"); len(w) != 5 {
		t.Errorf("each stand-in is reported: %+v", w)
	}
}

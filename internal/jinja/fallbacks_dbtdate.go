package jinja

import (
	"strconv"
	"strings"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// dbt_date's relative dates are the package's most used macros: a landing model stamps its
// rows with `{{ dbt_date.today() }} as loaded_on`, a mart keeps
// `where day >= {{ dbt_date.n_days_ago(30) }}`. Rendered empty when the package is not
// installed (a pull request reviewed before `dbt deps`), the select item or the comparison is
// not SQL and the model loses its columns. The stand-ins render what the package renders,
// without its time zone conversion: now() is the current timestamp as a timestamp without time
// zone (the package converts it to the project's time zone), today() that as a date, and the
// day offsets a dateadd of today (or of the date given) as a date.
func init() {
	dbtDateFallback("now", func(e *exec.Evaluator, va *exec.VarArgs) *exec.Value { return exec.AsSafeValue(dateNow(e)) })
	dbtDateFallback("today", func(e *exec.Evaluator, va *exec.VarArgs) *exec.Value { return exec.AsSafeValue(dateToday(e)) })
	dbtDateFallback("yesterday", dayOffset(-1, false))
	dbtDateFallback("tomorrow", dayOffset(1, false))
	dbtDateFallback("n_days_ago", dayOffset(-1, true))
	dbtDateFallback("n_days_away", dayOffset(1, true))
}

// dbtDateFallback adds one of dbt_date's stand-ins, whichever file's init runs first.
func dbtDateFallback(name string, fn callable) {
	if missingPackageFallbacks["dbt_date"] == nil {
		missingPackageFallbacks["dbt_date"] = map[string]callable{}
	}
	missingPackageFallbacks["dbt_date"][name] = fn
}

func dateNow(e *exec.Evaluator) string {
	return "cast(" + callCross(e, "current_timestamp") + " as " + typeFor(adapterOf(e), "type_timestamp") + ")"
}

func dateToday(e *exec.Evaluator) string {
	return "cast(" + dateNow(e) + " as date)"
}

// dayOffset renders yesterday(date, tz) and tomorrow(date, tz) (one day, sign), or
// n_days_ago(n, date, tz) and n_days_away(n, date, tz) (n days, sign) when counted.
func dayOffset(sign int, counted bool) callable {
	return func(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
		n, at := 1, 0
		if counted {
			v, ok := argValue(va, 0, "n")
			if !ok || v == nil {
				return exec.AsSafeValue("")
			}
			k, err := strconv.Atoi(strings.TrimSpace(v.String()))
			if err != nil {
				return exec.AsSafeValue("")
			}
			n, at = k, 1
		}
		date, _ := argString(va, at, "date")
		if strings.TrimSpace(date) == "" || date == "None" {
			date = dateToday(e)
		}
		return exec.AsSafeValue("cast(" + callCross(e, "dateadd", "day", strconv.Itoa(sign*n), date) + " as date)")
	}
}

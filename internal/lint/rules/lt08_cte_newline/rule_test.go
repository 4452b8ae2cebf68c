package lt08_cte_newline

import (
	"testing"

	"github.com/dataops-dev/dataops/internal/lint/linttest"
)

func TestRule(t *testing.T) { linttest.Run(t, Rule) }

// After the last CTE the finding is about the main query, as SQLFluff anchors it: an
// incremental filter at the query's end (Jinja inside it) drops it, Jinja after the query's
// last token does not; after another CTE only the next CTE's name counts.
func TestMainQueryHoldingJinja(t *testing.T) {
	cases := map[string][]int{
		"with a as (\n    select 1 as x\n)\nselect *\nfrom a\n{% if is_incremental() %}\n    where x > (select max(x) from {{ this }})\n{% endif %}\n": nil,
		"with a as (\n    select 1 as x\n)\nselect *\n{% if false %}, y{% endif %}\nfrom a\n":                                                          nil,
		"with a as (\n    select 1 as x\n)\nselect *\nfrom a\n{{ config(materialized='table') }}\n":                                                    {4},
		"with a as (\n    select 1 as x\n),\nb as (\n    select {% if true %}x{% endif %} from a\n)\nselect *\nfrom b\n":                               {4, 7},
	}
	for src, want := range cases {
		lines, res := linttest.TemplatedLines(t, Rule, src)
		if len(lines) != len(want) || (len(want) > 0 && (lines[0] != want[0] || lines[len(lines)-1] != want[len(want)-1])) {
			t.Errorf("LT08 on lines %v, want %v:\n%s%v", lines, want, src, res.Problems)
		}
	}
}

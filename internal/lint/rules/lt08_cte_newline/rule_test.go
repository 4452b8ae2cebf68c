package lt08_cte_newline

import (
	"path/filepath"
	"testing"

	"github.com/dataops-dev/dataops/internal/lint"
	"github.com/dataops-dev/dataops/internal/lint/linttest"
	"github.com/dataops-dev/dataops/internal/lint/templating"
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
		l := &lint.Linter{Rules: []lint.Rule{Rule}, Loader: lint.NewConfigLoader(t.TempDir(), nil), DefaultDialect: "ansi", Templater: templating.New()}
		res := l.LintFile(lint.File{Path: "m.sql", AbsPath: filepath.Join(t.TempDir(), "m.sql"), Source: src})
		var lines []int
		for _, v := range res.Violations {
			lines = append(lines, v.Line)
		}
		if len(lines) != len(want) || (len(want) > 0 && (lines[0] != want[0] || lines[len(lines)-1] != want[len(want)-1])) {
			t.Errorf("LT08 on lines %v, want %v:\n%s%v", lines, want, src, res.Problems)
		}
	}
}

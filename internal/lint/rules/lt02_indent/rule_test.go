package lt02_indent

import (
	"slices"
	"testing"

	"github.com/dataops-dev/dataops/internal/lint/linttest"
)

func TestRule(t *testing.T) { linttest.Run(t, Rule) }

// The space after a Jinja comment or tag that starts a source line is rendered at the start of
// a line but separates the tag from the code in the file: no indent, as SQLFluff sees it. A
// line the file itself starts with spaces is still judged.
func TestSpaceAfterLeadingTagIsNoIndent(t *testing.T) {
	cases := map[string][]int{
		"select\n    a,\n    b\nfrom t\n{# where x = 1 #} -- disabled filter\n":            nil,
		"select\n    a,\n    b\nfrom t\n{% if var('dev', true) %} limit 100 {% endif %}\n": nil,
		"select\n    a\nfrom t\n{% if true %}\n  where a = 1\n{% endif %}\n":               {5},
	}
	for src, want := range cases {
		lines, res := linttest.TemplatedLines(t, Rule, src)
		if !slices.Equal(lines, want) {
			t.Errorf("LT02 on lines %v, want %v:\n%s%v", lines, want, src, res.Problems)
		}
	}
}

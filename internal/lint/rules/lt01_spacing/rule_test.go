package lt01_spacing

import (
	"fmt"
	"slices"
	"testing"

	"github.com/dataops-dev/dataops/internal/lint/linttest"
)

func TestRule(t *testing.T) { linttest.Run(t, Rule) }

// A Jinja tag indented on its own line renders to whitespace before a newline; the line the
// user wrote does not end in whitespace, so only the real trailing space is reported.
func TestIndentedTagIsNotTrailingWhitespace(t *testing.T) {
	src := "select *\nfrom orders\n    {% if is_incremental() %}\n    where x > 1\n    {% endif %}\nwhere y = 1 \n"
	lines, res := linttest.TemplatedLines(t, Rule, src)
	if len(lines) != 1 || lines[0] != 6 {
		t.Errorf("LT01 on lines %v, want only line 6: %+v %v", lines, res.Violations, res.Problems)
	}
}

// A whitespace-stripping tag on top of the file glues nothing to code: SQLFluff places it
// before the statement. Inside the statement it does.
func TestStrippedTagOnTop(t *testing.T) {
	src := "{%- set cols = ['a', 'b'] -%}\nselect\n    a,\n    {%- for c in cols %} {{ c }},{% endfor -%}\n    x\nfrom tbl\n"
	lines, res := linttest.TemplatedLines(t, Rule, src)
	for _, l := range lines {
		if l != 5 {
			t.Errorf("LT01 on lines %v, want only line 5: %+v %v", lines, res.Violations, res.Problems)
			break
		}
	}
	if len(lines) != 1 {
		t.Errorf("the tag inside the statement glues x to it: want one LT01 on line 5 (the placeholder's, not also the comma's), got %+v", res.Violations)
	}
}

// `as ` then the bracket on the next line: SQLFluff strips the newline, where it reports, and
// the space left is the one wanted (the trailing space is reported as such).
func TestCTEBracketAfterSpace(t *testing.T) {
	_, res := linttest.TemplatedLines(t, Rule, "with stg as \n(\n    select a from t\n)\n\nselect a from stg\n")
	var got []string
	for _, v := range res.Violations {
		got = append(got, fmt.Sprintf("%d:%d %s", v.Line, v.Col, v.Description))
	}
	want := []string{"1:12 Unnecessary trailing whitespace.", "1:13 Stripping newlines."}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

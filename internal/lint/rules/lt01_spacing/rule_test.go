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

// The bracket's own indentation is what is left of the gap once its newlines are stripped:
// SQLFluff wants that to be one space, reports every newline it strips, and calls a second
// run of whitespace a duplicate.
func TestCTEBracketIndented(t *testing.T) {
	for _, tc := range []struct {
		src  string
		want []string
	}{
		{"with stg as\n  (\n    select a from t\n)\n\nselect a from stg\n",
			[]string{"1:12 Stripping newlines.", "2:1 Expected only single space before start bracket '('. Found '  '."}},
		{"with stg as\n (\n    select a from t\n)\n\nselect a from stg\n",
			[]string{"1:12 Stripping newlines."}},
		{"with stg as\n\n    (\n    select a from t\n)\n\nselect a from stg\n",
			[]string{"1:12 Stripping newlines.", "2:1 Stripping newlines.", "3:1 Expected only single space before start bracket '('. Found '    '."}},
		{"with stg as  \n   (\n    select a from t\n)\n\nselect a from stg\n",
			[]string{"1:12 Expected only single space before start bracket '('. Found '  '.", "1:12 Unnecessary trailing whitespace.", "1:14 Stripping newlines.", "2:1 Removing duplicate whitespace."}},
	} {
		_, res := linttest.TemplatedLines(t, Rule, tc.src)
		var got []string
		for _, v := range res.Violations {
			got = append(got, fmt.Sprintf("%d:%d %s", v.Line, v.Col, v.Description))
		}
		slices.Sort(got)
		slices.Sort(tc.want)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%q: got %q, want %q", tc.src, got, tc.want)
		}
	}
}

// An expression or a one-line set that ends its line and renders to nothing is templated
// code standing for its (empty) output: the indentation before it is trailing whitespace, as
// SQLFluff reports. Block tags, comments and a tag followed by more text on the line are not.
func TestIndentedTemplatedCodeIsTrailingWhitespace(t *testing.T) {
	for _, tc := range []struct {
		src  string
		want []int
	}{
		{"select\n    a,\n    {{ config(materialized='table') }}\n    b\nfrom t\n", []int{3}},
		{"select\n    a,\n    {% set x = 1 %}\n    b\nfrom t\n", []int{3}},
		{"select\n    a,\n    {% set x %}1{% endset %}\n    b\nfrom t\n", nil},
		{"select\n    a,\n    {# note #}\n    b\nfrom t\n", nil},
		{"select\n    a,\n    {% set x = 1 %} {% set y = 2 %}\n    b\nfrom t\n", nil},
		{"select a\nfrom t\n    {% if true %}\nwhere a = 1\n    {% endif %}\n", nil},
		// After another tag the whitespace is spacing before the block tag: one space wanted.
		{"select a\nfrom t\n{% if false %}\nwhere a = 1\n{% else %} {{ '' }} {% endif %}\n", []int{5}},
		{"select a\nfrom t\n{% if false %}\nwhere a = 1\n{% else %} {% endif %}\n", nil},
	} {
		lines, res := linttest.TemplatedLines(t, Rule, tc.src)
		if !slices.Equal(lines, tc.want) {
			t.Errorf("%q: LT01 on lines %v, want %v: %+v", tc.src, lines, tc.want, res.Violations)
		}
	}
}

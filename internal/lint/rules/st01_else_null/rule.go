// Package st01_else_null implements ST01 (structure.else_null): a CASE does not end in ELSE NULL, which is what it returns anyway.
package st01_else_null

import (
	"github.com/dataops-dev/dataops/internal/lint"
)

// Rule is ST01.
var Rule lint.Rule = rule{}

type rule struct{}

var meta = &lint.Meta{
	Code: "ST01", Name: "structure.else_null", Description: "Do not specify 'else null' in a case when statement (redundant).",
	Groups: []string{"structure"}, Aliases: []string{"L035"}, Fixable: true, Layout: false,
}

func (rule) Meta() *lint.Meta { return meta }

func (rule) Check(c *lint.Context) {
	d := c.Doc
	for i := range d.Toks {
		if !d.IsKw(i, "ELSE") {
			continue
		}
		n := d.Toks[i].Next
		if n < len(d.Toks) && d.Toks[n].Role == lint.RoleNull && d.IsKw(d.Toks[n].Next, "END") {
			start := int(d.Toks[d.Toks[i].Prev].End)
			cs := d.CaseOf(i) // SQLFluff reports the whole CASE expression
			c.ReportSpan(cs, cs, d.Toks[n].Next, "", lint.Edit{Start: start, End: int(d.Toks[n].End), Text: ""})
		}
	}
}

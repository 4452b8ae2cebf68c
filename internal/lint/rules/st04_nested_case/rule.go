// Package st04_nested_case implements ST04 (structure.nested_case): a CASE whose ELSE is just another CASE is written as one CASE.
package st04_nested_case

import (
	"github.com/dataops-dev/dataops/internal/lint"
)

// Rule is ST04.
var Rule lint.Rule = rule{}

type rule struct{}

var meta = &lint.Meta{
	Code: "ST04", Name: "structure.nested_case", Description: "Nested 'CASE' statement in 'ELSE' clause could be flattened.",
	Groups: []string{"structure"}, Aliases: []string{"L058"}, Fixable: false, Layout: false,
}

func (rule) Meta() *lint.Meta { return meta }

func (rule) Check(c *lint.Context) {
	d := c.Doc
	for i := range d.Toks {
		if !d.IsKw(i, "ELSE") {
			continue
		}
		n := d.Toks[i].Next
		if !d.IsKw(n, "CASE") || d.IsKw(d.Toks[n].Next, "WHEN") == false {
			continue
		}
		// The inner CASE must be the whole ELSE: its END is followed by the outer END.
		if end := d.CaseEnd(n); end >= 0 && d.IsKw(d.Toks[end].Next, "END") {
			c.Report(d.CaseOf(i), "")
		}
	}
}

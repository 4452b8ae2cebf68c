// Package lt11_set_operators implements LT11 (layout.set_operators): UNION, INTERSECT,
// EXCEPT and MINUS stand on their own line, between bracketed queries too.
package lt11_set_operators

import (
	"github.com/dataops-dev/dataops/internal/lint"
	"github.com/dataops-dev/dataops/internal/sql/token"
)

// Rule is LT11.
var Rule lint.Rule = rule{}

type rule struct{}

var meta = &lint.Meta{
	Code: "LT11", Name: "layout.set_operators", Description: "Set operators should be surrounded by newlines.",
	Groups: []string{"core", "layout"}, Aliases: []string{"L065"}, Fixable: false, Layout: true,
}

func (rule) Meta() *lint.Meta { return meta }

func (rule) Check(c *lint.Context) {
	d := c.Doc
	// Every set operator, between bracketed queries too (`(select ...) union all (select
	// ...)`), where it follows no select at its own depth.
	for op := range d.Toks {
		if !d.IsSetOperator(op) || d.Toks[op].Templated {
			continue
		}
		last := op
		for n := d.Toks[op].Next; d.Is(n, "ALL") || d.Is(n, "DISTINCT") || d.Is(n, "BY") || d.Is(n, "NAME"); n = d.Toks[n].Next {
			last = n
		}
		before := false
		for j := op - 1; j > d.Toks[op].Prev; j-- {
			if d.Toks[j].Kind == token.Newline {
				before = true
			}
		}
		after := false
		for j := last + 1; j < d.Toks[last].Next; j++ {
			if d.Toks[j].Kind == token.Newline {
				after = true
			}
		}
		if !before || !after {
			c.Report(op, "Set operators should always have a line break both before and after.")
		}
	}
}

// Package st02_simple_case implements ST02 (structure.simple_case): a CASE that only maps a condition to true/false, or that spells out COALESCE, is simplified.
package st02_simple_case

import (
	"github.com/dataops-dev/dataops/internal/lint"
)

// Rule is ST02.
var Rule lint.Rule = rule{}

type rule struct{}

var meta = &lint.Meta{
	Code: "ST02", Name: "structure.simple_case", Description: "Unnecessary 'CASE' statement.",
	Groups: []string{"structure"}, Aliases: []string{"L043"}, Fixable: false, Layout: false,
}

func (rule) Meta() *lint.Meta { return meta }

func (rule) Check(c *lint.Context) {
	d := c.Doc
	for i := range d.Toks {
		if !d.IsKw(i, "CASE") {
			continue
		}
		// CASE WHEN <cond> THEN TRUE|FALSE ELSE FALSE|TRUE END (ELSE optional for TRUE/NULL).
		w := d.Toks[i].Next
		if !d.IsKw(w, "WHEN") {
			continue
		}
		then := -1
		depth := d.Toks[w].Depth
		for j := d.Toks[w].Next; d.More(j); j = d.Toks[j].Next {
			if d.Toks[j].Depth < depth || d.IsKw(j, "CASE") && d.Toks[j].Depth == depth {
				break
			}
			if d.Toks[j].Depth == depth && (d.IsKw(j, "WHEN") || d.IsKw(j, "END")) {
				break
			}
			if d.Toks[j].Depth == depth && d.IsKw(j, "THEN") {
				then = j
				break
			}
		}
		if then < 0 {
			continue
		}
		v1 := d.Toks[then].Next
		if d.Toks[v1].Role != lint.RoleBool {
			continue
		}
		after := d.Toks[v1].Next
		switch {
		case d.IsKw(after, "ELSE"):
			v2 := d.Toks[after].Next
			if (d.Toks[v2].Role == lint.RoleBool && d.Toks[v2].Up != d.Toks[v1].Up) && d.IsKw(d.Toks[v2].Next, "END") {
				c.Report(i, "")
			}
		case d.IsKw(after, "END"):
			if d.Toks[v1].Up == "TRUE" {
				c.Report(i, "")
			}
		}
	}
}

// Package am07_set_columns implements AM07 (ambiguous.set_columns): every query of a UNION / INTERSECT / EXCEPT has the same number of columns (when they can be counted).
package am07_set_columns

import (
	"github.com/dataops-dev/dataops/internal/lint"
	"github.com/dataops-dev/dataops/internal/sql/token"
)

// Rule is AM07.
var Rule lint.Rule = rule{}

type rule struct{}

var meta = &lint.Meta{
	Code: "AM07", Name: "ambiguous.set_columns", Description: "Queries within set query produce different numbers of columns.",
	Groups: []string{"ambiguous"}, Aliases: []string{"L068"}, Fixable: false, Layout: false,
}

func (rule) Meta() *lint.Meta { return meta }

func (rule) Check(c *lint.Context) {
	d := c.Doc
	for _, s := range d.Selects {
		if s.SetOp < 0 {
			continue
		}
		next := -1
		for j := d.Toks[s.SetOp].Next; d.More(j); j = d.Toks[j].Next {
			if d.IsKw(j, "SELECT") {
				next = j
				break
			}
			if !(d.Is(j, "ALL") || d.Is(j, "DISTINCT") || d.Toks[j].Kind == token.LParen) {
				break
			}
		}
		for _, o := range d.Selects {
			if o.Kw != next {
				continue
			}
			if hasStar(s) || hasStar(o) {
				break
			}
			if len(o.Targets) != len(s.Targets) {
				c.Report(s.SetOp, "")
			}
		}
	}
}

func hasStar(s *lint.Select) bool {
	for _, t := range s.Targets {
		if t.Star {
			return true
		}
	}
	return false
}

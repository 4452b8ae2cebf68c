// Package cv12_join_condition implements CV12 (convention.join_condition): a join without ON or USING is not conditioned in WHERE instead.
package cv12_join_condition

import (
	"github.com/dataops-dev/dataops/internal/lint"
)

// Rule is CV12.
var Rule lint.Rule = rule{}

type rule struct{}

var meta = &lint.Meta{
	Code: "CV12", Name: "convention.join_condition", Description: "Use `JOIN ... ON ...` instead of `WHERE ...` for join conditions.",
	Groups: []string{"convention"}, Aliases: []string{}, Fixable: false, Layout: false,
}

func (rule) Meta() *lint.Meta { return meta }

func (rule) Check(c *lint.Context) {
	d := c.Doc
	for _, s := range d.Selects {
		where := s.Clause("WHERE")
		if where == nil {
			continue
		}
		for k, it := range s.Tables {
			if k == 0 || len(it.JoinKw) == 0 || it.On >= 0 || it.Using >= 0 || d.Is(it.JoinKw[0], "CROSS") || d.Is(it.JoinKw[0], "NATURAL") || it.Lateral {
				continue
			}
			c.Report(it.JoinKw[0], "")
		}
	}
}

// Package cv08_left_join implements CV08 (convention.left_join): joins are written LEFT, not RIGHT.
package cv08_left_join

import (
	"github.com/dataops-dev/dataops/internal/lint"
)

// Rule is CV08.
var Rule lint.Rule = rule{}

type rule struct{}

var meta = &lint.Meta{
	Code: "CV08", Name: "convention.left_join", Description: "Use LEFT JOIN instead of RIGHT JOIN.",
	Groups: []string{"convention"}, Aliases: []string{"L055"}, Fixable: false, Layout: false,
}

func (rule) Meta() *lint.Meta { return meta }

func (rule) Check(c *lint.Context) {
	d := c.Doc
	for _, s := range d.Selects {
		for _, it := range s.Tables {
			if len(it.JoinKw) > 0 && d.Is(it.JoinKw[0], "RIGHT") {
				c.Report(it.JoinKw[0], "")
			}
		}
	}
}

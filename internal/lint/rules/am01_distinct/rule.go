// Package am01_distinct implements AM01 (ambiguous.distinct): a grouped select does not also say DISTINCT.
package am01_distinct

import (
	"github.com/dataops-dev/dataops/internal/lint"
)

// Rule is AM01.
var Rule lint.Rule = rule{}

type rule struct{}

var meta = &lint.Meta{
	Code: "AM01", Name: "ambiguous.distinct", Description: "Ambiguous use of 'DISTINCT' in a 'SELECT' statement with 'GROUP BY'.",
	Groups: []string{"core", "ambiguous"}, Aliases: []string{"L021"}, Fixable: false, Layout: false,
}

func (rule) Meta() *lint.Meta { return meta }

func (rule) Check(c *lint.Context) {
	d := c.Doc
	for _, s := range d.Selects {
		if len(s.Mods) > 0 && d.Is(s.Mods[0], "DISTINCT") && s.Clause("GROUP BY") != nil {
			c.Report(s.Mods[0], "")
		}
	}
}

// Package lt10_select_modifiers implements LT10 (layout.select_modifiers): DISTINCT and other
// SELECT modifiers stay on the SELECT line.
package lt10_select_modifiers

import (
	"github.com/dataops-dev/dataops/internal/lint"
)

// Rule is LT10.
var Rule lint.Rule = rule{}

type rule struct{}

var meta = &lint.Meta{
	Code: "LT10", Name: "layout.select_modifiers", Description: "'SELECT' modifiers (e.g. 'DISTINCT') must be on the same line as 'SELECT'.",
	Groups: []string{"core", "layout"}, Aliases: []string{"L041"}, Fixable: true, Layout: true,
}

func (rule) Meta() *lint.Meta { return meta }

func (rule) Check(c *lint.Context) {
	d := c.Doc
	for _, s := range d.Selects {
		if len(s.Mods) == 0 {
			continue
		}
		m := s.Mods[0]
		if d.Toks[m].Line != d.Toks[s.Kw].Line {
			c.Report(s.Kw, "", lint.Edit{Start: int(d.Toks[s.Kw].End), End: int(d.Toks[m].Pos), Text: " "})
		}
	}
}

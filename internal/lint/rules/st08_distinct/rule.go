// Package st08_distinct implements ST08 (structure.distinct): DISTINCT is not written like a function: `SELECT DISTINCT(a)`.
package st08_distinct

import (
	"github.com/dataops-dev/dataops/internal/lint"
	"github.com/dataops-dev/dataops/internal/sql/token"
)

// Rule is ST08.
var Rule lint.Rule = rule{}

type rule struct{}

var meta = &lint.Meta{
	Code: "ST08", Name: "structure.distinct", Description: "'DISTINCT' used with parentheses.",
	Groups: []string{"core", "structure"}, Aliases: []string{"L015"}, Fixable: true, Layout: false,
}

func (rule) Meta() *lint.Meta { return meta }

func (rule) Check(c *lint.Context) {
	d := c.Doc
	// COUNT(DISTINCT(x)): the brackets fill the whole argument list.
	for i := range d.Toks {
		if !d.Is(i, "DISTINCT") || d.Toks[d.Toks[i].Prev].Kind != token.LParen {
			continue
		}
		open := d.Toks[i].Next
		if d.Toks[open].Kind != token.LParen || d.Toks[open].Match < 0 {
			continue
		}
		if d.Toks[d.Toks[d.Toks[open].Match].Next].Kind == token.RParen {
			c.Report(i, "")
		}
	}
	for _, s := range d.Selects {
		if len(s.Mods) == 0 || !d.Is(s.Mods[0], "DISTINCT") || len(s.Targets) != 1 {
			continue
		}
		t := s.Targets[0]
		if d.Toks[t.Start].Kind == token.LParen && d.Toks[t.Start].Match == t.End {
			c.Report(s.Mods[0], "")
		}
	}
}

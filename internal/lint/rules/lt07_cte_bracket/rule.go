// Package lt07_cte_bracket implements LT07 (layout.cte_bracket): the closing bracket of a
// multi-line CTE goes on its own line (reported for the first such CTE of a WITH, as SQLFluff
// does).
package lt07_cte_bracket

import (
	"github.com/dataops-dev/dataops/internal/lint"
	"github.com/dataops-dev/dataops/internal/sql/token"
)

// Rule is LT07.
var Rule lint.Rule = rule{}

type rule struct{}

var meta = &lint.Meta{
	Code: "LT07", Name: "layout.cte_bracket", Description: "'WITH' clause closing bracket should be on a new line.",
	Groups: []string{"core", "layout"}, Aliases: []string{"L018"}, Fixable: true, Layout: true,
}

func (rule) Meta() *lint.Meta { return meta }

func (rule) Check(c *lint.Context) {
	d := c.Doc
	for _, w := range d.Withs {
		for _, cte := range w.CTEs {
			open, close := d.Toks[cte.Open], d.Toks[cte.Close]
			if open.Line == close.Line {
				continue
			}
			// Anything but whitespace between the last content and the bracket on its line?
			p := cte.Close - 1
			for p > cte.Open && d.Toks[p].Kind == token.Whitespace {
				p--
			}
			if d.Toks[p].Kind != token.Newline {
				// SQLFluff reports the first such bracket of a WITH only.
				c.Report(cte.Close, "", lint.Edit{Start: int(d.Toks[p].End), End: int(close.Pos), Text: "\n"})
				break
			}
		}
	}
}

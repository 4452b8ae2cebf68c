// Package st03_unused_cte implements ST03 (structure.unused_cte): every CTE is referred to later in its statement.
package st03_unused_cte

import (
	"github.com/dataops-dev/dataops/internal/lint"
	"github.com/dataops-dev/dataops/internal/sql/token"
)

// Rule is ST03.
var Rule lint.Rule = rule{}

type rule struct{}

var meta = &lint.Meta{
	Code: "ST03", Name: "structure.unused_cte", Description: "Query defines a CTE (common-table expression) but does not use it.",
	Groups: []string{"core", "structure"}, Aliases: []string{"L045"}, Fixable: false, Layout: false,
}

func (rule) Meta() *lint.Meta { return meta }

func (rule) Check(c *lint.Context) {
	d := c.Doc
	for _, w := range d.Withs {
		if len(w.CTEs) == 0 {
			continue
		}
		end := len(d.Toks) - 1
		depth := d.Toks[w.Kw].Depth
		// The statement (or bracket) the WITH belongs to.
		for j := w.CTEs[len(w.CTEs)-1].Close; j < len(d.Toks); j++ {
			t := &d.Toks[j]
			if t.Depth < depth || t.Kind == token.Semicolon && t.Depth == depth {
				end = j
				break
			}
		}
		for k, cte := range w.CTEs {
			if d.Toks[cte.Name].Kind == token.Template {
				continue
			}
			used := false
			for j := w.CTEs[k].Close + 1; j <= end && !used; j++ {
				t := &d.Toks[j]
				if j != cte.Name && (t.Kind == token.Ident || t.Kind == token.QuotedIdent) && d.SameName(j, cte.Name) {
					used = true
				}
			}
			// A recursive CTE may refer to itself; earlier CTEs may be used by later ones.
			if !used {
				name, _ := d.NameOf(cte.Name)
				c.Report(cte.Name, "Query defines CTE \""+name+"\" but does not use it.")
			}
		}
	}
}

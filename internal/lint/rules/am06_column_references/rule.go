// Package am06_column_references implements AM06 (ambiguous.column_references): GROUP BY and ORDER BY items are all positions (1, 2) or all names, as group_by_and_order_by_style says; reported once per clause, at its keyword.
package am06_column_references

import (
	"github.com/dataops-dev/dataops/internal/lint"
	"github.com/dataops-dev/dataops/internal/sql/token"
)

// Rule is AM06.
var Rule lint.Rule = rule{}

type rule struct{}

var meta = &lint.Meta{
	Code: "AM06", Name: "ambiguous.column_references", Description: "Inconsistent column references in 'GROUP BY/ORDER BY' clauses.",
	Groups: []string{"core", "ambiguous"}, Aliases: []string{"L054"}, Fixable: false, Layout: false,
	Options: []lint.Option{
		{Name: "group_by_and_order_by_style", Default: "consistent", Doc: "consistent, implicit (positions) or explicit (names)"},
	},
}

func (rule) Meta() *lint.Meta { return meta }

func (rule) Check(c *lint.Context) {
	d := c.Doc
	style := c.Opts.Str("group_by_and_order_by_style")
	seen := style
	for _, s := range d.Selects {
		for _, cl := range s.Clauses {
			if cl.Kind != "GROUP BY" && cl.Kind != "ORDER BY" || cl.Start > cl.End {
				continue
			}
			var items []int
			items = append(items, cl.Start)
			for j := cl.Start; j <= cl.End && d.More(j); j = d.Toks[j].Next {
				if d.Toks[j].Kind == token.Comma && d.Toks[j].Depth == d.Toks[cl.Start].Depth {
					items = append(items, d.Toks[j].Next)
				}
			}
			for _, item := range items {
				if item > cl.End || d.IsKw(item, "ALL") || d.Toks[item].Kind == token.LParen || d.IsKw(item, "ROLLUP") || d.IsKw(item, "CUBE") || d.Toks[item].Kind == token.Template {
					continue
				}
				kind := "explicit"
				if d.Toks[item].Kind == token.Number {
					kind = "implicit"
				}
				if seen == "consistent" {
					seen = kind
					continue
				}
				if kind != seen {
					// Once per clause, at its keyword, as SQLFluff reports it.
					c.Report(cl.Kw, "Inconsistent column references in 'GROUP BY/ORDER BY' clauses.")
					break
				}
			}
		}
	}
}

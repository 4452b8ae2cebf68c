// Package am05_join implements AM05 (ambiguous.join): joins name their type: INNER JOIN rather than a bare JOIN (and, with fully_qualify_join_types = outer or both, LEFT OUTER JOIN).
package am05_join

import (
	"github.com/dataops-dev/dataops/internal/lint"
)

// Rule is AM05.
var Rule lint.Rule = rule{}

type rule struct{}

var meta = &lint.Meta{
	Code: "AM05", Name: "ambiguous.join", Description: "Join clauses should be fully qualified.",
	Groups: []string{"ambiguous"}, Aliases: []string{"L051"}, Fixable: true, Layout: false,
	Options: []lint.Option{
		{Name: "fully_qualify_join_types", Default: "inner", Doc: "inner, outer or both"},
	},
}

func (rule) Meta() *lint.Meta { return meta }

func (rule) Check(c *lint.Context) {
	d := c.Doc
	mode := c.Opts.Str("fully_qualify_join_types")
	for _, s := range d.Selects {
		for _, it := range s.Tables {
			if len(it.JoinKw) == 0 {
				continue
			}
			first := it.JoinKw[0]
			if len(it.JoinKw) == 1 && d.Is(first, "JOIN") && (mode == "inner" || mode == "both") {
				c.Report(first, "Join clauses should be fully qualified.", lint.Edit{Start: int(d.Toks[first].Pos), End: int(d.Toks[first].Pos), Text: "INNER "})
			}
			if (mode == "outer" || mode == "both") && (d.Is(first, "LEFT") || d.Is(first, "RIGHT") || d.Is(first, "FULL")) && len(it.JoinKw) == 2 {
				c.Report(first, "Join clauses should be fully qualified.", lint.Edit{Start: int(d.Toks[first].End), End: int(d.Toks[first].End), Text: " OUTER"})
			}
		}
	}
}

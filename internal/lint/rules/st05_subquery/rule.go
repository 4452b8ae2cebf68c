// Package st05_subquery implements ST05 (structure.subquery): subqueries in JOIN (or FROM, as forbid_subquery_in says) become CTEs.
package st05_subquery

import (
	"github.com/dataops-dev/dataops/internal/lint"
)

// Rule is ST05.
var Rule lint.Rule = rule{}

type rule struct{}

var meta = &lint.Meta{
	Code: "ST05", Name: "structure.subquery", Description: "Join/From clauses should not contain subqueries. Use CTEs instead.",
	Groups: []string{"structure"}, Aliases: []string{"L042"}, Fixable: false, Layout: false,
	Options: []lint.Option{
		{Name: "forbid_subquery_in", Default: "join", Doc: "join, from or both"},
	},
}

func (rule) Meta() *lint.Meta { return meta }

func (rule) Check(c *lint.Context) {
	d := c.Doc
	where := c.Opts.Str("forbid_subquery_in")
	for _, s := range d.Selects {
		for k, it := range s.Tables {
			if it.Sub < 0 {
				continue
			}
			// A JOIN clause's item; one after a comma (`from a, lateral (...) as b`) is
			// part of the FROM clause, as SQLFluff parses it.
			isJoin := k > 0 && len(it.JoinKw) > 0
			if where == "join" && !isJoin || where == "from" && isJoin {
				continue
			}
			c.Report(it.Sub, "")
		}
	}
}

// Package st09_join_condition_order implements ST09 (structure.join_condition_order): in a join condition, the table that appears earlier in the FROM clause is named first (or later, as preferred_first_table_in_join_clause says).
package st09_join_condition_order

import (
	"github.com/dataops-dev/dataops/internal/lint"
	"github.com/dataops-dev/dataops/internal/sql/token"
	"strings"
)

// Rule is ST09.
var Rule lint.Rule = rule{}

type rule struct{}

var meta = &lint.Meta{
	Code: "ST09", Name: "structure.join_condition_order", Description: "Joins should list the table referenced earlier/later first.",
	Groups: []string{"structure"}, Aliases: []string{}, Fixable: false, Layout: false,
	Options: []lint.Option{
		{Name: "preferred_first_table_in_join_clause", Default: "earlier", Doc: "earlier or later"},
	},
}

func (rule) Meta() *lint.Meta { return meta }

func (rule) Check(c *lint.Context) {
	d := c.Doc
	later := c.Opts.Str("preferred_first_table_in_join_clause") == "later"
	for _, s := range d.Selects {
		order := map[string]int{}
		for k := range s.Tables {
			if n, ok := d.RefName(&s.Tables[k]); ok {
				order[strings.ToLower(d.Toks[n].Text)] = k
			}
		}
		for _, it := range s.Tables {
			if it.On < 0 {
				continue
			}
			// Simple comparisons a.x = b.y at the top of the condition.
			for j := d.Toks[it.On].Next; j <= it.CondEnd && d.More(j); j = d.Toks[j].Next {
				t := &d.Toks[j]
				if t.Kind != token.Operator || t.Text != "=" {
					continue
				}
				l2, l1 := d.Toks[j].Prev, -1
				if l2 >= 0 && d.Toks[l2].Prev >= 0 && d.Toks[d.Toks[l2].Prev].Kind == token.Dot {
					l1 = d.Toks[d.Toks[l2].Prev].Prev
				}
				r1 := d.Toks[j].Next
				if l1 < 0 || r1 >= len(d.Toks) || d.Toks[d.Toks[r1].Next].Kind != token.Dot {
					continue
				}
				a, okA := order[strings.ToLower(d.Toks[l1].Text)]
				b, okB := order[strings.ToLower(d.Toks[r1].Text)]
				if !okA || !okB || a == b {
					continue
				}
				if (!later && a > b) || (later && a < b) {
					c.Report(l1, "")
				}
			}
		}
	}
}

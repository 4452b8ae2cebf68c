// Package al04_unique_table implements AL04 (aliasing.unique.table): no two tables of one FROM clause share an alias (or a name).
package al04_unique_table

import (
	"github.com/dataops-dev/dataops/internal/lint"
	"github.com/dataops-dev/dataops/internal/sql/token"
)

// Rule is AL04.
var Rule lint.Rule = rule{}

type rule struct{}

var meta = &lint.Meta{
	Code: "AL04", Name: "aliasing.unique.table", Description: "Table aliases should be unique within each clause.",
	Groups: []string{"core", "aliasing", "aliasing.unique"}, Aliases: []string{"L020"}, Fixable: false, Layout: false,
}

func (rule) Meta() *lint.Meta { return meta }

func (rule) Check(c *lint.Context) {
	d := c.Doc
	for _, s := range d.Selects {
		var seen []int
		for i := range s.Tables {
			n, ok := d.RefName(&s.Tables[i])
			if !ok || d.Toks[n].Kind == token.Template {
				continue
			}
			for _, p := range seen {
				if d.SameName(p, n) {
					name, _ := d.NameOf(n)
					c.Report(n, "Duplicate table alias '"+name+"'. Table aliases should be unique.")
					break
				}
			}
			seen = append(seen, n)
		}
	}
}

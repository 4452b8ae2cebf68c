// Package al08_unique_column implements AL08 (aliasing.unique.column): no two columns of one select list share a name.
package al08_unique_column

import (
	"github.com/dataops-dev/dataops/internal/lint"
	"github.com/dataops-dev/dataops/internal/sql/token"
	"strings"
)

// Rule is AL08.
var Rule lint.Rule = rule{}

type rule struct{}

var meta = &lint.Meta{
	Code: "AL08", Name: "aliasing.unique.column", Description: "Column aliases should be unique within each clause.",
	Groups: []string{"core", "aliasing", "aliasing.unique"}, Aliases: []string{}, Fixable: false, Layout: false,
}

func (rule) Meta() *lint.Meta { return meta }

func (rule) Check(c *lint.Context) {
	d := c.Doc
	for _, s := range d.Selects {
		seen := map[string]bool{}
		for _, t := range s.Targets {
			n := t.Alias
			if n < 0 {
				if t.Star || d.Toks[t.End].Role != lint.RoleIdentifier && d.Toks[t.End].Kind != token.QuotedIdent {
					continue
				}
				if t.Start != t.End && d.Toks[d.Toks[t.End].Prev].Kind != token.Dot {
					continue
				}
				n = t.End
			}
			if d.Toks[n].Templated {
				continue
			}
			name, quoted := d.NameOf(n)
			if !quoted {
				name = strings.ToLower(name)
			}
			if seen[name] {
				c.Report(n, "Reuse of column alias '"+d.Toks[n].Text+"'.")
			}
			seen[name] = true
		}
	}
}

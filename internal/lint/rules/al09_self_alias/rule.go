// Package al09_self_alias implements AL09 (aliasing.self_alias.column): a column is not aliased to its own name (`a AS a`).
package al09_self_alias

import (
	"github.com/dataops-dev/dataops/internal/lint"
	"github.com/dataops-dev/dataops/internal/sql/token"
)

// Rule is AL09.
var Rule lint.Rule = rule{}

type rule struct{}

var meta = &lint.Meta{
	Code: "AL09", Name: "aliasing.self_alias.column", Description: "Column aliases should not alias to itself, i.e. self-alias.",
	Groups: []string{"core", "aliasing"}, Aliases: []string{}, Fixable: true, Layout: false,
}

func (rule) Meta() *lint.Meta { return meta }

func (rule) Check(c *lint.Context) {
	d := c.Doc
	for _, s := range d.Selects {
		for _, t := range s.Targets {
			if t.Alias < 0 || t.As < 0 || t.Prefix {
				continue
			}
			e := d.Toks[t.As].Prev
			if e < t.Start || (e != t.Start && d.Toks[d.Toks[e].Prev].Kind != token.Dot) {
				continue
			}
			if d.Toks[e].Role != lint.RoleIdentifier && d.Toks[e].Kind != token.QuotedIdent {
				continue
			}
			if d.Toks[e].Text == d.Toks[t.Alias].Text {
				c.Report(t.Alias, "Column should not be self-aliased.", lint.Edit{Start: int(d.Toks[e].End), End: int(d.Toks[t.Alias].End), Text: ""})
			}
		}
	}
}

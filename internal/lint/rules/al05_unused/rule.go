// Package al05_unused implements AL05 (aliasing.unused): a table alias is used somewhere in its query.
package al05_unused

import (
	"github.com/dataops-dev/dataops/internal/lint"
	"github.com/dataops-dev/dataops/internal/sql/token"
)

// Rule is AL05.
var Rule lint.Rule = rule{}

type rule struct{}

var meta = &lint.Meta{
	Code: "AL05", Name: "aliasing.unused", Description: "Tables should not be aliased if that alias is not used.",
	Groups: []string{"core", "aliasing"}, Aliases: []string{"L025"}, Fixable: true, Layout: false,
}

func (rule) Meta() *lint.Meta { return meta }

func (rule) Check(c *lint.Context) {
	d := c.Doc
	for _, s := range d.Selects {
		for _, it := range s.Tables {
			if it.Alias < 0 || d.Toks[it.Alias].Templated || d.Toks[it.Alias].Kind == token.Template {
				continue
			}
			if it.Sub >= 0 || d.Toks[it.Expr[0]].Kind == token.LParen || d.ValueTable(&it) {
				continue
			}
			if aliasUsed(d, s, it.Alias) {
				continue
			}
			name, _ := d.NameOf(it.Alias)
			from := it.Alias
			if it.As >= 0 {
				from = it.As
			}
			start := int(d.Toks[d.Toks[from].Prev].End)
			c.Report(it.Alias, "Alias '"+name+"' is never used in SELECT statement.", lint.Edit{Start: start, End: int(d.Toks[it.Alias].End), Text: ""})
		}
	}
}

// aliasUsed looks for alias.something anywhere in the select, nested queries included.
func aliasUsed(d *lint.Doc, s *lint.Select, alias int) bool {
	for i := s.Kw; i <= s.End && i < len(d.Toks); i++ {
		if i == alias {
			continue
		}
		t := &d.Toks[i]
		if (t.Kind == token.Ident || t.Kind == token.QuotedIdent) && d.Toks[t.Next].Kind == token.Dot && d.SameName(i, alias) {
			if p := t.Prev; p >= 0 && d.Toks[p].Kind == token.Dot {
				continue
			}
			return true
		}
	}
	return false
}

// Package cv07_statement_brackets implements CV07 (convention.statement_brackets): a statement is not wrapped whole in brackets.
package cv07_statement_brackets

import (
	"github.com/dataops-dev/dataops/internal/lint"
	"github.com/dataops-dev/dataops/internal/sql/token"
)

// Rule is CV07.
var Rule lint.Rule = rule{}

type rule struct{}

var meta = &lint.Meta{
	Code: "CV07", Name: "convention.statement_brackets", Description: "Top-level statements should not be wrapped in brackets.",
	Groups: []string{"convention"}, Aliases: []string{"L053"}, Fixable: true, Layout: false,
}

func (rule) Meta() *lint.Meta { return meta }

func (rule) Check(c *lint.Context) {
	d := c.Doc
	for _, st := range d.Stmts {
		first, last := st[0], st[1]
		if d.Toks[first].Kind == token.LParen && d.Toks[first].Match == last {
			c.Report(first, "", c.Replace(first, ""), c.Replace(last, ""))
		}
	}
}

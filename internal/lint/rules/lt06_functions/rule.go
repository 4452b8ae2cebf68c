// Package lt06_functions implements LT06 (layout.functions): a function name is followed
// immediately by its opening bracket.
package lt06_functions

import (
	"github.com/dataops-dev/dataops/internal/lint"
	"github.com/dataops-dev/dataops/internal/sql/token"
)

// Rule is LT06.
var Rule lint.Rule = rule{}

type rule struct{}

var meta = &lint.Meta{
	Code: "LT06", Name: "layout.functions", Description: "Function name not immediately followed by parenthesis.",
	Groups: []string{"core", "layout"}, Aliases: []string{"L017"}, Fixable: true, Layout: true,
}

func (rule) Meta() *lint.Meta { return meta }

func (rule) Check(c *lint.Context) {
	d := c.Doc
	for i := range d.Toks {
		t := &d.Toks[i]
		if t.Kind != token.Ident || t.Role != lint.RoleFunction {
			continue
		}
		n := t.Next
		if n != i+1 && d.Toks[n].Kind == token.LParen {
			// Only whitespace and newlines between: remove them.
			c.Report(i, "", lint.Edit{Start: int(t.End), End: int(d.Toks[n].Pos), Text: ""})
		}
	}
}

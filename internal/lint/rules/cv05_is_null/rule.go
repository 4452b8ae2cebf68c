// Package cv05_is_null implements CV05 (convention.is_null): NULL is compared with IS / IS NOT, never = or !=.
package cv05_is_null

import (
	"github.com/dataops-dev/dataops/internal/lint"
	"github.com/dataops-dev/dataops/internal/sql/token"
)

// Rule is CV05.
var Rule lint.Rule = rule{}

type rule struct{}

var meta = &lint.Meta{
	Code: "CV05", Name: "convention.is_null", Description: "Comparisons with NULL should use \"IS\" or \"IS NOT\".",
	Groups: []string{"core", "convention"}, Aliases: []string{"L049"}, Fixable: true, Layout: false,
}

func (rule) Meta() *lint.Meta { return meta }

func (rule) Check(c *lint.Context) {
	d := c.Doc
	for i := range d.Toks {
		t := &d.Toks[i]
		if t.Kind != token.Operator || (t.Text != "=" && t.Text != "!=" && t.Text != "<>") {
			continue
		}
		n := t.Next
		if n >= len(d.Toks) || d.Toks[n].Role != lint.RoleNull {
			continue
		}
		// `SET x = NULL` in an UPDATE is an assignment.
		if inSet(d, i) {
			continue
		}
		repl := "IS"
		if t.Text != "=" {
			repl = "IS NOT"
		}
		c.Report(i, "", c.Replace(i, repl))
	}
}

func inSet(d *lint.Doc, i int) bool {
	for j := d.Toks[i].Prev; j >= 0; j = d.Toks[j].Prev {
		if d.Toks[j].Kind == token.Ident && d.Toks[j].Role == lint.RoleKeyword {
			switch d.Toks[j].Up {
			case "SET":
				return true
			case "WHERE", "SELECT", "ON", "WHEN", "AND", "OR", "HAVING", "THEN", "ELSE", "CASE":
				return false
			}
		}
	}
	return false
}

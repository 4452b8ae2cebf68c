// Package al03_expression implements AL03 (aliasing.expression): a computed select target has an alias.
package al03_expression

import (
	"github.com/dataops-dev/dataops/internal/lint"
	"github.com/dataops-dev/dataops/internal/sql/token"
)

// Rule is AL03.
var Rule lint.Rule = rule{}

type rule struct{}

var meta = &lint.Meta{
	Code: "AL03", Name: "aliasing.expression", Description: "Column expression without alias. Use explicit `AS` clause.",
	Groups: []string{"core", "aliasing"}, Aliases: []string{"L013"}, Fixable: false, Layout: false,
	Options: []lint.Option{
		{Name: "allow_scalar", Default: "True", Doc: "allow a lone select target without an alias"},
	},
}

func (rule) Meta() *lint.Meta { return meta }

func (rule) Check(c *lint.Context) {
	d := c.Doc
	allowScalar := c.Opts.Bool("allow_scalar")
	for _, s := range d.Selects {
		if allowScalar && len(s.Targets) == 1 {
			continue
		}
		if inCTEWithColumns(d, s) {
			continue
		}
		for _, t := range s.Targets {
			if t.Alias >= 0 || t.Star || d.Toks[t.Start].Templated {
				continue
			}
			if complexTarget(d, t.Start, t.End) {
				c.Report(t.Start, "")
			}
		}
	}
}

// complexTarget reports whether a target is more than a column reference, a bracketed
// expression or a cast of a non-function value.
func complexTarget(d *lint.Doc, start, end int) bool {
	if start == end {
		t := &d.Toks[start]
		return !(t.Role == lint.RoleIdentifier || t.Kind == token.QuotedIdent || t.Kind == token.Template)
	}
	if d.Toks[start].Kind == token.LParen && d.Toks[start].Match == end {
		return false
	}
	// A dotted reference.
	chain := true
	for i := start; i <= end; i = d.Toks[i].Next {
		t := &d.Toks[i]
		if !(t.Kind == token.Dot || t.Role == lint.RoleIdentifier || t.Kind == token.QuotedIdent || t.Kind == token.Ident || t.Kind == token.Template) {
			chain = false
			break
		}
	}
	if chain {
		return false
	}
	// x::type where x is not a function call.
	for i := start; i <= end; i = d.Toks[i].Next {
		t := &d.Toks[i]
		if t.Kind == token.DoubleColon && t.Depth == d.Toks[start].Depth {
			for j := start; j < i; j = d.Toks[j].Next {
				if d.Toks[j].Role == lint.RoleFunction {
					return true
				}
				if d.Toks[j].Kind == token.Operator {
					return true
				}
			}
			return false
		}
	}
	return true
}

// inCTEWithColumns reports whether the select is the body of a CTE declaring its columns.
func inCTEWithColumns(d *lint.Doc, s *lint.Select) bool {
	for _, w := range d.Withs {
		for _, cte := range w.CTEs {
			if s.Kw > cte.Open && s.Kw < cte.Close && d.Toks[d.Toks[cte.Name].Next].Kind == token.LParen {
				return true
			}
		}
	}
	return false
}

// Package cv11_casting_style implements CV11 (convention.casting_style): casts are written one way: CAST(...), CONVERT(...) or ::, consistently or as preferred_type_casting_style says.
package cv11_casting_style

import (
	"github.com/dataops-dev/dataops/internal/lint"
	"github.com/dataops-dev/dataops/internal/sql/token"
)

// Rule is CV11.
var Rule lint.Rule = rule{}

type rule struct{}

var meta = &lint.Meta{
	Code: "CV11", Name: "convention.casting_style", Description: "Enforce consistent type casting style.",
	Groups: []string{"convention"}, Aliases: []string{"L067"}, Fixable: false, Layout: false,
	Options: []lint.Option{
		{Name: "preferred_type_casting_style", Default: "consistent", Doc: "consistent, shorthand (::), cast or convert"},
	},
}

func (rule) Meta() *lint.Meta { return meta }

func (rule) Check(c *lint.Context) {
	d := c.Doc
	style := c.Opts.Str("preferred_type_casting_style")
	for i := range d.Toks {
		t := &d.Toks[i]
		got := ""
		switch {
		case t.Kind == token.DoubleColon:
			got = "shorthand"
		case t.Role == lint.RoleFunction && t.Up == "CAST":
			got = "cast"
		case t.Role == lint.RoleFunction && t.Up == "CONVERT":
			if convertArgs(d, i) > 2 {
				// T-SQL's CONVERT(type, x, style): no CAST says the same, so it is never
				// reported, though as the first cast it still sets the file's style.
				if style == "consistent" && !t.Templated {
					style = "convert"
				}
				continue
			}
			got = "convert"
		default:
			continue
		}
		if t.Templated {
			continue
		}
		if style == "consistent" {
			style = got
			continue
		}
		if got != style {
			c.Report(i, "Used type casting style is different from the preferred type casting style.")
		}
	}
}

// convertArgs counts the arguments of the call named by token i.
func convertArgs(d *lint.Doc, i int) int {
	open := d.Toks[i].Next
	if open >= len(d.Toks) || d.Toks[open].Kind != token.LParen || d.Toks[open].Match < 0 {
		return 0
	}
	n := 1
	for j := open + 1; j < d.Toks[open].Match; j++ {
		if d.Toks[j].Kind == token.Comma && d.Toks[j].Depth == d.Toks[open].Depth+1 {
			n++
		}
	}
	return n
}

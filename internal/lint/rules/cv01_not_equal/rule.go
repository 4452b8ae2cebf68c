// Package cv01_not_equal implements CV01 (convention.not_equal): not-equal is spelled one way: consistently, or as preferred_not_equal_style says (c_style != or ansi <>).
package cv01_not_equal

import (
	"github.com/dataops-dev/dataops/internal/lint"
	"github.com/dataops-dev/dataops/internal/sql/token"
)

// Rule is CV01.
var Rule lint.Rule = rule{}

type rule struct{}

var meta = &lint.Meta{
	Code: "CV01", Name: "convention.not_equal", Description: "Consistent usage of ``!=`` or ``<>`` for \"not equal to\" operator.",
	Groups: []string{"convention"}, Aliases: []string{"L061"}, Fixable: true, Layout: false,
	Options: []lint.Option{
		{Name: "preferred_not_equal_style", Default: "consistent", Doc: "consistent, c_style (!=) or ansi (<>)"},
	},
}

func (rule) Meta() *lint.Meta { return meta }

func (rule) Check(c *lint.Context) {
	d := c.Doc
	style := c.Opts.Str("preferred_not_equal_style")
	for i := range d.Toks {
		t := &d.Toks[i]
		if t.Kind != token.Operator || (t.Text != "!=" && t.Text != "<>") {
			continue
		}
		got := "c_style"
		if t.Text == "<>" {
			got = "ansi"
		}
		if style == "consistent" {
			style = got
			continue
		}
		if got != style {
			want := "!="
			if style == "ansi" {
				want = "<>"
			}
			c.Report(i, "Use '"+want+"' instead of '"+t.Text+"'.", c.Replace(i, want))
		}
	}
}

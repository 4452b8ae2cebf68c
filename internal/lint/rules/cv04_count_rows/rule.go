// Package cv04_count_rows implements CV04 (convention.count_rows): rows are counted with COUNT(*) (or COUNT(1) / COUNT(0), as prefer_count_1 and prefer_count_0 say).
package cv04_count_rows

import (
	"github.com/dataops-dev/dataops/internal/lint"
)

// Rule is CV04.
var Rule lint.Rule = rule{}

type rule struct{}

var meta = &lint.Meta{
	Code: "CV04", Name: "convention.count_rows", Description: "Use consistent syntax to express \"count number of rows\".",
	Groups: []string{"core", "convention"}, Aliases: []string{"L047"}, Fixable: true, Layout: false,
	Options: []lint.Option{
		{Name: "prefer_count_1", Default: "False", Doc: "prefer COUNT(1)"},
		{Name: "prefer_count_0", Default: "False", Doc: "prefer COUNT(0)"},
	},
}

func (rule) Meta() *lint.Meta { return meta }

func (rule) Check(c *lint.Context) {
	d := c.Doc
	want := "*"
	if c.Opts.Bool("prefer_count_1") {
		want = "1"
	} else if c.Opts.Bool("prefer_count_0") {
		want = "0"
	}
	for i := range d.Toks {
		t := &d.Toks[i]
		if t.Role != lint.RoleFunction || t.Up != "COUNT" {
			continue
		}
		open := t.Next
		arg := d.Toks[open].Next
		if arg >= len(d.Toks) || d.Toks[arg].Next != d.Toks[open].Match {
			continue
		}
		a := d.Toks[arg].Text
		if a != "*" && a != "1" && a != "0" || a == want {
			continue
		}
		c.Report(i, "Use consistent syntax to express \"count number of rows\".", c.Replace(arg, want))
	}
}

// Package al01_table implements AL01 (aliasing.table): tables are aliased explicitly with AS (or implicitly, as aliasing says).
package al01_table

import (
	"github.com/dataops-dev/dataops/internal/lint"
)

// Rule is AL01.
var Rule lint.Rule = rule{}

type rule struct{}

var meta = &lint.Meta{
	Code: "AL01", Name: "aliasing.table", Description: "Implicit/explicit aliasing of table.",
	Groups: []string{"aliasing"}, Aliases: []string{"L011"}, Fixable: true, Layout: false,
	Options: []lint.Option{
		{Name: "aliasing", Default: "explicit", Doc: "explicit (AS required) or implicit"},
	},
}

func (rule) Meta() *lint.Meta { return meta }

func (rule) Check(c *lint.Context) {
	implicit := c.Opts.Str("aliasing") == "implicit"
	d := c.Doc
	for _, s := range d.Selects {
		for _, it := range s.Tables {
			if it.Alias < 0 || d.Toks[it.Alias].Templated {
				continue
			}
			if it.As < 0 && !implicit {
				c.Report(it.Alias, "Implicit/explicit aliasing of table.", lint.Edit{Start: int(d.Toks[it.Alias].Pos), End: int(d.Toks[it.Alias].Pos), Text: "AS "})
			}
			if it.As >= 0 && implicit {
				c.Report(it.As, "Implicit/explicit aliasing of table.", lint.Edit{Start: int(d.Toks[it.As].Pos), End: int(d.Toks[it.Alias].Pos), Text: ""})
			}
		}
	}
}

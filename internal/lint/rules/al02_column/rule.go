// Package al02_column implements AL02 (aliasing.column): column aliases use AS explicitly (or implicitly, as aliasing says).
package al02_column

import (
	"github.com/dataops-dev/dataops/internal/lint"
)

// Rule is AL02.
var Rule lint.Rule = rule{}

type rule struct{}

var meta = &lint.Meta{
	Code: "AL02", Name: "aliasing.column", Description: "Implicit/explicit aliasing of columns.",
	Groups: []string{"core", "aliasing"}, Aliases: []string{"L012"}, Fixable: true, Layout: false,
	Options: []lint.Option{
		{Name: "aliasing", Default: "explicit", Doc: "explicit (AS required) or implicit"},
	},
}

func (rule) Meta() *lint.Meta { return meta }

func (rule) Check(c *lint.Context) {
	implicit := c.Opts.Str("aliasing") == "implicit"
	d := c.Doc
	for _, s := range d.Selects {
		for _, t := range s.Targets {
			if t.Alias < 0 || d.Toks[t.Alias].Templated {
				continue
			}
			if t.As < 0 && !implicit {
				c.Report(t.Alias, "Implicit/explicit aliasing of columns.", lint.Edit{Start: int(d.Toks[t.Alias].Pos), End: int(d.Toks[t.Alias].Pos), Text: "AS "})
			}
			if t.As >= 0 && implicit {
				c.Report(t.As, "Implicit/explicit aliasing of columns.", lint.Edit{Start: int(d.Toks[t.As].Pos), End: int(d.Toks[t.Alias].Pos), Text: ""})
			}
		}
	}
}

// Package al06_length implements AL06 (aliasing.length): table aliases are between min_alias_length and max_alias_length characters.
package al06_length

import (
	"fmt"
	"github.com/dataops-dev/dataops/internal/lint"
)

// Rule is AL06.
var Rule lint.Rule = rule{}

type rule struct{}

var meta = &lint.Meta{
	Code: "AL06", Name: "aliasing.length", Description: "Identify aliases in from clause and join conditions.",
	Groups: []string{"core", "aliasing"}, Aliases: []string{"L066"}, Fixable: false, Layout: false,
	Options: []lint.Option{
		{Name: "min_alias_length", Default: "None", Doc: "shortest alias allowed"},
		{Name: "max_alias_length", Default: "None", Doc: "longest alias allowed"},
	},
}

func (rule) Meta() *lint.Meta { return meta }

func (rule) Check(c *lint.Context) {
	d := c.Doc
	min, max := c.Opts.Int("min_alias_length", 0), c.Opts.Int("max_alias_length", 0)
	if min <= 0 && max <= 0 {
		return
	}
	for _, s := range d.Selects {
		for _, it := range s.Tables {
			if it.Alias < 0 {
				continue
			}
			name, _ := d.NameOf(it.Alias)
			n := len([]rune(name))
			if min > 0 && n < min {
				c.Report(it.Alias, fmt.Sprintf("Aliases should be at least %d character(s) long.", min))
			}
			if max > 0 && n > max {
				c.Report(it.Alias, fmt.Sprintf("Aliases should be no more than %d character(s) long.", max))
			}
		}
	}
}

// Package st07_using implements ST07 (structure.using): joins spell out their condition with ON rather than USING.
package st07_using

import (
	"github.com/dataops-dev/dataops/internal/lint"
)

// Rule is ST07.
var Rule lint.Rule = rule{}

type rule struct{}

var meta = &lint.Meta{
	Code: "ST07", Name: "structure.using", Description: "Prefer specifying join keys instead of using 'USING'.",
	Groups: []string{"structure"}, Aliases: []string{"L032"}, Fixable: false, Layout: false,
}

func (rule) Meta() *lint.Meta { return meta }

func (rule) Check(c *lint.Context) {
	d := c.Doc
	for _, s := range d.Selects {
		for _, it := range s.Tables {
			if it.Using >= 0 {
				c.Report(it.Using, "Found USING statement. Expected only ON statements.")
			}
		}
	}
}

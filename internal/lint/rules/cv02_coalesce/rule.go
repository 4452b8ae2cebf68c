// Package cv02_coalesce implements CV02 (convention.coalesce): IFNULL and NVL are written COALESCE, which every warehouse knows.
package cv02_coalesce

import (
	"github.com/dataops-dev/dataops/internal/lint"
)

// Rule is CV02.
var Rule lint.Rule = rule{}

type rule struct{}

var meta = &lint.Meta{
	Code: "CV02", Name: "convention.coalesce", Description: "Use 'COALESCE' instead of 'IFNULL' or 'NVL'.",
	Groups: []string{"convention"}, Aliases: []string{"L060"}, Fixable: true, Layout: false,
}

func (rule) Meta() *lint.Meta { return meta }

func (rule) Check(c *lint.Context) {
	d := c.Doc
	for i := range d.Toks {
		t := &d.Toks[i]
		if t.Role == lint.RoleFunction && (t.Up == "IFNULL" || t.Up == "NVL") {
			c.Report(i, "Use 'COALESCE' instead of '"+t.Up+"'.", c.Replace(i, "COALESCE"))
		}
	}
}

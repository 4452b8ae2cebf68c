// Package am02_union implements AM02 (ambiguous.union): UNION says ALL or DISTINCT. SQLFluff checks this only for the dialects where a bare UNION is legal and means DISTINCT.
package am02_union

import (
	"github.com/dataops-dev/dataops/internal/lint"
)

// Rule is AM02.
var Rule lint.Rule = rule{}

type rule struct{}

var meta = &lint.Meta{
	Code: "AM02", Name: "ambiguous.union", Description: "Look for UNION keyword not immediately followed by DISTINCT or ALL.",
	Groups: []string{"core", "ambiguous"}, Aliases: []string{"L033"}, Fixable: true, Layout: false,
}

func (rule) Meta() *lint.Meta { return meta }

func (rule) Check(c *lint.Context) {
	switch c.Dialect {
	case "ansi", "hive", "mysql", "redshift":
	default:
		return
	}
	d := c.Doc
	for i := range d.Toks {
		if !d.IsKw(i, "UNION") {
			continue
		}
		n := d.Toks[i].Next
		if d.Is(n, "ALL") || d.Is(n, "DISTINCT") {
			continue
		}
		c.Report(i, "", lint.Edit{Start: int(d.Toks[i].End), End: int(d.Toks[i].End), Text: " DISTINCT"})
	}
}

// Package cv03_select_trailing_comma implements CV03 (convention.select_trailing_comma): a select list does not end in a comma (or always does, as select_clause_trailing_comma says).
package cv03_select_trailing_comma

import (
	"github.com/dataops-dev/dataops/internal/lint"
	"github.com/dataops-dev/dataops/internal/sql/token"
)

// Rule is CV03.
var Rule lint.Rule = rule{}

type rule struct{}

var meta = &lint.Meta{
	Code: "CV03", Name: "convention.select_trailing_comma", Description: "Trailing commas within select clause.",
	Groups: []string{"core", "convention"}, Aliases: []string{"L038"}, Fixable: true, Layout: false,
	Options: []lint.Option{
		{Name: "select_clause_trailing_comma", Default: "forbid", Doc: "forbid or require"},
	},
}

func (rule) Meta() *lint.Meta { return meta }

func (rule) Check(c *lint.Context) {
	d := c.Doc
	policy := c.Opts.Str("select_clause_trailing_comma")
	for _, s := range d.Selects {
		if len(s.Targets) == 0 {
			continue
		}
		last := s.TargetsEnd()
		n := d.Toks[last].Next
		trailing := n < len(d.Toks) && d.Toks[n].Kind == token.Comma
		if policy == "forbid" && trailing {
			c.Report(n, "Trailing comma in select statement forbidden", c.Replace(n, ""))
		}
		if policy == "require" && !trailing {
			c.Report(last, "Trailing comma in select statement required", lint.Edit{Start: int(d.Toks[last].End), End: int(d.Toks[last].End), Text: ","})
		}
	}
}

// Package rf03_consistent implements RF03 (references.consistent): in a query over one table, column references are all qualified or all not (or as single_table_references says). Off for BigQuery, Hive and Redshift unless force_enable is set.
package rf03_consistent

import (
	"github.com/dataops-dev/dataops/internal/lint"
	"github.com/dataops-dev/dataops/internal/sql/token"
)

// Rule is RF03.
var Rule lint.Rule = rule{}

type rule struct{}

var meta = &lint.Meta{
	Code: "RF03", Name: "references.consistent", Description: "References should be consistent in statements with a single table.",
	Groups: []string{"references"}, Aliases: []string{"L028"}, Fixable: false, Layout: false,
	Options: []lint.Option{
		{Name: "single_table_references", Default: "consistent", Doc: "consistent, qualified or unqualified"},
		{Name: "force_enable", Default: "False", Doc: "run even for dialects with struct access"},
	},
}

func (rule) Meta() *lint.Meta { return meta }

func (rule) Check(c *lint.Context) {
	switch c.Dialect {
	case "bigquery", "hive", "redshift":
		if !c.Opts.Bool("force_enable") {
			return
		}
	}
	policy := c.Opts.Str("single_table_references")
	d := c.Doc
	for _, s := range d.Selects {
		if len(s.Tables) != 1 {
			continue
		}
		style := policy
		for _, r := range d.ColumnRefs(s) {
			i := r.First()
			if d.Toks[i].Templated || d.Toks[i].Kind == token.Template {
				continue
			}
			got := "unqualified"
			if r.Qualified() {
				got = "qualified"
			}
			if style == "consistent" {
				style = got
				continue
			}
			if got != style {
				if got == "qualified" {
					c.Report(i, "Qualified reference '"+d.Text(r.First(), r.Last())+"' found in single table select which is inconsistent with previous references.")
				} else {
					c.Report(i, "Unqualified reference '"+d.Text(r.First(), r.Last())+"' found in single table select which is inconsistent with previous references.")
				}
			}
		}
	}
}

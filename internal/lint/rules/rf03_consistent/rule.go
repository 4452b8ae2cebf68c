// Package rf03_consistent implements RF03 (references.consistent): in a query over one table, column references are all qualified or all not (or as single_table_references says); at the first inconsistent one, every unqualified reference of the select is reported with it, as SQLFluff does; a set operation is read through its first select, and references Jinja writes count without being reported. Off for BigQuery, Hive and Redshift unless force_enable is set.
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
	type ref struct {
		at        int
		text      string
		kind      string // "qualified" or "unqualified"
		templated bool   // written by Jinja: it sets the select's style, but is not reported
	}
	for _, s := range d.Selects {
		if len(s.Tables) != 1 || d.LaterBranch(s) {
			continue
		}
		if it := s.Tables[0]; it.Sub >= 0 && it.Alias < 0 {
			// A subquery without an alias: no name to qualify with, and SQLFluff skips it.
			continue
		}
		var refs []ref
		for _, r := range d.ColumnRefs(s) {
			i := r.First()
			if d.Toks[i].Kind == token.Template {
				continue
			}
			kind := "unqualified"
			if r.Qualified() {
				kind = "qualified"
			}
			refs = append(refs, ref{i, d.Text(r.First(), r.Last()), kind, d.Toks[i].Templated})
		}
		// Every reference not of the wanted kind.
		unlike := func(want string) {
			for _, r := range refs {
				if r.kind != want && !r.templated {
					c.Report(r.at, capital(r.kind)+" reference '"+r.text+"' found in single table select.")
				}
			}
		}
		if policy != "consistent" {
			unlike(policy)
			continue
		}
		// SQLFluff fixes an inconsistent select to qualified references: at the first
		// reference unlike those before it, it reports every unqualified reference of the
		// select, then that one (twice at one place when it is unqualified itself).
		for _, r := range refs {
			if r.kind != refs[0].kind {
				unlike("qualified")
				if r.templated {
					break
				}
				c.Report(r.at, capital(r.kind)+" reference '"+r.text+"' found in single table select which is inconsistent with previous references.")
				break
			}
		}
	}
}

func capital(kind string) string {
	if kind == "qualified" {
		return "Qualified"
	}
	return "Unqualified"
}

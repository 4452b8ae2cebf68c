// Package rf01_from implements RF01 (references.from): a qualified reference names a table or alias of its query (or of an enclosing one), in a select without FROM too. Off for BigQuery, Hive, Redshift, SOQL and Spark SQL unless force_enable is set.
package rf01_from

import (
	"github.com/dataops-dev/dataops/internal/lint"
	"github.com/dataops-dev/dataops/internal/sql/token"
)

// Rule is RF01.
var Rule lint.Rule = rule{}

type rule struct{}

var meta = &lint.Meta{
	Code: "RF01", Name: "references.from", Description: "References cannot reference objects not present in 'FROM' clause.",
	Groups: []string{"core", "references"}, Aliases: []string{"L026"}, Fixable: false, Layout: false,
	Options: []lint.Option{
		{Name: "force_enable", Default: "False", Doc: "run even for dialects where struct access looks like a reference"},
	},
}

func (rule) Meta() *lint.Meta { return meta }

func (rule) Check(c *lint.Context) {
	switch c.Dialect {
	case "bigquery", "hive", "redshift", "soql", "sparksql":
		if !c.Opts.Bool("force_enable") {
			return
		}
	}
	d := c.Doc
	for _, s := range d.Selects {
		// A select without FROM (a CTE of literals, `select p.a`) has no table to qualify
		// with: SQLFluff reports its qualified references too.
		for _, r := range d.ColumnRefs(s) {
			if len(r.Parts) < 2 && !r.Star {
				continue
			}
			if d.Toks[r.First()].Templated || d.Toks[r.First()].Kind == token.Template {
				continue
			}
			if inScope(d, s, r) {
				continue
			}
			c.Report(r.First(), "Reference '"+d.Text(r.First(), r.Last())+"' refers to table/view not found in the FROM clause or found in ancestor statement.")
		}
	}
}

func inScope(d *lint.Doc, s *lint.Select, r lint.Ref) bool {
	q := r.First()
	for cur := s; cur != nil; cur = cur.Parent {
		for i := range cur.Tables {
			it := &cur.Tables[i]
			if it.Alias >= 0 {
				if d.SameName(it.Alias, q) {
					return true
				}
				continue
			}
			// A table's name, or any tail of its dotted name, qualifies references.
			for j := it.Expr[0]; j <= it.Expr[1]; j++ {
				t := &d.Toks[j]
				if (t.Kind == token.Ident || t.Kind == token.QuotedIdent) && d.SameName(j, q) {
					return true
				}
				if t.Kind == token.Template {
					return true
				}
			}
		}
	}
	return false
}

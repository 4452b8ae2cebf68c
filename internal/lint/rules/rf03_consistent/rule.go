// Package rf03_consistent implements RF03 (references.consistent): in a query over one table, column references are all qualified or all not (or as single_table_references says); at the first inconsistent one, every unqualified reference of the select is reported with it, as SQLFluff does; a set operation is read through its first select, and references Jinja writes or that name a column of the select list count without being reported. As in SQLFluff 1.4.5, selects nested in a WITH's main query outside its FROM, and queries in the FROM of a later set branch, are not checked. Off for BigQuery, Hive and Redshift unless force_enable is set.
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
		// alias names a column of this select list (`b + 1` after `src.a as b`): like a
		// templated reference it sets the style and is never reported, as in SQLFluff 1.4.5.
		alias bool
	}
	mains := withMains(d)
	for _, s := range d.Selects {
		if len(s.Tables) != 1 || d.LaterBranch(s) || !reached(d, s, mains) {
			continue
		}
		if it := s.Tables[0]; it.Sub >= 0 && it.Alias < 0 {
			// A subquery without an alias: no name to qualify with, and SQLFluff skips it.
			continue
		}
		aliases := map[string]bool{}
		for _, t := range s.Targets {
			if t.Alias >= 0 {
				aliases[d.Toks[t.Alias].Text] = true
			}
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
			text := d.Text(r.First(), r.Last())
			refs = append(refs, ref{i, text, kind, d.Toks[i].Templated, aliases[text]})
		}
		// Every reference not of the wanted kind.
		unlike := func(want string) {
			for _, r := range refs {
				if r.kind != want && !r.templated && !r.alias {
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
				if r.alias {
					break // both kinds are seen now, and an alias is never reported
				}
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

// withMains are the selects of each WITH's main query, its set operation's branches included.
func withMains(d *lint.Doc) map[*lint.Select]bool {
	out := map[*lint.Select]bool{}
	for _, w := range d.Withs {
		for cur := w.Main; cur != nil; {
			out[cur] = true
			next := (*lint.Select)(nil)
			if cur.SetOp >= 0 {
				for _, s := range d.Selects {
					if s.Kw > cur.SetOp && s.Depth == cur.Depth {
						next = s
						break
					}
				}
			}
			cur = next
		}
	}
	return out
}

// reached reports whether SQLFluff 1.4.5's query walk checks select s. It checks a query's
// first select, the queries in that select's FROM and the subqueries elsewhere in it, except
// that nothing nested in a WITH's main query outside the first select's FROM is reached (such
// a select is taken for one more branch of the main query, `where x in (select ...)` included),
// nor a query in the FROM of a later branch of a set operation.
func reached(d *lint.Doc, s *lint.Select, mains map[*lint.Select]bool) bool {
	for c, p := s, s.Parent; p != nil; c, p = p, p.Parent {
		inFrom := false
		for _, it := range p.Tables {
			if c.Kw >= it.Expr[0] && c.Kw <= it.Expr[1] {
				inFrom = true
			}
		}
		if inFrom && d.LaterBranch(p) || !inFrom && mains[p] {
			return false
		}
	}
	return true
}

func capital(kind string) string {
	if kind == "qualified" {
		return "Qualified"
	}
	return "Unqualified"
}

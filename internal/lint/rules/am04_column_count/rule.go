// Package am04_column_count implements AM04 (ambiguous.column_count): the outermost query lists its columns, or takes * only from CTEs that list theirs.
package am04_column_count

import (
	"strings"

	"github.com/dataops-dev/dataops/internal/lint"
	"github.com/dataops-dev/dataops/internal/sql/token"
)

// Rule is AM04.
var Rule lint.Rule = rule{}

type rule struct{}

var meta = &lint.Meta{
	Code: "AM04", Name: "ambiguous.column_count", Description: "Query produces an unknown number of result columns.",
	Groups: []string{"ambiguous"}, Aliases: []string{"L044"}, Fixable: false, Layout: false,
}

func (rule) Meta() *lint.Meta { return meta }

func (rule) Check(c *lint.Context) {
	d := c.Doc
	for _, st := range d.Stmts {
		// The outermost selects of the statement (those not nested in brackets).
		for _, s := range d.Selects {
			if s.Kw < st[0] || s.Kw > st[1] || s.Depth != d.Toks[st[0]].Depth {
				continue
			}
			if s.With == nil && inCTE(d, s) {
				continue
			}
			// SQLFluff anchors the finding on the select whose star reads an outside table,
			// which is the CTE's or subquery's select when the star reaches one: in a dbt model
			// (`with src as (select * from {{ ref('x') }}) select * from src`) that select holds
			// Jinja, and the finding is dropped, as SQLFluff drops it.
			if at := unknownColumns(d, st[0], s, 0); at != nil {
				c.ReportSpan(at.Kw, at.Kw, at.End, "")
			}
		}
	}
}

func inCTE(d *lint.Doc, s *lint.Select) bool {
	for _, w := range d.Withs {
		for _, cte := range w.CTEs {
			if s.Kw > cte.Open && s.Kw < cte.Close {
				return true
			}
		}
	}
	return false
}

// unknownColumns returns the select, s or one its star reaches (in the statement starting at
// token stmt), whose columns cannot be known:
// a * over a table that is not a CTE or a subquery with known columns; nil when they all are.
func unknownColumns(d *lint.Doc, stmt int, s *lint.Select, depth int) *lint.Select {
	if depth > 20 {
		return nil
	}
	for _, t := range s.Targets {
		if !t.Star {
			continue
		}
		// Which tables does the star cover?
		var qual string
		if t.Start != t.End {
			qual = strings.ToLower(d.Toks[t.Start].Text)
		}
		for k := range s.Tables {
			it := &s.Tables[k]
			if qual != "" {
				n, ok := d.RefName(it)
				if !ok || strings.ToLower(d.Toks[n].Text) != qual {
					continue
				}
			}
			if it.Sub >= 0 {
				for _, inner := range d.Selects {
					if inner.Kw == d.Toks[it.Sub].Next {
						if at := unknownColumns(d, stmt, inner, depth+1); at != nil {
							return at
						}
					}
				}
				continue
			}
			name, ok := d.TableName(it)
			if !ok {
				return s
			}
			cte := findCTE(d, stmt, s, name)
			if cte == nil {
				return s
			}
			for _, inner := range d.Selects {
				if inner.Kw > cte.Open && inner.Kw < cte.Close && inner.Depth == d.Toks[cte.Open].Depth+1 {
					if at := unknownColumns(d, stmt, inner, depth+1); at != nil {
						return at
					}
				}
			}
		}
	}
	return nil
}

// findCTE finds the CTE a name in s refers to: one defined before s in the same statement
// (stmt is the statement's first token).
func findCTE(d *lint.Doc, stmt int, s *lint.Select, name string) *lint.CTE {
	for _, w := range d.Withs {
		if w.Kw < stmt {
			continue
		}
		for k := range w.CTEs {
			cte := &w.CTEs[k]
			if cte.Open < s.Kw && strings.EqualFold(d.Toks[cte.Name].Text, name) {
				return cte
			}
		}
	}
	_ = token.EOF
	return nil
}

// Package st02_simple_case implements ST02 (structure.simple_case): a CASE that only maps a condition to true/false, or that spells out COALESCE (`WHEN x IS NULL THEN y ELSE x`), is simplified; reported at its condition, as SQLFluff does.
package st02_simple_case

import (
	"github.com/dataops-dev/dataops/internal/lint"
	"github.com/dataops-dev/dataops/internal/sql/token"
)

// Rule is ST02.
var Rule lint.Rule = rule{}

type rule struct{}

var meta = &lint.Meta{
	Code: "ST02", Name: "structure.simple_case", Description: "Unnecessary 'CASE' statement.",
	Groups: []string{"structure"}, Aliases: []string{"L043"}, Fixable: false, Layout: false,
}

func (rule) Meta() *lint.Meta { return meta }

func (rule) Check(c *lint.Context) {
	d := c.Doc
	for i := range d.Toks {
		if !d.IsKw(i, "CASE") {
			continue
		}
		w := d.Toks[i].Next
		if !d.IsKw(w, "WHEN") {
			continue
		}
		// The CASE's parts at its own depth: WHEN cond THEN a [WHEN ...] [ELSE b] END.
		depth := d.Toks[w].Depth
		var then, els, end, whens = -1, -1, -1, 1
	parts:
		for j := d.Toks[w].Next; d.More(j); j = d.Toks[j].Next {
			t := &d.Toks[j]
			if t.Depth < depth {
				break
			}
			if t.Depth > depth {
				continue
			}
			switch {
			case d.IsKw(j, "CASE"): // a nested CASE: skip to its END
				if j = d.CaseEnd(j); j < 0 {
					break parts
				}
				continue
			case d.IsKw(j, "WHEN"):
				whens++
			case d.IsKw(j, "THEN") && then < 0:
				then = j
			case d.IsKw(j, "ELSE") && els < 0:
				els = j
			case d.IsKw(j, "END"):
				end = j
			}
			if end >= 0 {
				break
			}
		}
		if then < 0 || end < 0 || whens != 1 {
			continue
		}
		cond := d.Toks[w].Next // SQLFluff points at the condition
		thenEnd := end
		if els >= 0 {
			thenEnd = els
		}
		a := code(d, d.Toks[then].Next, thenEnd)
		var b []int
		if els >= 0 {
			b = code(d, d.Toks[els].Next, end)
		}
		// CASE WHEN <cond> THEN TRUE|FALSE ELSE FALSE|TRUE END (ELSE optional for TRUE).
		if len(a) == 1 && d.Toks[a[0]].Role == lint.RoleBool {
			switch {
			case len(b) == 1 && d.Toks[b[0]].Role == lint.RoleBool && d.Toks[b[0]].Up != d.Toks[a[0]].Up:
				c.Report(cond, "")
			case els < 0 && d.Toks[a[0]].Up == "TRUE":
				c.Report(cond, "")
			}
			continue
		}
		// CASE WHEN x IS NULL THEN y ELSE x END, CASE WHEN x IS NOT NULL THEN x ELSE y END:
		// COALESCE spelled out (and THEN NULL ELSE x: x itself).
		ref, not, ok := nullTest(d, code(d, cond, then))
		if !ok || els < 0 {
			continue
		}
		switch {
		case !not && sameText(d, b, ref) && len(a) == 1 && d.Toks[a[0]].Role == lint.RoleNull:
			c.Report(cond, "Unnecessary CASE statement. Just use column '"+d.Text(ref[0], ref[len(ref)-1])+"'.")
		case !not && sameText(d, b, ref), not && sameText(d, a, ref):
			c.Report(cond, "Unnecessary CASE statement. Use COALESCE function instead.")
		}
	}
}

// code lists the code tokens from i up to (not including) stop.
func code(d *lint.Doc, i, stop int) []int {
	var out []int
	for j := i; d.More(j) && j < stop; j = d.Toks[j].Next {
		out = append(out, j)
	}
	return out
}

// nullTest reads `ref IS [NOT] NULL`, ref a column reference.
func nullTest(d *lint.Doc, toks []int) (ref []int, not, ok bool) {
	n := len(toks)
	if n < 3 || !d.IsKw(toks[n-1], "NULL") && d.Toks[toks[n-1]].Up != "NULL" {
		return nil, false, false
	}
	k := n - 2
	if d.IsKw(toks[k], "NOT") {
		not = true
		k--
	}
	if k < 1 || !d.IsKw(toks[k], "IS") {
		return nil, false, false
	}
	ref = toks[:k]
	for _, j := range ref {
		t := &d.Toks[j]
		if t.Kind != token.Ident && t.Kind != token.QuotedIdent && t.Kind != token.Dot || t.Templated {
			return nil, false, false
		}
	}
	return ref, not, true
}

// sameText reports whether two token runs spell the same reference.
func sameText(d *lint.Doc, a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if d.Toks[a[i]].Text != d.Toks[b[i]].Text {
			return false
		}
	}
	return true
}

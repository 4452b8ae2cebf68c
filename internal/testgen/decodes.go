package testgen

import (
	"strings"

	"github.com/dataops-dev/dataops/internal/columns"
	"github.com/dataops-dev/dataops/internal/sql/ast"
)

// A CASE that decodes a column names the values the team expects it to hold:
//
//	case when claim_status = 'P' then 'Pending' when claim_status = 'R' then 'Received' ... end
//	case payment_type when 'CC' then 'card' when 'CK' then 'cheque' end
//
// wherever it is written (the model that carries the column, a sibling that reads the same
// upstream column, a mart two models down), it is a contract on the column it reads, as a
// WHERE is not: a filter keeps some rows, a decoding enumerates the codes. The set may be
// partial (an ELSE takes the rest), so it is evidence of its own, weighed by the team's habits
// like every other (evidencePriors).

// minDecoded is how many distinct codes a CASE must compare one column to: one comparison is
// a test of a single case (`when status = 'void' then 0`), not a decoding.
const minDecoded = 2

// modelDecodes lists the column codes the CASE expressions of a model's select lists compare
// to, resolved to the node columns they read.
func (g *sqlGraph) modelDecodes(ms *modelSQL) map[colRef][]string {
	out := map[colRef][]string{}
	ast.Inspect(ms.q, func(n ast.Node) bool {
		sel, ok := n.(*ast.Select)
		if !ok {
			return true
		}
		var sc *scope
		for _, it := range sel.Items {
			if it == nil || it.Expr == nil {
				continue
			}
			ast.Inspect(it.Expr, func(n ast.Node) bool {
				switch x := n.(type) {
				case *ast.Query, *ast.Subquery:
					return false // a nested select has its own scope, visited on its own
				case *ast.Case:
					for ref, vals := range caseCodes(x) {
						if len(vals) < minDecoded {
							continue
						}
						if sc == nil {
							sc = g.scopeOf(sel, ms.ctes)
						}
						if r, ok := g.resolve(sc, ref, 0); ok {
							out[r] = union(out[r], vals)
						}
					}
				}
				return true
			})
		}
		return true
	})
	return out
}

// caseCodes groups the string literals a CASE compares plain column references to, by
// reference: `CASE x WHEN 'a'`, `WHEN x = 'a'`, `WHEN x IN ('a', 'b')`, through OR and AND.
func caseCodes(c *ast.Case) map[*ast.ColumnRef][]string {
	out := map[*ast.ColumnRef][]string{}
	byName := map[string]*ast.ColumnRef{}
	add := func(ref *ast.ColumnRef, v string) {
		key := refKey(ref)
		if first, ok := byName[key]; ok {
			ref = first
		} else {
			byName[key] = ref
		}
		out[ref] = union(out[ref], []string{v})
	}
	if op := plainRef(c.Operand); op != nil {
		for _, w := range c.Whens {
			if w == nil {
				continue
			}
			if v, ok := stringLiteral(w.Cond); ok {
				add(op, v)
			}
		}
		return out
	}
	var walk func(e ast.Expr)
	walk = func(e ast.Expr) {
		if x, ok := unparen(e).(*ast.Binary); ok && (strings.EqualFold(x.Op, "AND") || strings.EqualFold(x.Op, "OR")) {
			walk(x.X)
			walk(x.Y)
			return
		}
		if r, vals, ok := comparedLiterals(e); ok {
			for _, v := range vals {
				add(r, v)
			}
		}
	}
	for _, w := range c.Whens {
		if w != nil {
			walk(w.Cond)
		}
	}
	return out
}

// refKey spells a column reference case-insensitively, qualifier included.
func refKey(r *ast.ColumnRef) string {
	parts := make([]string, len(r.Parts))
	for i, p := range r.Parts {
		parts[i] = strings.ToLower(p.Name)
	}
	return strings.Join(parts, ".")
}

// decodedValues finds the codes some CASE in the project compares a column to: the column
// itself, read downstream, or the upstream column it copies unchanged, read by this model or
// by any other.
func (x *extra) decodedValues(c *column) ([]string, string) {
	if x.graph == nil || len(x.graph.decodes) == 0 {
		return nil, ""
	}
	r := colRef{c.model.UniqueID, c.lower}
	for range maxTrace {
		if d := x.graph.decodes[r]; d != nil {
			return d.vals, d.in
		}
		up, ok := x.copiedFrom(r)
		if !ok {
			return nil, ""
		}
		r = up
	}
	return nil, ""
}

// copiedFrom is the single upstream column a column copies unchanged, when it is one.
func (x *extra) copiedFrom(r colRef) (colRef, bool) {
	if x.inf == nil {
		return colRef{}, false
	}
	n := x.inf.Node(r.node)
	if n == nil {
		return colRef{}, false
	}
	ic := n.Column(r.col)
	if ic == nil || len(ic.Lineage) != 1 || ic.Kind != columns.KindDirect {
		return colRef{}, false
	}
	u := ic.Lineage[0]
	up := colRef{u.Node, strings.ToLower(u.Column)}
	// A copy that keeps some rows only holds some of the codes, still among them.
	return up, up.node != r.node
}

// decoded is the codes a column is compared to, and the model whose CASE compares them.
type decoded struct {
	vals []string
	in   string
}

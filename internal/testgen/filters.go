package testgen

import (
	"strings"

	"github.com/dataops-dev/dataops/internal/sql/ast"
)

// A select that keeps only the rows where a column is one of a few literals
// (`where operation in ('REFUND', 'PREAUTH')`) bounds that column's values, wherever the
// select sits: in a CTE two steps before the output, or in an upstream model the column passes
// through. Only a conjunction counts: under an OR the filter bounds nothing for certain.

// filterLiterals returns the string literals a WHERE clause restricts col to (the column as
// the select reads it from its FROM), or nil.
func filterLiterals(where ast.Expr, col string) []string {
	var out []string
	var walk func(e ast.Expr) bool
	walk = func(e ast.Expr) bool {
		switch x := unparen(e).(type) {
		case *ast.Binary:
			if strings.EqualFold(x.Op, "AND") {
				return walk(x.X) && walk(x.Y)
			}
		}
		if r, vals, ok := comparedLiterals(e); ok && refNamed(r, col) {
			out = union(out, vals)
			return false
		}
		return true
	}
	if where != nil {
		walk(where)
	}
	return out
}

// comparedLiterals reads one comparison of a column with string literals: `x = 'a'` (either
// side, through casts) or `x IN ('a', 'b')` with every item a literal.
func comparedLiterals(e ast.Expr) (*ast.ColumnRef, []string, bool) {
	switch x := unparen(e).(type) {
	case *ast.Binary:
		if x.Op != "=" {
			return nil, nil, false
		}
		for _, side := range [][2]ast.Expr{{x.X, x.Y}, {x.Y, x.X}} {
			if r := plainRef(side[0]); r != nil {
				if v, ok := stringLiteral(side[1]); ok {
					return r, []string{v}, true
				}
			}
		}
	case *ast.In:
		r := plainRef(x.X)
		if x.Not || r == nil || len(x.List) == 0 {
			return nil, nil, false
		}
		vals := make([]string, 0, len(x.List))
		for _, item := range x.List {
			v, ok := stringLiteral(item)
			if !ok {
				return nil, nil, false
			}
			vals = append(vals, v)
		}
		return r, vals, true
	}
	return nil, nil, false
}

// refNamed reports whether e reads a column of that name (through casts and parentheses).
func refNamed(e ast.Expr, col string) bool {
	r := plainRef(e)
	return r != nil && len(r.Parts) > 0 && strings.EqualFold(r.Parts[len(r.Parts)-1].Name, col)
}

func stringLiteral(e ast.Expr) (string, bool) {
	lit, ok := unparen(e).(*ast.Literal)
	if !ok || lit.Kind != ast.LitString {
		return "", false
	}
	return lit.Value, true
}

// filtered reports whether a model keeps only some values of one of its columns by a filter
// of its own.
func (g *sqlGraph) filtered(r colRef) bool {
	if g == nil {
		return false
	}
	t := g.traceOutput(r.node, r.col)
	return t != nil && t.filter && t.where == r.node
}

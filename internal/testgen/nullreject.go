package testgen

import (
	"strings"

	"github.com/dataops-dev/dataops/internal/sql/ast"
)

// A LEFT JOIN whose right side the WHERE clause then compares (`where w.voided != true`) keeps
// no row without a match: the comparison is null on those rows and drops them, so the join
// is an inner one in effect and the columns read from that side are as present as the
// others. Engineers write it that way on purpose (filter the joined side, keep the LEFT JOIN
// habit), and a not_null they write on such a column is not contradicted by the join.

// nullRejected returns the relations (by alias, lower case) of which a WHERE clause requires
// a non-null column: one compared, range-tested, matched by IN or LIKE, or tested IS NOT
// NULL, IS TRUE or IS FALSE, in a conjunct of its top-level ANDs. Only a column standing as
// an operand counts (through parentheses and casts): a function around it may turn null into
// a value (coalesce), and an OR rejects nothing for certain.
func nullRejected(where ast.Expr) map[string]bool {
	out := map[string]bool{}
	var reject func(e ast.Expr)
	reject = func(e ast.Expr) {
		switch x := unparen(e).(type) {
		case *ast.Binary:
			switch x.Op {
			case "=", "==", "!=", "<>", "<", ">", "<=", ">=":
				rejectAlias(x.X, out)
				rejectAlias(x.Y, out)
			}
		case *ast.Unary:
			if strings.EqualFold(x.Op, "NOT") {
				switch y := unparen(x.X).(type) {
				case *ast.Binary, *ast.In, *ast.Like, *ast.Between:
					reject(y)
				}
			}
		case *ast.In:
			rejectAlias(x.X, out)
		case *ast.Like:
			rejectAlias(x.X, out)
		case *ast.Between:
			rejectAlias(x.X, out)
		case *ast.Is:
			switch v := strings.ToUpper(x.Value); {
			case v == "NULL" && x.Not, (v == "TRUE" || v == "FALSE") && !x.Not:
				rejectAlias(x.X, out)
			}
		}
	}
	for _, e := range conjuncts(where) {
		reject(e)
	}
	return out
}

// conjuncts lists the terms of e's top-level ANDs (e itself when it is no AND; none for nil).
func conjuncts(e ast.Expr) []ast.Expr {
	if e == nil {
		return nil
	}
	if b, ok := unparen(e).(*ast.Binary); ok && strings.EqualFold(b.Op, "AND") {
		return append(conjuncts(b.X), conjuncts(b.Y)...)
	}
	return []ast.Expr{e}
}

// rejectAlias adds the relation of a qualified column reference standing as an operand.
func rejectAlias(e ast.Expr, into map[string]bool) {
	if ref := plainRef(e); ref != nil && len(ref.Parts) >= 2 {
		into[strings.ToLower(ref.Parts[len(ref.Parts)-2].Name)] = true
	}
}

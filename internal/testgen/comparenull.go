package testgen

import (
	"strings"

	"github.com/dataops-dev/dataops/internal/sql/ast"
)

// A comparison with null is never true, so a select that keeps only the rows where a column
// compares with something (`where region = 'EU'`, `where amount > 0`, `qualify loaded_at =
// max(loaded_at) over (...)`) keeps no row where that column is null. Only the conjuncts of
// the WHERE and QUALIFY clauses count: under an OR, a NOT or inside a function the comparison
// filters nothing for certain.

// comparisonOps are the operators whose result is null when either side is null.
var comparisonOps = map[string]bool{"=": true, "==": true, "<>": true, "!=": true, "<": true, ">": true, "<=": true, ">=": true}

// markCompared records, in s.compared, the output columns a conjunct of sel's WHERE or
// QUALIFY compares with a value. It is the weakest reason a column is not null: a column
// also filtered with IN or IS NOT NULL, or computed by an expression that cannot give null,
// keeps that reason (see buildColumns).
func (s *sqlSignals) markCompared(sel *ast.Select, out map[ast.Expr]string) {
	mark := func(e ast.Expr) {
		if exprName(e) == "" {
			return
		}
		if name := nameOf(e, sel, out); name != "" {
			s.compared[name] = "the model keeps only rows where it compares with a value, which a null never does"
		}
	}
	var walk func(e ast.Expr)
	walk = func(e ast.Expr) {
		switch x := unparen(e).(type) {
		case *ast.Binary:
			op := strings.ToUpper(x.Op)
			if op == "AND" {
				walk(x.X)
				walk(x.Y)
				return
			}
			if comparisonOps[op] && !isNullLiteral(x.X) && !isNullLiteral(x.Y) {
				mark(x.X)
				mark(x.Y)
			}
		case *ast.Between:
			if !x.Not {
				mark(x.X)
			}
		case *ast.Like:
			if !x.Not && x.Quant == "" {
				mark(x.X)
			}
		}
	}
	if sel.Where != nil {
		walk(sel.Where)
	}
	if sel.Qualify != nil {
		walk(sel.Qualify)
	}
}

func isNullLiteral(e ast.Expr) bool {
	lit, ok := unparen(e).(*ast.Literal)
	return ok && lit.Kind == ast.LitNull
}

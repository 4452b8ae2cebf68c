package testgen

import (
	"strings"

	"github.com/dataops-dev/dataops/internal/sql/ast"
)

// Columns a model computes so that they cannot be null: a flag built as `x is not null`, a
// CASE whose every arm and ELSE give a value, a count, a row number, the run's timestamp, and
// expressions of such columns (`a and not b` over flags coalesced to false upstream in the
// chain). Teams that guard their flags and labels with not_null test these, and nothing
// else in the SQL says so.

// chainSelect is one select on the output chain with the names its items output.
type chainSelect struct {
	sel *ast.Select
	out map[ast.Expr]string
}

// readNeverNull goes up the output chain from the select furthest in: a name is known never
// null in a select when its expression is, given what the select below it produces.
func (s *sqlSignals) readNeverNull() {
	known := map[string]string{}
	for i := len(s.chain) - 1; i >= 0; i-- {
		cs := s.chain[i]
		next := map[string]string{}
		star := selectsStar(cs.sel)
		for it, name := range outputs(cs.sel, cs.out) {
			if isConstant(it) {
				// A constant column is a placeholder or a label of its branch: no team
				// guards it, and the test could never fail.
				continue
			}
			if why := valueAlways(it, known); why != "" {
				if _, seen := next[name]; !seen {
					next[name] = why
				}
			}
		}
		if star {
			// select * passes on what the select below knows, unless this select computes
			// the name again.
			computed := map[string]bool{}
			for _, name := range cs.out {
				computed[name] = true
			}
			for name, why := range known {
				if !computed[name] {
					next[name] = why
				}
			}
		}
		known = next
	}
	for name, why := range known {
		if _, seen := s.notNull[name]; !seen {
			s.computedNotNull[name] = why
		}
	}
}

// selectsStar reports a select that passes on every column of what it reads (`select *`, not a
// struct's fields).
func selectsStar(sel *ast.Select) bool {
	for _, it := range sel.Items {
		if it == nil {
			continue
		}
		if st, ok := it.Expr.(*ast.Star); ok && st.StructOf == nil {
			return true
		}
	}
	return false
}

// valueAlways says why e cannot be null, or "" when it may be (or we cannot tell). known holds
// the names of the relation read that are never null.
func valueAlways(e ast.Expr, known map[string]string) string {
	switch x := e.(type) {
	case *ast.Paren:
		return valueAlways(x.X, known)
	case *ast.Literal:
		if x.Kind != ast.LitNull {
			return "it is a constant"
		}
	case *ast.TypedLiteral:
		return "it is a constant"
	case *ast.ColumnRef:
		if len(x.Parts) > 0 && x.Parts[len(x.Parts)-1] != nil {
			return known[strings.ToLower(x.Parts[len(x.Parts)-1].Name)]
		}
	case *ast.Cast:
		if x.Kind == ast.CastCall || x.Kind == ast.CastOperator {
			return valueAlways(x.X, known)
		}
	case *ast.Is, *ast.IsDistinctFrom, *ast.Exists:
		return "it is a test that is true or false"
	case *ast.Unary:
		if valueAlways(x.X, known) != "" {
			return "it is computed from values that cannot be null"
		}
	case *ast.Binary:
		// Division is left out: MySQL gives null for a zero divisor.
		if x.Op != "/" && x.Op != "%" && valueAlways(x.X, known) != "" && valueAlways(x.Y, known) != "" {
			return "it is computed from values that cannot be null"
		}
	case *ast.Case:
		if x.Else == nil || valueAlways(x.Else, known) == "" {
			return ""
		}
		for _, w := range x.Whens {
			if w == nil || valueAlways(w.Result, known) == "" {
				return ""
			}
		}
		return "every arm of its CASE gives a value"
	case *ast.Func:
		return funcNeverNull(x, known)
	}
	return ""
}

// funcNeverNull covers the calls whose result is never null: counts and ranks, the clock, and
// fallbacks whose last resort is a value.
func funcNeverNull(f *ast.Func, known map[string]string) string {
	name := strings.ToLower(funcName(f))
	switch name {
	case "count", "count_big", "count_if", "countif", "approx_count_distinct", "hll":
		return "it is a count"
	case "row_number", "rank", "dense_rank", "ntile", "percent_rank", "cume_dist":
		if f.Over != nil {
			return "it is a row number or rank"
		}
	case "current_date", "current_timestamp", "current_time", "localtimestamp", "localtime",
		"getdate", "sysdate", "systimestamp", "now", "getutcdate", "sysdatetime":
		return "it is the time of the run"
	case "coalesce", "ifnull", "nvl", "isnull":
		if len(f.Args) < 2 {
			return ""
		}
		for _, a := range f.Args {
			if valueAlways(a, known) != "" {
				return "it has a fallback that cannot be null"
			}
		}
	case "zeroifnull":
		return "it has a fallback that cannot be null"
	case "iff", "if", "nvl2":
		if len(f.Args) == 3 && valueAlways(f.Args[1], known) != "" && valueAlways(f.Args[2], known) != "" {
			return "both of its branches give a value"
		}
	}
	return ""
}

func isConstant(e ast.Expr) bool {
	switch underCasts(e).(type) {
	case *ast.Literal, *ast.TypedLiteral:
		return true
	}
	return false
}

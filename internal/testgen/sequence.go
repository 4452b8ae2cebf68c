package testgen

import (
	"strings"

	"github.com/dataops-dev/dataops/internal/sql/ast"
)

// A column numbered by row_number() over the whole relation (no PARTITION BY) differs on every
// row, and so does a date spine's date_day, built as dateadd(day, row_number() over (...) - 1,
// start) by dbt's and dbt_utils' date_spine: the column is the relation's key.

// sequenceKey returns the first output column of sel that numbers its rows, or "".
func sequenceKey(sel *ast.Select, out map[ast.Expr]string) string {
	for it, name := range outputs(sel, out) {
		if rowSequence(it) {
			return name
		}
	}
	return ""
}

// rowSequence reports whether e is row_number() over the whole relation, or a function of it
// that keeps distinct numbers distinct: a constant added, subtracted or multiplied by, a cast,
// that many date parts added to a constant date.
func rowSequence(e ast.Expr) bool {
	switch x := underCasts(e).(type) {
	case *ast.Func:
		name := strings.ToLower(funcName(x))
		if name == "row_number" {
			return x.Over != nil && len(x.Over.PartitionBy) == 0
		}
		switch name {
		case "dateadd", "date_add", "timestampadd", "timestamp_add", "datetime_add":
		default:
			return false
		}
		seq := 0
		for _, a := range x.Args {
			switch {
			case rowSequence(a):
				seq++
			case !fixedValue(a):
				return false
			}
		}
		return seq == 1
	case *ast.Binary:
		switch x.Op {
		case "+", "*":
			// start + (interval '1 day' * (row_number() over (...) - 1)): dbt's dateadd on
			// PostgreSQL. A product with a constant other than 0 keeps numbers apart.
			return rowSequence(x.X) && fixedValue(x.Y) && !zero(x.Y) || fixedValue(x.X) && !zero(x.X) && rowSequence(x.Y)
		case "-":
			return rowSequence(x.X) && fixedValue(x.Y)
		}
	case *ast.Interval:
		// interval (row_number() over (...) - 1) day
		return rowSequence(x.Value)
	}
	return false
}

// fixedValue reports an expression with the same value on every row: literals, functions of
// literals, the run's clock, and the bare words that name a date part (`day` in dateadd).
func fixedValue(e ast.Expr) bool {
	fixed := true
	ast.Inspect(e, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.ColumnRef:
			if len(x.Parts) != 1 || !dateParts[strings.ToLower(x.Parts[0].Name)] {
				fixed = false
			}
		case *ast.Func:
			if x.Over != nil {
				fixed = false
			}
		case *ast.Subquery:
			fixed = false
		}
		return fixed
	})
	return fixed
}

func zero(e ast.Expr) bool {
	l, ok := underCasts(e).(*ast.Literal)
	return ok && l.Kind == ast.LitNumber && strings.Trim(l.Text, "0.") == ""
}

var dateParts = map[string]bool{"year": true, "quarter": true, "month": true, "week": true, "day": true, "hour": true,
	"minute": true, "second": true, "millisecond": true, "microsecond": true, "nanosecond": true,
	"yy": true, "yyyy": true, "qq": true, "mm": true, "wk": true, "dd": true, "d": true, "hh": true, "mi": true, "ss": true}

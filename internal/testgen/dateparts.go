package testgen

import (
	"strconv"
	"strings"

	"github.com/dataops-dev/dataops/internal/sql/ast"
)

// Date parts: a column computed as the quarter or the month of a date holds a closed set of
// integers whatever the data, the way a CASE of literals does. The day of the week is left
// out: where it starts (0 or 1, Sunday or Monday) depends on the warehouse and its settings;
// the ISO day of the week does not.

// datePartRanges are the parts whose values are fixed, by their upper-cased name.
var datePartRanges = map[string]int{"QUARTER": 4, "MONTH": 12, "ISODOW": 7, "DAYOFWEEKISO": 7}

// datePartValues returns the values of an expression that extracts one of those parts
// (EXTRACT(quarter FROM d), date_part('month', d), datepart(quarter, d), month(d)) and the
// part's name in lower case, or nil.
func datePartValues(e ast.Expr) ([]string, string) {
	part := ""
	switch x := unparen(e).(type) {
	case *ast.Extract:
		part = strings.ToUpper(x.Field)
	case *ast.Func:
		name := strings.ToLower(funcName(x))
		switch {
		case (name == "date_part" || name == "datepart") && len(x.Args) == 2:
			switch a := unparen(x.Args[0]).(type) {
			case *ast.Literal:
				if a.Kind == ast.LitString {
					part = strings.ToUpper(a.Value)
				}
			case *ast.ColumnRef:
				if len(a.Parts) == 1 {
					part = strings.ToUpper(a.Parts[0].Name)
				}
			}
		case (name == "quarter" || name == "month") && len(x.Args) == 1:
			part = strings.ToUpper(name)
		}
	}
	n := datePartRanges[part]
	if n == 0 {
		return nil, ""
	}
	vals := make([]string, n)
	for i := range vals {
		vals[i] = strconv.Itoa(i + 1)
	}
	return vals, strings.ToLower(part)
}

package testgen

import (
	"strings"

	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/lazyregexp"
)

// A test whose `where` singles out rows by another attribute of the model
// (`where: "type = 'schedule'"`, `where: "company_name = 'x'"`) describes those rows only: its
// values or its target say nothing about the column as a whole, so they are not copied to
// another column. A `where` that only bounds time (`service_date >= current_date - 2`) or
// names no column (a sampling macro) is there to keep the test cheap, and the test still
// describes the column.

var (
	whereIdent  = lazyregexp.New(`[A-Za-z_][A-Za-z0-9_]*`)
	whereString = lazyregexp.New(`'(?:[^']|'')*'`)
)

// testWhere is the `where` of a test, as written under config or, as some projects do, under
// the arguments' own config.
func testWhere(t *dbt.TestDef) string {
	if w, ok := t.Config["where"].(string); ok {
		return w
	}
	if c, ok := t.Args["config"].(map[string]any); ok {
		if w, ok := c["where"].(string); ok {
			return w
		}
	}
	return ""
}

// subsetWhere reports whether a where clause singles out rows by a column of the model other
// than a time column.
func subsetWhere(where string, columns []string) bool {
	if strings.TrimSpace(where) == "" {
		return false
	}
	cols := map[string]bool{}
	for _, c := range columns {
		cols[strings.ToLower(c)] = true
	}
	// String literals are values, not names.
	where = whereString.ReplaceAllString(where, "''")
	for _, id := range whereIdent.FindAllString(where, -1) {
		l := strings.ToLower(id)
		if cols[l] && !timeLike(l) {
			return true
		}
	}
	return false
}

// timeLike reports whether a column name says it holds a date or a time.
func timeLike(col string) bool {
	switch col {
	case "dt", "date", "day", "ts", "timestamp", "time", "month", "year", "period":
		return true
	}
	for _, s := range []string{"_date", "_dt", "_at", "_ts", "_time", "_timestamp", "_day", "_month", "_year"} {
		if strings.HasSuffix(col, s) {
			return true
		}
	}
	return false
}

// documentedNames lists the columns a model's property file declares.
func documentedNames(n *dbt.Node) []string {
	out := make([]string, len(n.Columns))
	for i, c := range n.Columns {
		out[i] = c.Name
	}
	return out
}

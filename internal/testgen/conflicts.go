package testgen

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dataops-dev/dataops/internal/dbt"
)

// ValueConflict is an accepted_values test that the model's own SQL contradicts: the column
// can only hold a closed set of values (a CASE of literals, a WHERE ... IN list), and some of
// them are not in the test's list, so the test fails on the first row that has one.
type ValueConflict struct {
	Model    string   `json:"model"`
	UniqueID string   `json:"unique_id"`
	Column   string   `json:"column"`
	Listed   []string `json:"listed"`
	Unlisted []string `json:"unlisted"`
	// Unproduced are the values it lists that the SQL does not produce.
	Unproduced []string `json:"unproduced,omitempty"`
	// Why says where the set comes from ("its CASE expression only produces 'a', 'b'").
	Why string `json:"why"`
	// Pos is where the model's SQL selects the column (where it is declared when that is not
	// known).
	Pos dbt.Pos `json:"pos"`
}

// valueConflict compares the column's closed set of values with its accepted_values test.
// A test with a where config (a subset of the rows), or values that are not a plain list
// (a var, a macro), says nothing to compare.
// With scope, only a column of a model in it, or one whose values a model in it produces.
func (x *extra) valueConflict(m *dbt.Node, c *column, scope map[string]bool) *ValueConflict {
	if !c.tests[AcceptedValues] {
		return nil
	}
	closed, why, from := c.lits, c.litWhy, m.UniqueID
	if len(closed) == 0 && x.graph != nil {
		t := x.graph.traceOutput(m.UniqueID, c.lower)
		if t == nil || len(t.lits) == 0 || t.where == "" {
			return nil
		}
		closed, from = union(t.lits, t.extra), t.where
		why = x.tracedWhy(t, m.UniqueID, c.name, closed)
	}
	if len(closed) == 0 || len(scope) > 0 && !scope[m.UniqueID] && !scope[from] {
		return nil
	}
	var listed []string
	for _, dc := range m.Columns {
		if !strings.EqualFold(dc.Name, c.name) {
			continue
		}
		for _, t := range dc.Tests {
			if normalizeTest(t.Name) != AcceptedValues {
				continue
			}
			if testWhere(t) != "" {
				return nil
			}
			if listed != nil {
				return nil // two lists: which one the SQL breaks is not for a single finding
			}
			if listed = sqlValues(t); len(listed) == 0 {
				return nil
			}
		}
	}
	if len(listed) == 0 {
		return nil
	}
	unlisted := notIn(closed, listed)
	if len(unlisted) == 0 {
		return nil
	}
	gone := notIn(listed, closed)
	// At the SQL that selects the column, which a change to its values touches (a review's
	// inline comment needs a line of the diff), else where it is declared.
	// A column a `*` brings stays where it is declared: the star is no line about its values.
	pos := c.pos
	if n := x.inf.Node(m.UniqueID); n != nil {
		if ic := n.Column(c.name); ic != nil && ic.Pos.Path != "" && ic.Pos.Line > 0 && !atStar(m, ic.Pos) {
			pos = ic.Pos
		}
	}
	return &ValueConflict{Model: m.Name, UniqueID: m.UniqueID, Column: c.name, Listed: listed, Unlisted: unlisted, Unproduced: gone, Why: why, Pos: pos}
}

// Message says what the test lacks and why the column can hold it.
func (c *ValueConflict) Message() string {
	msg := fmt.Sprintf("%s.%s can hold %s, which its accepted_values test does not list (%s): the test fails on the first row with one",
		c.Model, c.Column, quoteList(c.Unlisted), c.Why)
	if len(c.Unproduced) > 0 {
		msg += fmt.Sprintf("; it lists %s, which the SQL does not produce", quoteList(c.Unproduced))
	}
	return msg
}

// sqlValues are the values of an accepted_values test as the query dbt runs compares them:
// quoted, as by default, a doubled single quote in a value (written so for that query) is
// one. A list that Jinja renders (`{{ var("platform") }}`) is not known here: none.
func sqlValues(t *dbt.TestDef) []string {
	vals := stringValues(t.Args["values"])
	quoted := true
	if q, ok := t.Args["quote"].(bool); ok {
		quoted = q
	}
	for i, v := range vals {
		if strings.Contains(v, "{{") || strings.Contains(v, "{%") {
			return nil
		}
		if quoted {
			vals[i] = strings.ReplaceAll(v, "''", "'")
		}
	}
	return vals
}

// atStar says the position is a `*` of the model's own file.
func atStar(m *dbt.Node, pos dbt.Pos) bool {
	if pos.Path != m.OriginalFilePath || pos.Column < 1 {
		return false
	}
	lines := strings.Split(m.RawCode, "\n")
	if pos.Line > len(lines) {
		return false
	}
	line := lines[pos.Line-1]
	return pos.Column <= len(line) && line[pos.Column-1] == '*'
}

// notIn are the values of a that b does not hold, in a's order.
func notIn(a, b []string) []string {
	var out []string
	for _, v := range a {
		if !slices.Contains(b, v) {
			out = append(out, v)
		}
	}
	return out
}

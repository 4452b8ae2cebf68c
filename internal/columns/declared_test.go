package columns

import "testing"

// A property entry that lists a column twice declares one column: a star over the source or
// the declared-only model must not put it twice in a select list.
func TestDeclaredColumnListedTwice(t *testing.T) {
	up := map[string]string{
		"raw.lines": "id:integer, code:varchar, amount:numeric, code",
		"declared":  "k:integer, v, K, v:text",
	}
	expectResolved(t, expectColumns(t, "postgres", up, "select * from raw.lines", "id:integer, code:varchar, amount:numeric"))
	expectColumns(t, "postgres", up, "select d.* from declared d", "k:integer, v:text")
}

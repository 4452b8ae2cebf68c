package change

import (
	"context"
	"sort"
	"strings"

	"github.com/dataops-dev/dataops/internal/dbt"
)

// ModelColumns are the output columns inferred for one model, in SQL order.
type ModelColumns struct {
	// Origin says where the list came from: "sql" (inferred from the model), "catalog",
	// "warehouse", "seed", or "properties" (only what the property file declares).
	Origin  string
	Columns []Column
	// Unresolved says why the column list is incomplete or unknown; a model with a reason here
	// is never said to have lost columns.
	Unresolved []string
	// Unreadable is the parse error that makes even the columns' names unsure (the parser
	// recovered past a select item it could not read), "" when their names are right.
	Unreadable string
}

// Column is one inferred output column.
type Column struct {
	Name     string
	DataType string
	Lineage  []Upstream
	// Expr is the select item's expression as written (normalised for whitespace), when known.
	Expr string
	Pos  dbt.Pos // the select item in the model's .sql file, when known
	// Kind is how the column derives from its lineage: direct, transform, aggregate, window.
	Kind string
	// Unnamed: the select item has no alias and the warehouse makes its name up.
	Unnamed bool
	// Quoted: the name was a quoted identifier and keeps its exact case.
	Quoted bool
}

// Upstream is a column of another node a column is computed from.
type Upstream struct {
	Node   string
	Column string
}

// Inferrer infers the output columns of the nodes ids of a project (and whatever upstream they
// need). The change detector asks only for changed models and their neighbours.
type Inferrer func(ctx context.Context, p *dbt.Project, ids []string) (map[string]*ModelColumns, error)

// Resolved reports whether the column list is complete.
func (m *ModelColumns) Resolved() bool {
	return m != nil && len(m.Unresolved) == 0 && len(m.Columns) > 0
}

// Find returns a column by name, case-insensitively.
func (m *ModelColumns) Find(name string) *Column {
	if m == nil {
		return nil
	}
	for i := range m.Columns {
		if strings.EqualFold(m.Columns[i].Name, name) {
			return &m.Columns[i]
		}
	}
	return nil
}

// diffColumns compares a model's base and head output columns. A column missing from one side
// is paired with one missing from the other as a rename when both read the same upstream
// columns, or have the same expression.
func diffColumns(base, head *ModelColumns) []ColumnChange {
	var out []ColumnChange
	if head == nil {
		return nil
	}
	baseIdx := map[string]int{}
	if base != nil {
		for i, c := range base.Columns {
			baseIdx[strings.ToLower(c.Name)] = i
		}
	}
	headIdx := map[string]int{}
	for i, c := range head.Columns {
		headIdx[strings.ToLower(c.Name)] = i
	}
	var added, removed []int
	for i, c := range head.Columns {
		j, ok := baseIdx[strings.ToLower(c.Name)]
		if !ok {
			added = append(added, i)
			continue
		}
		b := base.Columns[j]
		if b.DataType != "" && c.DataType != "" && !SameType(b.DataType, c.DataType) {
			out = append(out, ColumnChange{Name: c.Name, Change: Retyped, From: b.DataType, To: c.DataType, DataType: c.DataType, Position: i + 1})
		}
	}
	baseComplete := base.Resolved()
	// Every column the base is known to output is one it had, star resolved or not: one the
	// head, known in full, lacks is gone.
	if base != nil && head.Resolved() {
		for j, c := range base.Columns {
			if _, ok := headIdx[strings.ToLower(c.Name)]; !ok {
				removed = append(removed, j)
			}
		}
	}
	// Pair renames: same expression first, then same lineage.
	usedA := map[int]bool{}
	usedR := map[int]bool{}
	pair := func(match func(b, h Column) bool) {
		for _, j := range removed {
			if usedR[j] {
				continue
			}
			for _, i := range added {
				if usedA[i] {
					continue
				}
				if match(base.Columns[j], head.Columns[i]) {
					usedA[i], usedR[j] = true, true
					h := head.Columns[i]
					out = append(out, ColumnChange{Name: h.Name, Change: Renamed, From: base.Columns[j].Name, To: h.Name, DataType: h.DataType, Position: i + 1})
					break
				}
			}
		}
	}
	pair(func(b, h Column) bool { return b.Expr != "" && sameExprRenamed(b, h) })
	pair(func(b, h Column) bool { return len(b.Lineage) > 0 && sameLineage(b.Lineage, h.Lineage) })
	if base != nil && !baseComplete && len(base.Columns) == 0 {
		// The base could not be read at all: every column would look new.
		added = nil
	}
	for _, i := range added {
		if !usedA[i] {
			c := head.Columns[i]
			out = append(out, ColumnChange{Name: c.Name, Change: Added, DataType: c.DataType, Position: i + 1})
		}
	}
	for _, j := range removed {
		if !usedR[j] {
			c := base.Columns[j]
			out = append(out, ColumnChange{Name: c.Name, Change: Removed, DataType: c.DataType, Position: j + 1})
		}
	}
	sortColumnChanges(out)
	return out
}

// sameExprRenamed: the same expression under another alias. A bare column reference renamed
// (`a as b`) keeps its expression `a`.
func sameExprRenamed(b, h Column) bool {
	return normExpr(b.Expr) == normExpr(h.Expr) && !strings.EqualFold(b.Expr, b.Name)
}

func normExpr(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

func sameLineage(a, b []Upstream) bool {
	if len(a) != len(b) {
		return false
	}
	key := func(u []Upstream) []string {
		out := make([]string, len(u))
		for i, x := range u {
			out[i] = x.Node + "\x00" + strings.ToLower(x.Column)
		}
		sort.Strings(out)
		return out
	}
	ka, kb := key(a), key(b)
	for i := range ka {
		if ka[i] != kb[i] {
			return false
		}
	}
	return true
}

// SameType compares two type names as a warehouse would: spelling and spacing aside, the
// aliases every warehouse that has both names treats as one type are one type (int and
// integer; bool and boolean; an unbounded varchar, text and string; Snowflake's NUMBER, which
// only Snowflake and Oracle spell so, and the integer names it stands for), so inferring
// `number` for a CASE of integer literals where the base said `int` is no retyping.
func SameType(a, b string) bool {
	ca, cb := typeAlias(a), typeAlias(b)
	if ca == cb {
		return true
	}
	return ca == "number" && snowflakeIntegers[cb] || cb == "number" && snowflakeIntegers[ca]
}

var snowflakeIntegers = map[string]bool{"int": true, "bigint": true, "smallint": true, "tinyint": true, "byteint": true}

func typeAlias(t string) string {
	n := strings.ToLower(strings.Join(strings.Fields(t), ""))
	switch n {
	case "integer", "int4":
		return "int"
	case "int8":
		return "bigint"
	case "int2":
		return "smallint"
	case "bool":
		return "boolean"
	case "number(38,0)", "numeric(38,0)":
		return "number"
	case "float8", "doubleprecision", "double":
		return "double"
	case "text", "string", "charactervarying":
		return "varchar"
	}
	return n
}

func sortColumnChanges(cs []ColumnChange) {
	rank := map[Kind]int{Added: 0, Renamed: 1, Retyped: 2, Removed: 3}
	sort.SliceStable(cs, func(i, j int) bool {
		if rank[cs[i].Change] != rank[cs[j].Change] {
			return rank[cs[i].Change] < rank[cs[j].Change]
		}
		return cs[i].Position < cs[j].Position
	})
}

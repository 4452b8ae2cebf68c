package warehouse

import (
	"context"
	"fmt"
	"strings"
)

// ColumnValues describes the values of one column: counts and, when there are few, every
// distinct value with its count.
type ColumnValues struct {
	Name     string       `json:"name"`
	Type     string       `json:"data_type"`
	Rows     int64        `json:"rows"`
	Nulls    int64        `json:"nulls"`
	Distinct int64        `json:"distinct"`
	Values   []ValueCount `json:"values,omitempty"` // most frequent first; nil when Distinct > max
}

// Containment is how many of a column's distinct values are found in another column.
type Containment struct {
	Rows    int64 `json:"rows"`    // rows of the child relation
	Sampled bool  `json:"sampled"` // the values came from a sample of them
	Checked int64 `json:"checked"` // distinct non-NULL values checked
	Found   int64 `json:"found"`   // of those, present in the parent column
}

// Values counts the rows, NULLs and distinct values of the named columns of r (names match
// case-insensitively; unknown names are left out) and lists every value with its count for
// the columns that have at most max distinct values. Values of any type come back as text.
func (e *engine) Values(ctx context.Context, r Relation, columns []string, max int) ([]ColumnValues, error) {
	var out []ColumnValues
	err := e.withConn(ctx, func(c Conn) error {
		kind, cols, err := e.describe(ctx, c, r)
		if err != nil {
			return err
		}
		if kind == "" {
			return &Error{Warehouse: e.Type(), Message: "relation " + r.String() + " does not exist (build it first)"}
		}
		want := map[string]bool{}
		for _, n := range columns {
			want[strings.ToLower(n)] = true
		}
		var keep []Column
		for _, col := range cols {
			if want[strings.ToLower(col.Name)] {
				keep = append(keep, col)
			}
		}
		if len(keep) == 0 {
			return nil
		}
		src := e.Render(r)
		p := &Profile{}
		if err := e.columnStats(ctx, c, src, keep, p); err != nil {
			return err
		}
		for _, cp := range p.Columns {
			cv := ColumnValues{Name: cp.Name, Type: cp.Type, Rows: p.Rows, Nulls: cp.Nulls, Distinct: cp.Distinct}
			if cp.Distinct > 0 && cp.Distinct <= int64(max) {
				v := "cast(" + e.Quote(cp.Name) + " as varchar)"
				rows, err := c.Query(ctx, fmt.Sprintf("select %s, count(*) from %s where %s is not null group by 1 order by 2 desc, 1 limit %d",
					v, src, e.Quote(cp.Name), max+1), max+1)
				if err != nil {
					return err
				}
				cv.Values = []ValueCount{}
				for _, row := range rows.Values {
					cv.Values = append(cv.Values, ValueCount{Value: fmt.Sprint(row[0]), Count: toInt(row[1])})
				}
			}
			out = append(out, cv)
		}
		return nil
	})
	return out, err
}

// Contained measures how many distinct non-NULL values of column in child are found in key
// of parent. When child has more than sample rows (sample > 0), the values come from a
// random sample of that many rows. Both columns are compared as text, so a key stored as a
// number and a reference stored as a string still meet.
func (e *engine) Contained(ctx context.Context, child Relation, column string, parent Relation, key string, sample int) (*Containment, error) {
	out := &Containment{}
	err := e.withConn(ctx, func(c Conn) error {
		colName, err := e.columnName(ctx, c, child, column)
		if err != nil {
			return err
		}
		keyName, err := e.columnName(ctx, c, parent, key)
		if err != nil {
			return err
		}
		src := e.Render(child)
		rows, err := c.Query(ctx, "select count(*) from "+src, 1)
		if err != nil {
			return err
		}
		out.Rows = toInt(rows.Values[0][0])
		if sample > 0 && out.Rows > int64(sample) {
			out.Sampled = true
			src = "(" + e.sample(src, sample) + ") as s"
		}
		v, k := e.Quote(colName), e.Quote(keyName)
		q := "select count(*), count(p.k) from (select distinct cast(" + v + " as varchar) as v from " + src + " where " + v + " is not null) as d" +
			" left join (select distinct cast(" + k + " as varchar) as k from " + e.Render(parent) + " where " + k + " is not null) as p on d.v = p.k"
		rows, err = c.Query(ctx, q, 1)
		if err != nil {
			return err
		}
		out.Checked, out.Found = toInt(rows.Values[0][0]), toInt(rows.Values[0][1])
		return nil
	})
	return out, err
}

// columnName finds a column of r by name, case-insensitively, as the warehouse spells it.
func (e *engine) columnName(ctx context.Context, c Conn, r Relation, name string) (string, error) {
	kind, cols, err := e.describe(ctx, c, r)
	if err != nil {
		return "", err
	}
	if kind == "" {
		return "", &Error{Warehouse: e.Type(), Message: "relation " + r.String() + " does not exist (build it first)"}
	}
	for _, col := range cols {
		if strings.EqualFold(col.Name, name) {
			return col.Name, nil
		}
	}
	return "", &Error{Warehouse: e.Type(), Message: "relation " + r.String() + " has no column " + name}
}

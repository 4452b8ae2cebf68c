package change

import (
	"fmt"
	"testing"
)

func cols(origin string, spec ...string) *ModelColumns {
	m := &ModelColumns{Origin: origin}
	for _, s := range spec {
		// name:type<-node.col
		var name, typ, up string
		n, _ := fmt.Sscanf(s, "%s %s %s", &name, &typ, &up)
		c := Column{Name: name, Kind: "direct"}
		if n >= 2 && typ != "-" {
			c.DataType = typ
		}
		if n == 3 {
			var node, col string
			for i := len(up) - 1; i >= 0; i-- {
				if up[i] == '.' {
					node, col = up[:i], up[i+1:]
					break
				}
			}
			c.Lineage = []Upstream{{Node: node, Column: col}}
		}
		m.Columns = append(m.Columns, c)
	}
	return m
}

func render(cs []ColumnChange) string {
	out := ""
	for _, c := range cs {
		out += fmt.Sprintf("%s:%s", c.Change, c.Name)
		if c.From != "" || c.To != "" {
			out += fmt.Sprintf("(%s->%s)", c.From, c.To)
		}
		out += " "
	}
	return out
}

func TestDiffColumns(t *testing.T) {
	base := cols("sql",
		"id int src.s.id",
		"amount int src.s.amount",
		"status varchar src.s.status",
		"legacy varchar src.s.legacy",
	)
	head := cols("sql",
		"id int src.s.id",
		"amount_usd int src.s.amount", // renamed: same lineage
		"status date src.s.status",    // retyped
		"created_at timestamp src.s.created_at",
	)
	got := render(diffColumns(base, head))
	want := "added:created_at renamed:amount_usd(amount->amount_usd) retyped:status(varchar->date) removed:legacy "
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

func TestDiffColumnsPartialLists(t *testing.T) {
	// Both sides have a star that cannot be expanded: explicit new columns are still new, but
	// nothing is said to be removed.
	base := cols("sql", "a - x.m.a")
	base.Unresolved = []string{"star over unknown relation"}
	head := cols("sql", "b - x.m.b")
	head.Unresolved = []string{"star over unknown relation"}
	if got := render(diffColumns(base, head)); got != "added:b " {
		t.Fatalf("got %q", got)
	}
	// A head known in full lacks a column the base named: removed, whatever the base's star
	// held besides.
	full := cols("sql", "b - x.m.b")
	if got := render(diffColumns(base, full)); got != "added:b removed:a " {
		t.Fatalf("head known in full: got %q", got)
	}
	// A base that could not be read at all says nothing about what is new.
	empty := &ModelColumns{Origin: "sql", Unresolved: []string{"parse error"}}
	if got := render(diffColumns(empty, head)); got != "" {
		t.Fatalf("got %q", got)
	}
	// A new model: every column is added.
	if got := render(diffColumns(nil, cols("sql", "a", "b"))); got != "added:a added:b " {
		t.Fatalf("got %q", got)
	}
}

func TestSameType(t *testing.T) {
	if !SameType("VARCHAR(10)", "varchar( 10 )") || SameType("int", "bigint") {
		t.Fatal("sameType")
	}
	// A flag passed through as int and recomputed by a CASE of 1/0, inferred as Snowflake's
	// NUMBER: the same type (the shape of a healthcare mart's institutional_snp_flag).
	for _, p := range [][2]string{{"int", "number"}, {"NUMBER(38,0)", "integer"}, {"bool", "BOOLEAN"}, {"int4", "int"}} {
		if !SameType(p[0], p[1]) {
			t.Errorf("SameType(%s, %s) = false", p[0], p[1])
		}
	}
	for _, p := range [][2]string{{"number(10,2)", "int"}, {"numeric", "int"}, {"varchar", "int"}, {"varchar(10)", "text"}} {
		if SameType(p[0], p[1]) {
			t.Errorf("SameType(%s, %s) = true", p[0], p[1])
		}
	}
}

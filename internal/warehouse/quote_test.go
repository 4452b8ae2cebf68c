package warehouse

import "testing"

func TestDialectQuoting(t *testing.T) {
	for _, c := range []struct{ in, ident, lit string }{
		{`plain`, `"plain"`, `'plain'`},
		{`a"b`, `"a""b"`, `'a"b'`},
		{`it's`, `"it's"`, `'it''s'`},
		{`'; drop table x; --`, `"'; drop table x; --"`, `'''; drop table x; --'`},
		{`back\slash\'`, `"back\slash\'"`, `'back\slash\'''`},
		{"new\nline", "\"new\nline\"", "'new\nline'"},
		{`""`, `""""""`, `'""'`},
	} {
		if got := DuckDB.Ident(c.in); got != c.ident {
			t.Errorf("Ident(%q) = %s, want %s", c.in, got, c.ident)
		}
		if got := PostgreSQL.Literal(c.in); got != c.lit {
			t.Errorf("Literal(%q) = %s, want %s", c.in, got, c.lit)
		}
	}
}

func TestDialectName(t *testing.T) {
	for _, c := range []struct{ in, duck, pg string }{
		{"order_id", `"order_id"`, `"order_id"`},
		{"OrderID", `"OrderID"`, `"orderid"`},      // unquoted, PostgreSQL folds it
		{"Größe", `"Größe"`, `"größe"`},            // and only its ASCII letters
		{`"Order ID"`, `"Order ID"`, `"Order ID"`}, // already one quoted identifier: kept
		{`"a""b"`, `"a""b"`, `"a""b"`},
		{"Order ID", `"Order ID"`, `"Order ID"`}, // not plain: quoted as written
		{`"a" || "b"`, `"""a"" || ""b"""`, `"""a"" || ""b"""`},
		{`"a"; select 1; --"`, `"""a""; select 1; --"""`, `"""a""; select 1; --"""`},
		{`x" from t; --`, `"x"" from t; --"`, `"x"" from t; --"`},
		{"1st", `"1st"`, `"1st"`},
	} {
		if got := DuckDB.Name(c.in); got != c.duck {
			t.Errorf("DuckDB.Name(%q) = %s, want %s", c.in, got, c.duck)
		}
		if got := PostgreSQL.Name(c.in); got != c.pg {
			t.Errorf("PostgreSQL.Name(%q) = %s, want %s", c.in, got, c.pg)
		}
	}
	if got := PostgreSQL.Relation(Relation{Database: "d", Schema: `s"`, Name: "T"}); got != `"d"."s"""."T"` {
		t.Errorf("Relation = %s", got)
	}
}

func FuzzDialectName(f *testing.F) {
	for _, s := range []string{"a", `"a"`, `"a""b"`, `a"`, `""`, `"`, `"a" "b"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		// Whatever the input, the output is one quoted identifier (of nothing, for "", which
		// both warehouses refuse).
		if s == "" {
			return
		}
		for _, d := range []Dialect{DuckDB, PostgreSQL} {
			if got := d.Name(s); !QuotedIdent(got) {
				t.Fatalf("Name(%q) = %s: not one quoted identifier", s, got)
			}
		}
	})
}

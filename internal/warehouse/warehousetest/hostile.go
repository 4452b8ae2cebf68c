package warehousetest

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dataops-dev/dataops/internal/warehouse"
)

// Hostile are names and values written to break out of the SQL they are put in: quotes of
// every kind, statement ends, comments, dollar quoting, backslashes, newlines, unicode. Each
// is under PostgreSQL's 63-byte identifier limit, so it survives as a name too.
var Hostile = []string{
	`a"b`,
	`""`,
	`"; drop table x; --`,
	`x'); select 1; --`,
	`1 as a_id, ' as s) t; select 2`,
	"line\nbreak; select 3",
	`back\slash\' ok`,
	`$$dollar$$ $x$`,
	`/* open -- dash`,
	"ünï ☃ 名前",
	"tab\there",
	`E'\x27'`,
}

func hostileNames(t *testing.T, open Open) {
	w, schema := open(t)
	ctx := context.Background()
	d := w.Dialect()
	// A statement that would write this file, spliced in anywhere, would show.
	canary := filepath.Join(t.TempDir(), "x.csv")
	values := append([]string{"'); copy (select 42) to '" + canary + "'; --"}, Hostile...)
	for _, v := range values {
		rows, err := w.Query(ctx, "select "+d.Literal(v)+" as "+d.Ident("v"), 0)
		if err != nil || len(rows.Values) != 1 || rows.Values[0][0] != v {
			t.Errorf("literal %q: %v %v", v, rows, err)
		}
	}
	for i, n := range Hostile {
		rows, err := w.Query(ctx, "select 1 as "+d.Ident(n), 0)
		if err != nil || len(rows.Columns) != 1 || rows.Columns[0] != n {
			t.Errorf("alias %q: %v %v", n, rows, err)
		}
		// The same name for a table, its column and a value, through build, describe, a
		// data test and the profile.
		rel := warehouse.Relation{Schema: schema, Name: n}
		err = w.Build(ctx, warehouse.Model{Relation: rel, Materialized: warehouse.Table,
			SQL: "select " + d.Literal(n) + " as " + d.Ident(n) + ", " + d.Literal(strings.Repeat("x", i)) + " as other"})
		if err != nil {
			t.Errorf("build %q: %v", n, err)
			continue
		}
		kind, cols, err := w.Describe(ctx, rel)
		if err != nil || kind != warehouse.KindTable || len(cols) != 2 || cols[0].Name != n {
			t.Errorf("describe %q = %s %v %v", n, kind, cols, err)
		}
		res, err := w.RunTest(ctx, "select * from "+w.Render(rel)+" where "+d.Ident(n)+" <> "+d.Literal(n), 1)
		if err != nil || res.Failures != 0 {
			t.Errorf("test on %q = %+v %v", n, res, err)
		}
		p, err := w.Profile(ctx, rel, warehouse.ProfileOptions{})
		if err != nil || p.Rows != 1 || len(p.Columns) != 2 || p.Columns[0].Name != n || p.Columns[0].Top[0].Value != n {
			t.Errorf("profile %q = %+v %v", n, p, err)
		}
	}
	// A schema of its own, and a seed whose header is all of them.
	odd := warehouse.Relation{Schema: schema + `"; drop schema x; --`, Name: "seeded"}
	if err := w.EnsureSchema(ctx, odd.Schema); err != nil {
		t.Fatalf("schema: %v", err)
	}
	defer w.Exec(context.Background(), "drop schema if exists "+w.Quote(odd.Schema)+" cascade")
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	cw.Write(Hostile)
	cw.Write(Hostile)
	cw.Flush()
	if _, err := w.LoadSeed(ctx, warehouse.Seed{Relation: odd, Path: "seeds/seeded.csv", Data: buf.Bytes(), QuoteColumns: true}); err != nil {
		t.Fatalf("seed: %v", err)
	}
	_, cols, err := w.Describe(ctx, odd)
	if err != nil || len(cols) != len(Hostile) {
		t.Fatalf("seed columns = %v %v", cols, err)
	}
	for i, c := range cols {
		if c.Name != Hostile[i] {
			t.Errorf("seed column %d = %q, want %q", i, c.Name, Hostile[i])
		}
	}
	// A seed's column_types go into SQL as types: only type names pass.
	_, err = w.LoadSeed(ctx, warehouse.Seed{Relation: warehouse.Relation{Schema: schema, Name: "typed"}, Path: "seeds/typed.csv",
		Data: []byte("code\n1\n"), ColumnTypes: map[string]string{"code": "integer); create table x (y integer); --"}})
	var ie *warehouse.InputError
	if !errors.As(err, &ie) || ie.Path != "seeds/typed.csv" {
		t.Errorf("column_types holding SQL: %v", err)
	}
	// Type names pass, whether or not the value converts.
	for _, typ := range []string{"varchar(20)", "numeric(10, 2)", "timestamp with time zone", "double precision", "text[]"} {
		_, err := w.LoadSeed(ctx, warehouse.Seed{Relation: warehouse.Relation{Schema: schema, Name: "typed"}, Path: "seeds/typed.csv",
			Data: []byte("code\n1\n"), ColumnTypes: map[string]string{"code": typ}, FullRefresh: true})
		if errors.As(err, &ie) {
			t.Errorf("column_types %s: %v", typ, err)
		}
	}
	if _, err := os.Stat(canary); err == nil {
		t.Fatal("a quoted value ran as SQL: the file was written")
	}
}

func oneStatement(t *testing.T, open Open) {
	w, schema := open(t)
	ctx := context.Background()
	a := w.Render(warehouse.Relation{Schema: schema, Name: "first"})
	b := w.Render(warehouse.Relation{Schema: schema, Name: "second"})
	gone := func(name string) {
		t.Helper()
		if kind, _, err := w.Describe(ctx, warehouse.Relation{Schema: schema, Name: name}); kind != "" || err != nil {
			t.Fatalf("%s: %q %v: a statement of a refused call ran", name, kind, err)
		}
	}
	err := w.Exec(ctx, "create table "+a+" (x integer); create table "+b+" (x integer)")
	if !errors.Is(err, warehouse.ErrMultipleStatements) {
		t.Fatalf("exec of two statements: %v", err)
	}
	gone("first")
	gone("second")
	if _, err := w.Query(ctx, "create table "+a+" as select 1 as x; select 2", 0); !errors.Is(err, warehouse.ErrMultipleStatements) {
		t.Fatalf("query of two statements: %v", err)
	}
	gone("first")
	// What a where: config or an unquoted name could splice into a test's count query.
	if _, err := w.RunTest(ctx, "select 1 as x) t; create table "+b+" as select 1 as x; select * from (select 1 as x", 1); !errors.Is(err, warehouse.ErrMultipleStatements) {
		t.Fatalf("test query closing itself: %v", err)
	}
	gone("second")
	// A trailing semicolon ends the one statement; it starts no other.
	if got := query(t, w, "select 1;"); warehouseInt(got[0][0]) != 1 {
		t.Fatalf("select 1; = %v", got)
	}
	if err := w.Exec(ctx, "create table "+a+" (x integer);"); err != nil {
		t.Fatalf("one statement with a semicolon: %v", err)
	}
}

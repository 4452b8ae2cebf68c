// Package warehousetest is the conformance suite every warehouse driver passes: the same
// seeds, builds, tests and profiles, checked against the real database.
package warehousetest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/dataops-dev/dataops/internal/warehouse"
)

// Open returns a connected warehouse and an empty schema the test may use; the caller's
// cleanup drops it.
type Open func(t *testing.T) (warehouse.Warehouse, string)

// Run runs the suite.
func Run(t *testing.T, openRaw Open) {
	open := func(t *testing.T) (warehouse.Warehouse, string) {
		w, schema := openRaw(t)
		if err := w.EnsureSchema(context.Background(), schema); err != nil {
			t.Fatal(err)
		}
		return w, schema
	}
	t.Run("SeedInference", func(t *testing.T) { seedInference(t, open) })
	t.Run("SeedOptions", func(t *testing.T) { seedOptions(t, open) })
	t.Run("SeedReservedNames", func(t *testing.T) { seedReservedNames(t, open) })
	t.Run("SeedFile", func(t *testing.T) { seedFile(t, open) })
	t.Run("SeedBadCSV", func(t *testing.T) { seedBadCSV(t, open) })
	t.Run("Build", func(t *testing.T) { build(t, open) })
	t.Run("Incremental", func(t *testing.T) { incremental(t, open) })
	t.Run("Errors", func(t *testing.T) { errorsMapped(t, open) })
	t.Run("RunTest", func(t *testing.T) { runTest(t, open) })
	t.Run("Profile", func(t *testing.T) { profile(t, open) })
	t.Run("Values", func(t *testing.T) { values(t, open) })
	t.Run("HostileNames", func(t *testing.T) { hostileNames(t, open) })
	t.Run("OneStatement", func(t *testing.T) { oneStatement(t, open) })
}

func query(t *testing.T, w warehouse.Warehouse, sql string) [][]any {
	t.Helper()
	rows, err := w.Query(context.Background(), sql, 0)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return rows.Values
}

func exec(t *testing.T, w warehouse.Warehouse, sql string) {
	t.Helper()
	if err := w.Exec(context.Background(), sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

const people = `id,name,score,active,born,seen_at,note
1,Ann,1.5,true,1990-01-02,2024-01-01 10:00:00,
2,Bob,2,false,1985-12-31,2024-01-02T11:30:00,hello
3,Cy,,True,,2024-01-03 12:00:00.5,null
`

func seedInference(t *testing.T, open Open) {
	w, schema := open(t)
	ctx := context.Background()
	rel := warehouse.Relation{Schema: schema, Name: "people"}
	n, err := w.LoadSeed(ctx, warehouse.Seed{Relation: rel, Path: "seeds/people.csv", Data: []byte(people)})
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Fatalf("rows = %d, want 3", n)
	}
	kind, cols, err := w.Describe(ctx, rel)
	if err != nil || kind != warehouse.KindTable {
		t.Fatalf("describe: %q %v", kind, err)
	}
	var fams []string
	for _, c := range cols {
		fams = append(fams, c.Name+":"+warehouse.TypeFamily(c.Type))
	}
	want := []string{"id:number", "name:text", "score:number", "active:boolean", "born:time", "seen_at:time", "note:text"}
	if !reflect.DeepEqual(fams, want) {
		t.Fatalf("types = %v, want %v (%v)", fams, want, cols)
	}
	got := query(t, w, fmt.Sprintf("select id, score, active, cast(born as varchar), note from %s order by id", w.Render(rel)))
	wantRows := [][]any{{int64(1), 1.5, true, "1990-01-02", nil}, {int64(2), 2.0, false, "1985-12-31", "hello"}, {int64(3), nil, true, nil, nil}}
	if !reflect.DeepEqual(got, wantRows) {
		t.Fatalf("rows = %#v\nwant %#v", got, wantRows)
	}
}

func seedOptions(t *testing.T, open Open) {
	w, schema := open(t)
	ctx := context.Background()
	rel := warehouse.Relation{Schema: schema, Name: "codes"}
	seed := warehouse.Seed{Relation: rel, Path: "seeds/codes.csv", Data: []byte("Code,Label Text\n007,x\n010,y\n"),
		ColumnTypes: map[string]string{"code": "varchar"}, QuoteColumns: true}
	if _, err := w.LoadSeed(ctx, seed); err != nil {
		t.Fatal(err)
	}
	got := query(t, w, fmt.Sprintf(`select "Code", "Label Text" from %s order by 1`, w.Render(rel)))
	if !reflect.DeepEqual(got, [][]any{{"007", "x"}, {"010", "y"}}) {
		t.Fatalf("rows = %v", got)
	}
	// A view on the seed survives a reload that keeps the columns.
	view := warehouse.Relation{Schema: schema, Name: "codes_v"}
	if err := w.Build(ctx, warehouse.Model{Relation: view, Materialized: warehouse.View, SQL: "select * from " + w.Render(rel)}); err != nil {
		t.Fatal(err)
	}
	seed.Data = []byte("Code,Label Text\n001,z\n")
	if n, err := w.LoadSeed(ctx, seed); err != nil || n != 1 {
		t.Fatalf("reload: %d %v", n, err)
	}
	if got := query(t, w, "select count(*) from "+w.Render(view)); got[0][0] != int64(1) {
		t.Fatalf("view after reload = %v", got)
	}
	// Full refresh recreates the table with new columns.
	seed.Data, seed.FullRefresh, seed.ColumnTypes = []byte("Code,Other\n5,6\n"), true, nil
	if _, err := w.LoadSeed(ctx, seed); err != nil {
		t.Fatal(err)
	}
	if got := query(t, w, fmt.Sprintf(`select "Code" + "Other" from %s`, w.Render(rel))); got[0][0] != int64(11) {
		t.Fatalf("after full refresh = %v", got)
	}
}

// Without quote_columns, reserved words and names that are not identifiers are still quoted.
func seedReservedNames(t *testing.T, open Open) {
	w, schema := open(t)
	rel := warehouse.Relation{Schema: schema, Name: "mail"}
	if _, err := w.LoadSeed(context.Background(), warehouse.Seed{Relation: rel, Path: "seeds/mail.csv",
		Data: []byte("id,from,Order ID,Plain\n1,a@x,7,p\n")}); err != nil {
		t.Fatal(err)
	}
	got := query(t, w, fmt.Sprintf(`select id, "from", "Order ID", plain from %s`, w.Render(rel)))
	if fmt.Sprint(got) != "[[1 a@x 7 p]]" {
		t.Fatalf("rows = %v", got)
	}
}

// A seed read from a file takes the driver's bulk path (DuckDB's reader, PostgreSQL's COPY)
// and must read quoting, NULLs and a custom delimiter the same way.
func seedFile(t *testing.T, open Open) {
	w, schema := open(t)
	path := filepath.Join(t.TempDir(), "notes.csv")
	content := "id;note;at\n1;\"a; b\";2024-01-01\n2;\"line1\nline2 \"\"q\"\"\";\n3;NULL;null\n4;\"\";2024-01-04 10:00:00\n"
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	rel := warehouse.Relation{Schema: schema, Name: "notes"}
	n, err := w.LoadSeed(context.Background(), warehouse.Seed{Relation: rel, Path: "seeds/notes.csv", File: path, Delimiter: ';'})
	if err != nil || n != 4 {
		t.Fatalf("load: %d %v", n, err)
	}
	got := query(t, w, fmt.Sprintf(`select id, note, cast("at" as varchar) from %s order by id`, w.Render(rel)))
	want := "[[1 a; b 2024-01-01 00:00:00] [2 line1\nline2 \"q\" <nil>] [3 <nil> <nil>] [4 <nil> 2024-01-04 10:00:00]]"
	if fmt.Sprint(got) != want {
		t.Fatalf("rows = %q\nwant   %q", fmt.Sprint(got), want)
	}
}

func seedBadCSV(t *testing.T, open Open) {
	w, schema := open(t)
	_, err := w.LoadSeed(context.Background(), warehouse.Seed{Relation: warehouse.Relation{Schema: schema, Name: "bad"},
		Path: "seeds/bad.csv", Data: []byte("a,b\n1,2\n3,4,5\n")})
	var ie *warehouse.InputError
	if !errors.As(err, &ie) || ie.Line != 3 || ie.Path != "seeds/bad.csv" {
		t.Fatalf("err = %v, want an InputError at seeds/bad.csv:3", err)
	}
	kind, _, _ := w.Describe(context.Background(), warehouse.Relation{Schema: schema, Name: "bad"})
	if kind != "" {
		t.Fatalf("a failed seed left a %s behind", kind)
	}
}

func build(t *testing.T, open Open) {
	w, schema := open(t)
	ctx := context.Background()
	rel := warehouse.Relation{Schema: schema, Name: "m"}
	for _, mat := range []string{warehouse.View, warehouse.Table, warehouse.View, warehouse.Table, warehouse.Table} {
		err := w.Build(ctx, warehouse.Model{Relation: rel, Materialized: mat, SQL: "with a as (select 1 as x union all select 2) select x from a;\n-- trailing comment"})
		if err != nil {
			t.Fatalf("%s: %v", mat, err)
		}
		kind, cols, err := w.Describe(ctx, rel)
		if err != nil || kind != mat || len(cols) != 1 || !strings.EqualFold(cols[0].Name, "x") {
			t.Fatalf("%s: describe = %q %v %v", mat, kind, cols, err)
		}
	}
	// A failing build leaves the previous relation in place.
	if err := w.Build(ctx, warehouse.Model{Relation: rel, Materialized: warehouse.Table, SQL: "select * from no_such_table_here"}); err == nil {
		t.Fatal("build of a broken model succeeded")
	}
	if got := query(t, w, "select sum(x) from "+w.Render(rel)); warehouseInt(got[0][0]) != 3 {
		t.Fatalf("after failed build = %v", got)
	}
}

func warehouseInt(v any) int64 {
	switch n := v.(type) {
	case int64:
		return n
	case float64:
		return int64(n)
	}
	return -1
}

func incremental(t *testing.T, open Open) {
	w, schema := open(t)
	ctx := context.Background()
	src := warehouse.Relation{Schema: schema, Name: "events"}
	exec(t, w, "create table "+w.Render(src)+" (id integer, v varchar)")
	exec(t, w, "insert into "+w.Render(src)+" values (1, 'a'), (2, 'b')")
	rel := warehouse.Relation{Schema: schema, Name: "inc"}
	m := warehouse.Model{Relation: rel, Materialized: warehouse.Incremental, UniqueKey: []string{"id"},
		SQL: "select id, v from " + w.Render(src)}
	if err := w.Build(ctx, m); err != nil {
		t.Fatal(err)
	}
	exec(t, w, "update "+w.Render(src)+" set v = 'B' where id = 2")
	exec(t, w, "insert into "+w.Render(src)+" values (3, 'c')")
	m.Incremental = true
	m.SQL = "select id, v, 'extra' as ignored from " + w.Render(src) + " where id >= 2"
	if err := w.Build(ctx, m); err != nil {
		t.Fatal(err)
	}
	got := query(t, w, "select id, v from "+w.Render(rel)+" order by id")
	want := [][]any{{int64(1), "a"}, {int64(2), "B"}, {int64(3), "c"}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("after merge = %v, want %v", got, want)
	}
	// Without a unique key, rows are appended.
	m.UniqueKey = nil
	if err := w.Build(ctx, m); err != nil {
		t.Fatal(err)
	}
	if got := query(t, w, "select count(*) from "+w.Render(rel)); got[0][0] != int64(5) {
		t.Fatalf("after append = %v", got)
	}
}

func errorsMapped(t *testing.T, open Open) {
	w, schema := open(t)
	err := w.Build(context.Background(), warehouse.Model{Relation: warehouse.Relation{Schema: schema, Name: "broken"},
		Materialized: warehouse.Table, SQL: "select missing_column from " + w.Render(warehouse.Relation{Schema: schema, Name: "nowhere"})})
	var we *warehouse.Error
	if !errors.As(err, &we) || we.Warehouse != w.Type() || !strings.Contains(strings.ToLower(we.Message), "nowhere") {
		t.Fatalf("err = %#v, want a %s error naming the missing table", err, w.Type())
	}
}

func runTest(t *testing.T, open Open) {
	w, schema := open(t)
	ctx := context.Background()
	rel := warehouse.Relation{Schema: schema, Name: "t"}
	exec(t, w, "create table "+w.Render(rel)+" as select * from (values (1), (2), (null), (null), (null)) v(x)")
	res, err := w.RunTest(ctx, "select x from "+w.Render(rel)+" where x is null", 2)
	if err != nil {
		t.Fatal(err)
	}
	if res.Failures != 3 || res.Sample == nil || len(res.Sample.Values) != 2 {
		t.Fatalf("result = %+v", res)
	}
	res, err = w.RunTest(ctx, "select x from "+w.Render(rel)+" where x > 5", 2)
	if err != nil || res.Failures != 0 || res.Sample != nil {
		t.Fatalf("passing test = %+v %v", res, err)
	}
}

func profile(t *testing.T, open Open) {
	w, schema := open(t)
	ctx := context.Background()
	rel := warehouse.Relation{Schema: schema, Name: "orders"}
	// id unique; (customer, day) unique together; status low-cardinality; note mostly null.
	exec(t, w, "create table "+w.Render(rel)+` as select * from (values
		(1, 10, 1, 'placed', 'x'), (2, 10, 2, 'shipped', null), (3, 11, 1, 'placed', null),
		(4, 11, 2, 'placed', null), (5, 12, 1, 'returned', null), (6, 12, 3, 'shipped', null)
	) v(id, customer, day, status, note)`)
	p, err := w.Profile(ctx, rel, warehouse.ProfileOptions{TopN: 2})
	if err != nil {
		t.Fatal(err)
	}
	if p.Rows != 6 || len(p.Columns) != 5 {
		t.Fatalf("profile = %+v", p)
	}
	byName := map[string]warehouse.ColumnProfile{}
	for _, c := range p.Columns {
		byName[c.Name] = c
	}
	if c := byName["id"]; !c.Unique || c.Distinct != 6 || warehouseInt(c.Min) != 1 || warehouseInt(c.Max) != 6 {
		t.Fatalf("id = %+v", c)
	}
	if c := byName["status"]; c.Distinct != 3 || len(c.Top) != 2 || c.Top[0].Value != "placed" || c.Top[0].Count != 3 || c.Top[1].Value != "shipped" {
		t.Fatalf("status = %+v", c)
	}
	if c := byName["note"]; c.Nulls != 5 || c.Unique {
		t.Fatalf("note = %+v", c)
	}
	keys := fmt.Sprint(p.CandidateKeys)
	if keys != "[[id] [customer day]]" {
		t.Fatalf("candidate keys = %s, want [[id] [customer day]]", keys)
	}
	// Keyed only by three columns: every pair repeats.
	cube := warehouse.Relation{Schema: schema, Name: "cube"}
	exec(t, w, "create table "+w.Render(cube)+` as select * from (values
		(1, 1, 1, 'x'), (1, 1, 2, 'x'), (1, 2, 1, 'x'), (1, 2, 2, 'x'),
		(2, 1, 1, 'x'), (2, 1, 2, 'x'), (2, 2, 1, 'x'), (2, 2, 2, 'y')) v(a, b, c, d)`)
	pc, err := w.Profile(ctx, cube, warehouse.ProfileOptions{})
	if err != nil || fmt.Sprint(pc.CandidateKeys) != "[[a b c]]" {
		t.Fatalf("cube keys = %v %v", pc.CandidateKeys, err)
	}
	ps, err := w.Profile(ctx, rel, warehouse.ProfileOptions{Sample: 3, Columns: []string{"status"}})
	if err != nil || ps.Rows != 3 || !ps.Sampled || len(ps.Columns) != 1 {
		t.Fatalf("sampled = %+v %v", ps, err)
	}
}

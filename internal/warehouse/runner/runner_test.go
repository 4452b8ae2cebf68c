package runner

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/warehouse"
	"github.com/dataops-dev/dataops/internal/warehouse/duckdb"
	"github.com/dataops-dev/dataops/internal/warehouse/postgres"
)

func pgURL() string {
	if u := os.Getenv("DATAOPS_TEST_POSTGRES_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// warehouses yields a DuckDB file and a PostgreSQL schema of its own for each test.
func warehouses(t *testing.T, f func(t *testing.T, w warehouse.Warehouse, schema string)) {
	t.Run("duckdb", func(t *testing.T) {
		w, err := duckdb.Open(context.Background(), filepath.Join(t.TempDir(), "t.duckdb"), warehouse.Access{Write: true, Dirs: []string{os.TempDir()}})
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		f(t, w, "main")
	})
	t.Run("postgres", func(t *testing.T) {
		w, err := postgres.Open(context.Background(), pgURL(), 4, warehouse.Access{Write: true})
		if err != nil {
			t.Fatalf("PostgreSQL at %s: %v", pgURL(), err)
		}
		b := make([]byte, 6)
		rand.Read(b)
		schema := "dataops_test_" + hex.EncodeToString(b)
		defer func() {
			w.Exec(context.Background(), "drop schema if exists "+w.Quote(schema)+" cascade")
			w.Close()
		}()
		f(t, w, schema)
	})
}

type builder struct {
	p      *dbt.Project
	schema string
	dir    string
}

func newBuilder(t *testing.T, schema string) *builder {
	return &builder{p: &dbt.Project{Name: "shop", Nodes: map[string]*dbt.Node{}, Sources: map[string]*dbt.Source{}, Macros: map[string]*dbt.Macro{}}, schema: schema, dir: t.TempDir()}
}

func (b *builder) rel(name string) string { return fmt.Sprintf("%q.%q", b.schema, name) }

func (b *builder) seed(t *testing.T, name, csv string) {
	path := filepath.Join(b.dir, name+".csv")
	if err := os.WriteFile(path, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	id := "seed.shop." + name
	b.p.Nodes[id] = &dbt.Node{UniqueID: id, ResourceType: dbt.Seed, Package: "shop", Name: name, Schema: b.schema,
		FilePath: path, RelPath: "seeds/" + name + ".csv", Config: map[string]any{}}
}

func (b *builder) model(name, mat, sql string, deps ...string) *dbt.Node {
	id := "model.shop." + name
	n := &dbt.Node{UniqueID: id, ResourceType: dbt.Model, Package: "shop", Name: name, Schema: b.schema, Language: "sql",
		RelPath: "models/" + name + ".sql", Config: map[string]any{"materialized": mat}, CompiledCode: sql, RawCode: sql,
		DependsOn: dbt.DependsOn{Nodes: deps}}
	b.p.Nodes[id] = n
	return n
}

func (b *builder) test(name, test, ns, attached, column string, kwargs, cfg map[string]any, deps ...string) {
	id := "test.shop." + name
	if cfg == nil {
		cfg = map[string]any{}
	}
	b.p.Nodes[id] = &dbt.Node{UniqueID: id, ResourceType: dbt.Test, Package: "shop", Name: name, Config: cfg,
		TestMeta:  &dbt.TestMetadata{Name: test, Namespace: ns, Kwargs: kwargs, AttachedNode: attached, ColumnName: column},
		DependsOn: dbt.DependsOn{Nodes: append([]string{attached}, deps...)},
		Patch:     &dbt.PropertyEntry{File: "models/schema.yml", Pos: dbt.Pos{Line: 7}}}
}

func (b *builder) singular(name, sql string, deps ...string) {
	id := "test.shop." + name
	b.p.Nodes[id] = &dbt.Node{UniqueID: id, ResourceType: dbt.Test, Package: "shop", Name: name, Config: map[string]any{},
		RawCode: sql, CompiledCode: sql, RelPath: "tests/" + name + ".sql", DependsOn: dbt.DependsOn{Nodes: deps}}
}

// shop: customers 1-4, orders with a duplicate customer, an orphan (customer 9), a NULL amount.
func shopProject(t *testing.T, schema string) *builder {
	b := newBuilder(t, schema)
	b.seed(t, "raw_customers", "id,name,tier\n1,Ann,gold\n2,Bob,silver\n3,Cy,gold\n4,Di,bronze\n")
	b.seed(t, "raw_orders", "id,customer_id,amount,status,ordered_at\n10,1,5.5,placed,2024-01-01\n11,1,7,shipped,2024-01-02\n12,2,,placed,2024-01-03\n13,9,3,lost,2024-01-04\n")
	b.model("stg_orders", "ephemeral", "select id as order_id, customer_id, amount, status, ordered_at from "+b.rel("raw_orders"), "seed.shop.raw_orders")
	b.model("customers", "view", "select id as customer_id, name, tier from "+b.rel("raw_customers"), "seed.shop.raw_customers")
	b.model("orders", "table", "with o as (select * from __dbt__cte__stg_orders) select * from o", "model.shop.stg_orders")
	inc := b.model("order_totals", "incremental", "select customer_id, sum(amount) as total from __dbt__cte__stg_orders group by customer_id", "model.shop.stg_orders")
	inc.Config["unique_key"] = "customer_id"
	b.model("broken", "table", "select * from "+b.rel("nowhere"), "seed.shop.raw_customers")
	// A child of customers waits for customers' tests, and the failing relationships test
	// (whose parents include customers) skips it, as dbt build does.
	b.model("customer_names", "view", "select name from "+b.rel("customers"), "model.shop.customers")
	b.model("after_broken", "view", "select * from "+b.rel("broken"), "model.shop.broken")
	C, O := "model.shop.customers", "model.shop.orders"
	b.test("not_null_customers_customer_id", "not_null", "", C, "customer_id", nil, nil)
	b.test("unique_customers_customer_id", "unique", "", C, "customer_id", nil, nil)
	b.test("unique_orders_customer_id", "unique", "", O, "customer_id", nil, nil)                                                                               // fail 1 (customer 1 twice)
	b.test("not_null_orders_amount", "not_null", "", O, "amount", nil, map[string]any{"severity": "WARN"})                                                      // warn 1
	b.test("accepted_values_orders_status", "accepted_values", "", O, "status", map[string]any{"values": []any{"placed", "shipped"}}, nil)                      // fail 1 (lost)
	b.test("accepted_values_tier", "accepted_values", "", C, "tier", map[string]any{"values": []any{"gold", "silver", "bronze"}}, nil)                          // pass
	b.test("relationships_orders_customer_id", "relationships", "", O, "customer_id", map[string]any{"to": "ref('customers')", "field": "customer_id"}, nil, C) // fail 1
	b.test("relationships_where_filtered", "relationships", "", O, "customer_id", map[string]any{"to": "ref('customers')", "field": "customer_id"}, map[string]any{"where": "customer_id < 5"}, C)
	b.test("combo", "unique_combination_of_columns", "dbt_utils", O, "", map[string]any{"combination_of_columns": []any{"customer_id", "status"}}, nil)
	b.test("expr", "expression_is_true", "dbt_utils", O, "amount", map[string]any{"expression": "> 4"}, map[string]any{"error_if": ">5", "warn_if": ">0"}) // 1 failing row (3): warn
	b.test("range", "accepted_range", "dbt_utils", O, "amount", map[string]any{"min_value": 0, "max_value": 6}, nil)                                       // fail 1 (7)
	b.test("proportion", "not_null_proportion", "dbt_utils", O, "amount", map[string]any{"at_least": 0.9}, nil)                                            // 0.75 < 0.9: fail 1
	b.test("constant", "not_constant", "dbt_utils", O, "status", nil, nil)
	b.test("one", "at_least_one", "dbt_utils", O, "amount", nil, nil)
	b.test("recent", "recency", "dbt_utils", O, "", map[string]any{"datepart": "day", "field": "ordered_at", "interval": 1}, nil) // fail 1 (2024 is old)
	b.test("limited", "not_null", "", O, "amount", nil, map[string]any{"limit": 0})
	b.test("not_null_stg_orders_amount", "not_null", "", "model.shop.stg_orders", "amount", nil, map[string]any{"severity": "warn"}) // on an ephemeral model: warn 1
	b.singular("assert_amount_positive", "select * from "+b.rel("orders")+" where amount <= 0", O)
	return b
}

func byName(rs []Result) map[string]Result {
	m := map[string]Result{}
	for _, r := range rs {
		m[r.Name] = r
	}
	return m
}

func TestBuild(t *testing.T) {
	warehouses(t, func(t *testing.T, w warehouse.Warehouse, schema string) {
		ctx := context.Background()
		b := shopProject(t, schema)
		var order []string
		cfg := Config{Project: b.p, Warehouse: w, Target: &warehouse.Target{Schema: schema}, Types: []string{dbt.Seed, dbt.Model, dbt.Test}, Threads: 3,
			OnResult: func(r Result, done, total int) { order = append(order, r.Name) }}
		rs := Run(ctx, cfg)
		got := byName(rs)
		want := map[string]string{
			"raw_customers": "success", "raw_orders": "success", "customers": "success", "orders": "success", "order_totals": "success",
			"broken": "error", "after_broken": "skipped", "customer_names": "skipped",
			"not_null_customers_customer_id": "pass", "unique_customers_customer_id": "pass", "unique_orders_customer_id": "fail",
			"not_null_orders_amount": "warn", "accepted_values_orders_status": "fail", "accepted_values_tier": "pass",
			"relationships_orders_customer_id": "fail", "relationships_where_filtered": "pass", "combo": "pass", "expr": "warn",
			"range": "fail", "proportion": "fail", "constant": "pass", "one": "pass", "recent": "fail", "limited": "pass",
			"assert_amount_positive": "pass", "not_null_stg_orders_amount": "warn",
		}
		if len(rs) != len(want) {
			t.Errorf("%d results, want %d", len(rs), len(want))
		}
		for name, status := range want {
			if got[name].Status != status {
				t.Errorf("%s: status %s (%s), want %s", name, got[name].Status, got[name].Message, status)
			}
		}
		for name, n := range map[string]int64{"unique_orders_customer_id": 1, "not_null_orders_amount": 1, "accepted_values_orders_status": 1,
			"relationships_orders_customer_id": 1, "expr": 1, "range": 1, "proportion": 1, "recent": 1, "not_null_stg_orders_amount": 1} {
			if got[name].Failures != n {
				t.Errorf("%s: %d failures, want %d", name, got[name].Failures, n)
			}
		}
		if r := got["relationships_orders_customer_id"]; r.Sample == nil || fmt.Sprint(r.Sample.Values) != "[[9]]" || r.Model != "orders" || r.Column != "customer_id" || r.Test != "relationships" || r.Path != "models/schema.yml:7" {
			t.Errorf("relationships result = %+v", r)
		}
		if r := got["broken"]; !strings.Contains(strings.ToLower(r.Message), "nowhere") || r.Path != "models/broken.sql" {
			t.Errorf("broken = %+v", r)
		}
		if r := got["range"]; r.Test != "dbt_utils.accepted_range" {
			t.Errorf("range test = %q", r.Test)
		}
		// DAG order: seeds before models, a model before its tests, and orders' tests before
		// nothing downstream of orders (none); customers' tests before broken (its child).
		pos := map[string]int{}
		for i, n := range order {
			pos[n] = i
		}
		for _, e := range [][2]string{{"raw_orders", "orders"}, {"raw_customers", "customers"}, {"orders", "unique_orders_customer_id"},
			{"customers", "relationships_orders_customer_id"}, {"not_null_customers_customer_id", "customer_names"}, {"broken", "after_broken"}} {
			if pos[e[0]] > pos[e[1]] {
				t.Errorf("%s ran after %s: %v", e[0], e[1], order)
			}
		}
		// The incremental model merges on its unique key the second time.
		if err := w.Exec(ctx, "insert into "+b.rel("raw_orders")+" values (14, 2, 1, 'placed', '2024-02-01')"); err != nil {
			t.Fatal(err)
		}
		cfg.Selected = map[string]bool{"model.shop.order_totals": true}
		cfg.OnResult = nil
		rs = Run(ctx, cfg)
		if len(rs) != 1 || rs[0].Status != StatusSuccess || !strings.Contains(rs[0].Message, "incremental") {
			t.Fatalf("incremental run = %+v", rs)
		}
		v, err := w.Query(ctx, "select customer_id, total from "+b.rel("order_totals")+" order by customer_id", 0)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(v.Values) != "[[1 12.5] [2 1] [9 3]]" {
			t.Errorf("order_totals = %v", v.Values)
		}
	})
}

// A failing test with severity error skips the models built on the tested model.
func TestFailingTestSkipsDependents(t *testing.T) {
	warehouses(t, func(t *testing.T, w warehouse.Warehouse, schema string) {
		b := newBuilder(t, schema)
		b.seed(t, "raw", "id\n1\n1\n")
		b.model("base", "view", "select * from "+b.rel("raw"), "seed.shop.raw")
		b.model("downstream", "view", "select * from "+b.rel("base"), "model.shop.base")
		b.test("unique_base_id", "unique", "", "model.shop.base", "id", nil, nil)
		rs := byName(Run(context.Background(), Config{Project: b.p, Warehouse: w, Target: &warehouse.Target{Schema: schema}, Types: []string{dbt.Seed, dbt.Model, dbt.Test}}))
		if rs["unique_base_id"].Status != StatusFail || rs["downstream"].Status != StatusSkipped {
			t.Fatalf("results = %+v", rs)
		}
		// Only tests: nothing is skipped.
		rs = byName(Run(context.Background(), Config{Project: b.p, Warehouse: w, Target: &warehouse.Target{Schema: schema}, Types: []string{dbt.Test}}))
		if len(rs) != 1 || rs["unique_base_id"].Failures != 1 {
			t.Fatalf("test-only results = %+v", rs)
		}
	})
}

func TestCheckTest(t *testing.T) {
	warehouses(t, func(t *testing.T, w warehouse.Warehouse, schema string) {
		b := shopProject(t, schema)
		Run(context.Background(), Config{Project: b.p, Warehouse: w, Target: &warehouse.Target{Schema: schema}, Types: []string{dbt.Seed, dbt.Model}})
		res, err := CheckTest(context.Background(), b.p, w, &warehouse.Target{Schema: schema},
			TestSpec{Name: "accepted_values", Attached: "model.shop.orders", Column: "status", Kwargs: map[string]any{"values": []any{"placed"}}}, 3)
		if err != nil {
			t.Fatal(err)
		}
		var vals []string
		for _, r := range res.Sample.Values {
			vals = append(vals, fmt.Sprint(r[0]))
		}
		sort.Strings(vals)
		if res.Failures != 2 || strings.Join(vals, ",") != "lost,shipped" {
			t.Fatalf("result = %+v", res)
		}
		res, err = CheckTest(context.Background(), b.p, w, &warehouse.Target{Schema: schema},
			TestSpec{Name: "dbt_utils.unique_combination_of_columns", Attached: "model.shop.orders", Kwargs: map[string]any{"combination_of_columns": []any{"customer_id"}}}, 3)
		if err != nil || res.Failures != 1 {
			t.Fatalf("dotted name: %+v %v", res, err)
		}
		if _, err := CheckTest(context.Background(), b.p, w, nil, TestSpec{Name: "no_such_test", Attached: "model.shop.orders"}, 1); err == nil {
			t.Fatal("unknown test accepted")
		}
	})
}

func TestCondition(t *testing.T) {
	for _, c := range []struct {
		cfg  map[string]any
		n    int64
		want string
	}{
		{nil, 0, StatusPass}, {nil, 1, StatusFail},
		{map[string]any{"severity": "warn"}, 3, StatusWarn},
		{map[string]any{"error_if": ">10"}, 3, StatusWarn},
		{map[string]any{"error_if": ">10", "warn_if": ">5"}, 3, StatusPass},
		{map[string]any{"error_if": ">10"}, 11, StatusFail},
		{map[string]any{"severity": "WARN", "error_if": "!=0"}, 11, StatusWarn},
		{map[string]any{"warn_if": "=0", "error_if": "<0"}, 0, StatusWarn},
	} {
		got, err := testStatus(c.cfg, c.n)
		if err != nil || got != c.want {
			t.Errorf("%v with %d failures = %s %v, want %s", c.cfg, c.n, got, err, c.want)
		}
	}
	if _, err := testStatus(map[string]any{"error_if": "lots"}, 1); err == nil {
		t.Error("bad condition accepted")
	}
}

func TestInjectCTEs(t *testing.T) {
	ctes := []string{"__dbt__cte__a as (\nselect 1\n)"}
	for in, want := range map[string]string{
		"select * from __dbt__cte__a":                    "with __dbt__cte__a as (\nselect 1\n)\nselect * from __dbt__cte__a",
		"-- c\nWITH x as (select 1) select * from x":     "-- c\nWITH __dbt__cte__a as (\nselect 1\n),\nx as (select 1) select * from x",
		"with recursive r as (select 1) select 1 from r": "with __dbt__cte__a as (\nselect 1\n)\nselect * from (\nwith recursive r as (select 1) select 1 from r\n) as __dbt__inner",
	} {
		if got := injectCTEs(in, ctes); got != want {
			t.Errorf("injectCTEs(%q) =\n%s\nwant\n%s", in, got, want)
		}
	}
}

// TestCompileTest: a proposed test compiles with no warehouse at all, to the SQL CheckTest
// runs: executed on a DuckDB holding the data, it selects the same failing rows; a test
// nobody defines is an error, not SQL.
func TestCompileTest(t *testing.T) {
	ctx := context.Background()
	w, err := duckdb.Open(ctx, filepath.Join(t.TempDir(), "t.duckdb"), warehouse.Access{Write: true, Dirs: []string{os.TempDir()}})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	b := shopProject(t, "main")
	Run(ctx, Config{Project: b.p, Warehouse: w, Target: &warehouse.Target{Schema: "main"}, Types: []string{dbt.Seed, dbt.Model}})

	spec := TestSpec{Name: "accepted_values", Attached: "model.shop.orders", Column: "status", Kwargs: map[string]any{"values": []any{"placed", "it's"}}}
	sql, err := CompileTest(b.p, nil, spec)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(sql, `'it''s'`) || !strings.Contains(sql, "orders") {
		t.Fatalf("compiled SQL lacks the quoted value or the relation:\n%s", sql)
	}
	rows, err := w.Query(ctx, "select count(*) from ("+sql+") as failures", 0)
	if err != nil {
		t.Fatalf("the compiled SQL does not run: %v\n%s", err, sql)
	}
	checked, err := CheckTest(ctx, b.p, w, &warehouse.Target{Schema: "main"}, spec, 3)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(rows.Values[0][0]); got != "2" || checked.Failures != 2 {
		t.Fatalf("compiled SQL finds %s failing values, CheckTest %d; want 2 (lost, shipped)", got, checked.Failures)
	}

	if _, err := CompileTest(b.p, nil, TestSpec{Name: "no_such_test", Attached: "model.shop.orders"}); err == nil {
		t.Fatal("a test nobody defines compiled")
	}
}

package warehousetest

import (
	"context"
	"reflect"
	"testing"

	"github.com/dataops-dev/dataops/internal/warehouse"
)

// values checks the two queries the Test Enhancer reads data with: distinct values with their
// counts, and the containment of a column's values in another relation's key.
func values(t *testing.T, open Open) {
	w, schema := open(t)
	ctx := context.Background()
	orders := warehouse.Relation{Schema: schema, Name: "orders"}
	customers := warehouse.Relation{Schema: schema, Name: "customers"}
	exec(t, w, "create table "+w.Render(customers)+` as select * from (values (1, 'a'), (2, 'b'), (3, 'c')) v(id, name)`)
	exec(t, w, "create table "+w.Render(orders)+` as select * from (values
		(1, 1, 'placed', 10), (2, 1, 'shipped', 20), (3, 2, 'placed', 10), (4, 3, 'placed', null),
		(5, null, 'it''s', 30), (6, 4, 'shipped', 40)
	) v(id, customer_id, status, code)`)

	got, err := w.Values(ctx, orders, []string{"STATUS", "code", "id", "missing"}, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("values of 3 known columns, got %+v", got)
	}
	by := map[string]warehouse.ColumnValues{}
	for _, c := range got {
		by[c.Name] = c
	}
	st := by["status"]
	want := []warehouse.ValueCount{{Value: "placed", Count: 3}, {Value: "shipped", Count: 2}, {Value: "it's", Count: 1}}
	if st.Rows != 6 || st.Nulls != 0 || st.Distinct != 3 || !reflect.DeepEqual(st.Values, want) {
		t.Fatalf("status = %+v", st)
	}
	// Numbers come back as text; a column over the limit lists no values.
	if c := by["code"]; c.Nulls != 1 || c.Distinct != 4 || c.Values != nil {
		t.Fatalf("code = %+v", c)
	}
	if c := by["id"]; c.Distinct != 6 || c.Values != nil {
		t.Fatalf("id = %+v", c)
	}
	if c, err := w.Values(ctx, orders, []string{"code"}, 4); err != nil || len(c) != 1 || len(c[0].Values) != 4 || c[0].Values[0] != (warehouse.ValueCount{Value: "10", Count: 2}) {
		t.Fatalf("code values = %+v %v", c, err)
	}

	// customer_id 4 has no customer: 3 of 4 distinct values found; NULL is not a value.
	ct, err := w.Contained(ctx, orders, "Customer_ID", customers, "id", 0)
	if err != nil {
		t.Fatal(err)
	}
	if *ct != (warehouse.Containment{Rows: 6, Checked: 4, Found: 3}) {
		t.Fatalf("containment = %+v", ct)
	}
	// A sample smaller than the table reads that many rows.
	ct, err = w.Contained(ctx, orders, "customer_id", customers, "id", 2)
	if err != nil || !ct.Sampled || ct.Checked > 2 || ct.Found > ct.Checked {
		t.Fatalf("sampled containment = %+v %v", ct, err)
	}
	if _, err := w.Contained(ctx, orders, "nope", customers, "id", 0); err == nil {
		t.Fatal("containment of an unknown column: want an error")
	}
	if _, err := w.Values(ctx, warehouse.Relation{Schema: schema, Name: "never_built"}, []string{"x"}, 3); err == nil {
		t.Fatal("values of a missing relation: want an error")
	}
}

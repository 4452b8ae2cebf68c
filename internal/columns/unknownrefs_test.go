package columns

import (
	"testing"

	"github.com/dataops-dev/dataops/internal/jinja"
)

// ref('orders') with no model named orders renders as `orders`, which is the alias of
// core_orders: the model reads an unknown relation, not core_orders.
func TestUnresolvedRefIsNoAliasedModel(t *testing.T) {
	p := testProject("duckdb", map[string]string{"core_orders": "order_id:integer, amount:numeric"})
	p.Nodes["model.p.core_orders"].Alias = "orders"
	m := addModel(p, "input_orders", "select * from orders")
	m.DependsOn.Nodes = nil
	m.Refs = []jinja.Ref{{Name: "orders"}}
	res := Infer(p, Options{Models: []string{m.UniqueID}})
	got := res.Node(m.UniqueID)
	if got == nil || len(got.Columns) != 0 || len(got.Unresolved) == 0 {
		t.Fatalf("input_orders: columns %v, unresolved %v; want none and an unknown relation", got.Columns, got.Unresolved)
	}
	// A ref that names the aliased model, or a plain table name, still finds it.
	for _, refs := range [][]jinja.Ref{{{Name: "core_orders"}}, nil} {
		m := addModel(p, "reader", "select * from orders")
		m.Refs = refs
		res := Infer(p, Options{Models: []string{m.UniqueID}})
		if got := res.Node(m.UniqueID); got == nil || format(got.Columns) != "order_id:integer, amount:numeric" {
			t.Errorf("reader with refs %v: %v", refs, got)
		}
	}
}

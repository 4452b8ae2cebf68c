package lineage

import (
	"reflect"
	"testing"

	"github.com/dataops-dev/dataops/internal/columns"
	"github.com/dataops-dev/dataops/internal/dbt"
)

// graph: raw.orders (source) -> stg_orders -> orders -> revenue; stg_orders -> customers;
// a test hangs off orders.
func testProject() *dbt.Project {
	p := &dbt.Project{
		Packages: []*dbt.Package{{Name: "shop", IsRoot: true}},
		Nodes:    map[string]*dbt.Node{},
		Sources: map[string]*dbt.Source{
			"source.shop.raw.orders": {UniqueID: "source.shop.raw.orders", SourceName: "raw", Name: "orders"},
		},
		ParentMap: map[string][]string{},
		ChildMap:  map[string][]string{},
	}
	add := func(name string, parents ...string) {
		id := "model.shop." + name
		p.Nodes[id] = &dbt.Node{UniqueID: id, Name: name, ResourceType: dbt.Model, Package: "shop"}
		for _, up := range parents {
			p.ParentMap[id] = append(p.ParentMap[id], up)
			p.ChildMap[up] = append(p.ChildMap[up], id)
		}
	}
	add("stg_orders", "source.shop.raw.orders")
	add("orders", "model.shop.stg_orders")
	add("customers", "model.shop.stg_orders")
	add("revenue", "model.shop.orders", "model.shop.customers")
	p.Nodes["test.shop.unique_orders_id"] = &dbt.Node{UniqueID: "test.shop.unique_orders_id", ResourceType: dbt.Test, Name: "unique_orders_id"}
	p.ParentMap["test.shop.unique_orders_id"] = []string{"model.shop.orders"}
	p.ChildMap["model.shop.orders"] = append(p.ChildMap["model.shop.orders"], "test.shop.unique_orders_id")
	return p
}

func ids(steps []Step) []string {
	var out []string
	for _, s := range steps {
		out = append(out, s.ID)
	}
	return out
}

func TestNodes(t *testing.T) {
	p := testProject()
	down := Nodes(p, "model.shop.stg_orders", Downstream, 0)
	want := []string{"model.shop.customers", "model.shop.orders", "model.shop.revenue"}
	if !reflect.DeepEqual(ids(down), want) {
		t.Errorf("downstream = %v, want %v", ids(down), want)
	}
	if down[2].Depth != 2 {
		t.Errorf("revenue depth = %d", down[2].Depth)
	}
	if got := ids(Nodes(p, "model.shop.stg_orders", Downstream, 1)); len(got) != 2 {
		t.Errorf("depth 1 = %v", got)
	}
	up := Nodes(p, "model.shop.revenue", Upstream, 0)
	want = []string{"model.shop.customers", "model.shop.orders", "model.shop.stg_orders", "source.shop.raw.orders"}
	if !reflect.DeepEqual(ids(up), want) {
		t.Errorf("upstream = %v, want %v", ids(up), want)
	}
	_, edges := Subgraph(p, "model.shop.revenue", Upstream, 0)
	if len(edges) != 5 {
		t.Errorf("edges = %v", edges)
	}
}

func TestResolve(t *testing.T) {
	p := testProject()
	for in, want := range map[string]string{
		"orders":                 "model.shop.orders",
		"model.shop.revenue":     "model.shop.revenue",
		"raw.orders":             "source.shop.raw.orders",
		"source.shop.raw.orders": "source.shop.raw.orders",
	} {
		got, ok := Resolve(p, in)
		if !ok || got != want {
			t.Errorf("Resolve(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	if _, ok := Resolve(p, "nope"); ok {
		t.Error("Resolve(nope) should fail")
	}
}

func TestColumnLineage(t *testing.T) {
	ref := func(n, c string) columns.ColumnRef { return columns.ColumnRef{Node: n, Column: c} }
	res := &columns.Result{Nodes: map[string]*columns.Node{
		"source.shop.raw.orders": {Columns: []*columns.Column{{Name: "ID"}, {Name: "amount_cents"}}},
		"model.shop.stg_orders": {Columns: []*columns.Column{
			{Name: "order_id", Kind: columns.KindDirect, Lineage: []columns.ColumnRef{ref("source.shop.raw.orders", "id")}},
			{Name: "amount", Kind: columns.KindTransform, Lineage: []columns.ColumnRef{ref("source.shop.raw.orders", "amount_cents")}},
		}},
		"model.shop.revenue": {Columns: []*columns.Column{
			{Name: "total", Kind: columns.KindAggregate, Lineage: []columns.ColumnRef{ref("model.shop.stg_orders", "AMOUNT")}},
			{Name: "orders", Kind: columns.KindAggregate, Lineage: []columns.ColumnRef{ref("model.shop.stg_orders", "order_id")}},
		}},
	}}
	got := DownstreamColumns(res, "source.shop.raw.orders", "amount_cents")
	want := []columns.ColumnRef{ref("model.shop.stg_orders", "amount"), ref("model.shop.revenue", "total")}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("downstream = %v, want %v", got, want)
	}
	ix := NewIndex(res)
	steps := ix.Downstream("source.shop.raw.orders", "amount_cents", 1)
	if len(steps) != 1 || steps[0].Kind != columns.KindTransform {
		t.Errorf("depth 1 downstream = %+v", steps)
	}
	up := UpstreamColumns(res, "model.shop.revenue", "total")
	want = []columns.ColumnRef{ref("model.shop.stg_orders", "amount"), ref("source.shop.raw.orders", "amount_cents")}
	if !reflect.DeepEqual(up, want) {
		t.Errorf("upstream = %v, want %v", up, want)
	}
	// upstream spelling wins: the source lists ID
	up = UpstreamColumns(res, "model.shop.stg_orders", "order_id")
	if len(up) != 1 || up[0].Column != "ID" {
		t.Errorf("upstream spelling = %v", up)
	}
	if got := DownstreamColumns(res, "model.shop.revenue", "total"); len(got) != 0 {
		t.Errorf("leaf column has no downstream: %v", got)
	}
}

func TestColumnGraphEdges(t *testing.T) {
	ref := func(n, c string) columns.ColumnRef { return columns.ColumnRef{Node: n, Column: c} }
	// b and c both come from a.x; d = b + c
	res := &columns.Result{Nodes: map[string]*columns.Node{
		"m.a": {Columns: []*columns.Column{{Name: "x"}}},
		"m.b": {Columns: []*columns.Column{{Name: "b", Lineage: []columns.ColumnRef{ref("m.a", "x")}}}},
		"m.c": {Columns: []*columns.Column{{Name: "c", Lineage: []columns.ColumnRef{ref("m.a", "x")}}}},
		"m.d": {Columns: []*columns.Column{{Name: "d", Kind: columns.KindTransform, Lineage: []columns.ColumnRef{ref("m.b", "b"), ref("m.c", "c")}}}},
	}}
	ix := NewIndex(res)
	steps, edges := ix.UpstreamGraph("m.d", "d", 0)
	if len(steps) != 3 || len(edges) != 4 {
		t.Errorf("upstream of d: %d steps %v, %d edges %v", len(steps), steps, len(edges), edges)
	}
	steps, edges = ix.DownstreamGraph("m.a", "x", 0)
	if len(steps) != 3 || len(edges) != 4 {
		t.Errorf("downstream of x: %d steps, %d edges %v", len(steps), len(edges), edges)
	}
}

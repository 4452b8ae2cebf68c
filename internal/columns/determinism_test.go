package columns

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dataops-dev/dataops/internal/dbt"
)

// summary prints every node's columns and unresolved kinds, in id order.
func summary(res *Result) string {
	var b strings.Builder
	ids := make([]string, 0, len(res.Nodes))
	for id := range res.Nodes {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		n := res.Nodes[id]
		fmt.Fprintf(&b, "%s: %s", id, columnNames(n.Columns))
		for _, p := range n.Unresolved {
			fmt.Fprintf(&b, " !%s", p.Kind)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// The cycle_vars project is a fivetran-style package whose vars still name its own staging
// models: each *_tmp model (`select * from {{ var('x') }}`) and its staging model read each
// other. A cycle has no order, so its members may not see what the other inferred (that
// depends on which worker finished first); the marts downstream of a cycle must still wait for
// it. Every run of the same project gives the same columns, with or without a cache.
func TestInferIsDeterministicAroundCycles(t *testing.T) {
	load := func() *dbt.Project {
		t.Helper()
		p, err := dbt.Load(context.Background(), dbt.LoadOptions{Dir: "testdata/cycle_vars", Adapter: "duckdb", Compile: true})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	first := Infer(load(), Options{Workers: 1})
	want := summary(first)
	for _, k := range []string{"issue", "user", "project", "comment", "sprint", "status"} {
		n := first.Node("model.cycle_vars." + k + "_enhanced")
		if n == nil {
			t.Fatalf("no result for %s_enhanced", k)
		}
		if s := columnNames(n.Columns); s != k+"_id, "+k+"_name, _fivetran_synced, is_"+k {
			t.Errorf("%s_enhanced: %s %v", k, s, n.Unresolved)
		}
		// the staging model is no parent of its *_tmp model: nothing declares its columns
		if tmp := first.Node("model.cycle_vars.stg_" + k + "_tmp"); tmp == nil || len(tmp.Columns) > 0 || len(tmp.Unresolved) == 0 {
			t.Errorf("stg_%s_tmp should be unresolved: %+v", k, tmp)
		}
	}
	cacheDir := filepath.Join(t.TempDir(), "cache")
	for i := range 30 {
		opts := Options{Workers: 8}
		if i%3 == 1 {
			opts.Cache = openCache(t, cacheDir)
		}
		res := Infer(load(), opts)
		if got := summary(res); got != want {
			t.Fatalf("run %d (%+v) differs from the first:\n%s\nfirst:\n%s", i, opts, got, want)
		}
	}
}

// Models of two schemas both built as `orders`, both read by one model: a bare `orders` is the
// least id of them, whichever the project's map of nodes gives first.
func TestSharedRelationNameResolvesTheSameWay(t *testing.T) {
	p := testProject("postgres", map[string]string{"a_orders": "id:integer", "b_orders": "id:integer, total:numeric"})
	for _, n := range p.Nodes {
		n.Alias = "orders"
	}
	p.Nodes["model.p.b_orders"].Schema = "staging"
	m := addModel(p, "m", "select * from orders")
	for range 50 {
		id, ok := newRelations(p).lookup([]string{"orders"}, m.DependsOn.Nodes)
		if !ok || id != "model.p.a_orders" {
			t.Fatalf("orders resolves to %q, %v", id, ok)
		}
	}
}

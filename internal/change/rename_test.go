package change

import (
	"testing"
)

func TestMatchRenames(t *testing.T) {
	orders := "with o as (select id, customer_id, amount, status from {{ ref('stg_orders') }}) select id as order_id, customer_id, amount, status from o"
	payments := "select payment_id, order_id, payment_method, amount / 100 as amount from {{ source('stripe', 'payment') }}"
	removed := []renameCandidate{
		{id: "model.p.orders", path: "models/marts/orders.sql", sql: orders},
		{id: "model.p.payments", path: "models/staging/payments.sql", sql: payments},
		{id: "model.p.gone", path: "models/marts/gone.sql", sql: "select 1 as one"},
	}
	added := []renameCandidate{
		// Same SQL with a small edit, new name, same folder.
		{id: "model.p.fct_orders", path: "models/marts/fct_orders.sql", sql: orders + " where status != 'void'"},
		// Same SQL moved to another folder.
		{id: "model.p.stg_payments", path: "models/staging/stripe/stg_payments.sql", sql: payments},
		// Unrelated new model.
		{id: "model.p.customers", path: "models/marts/customers.sql", sql: "select customer_id, min(created_at) as first_seen from {{ ref('events') }} group by 1"},
	}
	got := matchRenames(removed, added)
	want := map[string]string{"model.p.orders": "model.p.fct_orders", "model.p.payments": "model.p.stg_payments"}
	if len(got) != len(want) {
		t.Fatalf("renames = %+v", got)
	}
	for _, p := range got {
		if want[p.from] != p.to {
			t.Errorf("%s renamed to %s, want %s", p.from, p.to, want[p.from])
		}
		if p.score < renameThreshold || p.score > 1 {
			t.Errorf("score %v", p.score)
		}
	}
}

func TestMatchRenamesEachUsedOnce(t *testing.T) {
	sql := "select a, b, c, d from {{ ref('x') }}"
	removed := []renameCandidate{{id: "model.p.one", path: "models/one.sql", sql: sql}}
	added := []renameCandidate{
		{id: "model.p.two", path: "models/two.sql", sql: sql},
		{id: "model.p.three", path: "models/three.sql", sql: sql},
	}
	got := matchRenames(removed, added)
	if len(got) != 1 || got[0].from != "model.p.one" {
		t.Fatalf("renames = %+v", got)
	}
}

func TestTinyModelsAreNotRenames(t *testing.T) {
	got := matchRenames([]renameCandidate{{id: "model.p.a", path: "models/a.sql", sql: "select 1"}},
		[]renameCandidate{{id: "model.p.b", path: "models/b.sql", sql: "select 1"}})
	if len(got) != 0 {
		t.Fatalf("renames = %+v", got)
	}
}

func TestTokenSetAndJaccard(t *testing.T) {
	a := tokenSet("SELECT id, Name FROM {{ ref('t') }}")
	for _, w := range []string{"select", "id", "name", "from", "ref", "t"} {
		if !a[w] {
			t.Errorf("missing token %q in %v", w, a)
		}
	}
	if j := jaccard(a, a); j != 1 {
		t.Errorf("self jaccard = %v", j)
	}
	if j := jaccard(tokenSet("a b"), tokenSet("c d")); j != 0 {
		t.Errorf("disjoint jaccard = %v", j)
	}
}

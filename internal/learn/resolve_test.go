package learn

import (
	"context"
	"testing"

	"github.com/dataops-dev/dataops/internal/memory"
)

const mergedYAML = `version: 2
models:
  - name: orders
    columns:
      - name: customer_id
        description: The customer.
        data_tests:
          - not_null
          - relationships:
              arguments:
                to: ref("customers")
                field: id
      - name: status
        description: Where the order is, as the warehouse team names it.
        data_tests:
          - accepted_values:
              values: [placed, shipped, returned]
              severity: warn
      - name: amount
`

// TestResolveOutcomes covers each outcome for each kind of proposal.
func TestResolveOutcomes(t *testing.T) {
	stores(t, func(t *testing.T, s memory.Store) {
		ctx := context.Background()
		ps := []Proposal{
			proposal(KindDescription, "upstream", "orders", "customer_id", "The customer."),                                                                   // accepted
			proposal(KindDescription, "name", "orders", "status", "The status of the order."),                                                                 // edited
			proposal(KindDescription, "name", "orders", "amount", "The amount."),                                                                              // rejected (no description)
			proposal(KindTest, "not_null", "orders", "customer_id", TestValue("not_null", nil)),                                                               // accepted
			proposal(KindTest, "relationships", "orders", "customer_id", TestValue("relationships", map[string]any{"to": "ref('customers')", "field": "id"})), // accepted
			proposal(KindTest, "accepted_values", "orders", "status", TestValue("accepted_values", map[string]any{"values": []any{"placed", "shipped"}})),     // edited
			proposal(KindTest, "unique", "orders", "customer_id", TestValue("unique", nil)),                                                                   // rejected
			proposal(KindColumn, "add-column", "orders", "amount", "amount"),                                                                                  // accepted
			proposal(KindColumn, "add-column", "orders", "discount", "discount"),                                                                              // rejected
		}
		if err := Record(ctx, s, ps); err != nil {
			t.Fatal(err)
		}
		st := NewState(map[string][]byte{"models/_models.yml": []byte(mergedYAML)})
		// The same pull request at a newer head: what is there is decided, the rest stays open.
		res, err := Resolve(ctx, s, st, Scope{Project: "shop", Repository: "acme/shop", PR: "7", Commit: "head2"})
		if err != nil {
			t.Fatal(err)
		}
		if res != (Resolution{Accepted: 4, Edited: 2, Open: 3}) {
			t.Errorf("at a newer head: %+v", res)
		}
		// Merged: the rest is rejected.
		res, err = Resolve(ctx, s, st, Scope{Project: "shop", Repository: "acme/shop", PR: "7", Merged: true, Commit: "merge"})
		if err != nil {
			t.Fatal(err)
		}
		if res != (Resolution{Rejected: 3}) {
			t.Errorf("merged: %+v", res)
		}
		outs, err := Outcomes(ctx, s, "shop")
		if err != nil {
			t.Fatal(err)
		}
		by := map[string]Proposal{}
		for _, o := range outs {
			by[o.Kind+" "+o.Rule+" "+o.Column] = o
		}
		want := map[string]string{
			"description upstream customer_id": Accepted, "description name status": Edited, "description name amount": Rejected,
			"test not_null customer_id": Accepted, "test relationships customer_id": Accepted, "test accepted_values status": Edited,
			"test unique customer_id": Rejected, "column add-column amount": Accepted, "column add-column discount": Rejected,
		}
		for k, w := range want {
			if by[k].State != w {
				t.Errorf("%s: %q, want %q", k, by[k].State, w)
			}
		}
		// The team's version is kept with an edited outcome: the better example.
		if f := by["description name status"].Final; f != "Where the order is, as the warehouse team names it." {
			t.Errorf("edited description kept %q", f)
		}
		if f := by["test accepted_values status"].Final; f != `{"test":"accepted_values","args":{"values":["placed","shipped","returned"]}}` {
			t.Errorf("edited test kept %q", f)
		}
		if by["test unique customer_id"].Resolved != "merge" {
			t.Errorf("resolved at %q", by["test unique customer_id"].Resolved)
		}
		if !by["test unique customer_id"].Documented || by["column add-column discount"].Documented {
			t.Error("whether the merged result documents the column is not kept with the outcome")
		}
	})
}

// TestResolveScope: another repository's or pull request's proposals are not touched.
func TestResolveScope(t *testing.T) {
	s := openStore(t)
	ctx := context.Background()
	other := proposal(KindDescription, "upstream", "orders", "customer_id", "The customer.")
	other.PR = "8"
	local := other
	local.PR, local.Head = "", "cafe"
	if err := Record(ctx, s, []Proposal{other, local}); err != nil {
		t.Fatal(err)
	}
	st := NewState(map[string][]byte{"m.yml": []byte(mergedYAML)})
	res, _ := Resolve(ctx, s, st, Scope{Project: "shop", Repository: "acme/shop", PR: "7", Merged: true})
	if res != (Resolution{}) {
		t.Errorf("resolved another pull request's proposals: %+v", res)
	}
	res, _ = Resolve(ctx, s, st, Scope{Project: "shop", Repository: "acme/shop", Heads: []string{"cafe"}, Merged: true})
	if res != (Resolution{Accepted: 1}) {
		t.Errorf("by head: %+v", res)
	}
}

package memory

import (
	"fmt"
	"testing"
)

func ids(hits []KeywordHit) []string {
	var out []string
	for _, h := range hits {
		out = append(out, h.ID)
	}
	return out
}

func TestKeywordIndexRanksRareTermsAndIdentifiers(t *testing.T) {
	x := NewKeywordIndex()
	x.Add("a", "The date the order was placed.")
	x.Add("b", "Total amount of the order in dollars.")
	x.Add("c", "Identifier of the customer who placed the order; joins to dim_customers.customer_id.")
	x.Add("d", "The order's status: placed, shipped, returned.")
	got := ids(x.Search("customer_id", nil, 10))
	if len(got) == 0 || got[0] != "c" {
		t.Fatalf("customer_id: got %v, want c first", got)
	}
	// "amt" is expanded to "amount" on both sides.
	if got := ids(x.Search("order_amt", nil, 1)); len(got) != 1 || got[0] != "b" {
		t.Fatalf("order_amt: got %v, want [b]", got)
	}
	if got := x.Search("nothing matches this", nil, 10); len(got) != 0 {
		t.Fatalf("unrelated query: got %v", got)
	}
}

func TestKeywordIndexReplaceRemoveAndFilter(t *testing.T) {
	x := NewKeywordIndex()
	x.Add("a", "revenue by month")
	x.Add("b", "revenue by day")
	x.Add("a", "customers by region") // replaces
	if got := ids(x.Search("revenue", nil, 10)); fmt.Sprint(got) != "[b]" {
		t.Fatalf("after replace: %v", got)
	}
	if got := ids(x.Search("region", nil, 10)); fmt.Sprint(got) != "[a]" {
		t.Fatalf("replacement text not indexed: %v", got)
	}
	if got := ids(x.Search("by", func(id string) bool { return id != "a" }, 10)); fmt.Sprint(got) != "[b]" {
		t.Fatalf("filter: %v", got)
	}
	x.Remove("b")
	x.Remove("missing")
	if got := x.Search("revenue", nil, 10); len(got) != 0 || x.Len() != 1 {
		t.Fatalf("after remove: %v, len %d", got, x.Len())
	}
}

// Removing most documents compacts the postings; ranks must not change by it.
func TestKeywordIndexCompaction(t *testing.T) {
	x := NewKeywordIndex()
	for i := range 5000 {
		x.Add(fmt.Sprint("d", i), fmt.Sprintf("column number %d of model m%d", i, i%10))
	}
	for i := range 4900 {
		x.Remove(fmt.Sprint("d", i))
	}
	if x.all > 2*(x.all-x.stale)+1024 {
		t.Fatalf("no compaction: %d stale postings of %d", x.stale, x.all)
	}
	got := x.Search("m3", nil, 100)
	if len(got) != 10 {
		t.Fatalf("got %d hits for m3, want 10", len(got))
	}
	for _, h := range got {
		var n int
		fmt.Sscanf(h.ID, "d%d", &n)
		if n < 4900 || n%10 != 3 {
			t.Fatalf("wrong hit %s", h.ID)
		}
	}
	// Equal scores are ordered by id.
	for i := 1; i < len(got); i++ {
		if got[i-1].ID > got[i].ID {
			t.Fatalf("ties not ordered by id: %v", ids(got))
		}
	}
}

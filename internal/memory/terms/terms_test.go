package terms

import (
	"math"
	"slices"
	"testing"
)

func TestSplit(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"customer_lifetime_value", []string{"customer", "lifetime", "value"}},
		{"customerLifetimeValue", []string{"customer", "lifetime", "value"}},
		{"HTTPServer parsed", []string{"http", "server", "parsed"}},
		{"utm2_source", []string{"utm", "2", "source"}},
		{"order-id, amt.", []string{"order", "id", "amt"}},
		{"Größe über", []string{"größe", "über"}},
		{"  ", nil},
	}
	for _, c := range cases {
		if got := Split(c.in); !slices.Equal(got, c.want) {
			t.Errorf("Split(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestKeywords(t *testing.T) {
	got := Keywords("The order's total_amt", "", "orderTotal")
	if want := "the order s total amt order total"; got != want {
		t.Fatalf("Keywords = %q, want %q", got, want)
	}
}

func TestRank(t *testing.T) {
	docs := []string{
		"customer email address",
		"order total amount in cents",
		"the customer_id of the order",
		"shipping country",
	}
	got := Rank("customerId order", docs)
	// doc 2 holds both terms; 0 and 1 one each, 0 being shorter; doc 3 none.
	if want := []int{2, 0, 1}; !slices.Equal(got, want) {
		t.Fatalf("Rank = %v, want %v", got, want)
	}
	if got := Rank("", docs); got != nil {
		t.Fatalf("Rank of an empty query = %v", got)
	}
}

func TestSparseDotIsBM25WithoutIDF(t *testing.T) {
	doc := DocumentSparse("order order total")
	q := QuerySparse("order shipping")
	if !slices.IsSorted(doc.Indices) || len(doc.Indices) != 2 || len(q.Indices) != 2 {
		t.Fatalf("doc %+v query %+v", doc, q)
	}
	dot := 0.0
	for i, id := range doc.Indices {
		if j := slices.Index(q.Indices, id); j >= 0 {
			dot += float64(doc.Values[i] * q.Values[j])
		}
	}
	want := 2 * (K1 + 1) / (2 + K1*(1-B+B*3.0/AverageTerms))
	if math.Abs(dot-want) > 1e-5 {
		t.Fatalf("dot = %v, want %v", dot, want)
	}
}

func TestTruncate(t *testing.T) {
	if got := Truncate("héllo", 2); got != "h" {
		t.Fatalf("Truncate = %q", got)
	}
	if got := Truncate("abc", 5); got != "abc" {
		t.Fatalf("Truncate = %q", got)
	}
}

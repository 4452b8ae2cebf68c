package memory

import (
	"slices"
	"testing"
)

func TestTerms(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"order_date", []string{"order", "date", "order_date"}},
		{"orderDate", []string{"order", "date", "orderdate"}},
		{"HTTPServerError", []string{"http", "server", "error", "httpservererror"}},
		{"cust_amt", []string{"cust", "customer", "amt", "amount", "cust_amt"}},
		{"The orders of customers.", []string{"the", "order", "of", "customer"}},
		{"_loaded_at_", []string{"loaded", "at", "loaded_at"}},
		{"status address analysis", []string{"status", "address", "analysis"}},
		{"categories boxes", []string{"category", "box"}},
		{"dim_customers.customer_id", []string{"dim", "dimension", "customer", "dim_customers", "customer", "id", "identifier", "customer_id"}},
		{"address_line2", []string{"address", "line2", "address_line2"}},
		{"", nil},
		{"--- !!", nil},
	}
	for _, c := range cases {
		if got := Terms(c.in); !slices.Equal(got, c.want) {
			t.Errorf("Terms(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestAbbreviationsAreLowerCaseAndExpand(t *testing.T) {
	for k, v := range abbreviations {
		if len(v) == 0 {
			t.Errorf("%s: no expansion", k)
		}
		if got := splitIdentifier(nil, k); len(got) != 1 || got[0] != k {
			t.Errorf("%s: key is not one lower-case identifier part", k)
		}
	}
}

// The ASCII fast path and the general path split alike.
func TestSplitIdentifierPathsAgree(t *testing.T) {
	for _, s := range []string{"order_date", "orderDate", "HTTPServerError", "address_line2", "sha256Sum", "ABC", "a_B_c", "X2Y"} {
		fast := splitIdentifier(nil, s)
		slow := splitIdentifierUnicode(nil, s)
		if !slices.Equal(fast, slow) {
			t.Errorf("%s: ascii %q, unicode %q", s, fast, slow)
		}
	}
	if got := splitIdentifier(nil, "straßeName"); !slices.Equal(got, []string{"straße", "name"}) {
		t.Errorf("non-ASCII: %q", got)
	}
}

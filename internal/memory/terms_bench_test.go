package memory

import (
	"testing"
)

var benchTexts = []string{
	"customer_id: The customer who placed the order, as reported by the source system.",
	"Each order_item is joined with its amount in US dollars. Use orderItemId to join orders to payments.",
	"not_null on fct_orders_123.customer_lifetime_value",
}

func BenchmarkTerms(b *testing.B) {
	for b.Loop() {
		for _, t := range benchTexts {
			Terms(t)
		}
	}
}

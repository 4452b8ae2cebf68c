package testgen

import "testing"

func TestLendable(t *testing.T) {
	for _, tc := range []struct {
		values any
		want   bool
	}{
		{[]any{0}, false},
		{[]any{true}, false},
		{[]any{"outbound", nil}, false},
		{[]any{"a", "b"}, true},
		{[]any{true, false}, true},
		// The team's shared set, filled by the template: lent as written.
		{`{{ var("gender_values") }}`, true},
	} {
		if got := lendable(map[string]any{"values": tc.values}); got != tc.want {
			t.Errorf("lendable(%v) = %v, want %v", tc.values, got, tc.want)
		}
	}
}

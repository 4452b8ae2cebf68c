package dbt

import (
	"fmt"
	"slices"
	"testing"
)

// Components come out whole, each before the components that lead to it, and a chain far
// deeper than a recursive walk could take does not overflow the stack.
func TestStronglyConnected(t *testing.T) {
	edges := map[string][]string{"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": nil, "e": {"e", "d"}}
	comps := StronglyConnected([]string{"a", "b", "c", "d", "e"}, func(id string) []string { return edges[id] })
	got := fmt.Sprint(comps)
	for i := range comps {
		slices.Sort(comps[i])
	}
	if want := "[[d] [a b c] [e]]"; fmt.Sprint(comps) != want {
		t.Errorf("components %s, want %s", got, want)
	}
	const n = 200000
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprint(i)
	}
	chain := StronglyConnected(ids, func(id string) []string {
		var i int
		fmt.Sscan(id, &i)
		if i+1 < n {
			return []string{ids[i+1]}
		}
		return nil
	})
	if len(chain) != n || chain[0][0] != ids[n-1] {
		t.Errorf("a chain of %d gives %d components, the first %v", n, len(chain), chain[0])
	}
}

package testgen

import "fmt"

// A list the team wrote on the column a model copies (or on a column of the same name) holds
// every value of that column; a filter on the way (`where direction = 'outbound'`) keeps some
// of them, and the copy holds only those. Its test is the kept values, as the team writes it
// ("only outbound communications are processed"): the whole upstream list would pass, but
// would say the model holds what it drops.

// narrowed keeps the values of list that the filter keeps (kept, from the trace of the
// column), in the list's order and types; the kept values themselves when the list spells
// none of them. It reports whether anything was dropped.
func narrowed(list any, kept []string) (any, bool) {
	vals, ok := list.([]any)
	if !ok || len(kept) == 0 {
		return list, false
	}
	keep := make(map[string]bool, len(kept))
	for _, k := range kept {
		keep[k] = true
	}
	var out []any
	for _, v := range vals {
		if v != nil && keep[fmt.Sprint(v)] {
			out = append(out, v)
		}
	}
	if len(out) == 0 {
		out = make([]any, len(kept))
		for i, k := range kept {
			out[i] = k
		}
	}
	if len(out) == len(vals) {
		return list, false
	}
	return out, true
}

// keptWhy is the reason given when a filter narrowed a borrowed list.
func keptWhy(c *column) string {
	return c.name + ": a filter on the way keeps only " + quoteList(c.ev.kept)
}

// narrow applies the filter the column passes through to the values a suggestion borrowed.
func (s *Suggestion) narrow(c *column) {
	if c.ev == nil {
		return
	}
	if v, ok := narrowed(s.Arguments["values"], c.ev.kept); ok {
		s.Arguments["values"] = v
		s.Reasons = append(s.Reasons, keptWhy(c))
	}
}

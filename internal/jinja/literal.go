package jinja

import (
	"fmt"
	"maps"
	"slices"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// Literal turns a Go value into what the template would hold had the value been written in it
// as a literal: a map becomes a dict with its keys in sorted order, a slice a list, and
// anything else that is not a string, bool, number or nil its printed form. Values handed to a
// render through Input.Globals then behave as the same value written in the source would, for
// methods (`.get`, `.items`), iteration order and comparison.
func Literal(v any) any {
	switch x := v.(type) {
	case nil, string, bool, int, int64, float64:
		return x
	case []string:
		out := make(exec.ValuesList, len(x))
		for i, e := range x {
			out[i] = exec.AsValue(e)
		}
		return out
	case []any:
		out := make(exec.ValuesList, len(x))
		for i, e := range x {
			out[i] = exec.AsValue(Literal(e))
		}
		return out
	case map[string]any:
		d := exec.NewDict()
		for _, k := range slices.Sorted(maps.Keys(x)) {
			d.Pairs = append(d.Pairs, &exec.Pair{Key: exec.AsValue(k), Value: exec.AsValue(Literal(x[k]))})
		}
		return d
	}
	return fmt.Sprint(v)
}

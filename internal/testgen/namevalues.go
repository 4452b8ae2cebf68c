package testgen

import (
	"encoding/json"
	"maps"
	"sort"
	"strings"

	"github.com/dataops-dev/dataops/internal/columns"
)

// Values borrowed by name: the accepted_values arguments the team gives other columns of the
// same name. A column whose values a filter bounds (a deduplicated copy that keeps only some
// operations, or a column downstream of one) speaks for those values only; lending them to a
// column that does not pass through the same filter would write a test that fails on the
// values the filter drops.

// nameValues computes the borrowed arguments for c (nil when no column of that name lends
// any): the team's counts of each argument set on that name (argIndex), less the column's own
// test and the lenders a filter bounds, plus those of them whose filter c passes through; a
// one-value list is never lent (constlists.go).
func (x *extra) nameValues(c *column) map[string]any {
	k := c.lower + "\x00" + AcceptedValues
	if len(x.args.nodes[k]) == 0 {
		return nil
	}
	self := c.model.UniqueID
	counts := maps.Clone(x.args.count[k])
	ownBounded := false
	for _, b := range x.boundedLenders(c.lower) {
		counts[b.js]--
		if b.id == self {
			ownBounded = true
		} else if b.filter == self || x.upstream(self)[b.filter] {
			counts[b.js]++
		}
	}
	if a := x.args.byNode[self+"\x00"+k]; a != nil && !ownBounded {
		js, _ := json.Marshal(a)
		counts[string(js)]-- // a column lends nothing to itself
	}
	var best string
	n := 0
	for js, c := range counts {
		if !lendable(x.args.byName[k][js]) {
			continue
		}
		if c > n || c == n && js < best {
			best, n = js, c
		}
	}
	if n <= 0 {
		return nil
	}
	return x.args.byName[k][best]
}

// boundedLender is a column lending accepted_values arguments (as JSON) whose values the
// filter of model filter bounds.
type boundedLender struct{ id, filter, js string }

// boundedLenders lists, once per name, the lenders a filter bounds: a large project has
// thousands of columns of a common name, and reading every lender's filter chain for each of
// them would cost their product.
func (x *extra) boundedLenders(name string) []boundedLender {
	if l, ok := x.bounded[name]; ok {
		return l
	}
	k := name + "\x00" + AcceptedValues
	var l []boundedLender
	for _, id := range x.args.nodes[k] {
		if w := x.chainFilter(colRef{id, name}); w != "" {
			b, _ := json.Marshal(x.args.byNode[id+"\x00"+k])
			l = append(l, boundedLender{id, w, string(b)})
		}
	}
	x.bounded[name] = l
	return l
}

// nameValues is what fillArguments borrows by name: computed with the graph when the column
// was annotated, else the most common arguments of that name.
func (c *column) nameValues(args *argIndex) map[string]any {
	if c.ev != nil && c.ev.named {
		return c.ev.nameArgs
	}
	if a := args.common(c.lower, AcceptedValues); a != nil && lendable(a) {
		return a
	}
	return nil
}

// sortNodes orders each list of nodes with a test, for a stable choice among equals.
func (ix *argIndex) sortNodes() {
	for _, ids := range ix.nodes {
		sort.Strings(ids)
	}
}

// chainFilter finds the model that bounds a column's values by a filter, on the column itself
// or up the chain of plain copies it comes from (by the SQL graph, then by column lineage);
// "" when none does.
func (x *extra) chainFilter(r colRef) string {
	for i := 0; i <= maxTrace && r.node != ""; i++ {
		if x.graph != nil {
			if t := x.graph.traceOutput(r.node, r.col); t != nil && t.filter {
				return t.where
			}
		}
		in := x.inf.Node(r.node)
		if in == nil {
			return ""
		}
		ic := in.Column(r.col)
		if ic == nil || ic.Kind != columns.KindDirect || len(ic.Lineage) != 1 {
			return ""
		}
		r = colRef{ic.Lineage[0].Node, strings.ToLower(ic.Lineage[0].Column)}
	}
	return ""
}

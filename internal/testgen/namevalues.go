package testgen

import (
	"encoding/json"
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
// any).
func (x *extra) nameValues(c *column) map[string]any {
	l := x.lenders(c.lower)
	if l == nil {
		return nil
	}
	counts := make(map[string]int, len(l.plain))
	for js, n := range l.plain {
		counts[js] = n
	}
	if js, ok := l.plainOf[c.model.UniqueID]; ok {
		counts[js]-- // a column lends nothing to itself
	}
	for _, e := range l.bounded {
		if e.id != c.model.UniqueID && (e.filter == c.model.UniqueID || x.upstream(c.model.UniqueID)[e.filter]) {
			counts[e.js]++
		}
	}
	var best string
	n := 0
	for js, c := range counts {
		if c > n || c == n && js < best {
			best, n = js, c
		}
	}
	if n == 0 {
		return nil
	}
	return l.args[best]
}

// lenders are the columns of one name with accepted_values arguments, read once per name: a
// large project has thousands of columns of a common name, and reading every lender's filter
// chain for each of them would cost their product.
type lenders struct {
	plain   map[string]int    // arguments (as JSON) -> lenders no filter bounds
	plainOf map[string]string // such a lender's model -> its arguments
	bounded []boundedLender   // lenders a filter bounds
	args    map[string]map[string]any
}

type boundedLender struct{ id, filter, js string }

func (x *extra) lenders(name string) *lenders {
	if l, ok := x.lent[name]; ok {
		return l
	}
	k := name + "\x00" + AcceptedValues
	var l *lenders
	if ids := x.args.nodes[k]; len(ids) > 0 {
		l = &lenders{plain: map[string]int{}, plainOf: map[string]string{}, args: map[string]map[string]any{}}
		for _, id := range ids {
			a := x.args.byNode[id+"\x00"+k]
			b, _ := json.Marshal(a)
			js := string(b)
			l.args[js] = a
			if w := x.chainFilter(colRef{id, name}); w != "" {
				l.bounded = append(l.bounded, boundedLender{id, w, js})
				continue
			}
			l.plain[js]++
			l.plainOf[id] = js
		}
	}
	x.lent[name] = l
	return l
}

// nameValues is what fillArguments borrows by name: computed with the graph when the column
// was annotated, else the most common arguments of that name.
func (c *column) nameValues(args *argIndex) map[string]any {
	if c.ev != nil && c.ev.named {
		return c.ev.nameArgs
	}
	return args.common(c.lower, AcceptedValues)
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

package columns

import (
	"slices"

	"github.com/dataops-dev/dataops/internal/dbt"
)

// A ref() that names no model renders as its bare name, and that name may be another model's
// alias (`ref('orders')` with no model named orders, beside `core_orders` aliased `orders`).
// dbt resolves a ref by name only: the relation is unknown, not the aliased model, whose
// columns and lineage would otherwise pass for this model's upstream.

// lookupFrom finds the node or source a table name in n's SQL denotes, leaving unknown a bare
// name that is one of n's unresolved refs and a node n does not depend on.
func (inf *inferrer) lookupFrom(n *dbt.Node, parts []string) (string, bool) {
	prefer := n.Reads()
	id, ok := inf.lookupRelation(parts, prefer, n.Disabled)
	if !ok || len(parts) != 1 || slices.Contains(prefer, id) || !inf.unresolvedRef(n, parts[0]) {
		return id, ok
	}
	return "", false
}

// unresolvedRef reports whether n calls ref() with this name and none of the nodes it depends
// on has that name.
func (inf *inferrer) unresolvedRef(n *dbt.Node, name string) bool {
	k := foldName(name)
	for _, r := range n.Refs {
		if foldName(r.Name) != k {
			continue
		}
		for _, id := range n.Reads() {
			if d := inf.node(id); d != nil && foldName(d.Name) == k {
				return false
			}
		}
		return true
	}
	return false
}

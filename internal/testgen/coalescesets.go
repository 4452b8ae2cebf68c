package testgen

// unionTraced is the closed set two arguments of one coalesce give together: both must be
// closed sets of literals, wherever each was found, for the column to hold only their union
// (`coalesce(bc.aging_bucket, case when ... then '0-30' ... end)`, the first traced to a CASE
// upstream). The set is the model's own, produced where the coalesce is, when the two come
// from different models. Nil when either is open (a column whose values are not known).
func unionTraced(a, b *traced) *traced {
	if a == nil || b == nil || len(a.lits) == 0 || len(b.lits) == 0 || a.filter || b.filter {
		return nil
	}
	out := &traced{lits: union(a.lits, b.lits), extra: union(a.extra, b.extra)}
	if a.where == b.where {
		out.where = a.where
	}
	return out
}

// closedSet follows a traced column of another model to the closed set it holds, when it
// holds one; nil otherwise.
func (g *sqlGraph) closedSet(t *traced, depth int) *traced {
	if t == nil || len(t.lits) > 0 || t.from.node == "" {
		return t
	}
	up := g.traceNode(t.from, depth+1)
	if up == nil || len(up.lits) == 0 {
		return nil
	}
	out := *up
	out.extra = union(up.extra, t.extra)
	return &out
}

package review

import (
	"slices"
	"strings"

	"github.com/dataops-dev/dataops/internal/sql/ast"
)

// branch is one branch of the union that the final query or a CTE is (a query that is no
// union is one branch). A branch the change adds beside the base's adds rows: its own clauses
// decide which of those rows come, not which of the existing rows stay.
type branch struct {
	// scope is the CTE the branch belongs to (lower case), "" for the final query.
	scope      string
	start, end int
	// text is the branch printed and normalized; rels the relations it reads, sorted: what
	// pairs it with the other side's branch (same text, else same relations, else in order).
	text string
	rels []string
	// distinct: a plain SELECT DISTINCT, whose rows are already without duplicates.
	distinct bool
}

// unionBranches lists the branches of each scope of f (the final query, each CTE) in order,
// and a clause for each set operation that is not UNION ALL (UNION dedupes, INTERSECT and
// EXCEPT filter), carrying the branches it covers. It also maps each CTE to the branches
// that read it (-1 for a read outside every branch).
func unionBranches(f *ast.File) (branches []branch, setops []Clause, users map[string][]int) {
	ctes := map[string]bool{}
	var scopes []*ast.Query
	var names []string
	for _, s := range f.Stmts {
		if q, ok := s.(*ast.Query); ok {
			scopes, names = append(scopes, q), append(names, "")
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		if c, ok := n.(*ast.CTE); ok && c.Name != nil && c.Query != nil {
			name := strings.ToLower(c.Name.Name)
			ctes[name] = true
			scopes, names = append(scopes, c.Query), append(names, name)
		}
		return true
	})
	for i, q := range scopes {
		var flatten func(e ast.QueryExpr)
		flatten = func(e ast.QueryExpr) {
			if e == nil {
				return
			}
			switch x := e.(type) {
			case *ast.SetOp:
				if x.Left == nil || x.Right == nil {
					break
				}
				first := len(branches)
				flatten(x.Left)
				flatten(x.Right)
				text := x.Op
				if x.All {
					if text == "UNION" {
						return
					}
					text += " ALL"
				}
				covers := make([]int, 0, len(branches)-first)
				for b := first; b < len(branches); b++ {
					covers = append(covers, b)
				}
				setops = append(setops, Clause{Text: text, Offset: int(x.Right.Pos()), relaxed: text, branch: -1, covers: covers})
				return
			case *ast.ParenQuery:
				// A parenthesized union without its own WITH, ORDER BY or LIMIT is the same
				// branches; with them, it is one branch.
				if p := x.Query; p != nil && p.With == nil && p.OrderBy == nil && p.Limit == nil {
					flatten(p.Body)
					return
				}
			}
			b := branch{scope: names[i], start: int(e.Pos()), end: int(e.End()), text: normalize(ast.String(e))}
			if s, ok := e.(*ast.Select); ok {
				b.distinct = s.Distinct && len(s.DistinctOn) == 0
			}
			ast.Inspect(e, func(n ast.Node) bool {
				if t, ok := n.(*ast.TableName); ok && t.Name != nil && len(t.Name.Parts) > 0 {
					b.rels = append(b.rels, strings.ToLower(t.Name.Parts[len(t.Name.Parts)-1].Name))
				}
				return true
			})
			slices.Sort(b.rels)
			b.rels = slices.Compact(b.rels)
			branches = append(branches, b)
		}
		flatten(q.Body)
	}
	users = map[string][]int{}
	ast.Inspect(f, func(n ast.Node) bool {
		if t, ok := n.(*ast.TableName); ok && t.Name != nil && len(t.Name.Parts) == 1 {
			if name := strings.ToLower(t.Name.Parts[0].Name); ctes[name] {
				users[name] = append(users[name], branchAt(branches, int(t.Pos())))
			}
		}
		return true
	})
	return branches, setops, users
}

// branchAt is the innermost branch holding offset off (a CTE nested in a subquery has its
// branches inside its reader's), or -1.
func branchAt(branches []branch, off int) int {
	at := -1
	for i, b := range branches {
		if b.start <= off && off < b.end && (at < 0 || b.end-b.start < branches[at].end-branches[at].start) {
			at = i
		}
	}
	return at
}

// newRows marks the head's clauses that only decide which of the rows a change adds come:
// those of a union branch the base's scope did not have, of a CTE that only such branches
// read (through other such CTEs, too), and a UNION that brings a new branch over existing
// ones whose rows the base already deduplicated. It gives, for each such clause, the CTE it
// sits in ("" for the final query); others are absent.
//
// Head branches pair with the base's of the same scope: same text first, then same relations
// read, then in order. Only a scope with more branches than the base's has new ones, and a
// scope the base lacks has none: a new CTE read by an existing branch can filter its rows.
// It also gives which of the head's branches are new (fresh) and, for the others, the base's
// branch each pairs with (pair, -1 for none).
//
// With base and head swapped it says the same of the rows a change takes away: the base's
// branches the head no longer has, and the base's clauses that only decided which of those
// rows came.
func newRows(base, head Grain) (out map[int]string, fresh []bool, pair []int) {
	pair = make([]int, len(head.branches))
	fresh = make([]bool, len(head.branches))
	for i := range pair {
		pair[i] = -1
	}
	byScope := func(bs []branch) map[string][]int {
		out := map[string][]int{}
		for i, b := range bs {
			out[b.scope] = append(out[b.scope], i)
		}
		return out
	}
	baseScopes := byScope(base.branches)
	for scope, hs := range byScope(head.branches) {
		bs, ok := baseScopes[scope]
		if !ok {
			continue
		}
		used := map[int]bool{}
		for _, same := range []func(b, h branch) bool{
			func(b, h branch) bool { return b.text == h.text },
			func(b, h branch) bool { return slices.Equal(b.rels, h.rels) },
			func(b, h branch) bool { return true },
		} {
			for _, h := range hs {
				if pair[h] >= 0 {
					continue
				}
				for _, b := range bs {
					if !used[b] && same(base.branches[b], head.branches[h]) {
						pair[h], used[b] = b, true
						break
					}
				}
			}
		}
		if len(hs) > len(bs) {
			for _, h := range hs {
				fresh[h] = pair[h] < 0
			}
		}
	}
	// CTEs read only by new branches, or by CTEs read only by new branches.
	only := map[string]bool{}
	for changed := true; changed; {
		changed = false
		for name, us := range head.users {
			if only[name] || len(us) == 0 {
				continue
			}
			all := true
			for _, u := range us {
				all = all && u >= 0 && (fresh[u] || only[head.branches[u].scope])
			}
			if all {
				only[name], changed = true, true
			}
		}
	}
	out = map[int]string{}
	for i, c := range head.Clauses {
		if len(c.covers) > 0 {
			if scope := head.branches[c.covers[0]].scope; only[scope] || dedupedBefore(c, base, head, pair, fresh) {
				out[i] = scope
			}
			continue
		}
		if c.branch < 0 {
			continue
		}
		if b := head.branches[c.branch]; fresh[c.branch] || only[b.scope] {
			out[i] = b.scope
		}
	}
	return out, fresh, pair
}

// reads describes what a branch reads, for a reason: "reading a, b", or its text when it
// reads no relation (`select 1 as a`).
func (b branch) reads() string {
	if len(b.rels) == 0 {
		return clip(b.text, 80)
	}
	return "reading " + strings.Join(b.rels, ", ")
}

// headAt is where, in the head's SQL, a base branch b that the head no longer has was: the
// end of the head's branch paired with the nearest base branch before it in its scope, else
// the start of the one paired with the nearest after it; -1 when the head has none of its
// scope. back maps base branches to the head's (-1 for none).
func headAt(base, head Grain, b int, back []int) int {
	scope := base.branches[b].scope
	for i := b - 1; i >= 0; i-- {
		if base.branches[i].scope == scope && back[i] >= 0 {
			h := head.branches[back[i]]
			return max(h.start, h.end-1)
		}
	}
	for i := b + 1; i < len(base.branches); i++ {
		if base.branches[i].scope == scope && back[i] >= 0 {
			return head.branches[back[i]].start
		}
	}
	return -1
}

// dedupedBefore says the set operation c of the head, which brings a new branch, changes none
// of the rows its existing (paired) branches return: it covers none, or it is a UNION over rows the base already
// returned without duplicates (one SELECT DISTINCT, or all under one UNION, INTERSECT or
// EXCEPT of the base). A UNION over branches the base combined with UNION ALL dedupes their
// rows: a grain change.
func dedupedBefore(c Clause, base, head Grain, pair []int, fresh []bool) bool {
	var was []int
	added := false
	for _, b := range c.covers {
		if fresh[b] {
			added = true
			continue
		}
		if pair[b] < 0 {
			return false
		}
		was = append(was, pair[b])
	}
	switch {
	case !added:
		// It combines what the base's did: the base's own operation, or a change of it.
		return false
	case len(was) == 0:
		return true
	case c.Text != "UNION":
		return false
	case len(was) == 1 && base.branches[was[0]].distinct:
		return true
	}
	for _, bc := range base.Clauses {
		if bc.covers != nil && !strings.HasSuffix(bc.Text, " ALL") && containsAll(bc.covers, was) {
			return true
		}
	}
	return false
}

func containsAll(set, of []int) bool {
	for _, x := range of {
		if !slices.Contains(set, x) {
			return false
		}
	}
	return true
}

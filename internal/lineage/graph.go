// Package lineage answers questions about the dbt graph: which nodes are upstream or downstream
// of a node (to a depth), and, over the column-level lineage internal/columns infers, which
// columns a column comes from and which columns depend on it. Change detection and the PR
// reviewer ask it for the downstream impact of a changed column.
//
// It only reads a loaded project and an inference result; it never parses SQL, never renders
// Jinja and never talks to a warehouse.
package lineage

import (
	"sort"

	"github.com/dataops-dev/dataops/internal/dbt"
)

// Direction selects which way a walk goes.
type Direction int

const (
	Upstream Direction = iota
	Downstream
)

// Step is one node reached by a walk, at its shortest distance from the start (1 for a direct
// parent or child).
type Step struct {
	ID    string `json:"unique_id"`
	Depth int    `json:"depth"`
}

// Edge is one edge of the graph: From is a parent of To.
type Edge struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// Nodes walks the graph from start breadth-first and returns every node reached within depth
// edges (depth <= 0: no limit), sorted by depth then id. Tests are left out: they hang off
// their models and carry no data further.
func Nodes(p *dbt.Project, start string, dir Direction, depth int) []Step {
	steps, _ := walk(p, start, dir, depth)
	return steps
}

// Subgraph returns the nodes reached from start (as Nodes does) and the edges between the
// start and them that the walk followed, sorted.
func Subgraph(p *dbt.Project, start string, dir Direction, depth int) ([]Step, []Edge) {
	return walk(p, start, dir, depth)
}

func walk(p *dbt.Project, start string, dir Direction, depth int) ([]Step, []Edge) {
	next := p.ParentMap
	if dir == Downstream {
		next = p.ChildMap
	}
	seen := map[string]int{start: 0}
	var steps []Step
	var edges []Edge
	frontier := []string{start}
	for d := 1; len(frontier) > 0 && (depth <= 0 || d <= depth); d++ {
		var nextFrontier []string
		for _, id := range frontier {
			for _, m := range next[id] {
				if isTest(m) {
					continue
				}
				if dir == Upstream {
					edges = append(edges, Edge{From: m, To: id})
				} else {
					edges = append(edges, Edge{From: id, To: m})
				}
				if _, ok := seen[m]; ok {
					continue
				}
				seen[m] = d
				steps = append(steps, Step{ID: m, Depth: d})
				nextFrontier = append(nextFrontier, m)
			}
		}
		frontier = nextFrontier
	}
	sort.Slice(steps, func(i, j int) bool {
		if steps[i].Depth != steps[j].Depth {
			return steps[i].Depth < steps[j].Depth
		}
		return steps[i].ID < steps[j].ID
	})
	sort.Slice(edges, func(i, j int) bool {
		if edges[i].From != edges[j].From {
			return edges[i].From < edges[j].From
		}
		return edges[i].To < edges[j].To
	})
	edges = dedupEdges(edges)
	return steps, edges
}

func dedupEdges(e []Edge) []Edge {
	out := e[:0]
	for i, x := range e {
		if i > 0 && x == e[i-1] {
			continue
		}
		out = append(out, x)
	}
	return out
}

func isTest(id string) bool { return len(id) > 5 && id[:5] == "test." }

// Resolve finds the unique id a user means by name: a unique id as is, a model, seed or
// snapshot name (the root package's first when names repeat across packages), or
// `source_name.table_name`. ok is false when nothing matches.
func Resolve(p *dbt.Project, name string) (string, bool) {
	if _, ok := p.Nodes[name]; ok {
		return name, true
	}
	if _, ok := p.Sources[name]; ok {
		return name, true
	}
	root := ""
	if len(p.Packages) > 0 {
		root = p.Packages[0].Name
	}
	var found []string
	for id, n := range p.Nodes {
		if n.Disabled || n.ResourceType == dbt.Test {
			continue
		}
		if n.Name == name || (n.Version != "" && n.Name+"_v"+n.Version == name) {
			found = append(found, id)
		}
	}
	if len(found) == 0 {
		for id, s := range p.Sources {
			if s.SourceName+"."+s.Name == name {
				found = append(found, id)
			}
		}
	}
	if len(found) == 0 {
		return "", false
	}
	sort.Slice(found, func(i, j int) bool {
		pi, pj := p.Nodes[found[i]], p.Nodes[found[j]]
		ri := pi != nil && pi.Package == root
		rj := pj != nil && pj.Package == root
		if ri != rj {
			return ri
		}
		// a model before a seed or snapshot of the same name, then the latest version
		if pi != nil && pj != nil && pi.ResourceType != pj.ResourceType {
			return pi.ResourceType == dbt.Model
		}
		if pi != nil && pj != nil && pi.Version != pj.Version && pi.LatestVersion != "" {
			return pi.Version == pi.LatestVersion
		}
		return found[i] < found[j]
	})
	return found[0], true
}

package lineage

import (
	"sort"
	"strings"

	"github.com/dataops-dev/dataops/internal/columns"
)

// ColumnStep is one column reached by a column-level walk. Kind is how the column reached
// derives from the one before it on the path (for a downstream walk) or how the one before it
// derives from it (for an upstream walk).
type ColumnStep struct {
	columns.ColumnRef
	Depth int          `json:"depth"`
	Kind  columns.Kind `json:"kind,omitempty"`
	// From is the column the walk came from (the start column for depth 1).
	From columns.ColumnRef `json:"from"`
}

// Index is column lineage in both directions over one inference result. Build it once and ask
// it many questions; it is safe for concurrent reads.
type Index struct {
	res  *columns.Result
	down map[key][]edge // upstream column -> columns computed from it
}

type key struct{ node, col string }

type edge struct {
	to   columns.ColumnRef
	kind columns.Kind
}

// NewIndex indexes the lineage of every column in the result.
func NewIndex(res *columns.Result) *Index {
	ix := &Index{res: res, down: map[key][]edge{}}
	for _, id := range res.IDs() {
		n := res.Nodes[id]
		for _, c := range n.Columns {
			for _, l := range c.Lineage {
				k := key{l.Node, fold(l.Column)}
				ix.down[k] = append(ix.down[k], edge{to: columns.ColumnRef{Node: id, Column: c.Name}, kind: c.Kind})
			}
		}
	}
	return ix
}

// Downstream returns every column computed, directly or through other models, from the given
// column, within depth models (depth <= 0: no limit), sorted by depth, node and column.
func (ix *Index) Downstream(node, column string, depth int) []ColumnStep {
	steps, _ := ix.DownstreamGraph(node, column, depth)
	return steps
}

// ColumnEdge is one derivation: To is computed from From.
type ColumnEdge struct {
	From columns.ColumnRef `json:"from"`
	To   columns.ColumnRef `json:"to"`
	Kind columns.Kind      `json:"kind,omitempty"`
}

// DownstreamGraph is Downstream with every edge between the columns it reaches (a column fed
// by two reached columns has two edges).
func (ix *Index) DownstreamGraph(node, column string, depth int) ([]ColumnStep, []ColumnEdge) {
	start := columns.ColumnRef{Node: node, Column: column}
	seen := map[key]bool{{node, fold(column)}: true}
	var out []ColumnStep
	var edges []ColumnEdge
	frontier := []columns.ColumnRef{start}
	for d := 1; len(frontier) > 0 && (depth <= 0 || d <= depth); d++ {
		var next []columns.ColumnRef
		for _, r := range frontier {
			for _, e := range ix.down[key{r.Node, fold(r.Column)}] {
				edges = append(edges, ColumnEdge{From: r, To: e.to, Kind: e.kind})
				k := key{e.to.Node, fold(e.to.Column)}
				if seen[k] {
					continue
				}
				seen[k] = true
				out = append(out, ColumnStep{ColumnRef: e.to, Depth: d, Kind: e.kind, From: r})
				next = append(next, e.to)
			}
		}
		frontier = next
	}
	sortSteps(out)
	return out, edges
}

// Upstream returns every column the given column is computed from, directly or through other
// models, within depth models (depth <= 0: no limit), sorted by depth, node and column. A
// column of a source or seed, or of a model whose columns are unknown, ends a path.
func (ix *Index) Upstream(node, column string, depth int) []ColumnStep {
	steps, _ := ix.UpstreamGraph(node, column, depth)
	return steps
}

// UpstreamGraph is Upstream with every edge between the columns it reaches.
func (ix *Index) UpstreamGraph(node, column string, depth int) ([]ColumnStep, []ColumnEdge) {
	start := columns.ColumnRef{Node: node, Column: column}
	seen := map[key]bool{{node, fold(column)}: true}
	var out []ColumnStep
	var edges []ColumnEdge
	frontier := []columns.ColumnRef{start}
	for d := 1; len(frontier) > 0 && (depth <= 0 || d <= depth); d++ {
		var next []columns.ColumnRef
		for _, r := range frontier {
			c := ix.res.Column(r)
			if c == nil {
				continue
			}
			for _, l := range c.Lineage {
				ref := l
				if uc := ix.res.Column(l); uc != nil {
					ref.Column = uc.Name // the upstream's own spelling
				}
				edges = append(edges, ColumnEdge{From: ref, To: r, Kind: c.Kind})
				k := key{l.Node, fold(l.Column)}
				if seen[k] {
					continue
				}
				seen[k] = true
				out = append(out, ColumnStep{ColumnRef: ref, Depth: d, Kind: c.Kind, From: r})
				next = append(next, ref)
			}
		}
		frontier = next
	}
	sortSteps(out)
	return out, edges
}

// DownstreamColumns is the downstream impact of one column: every column of every node that is
// computed from it, transitively. Change detection and the PR reviewer use it to say what a
// renamed, removed or retyped column breaks.
func DownstreamColumns(res *columns.Result, nodeID, column string) []columns.ColumnRef {
	steps := NewIndex(res).Downstream(nodeID, column, 0)
	out := make([]columns.ColumnRef, len(steps))
	for i, s := range steps {
		out[i] = s.ColumnRef
	}
	return out
}

// UpstreamColumns is every column the given column is computed from, transitively.
func UpstreamColumns(res *columns.Result, nodeID, column string) []columns.ColumnRef {
	steps := NewIndex(res).Upstream(nodeID, column, 0)
	out := make([]columns.ColumnRef, len(steps))
	for i, s := range steps {
		out[i] = s.ColumnRef
	}
	return out
}

func sortSteps(s []ColumnStep) {
	sort.Slice(s, func(i, j int) bool {
		if s[i].Depth != s[j].Depth {
			return s[i].Depth < s[j].Depth
		}
		if s[i].Node != s[j].Node {
			return s[i].Node < s[j].Node
		}
		return s[i].Column < s[j].Column
	})
}

// fold is the key column names are compared by (case-insensitive, as every supported warehouse
// compares unquoted names).
func fold(s string) string { return strings.ToLower(s) }

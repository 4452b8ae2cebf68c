package mcp

import (
	"context"
	"fmt"
	"strings"

	"github.com/dataops-dev/dataops/internal/columns"
	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/lineage"
)

type lineageInput struct {
	Name      string `json:"name" jsonschema:"a model, seed or snapshot name, a unique id, or source_name.table_name"`
	Direction string `json:"direction,omitempty" jsonschema:"upstream, downstream or both (the default)"`
	Depth     int    `json:"depth,omitempty" jsonschema:"stop after this many levels (0: no limit)"`
}

// Lineage is what get_lineage answers: the nodes a node comes from and feeds, and the edges
// walked.
type Lineage struct {
	UniqueID   string         `json:"unique_id"`
	Upstream   []LineageNode  `json:"upstream,omitempty"`
	Downstream []LineageNode  `json:"downstream,omitempty"`
	Edges      []lineage.Edge `json:"edges" jsonschema:"from is a parent of to"`
	Note       string         `json:"note,omitempty"`
}

// LineageNode is one node reached, at its shortest distance.
type LineageNode struct {
	UniqueID     string `json:"unique_id"`
	ResourceType string `json:"resource_type"`
	Name         string `json:"name"`
	Depth        int    `json:"depth"`
	Path         string `json:"path,omitempty"`
}

type columnLineageInput struct {
	Model     string `json:"model" jsonschema:"a model, seed or snapshot name, a unique id, or source_name.table_name"`
	Column    string `json:"column"`
	Direction string `json:"direction,omitempty" jsonschema:"upstream, downstream or both (the default)"`
	Depth     int    `json:"depth,omitempty" jsonschema:"stop after this many models (0: no limit)"`
}

// ColumnLineage is what get_column_lineage answers.
type ColumnLineage struct {
	UniqueID   string               `json:"unique_id"`
	Column     string               `json:"column"`
	DataType   string               `json:"data_type,omitempty"`
	Upstream   []lineage.ColumnStep `json:"upstream,omitempty" jsonschema:"the columns it is computed from, with how (kind)"`
	Downstream []lineage.ColumnStep `json:"downstream,omitempty" jsonschema:"the columns computed from it"`
	Edges      []lineage.ColumnEdge `json:"edges" jsonschema:"to is computed from from"`
	Note       string               `json:"note,omitempty"`
}

func (s *Server) addLineageTools() {
	addTool(s, tool{name: "get_lineage", title: "Model lineage", readOnly: true,
		description: "The models, sources and exposures a model is built from (upstream) and that are built on it (downstream)."},
		s.lineage)
	addTool(s, tool{name: "get_column_lineage", title: "Column lineage", readOnly: true,
		description: "The upstream columns a column is computed from and the downstream columns computed from it, inferred from SQL."},
		s.columnLineage)
}

func directions(d string) (up, down bool, err error) {
	switch strings.ToLower(d) {
	case "", "both":
		return true, true, nil
	case "upstream", "up":
		return true, false, nil
	case "downstream", "down":
		return false, true, nil
	}
	return false, false, fmt.Errorf("direction %q: want upstream, downstream or both", d)
}

func (s *Server) lineage(ctx context.Context, in lineageInput) (*Lineage, error) {
	up, down, err := directions(in.Direction)
	if err != nil {
		return nil, err
	}
	snap, err := s.warm.get(ctx)
	if err != nil {
		return nil, err
	}
	p := snap.p
	id, err := resolve(p, in.Name)
	if err != nil {
		return nil, err
	}
	out := &Lineage{UniqueID: id, Edges: []lineage.Edge{}}
	var ns notes
	walk := func(d lineage.Direction, what string) []LineageNode {
		steps, edges := lineage.Subgraph(p, id, d, in.Depth)
		nodes := []LineageNode{}
		keep := map[string]bool{id: true}
		for i, st := range steps {
			if i == maxSteps {
				ns.add("%s: %d of %d nodes shown (the nearest); ask again with a depth.", what, maxSteps, len(steps))
				break
			}
			keep[st.ID] = true
			nodes = append(nodes, lineageNode(p, st))
		}
		for _, e := range edges {
			if keep[e.From] && keep[e.To] {
				out.Edges = append(out.Edges, e)
			}
		}
		return nodes
	}
	if up {
		out.Upstream = walk(lineage.Upstream, "upstream")
	}
	if down {
		out.Downstream = walk(lineage.Downstream, "downstream")
	}
	out.Note = ns.String()
	return out, nil
}

func lineageNode(p *dbt.Project, st lineage.Step) LineageNode {
	ln := LineageNode{UniqueID: st.ID, Depth: st.Depth}
	switch {
	case p.Nodes[st.ID] != nil:
		n := p.Nodes[st.ID]
		ln.ResourceType, ln.Name, ln.Path = n.ResourceType, n.Name, n.RelPath
	case p.Sources[st.ID] != nil:
		src := p.Sources[st.ID]
		ln.ResourceType, ln.Name, ln.Path = dbt.SourceRT, src.SourceName+"."+src.Name, src.Pos.Path
	case p.Exposures[st.ID] != nil:
		e := p.Exposures[st.ID]
		ln.ResourceType, ln.Name, ln.Path = dbt.Exposure, e.Name, e.Pos.Path
	default:
		ln.ResourceType, _, _ = strings.Cut(st.ID, ".")
		ln.Name = st.ID
	}
	return ln
}

func (s *Server) columnLineage(ctx context.Context, in columnLineageInput) (*ColumnLineage, error) {
	up, down, err := directions(in.Direction)
	if err != nil {
		return nil, err
	}
	if in.Column == "" {
		return nil, fmt.Errorf("name the column")
	}
	snap, err := s.warm.get(ctx)
	if err != nil {
		return nil, err
	}
	id, err := resolve(snap.p, in.Model)
	if err != nil {
		return nil, err
	}
	// Upstream needs the node and its ancestors only; downstream needs every node.
	var res *columns.Result
	var ix *lineage.Index
	if all, ok := snap.full.ready(); ok || down {
		if !ok {
			if all, err = snap.inferredAll(ctx); err != nil {
				return nil, err
			}
		}
		res, ix = all.res, all.ix
	} else {
		res = snap.columnsOf(ctx, s.eng, id)
	}
	n := res.Node(id)
	c := n.Column(in.Column)
	if c == nil {
		known := "none are known"
		if n != nil && len(n.Columns) > 0 {
			var names []string
			for _, c := range n.Columns {
				names = append(names, c.Name)
			}
			known = "known: " + firstChars(strings.Join(names, ", "), 500)
		}
		return nil, fmt.Errorf("%s has no column %q (%s)", id, in.Column, known)
	}
	if ix == nil {
		ix = lineage.NewIndex(res)
	}
	out := &ColumnLineage{UniqueID: id, Column: c.Name, DataType: c.DataType, Edges: []lineage.ColumnEdge{}}
	var ns notes
	cut := func(steps []lineage.ColumnStep, edges []lineage.ColumnEdge, what string) []lineage.ColumnStep {
		steps = nonNilSlice(steps)
		if len(steps) > maxSteps {
			ns.add("%s: %d of %d columns shown (the nearest); ask again with a depth.", what, maxSteps, len(steps))
			steps = steps[:maxSteps]
		}
		keep := map[string]bool{id + "." + strings.ToLower(c.Name): true}
		for _, st := range steps {
			keep[st.Node+"."+strings.ToLower(st.Column)] = true
		}
		for _, e := range edges {
			if keep[e.From.Node+"."+strings.ToLower(e.From.Column)] && keep[e.To.Node+"."+strings.ToLower(e.To.Column)] {
				out.Edges = append(out.Edges, e)
			}
		}
		return steps
	}
	if up {
		steps, edges := ix.UpstreamGraph(id, c.Name, in.Depth)
		out.Upstream = cut(steps, edges, "upstream")
	}
	if down {
		steps, edges := ix.DownstreamGraph(id, c.Name, in.Depth)
		out.Downstream = cut(steps, edges, "downstream")
	}
	if len(n.Unresolved) > 0 {
		ns.add("The column list of %s is incomplete: %s.", id, n.Unresolved[0].String())
	}
	out.Note = ns.String()
	return out, nil
}

package openmetadata

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/dataops-dev/dataops/internal/columns"
	"github.com/dataops-dev/dataops/internal/dbt"
)

// TableFQN is where a dbt node or source lives in the catalog: service.database.schema.table.
// ok is false for nodes without a relation (ephemeral models, tests).
func TableFQN(p *dbt.Project, service, id string) (string, bool) {
	if n := p.Nodes[id]; n != nil {
		if n.Alias == "" || n.RelationName == "" {
			return "", false
		}
		return FQN(service, n.Database, n.Schema, n.Alias), true
	}
	if s := p.Sources[id]; s != nil {
		return FQN(service, s.Database, s.Schema, s.Identifier), true
	}
	return "", false
}

// Difference is an edge one side has and the other lacks.
type Difference struct {
	Node string // the changed model's unique id
	From string // table FQNs
	To   string
	// InDbt is true for an edge dbt has and the catalog lacks, false for the reverse.
	InDbt bool
}

// Verify compares, for each model, its direct edges in dbt's graph with the catalog's lineage
// (one hop each way). Models the catalog does not know are reported in missing.
func Verify(ctx context.Context, c *Client, p *dbt.Project, service string, ids []string) (diffs []Difference, missing []string, err error) {
	children := map[string][]string{}
	for cid, n := range p.Nodes {
		if n.ResourceType != dbt.Model && n.ResourceType != dbt.Snapshot {
			continue
		}
		for _, up := range n.DependsOn.Nodes {
			children[up] = append(children[up], cid)
		}
	}
	for _, id := range ids {
		fqn, ok := TableFQN(p, service, id)
		if !ok {
			continue
		}
		want := map[[2]string]bool{}
		if n := p.Nodes[id]; n != nil {
			for _, up := range n.DependsOn.Nodes {
				if f, ok := TableFQN(p, service, up); ok {
					want[[2]string{fold(f), fold(fqn)}] = true
				}
			}
		}
		for _, ch := range children[id] {
			if f, ok := TableFQN(p, service, ch); ok {
				want[[2]string{fold(fqn), fold(f)}] = true
			}
		}
		l, err := c.TableLineage(ctx, fqn, 1, 1)
		if NotFound(err) {
			missing = append(missing, id)
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		names := map[string]string{l.Entity.ID: l.Entity.FullyQualifiedName}
		for _, n := range l.Nodes {
			names[n.ID] = n.FullyQualifiedName
		}
		have := map[[2]string]bool{}
		for _, e := range append(append([]Edge{}, l.UpstreamEdges...), l.DownstreamEdges...) {
			from, to := names[e.FromEntity], names[e.ToEntity]
			if from == "" || to == "" {
				continue
			}
			if fold(from) != fold(fqn) && fold(to) != fold(fqn) {
				continue // an edge further away than one hop
			}
			have[[2]string{fold(from), fold(to)}] = true
		}
		for e := range want {
			if !have[e] {
				diffs = append(diffs, Difference{Node: id, From: e[0], To: e[1], InDbt: true})
			}
		}
		for e := range have {
			if !want[e] {
				diffs = append(diffs, Difference{Node: id, From: e[0], To: e[1], InDbt: false})
			}
		}
	}
	sort.Slice(diffs, func(i, j int) bool {
		a, b := diffs[i], diffs[j]
		if a.Node != b.Node {
			return a.Node < b.Node
		}
		if a.From != b.From {
			return a.From < b.From
		}
		return a.To < b.To
	})
	return diffs, missing, nil
}

func fold(s string) string { return strings.ToLower(s) }

// PushResult counts what Push did.
type PushResult struct {
	Edges         int
	ColumnEdges   int
	SkippedTables []string // FQNs the catalog does not have
}

// Push sends dbt's lineage of the given models (edges from each parent, with the column
// lineage inferred for it) to the catalog. Tables are resolved once each.
func Push(ctx context.Context, c *Client, p *dbt.Project, inf *columns.Result, service string, ids []string) (*PushResult, error) {
	res := &PushResult{}
	refs := map[string]*EntityRef{}
	resolve := func(fqn string) (*EntityRef, error) {
		if r, ok := refs[fqn]; ok {
			return r, nil
		}
		r, err := c.Table(ctx, fqn)
		if NotFound(err) {
			res.SkippedTables = append(res.SkippedTables, fqn)
			refs[fqn] = nil
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		refs[fqn] = r
		return r, nil
	}
	for _, id := range ids {
		n := p.Nodes[id]
		to, ok := TableFQN(p, service, id)
		if n == nil || !ok {
			continue
		}
		toRef, err := resolve(to)
		if err != nil {
			return nil, err
		}
		if toRef == nil {
			continue
		}
		for _, up := range n.DependsOn.Nodes {
			from, ok := TableFQN(p, service, up)
			if !ok {
				continue
			}
			fromRef, err := resolve(from)
			if err != nil {
				return nil, err
			}
			if fromRef == nil {
				continue
			}
			cols := columnLineage(inf, id, up, from, to)
			if err := c.AddLineage(ctx, fromRef, toRef, cols); err != nil {
				return nil, fmt.Errorf("%s -> %s: %w", from, to, err)
			}
			res.Edges++
			res.ColumnEdges += len(cols)
		}
	}
	sort.Strings(res.SkippedTables)
	return res, nil
}

// columnLineage lists, for each output column of node, the columns of parent it reads.
func columnLineage(inf *columns.Result, node, parent, fromFQN, toFQN string) []ColumnLineage {
	if inf == nil || inf.Nodes[node] == nil {
		return nil
	}
	var out []ColumnLineage
	for _, col := range inf.Nodes[node].Columns {
		var from []string
		for _, ref := range col.Lineage {
			if ref.Node == parent {
				from = append(from, fromFQN+"."+FQN(ref.Column))
			}
		}
		if len(from) > 0 {
			out = append(out, ColumnLineage{FromColumns: from, ToColumn: toFQN + "." + FQN(col.Name)})
		}
	}
	return out
}

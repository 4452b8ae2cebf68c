package change

import (
	"context"

	"github.com/dataops-dev/dataops/internal/columns"
	"github.com/dataops-dev/dataops/internal/dbt"
)

// ColumnsInferrer adapts internal/columns to an Inferrer: each call infers only the asked
// models and what is upstream of them, with the options given (dialect, catalog, describer).
// Every node the inference touched is returned, so callers can follow lineage upstream.
func ColumnsInferrer(opts columns.Options) Inferrer {
	return func(ctx context.Context, p *dbt.Project, ids []string) (map[string]*ModelColumns, error) {
		if len(ids) == 0 {
			return map[string]*ModelColumns{}, nil
		}
		o := opts
		o.Ctx = ctx
		o.Models = ids
		return FromColumns(columns.Infer(p, o)), ctx.Err()
	}
}

// FromColumns converts an inference result.
func FromColumns(res *columns.Result) map[string]*ModelColumns {
	out := make(map[string]*ModelColumns, len(res.Nodes))
	for id, n := range res.Nodes {
		mc := &ModelColumns{Origin: n.Origin, Columns: make([]Column, 0, len(n.Columns))}
		for _, p := range n.Unresolved {
			mc.Unresolved = append(mc.Unresolved, p.String())
			if p.Kind == "parse-error" && mc.Unreadable == "" {
				// Parse errors are listed as unresolved only when they matter to the names
				// (columns' errorsMatter); otherwise they are notes.
				mc.Unreadable = p.String()
			}
		}
		for _, c := range n.Columns {
			col := Column{Name: c.Name, DataType: c.DataType, Pos: c.Pos, Kind: string(c.Kind), Unnamed: c.Unnamed, Quoted: c.Quoted}
			for _, l := range c.Lineage {
				col.Lineage = append(col.Lineage, Upstream{Node: l.Node, Column: l.Column})
			}
			mc.Columns = append(mc.Columns, col)
		}
		out[id] = mc
	}
	return out
}

package pipeline

import (
	"context"
	"fmt"

	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/testgen"
	"github.com/dataops-dev/dataops/internal/warehouse"
	"github.com/dataops-dev/dataops/internal/warehouse/runner"
)

// DataProfiler lets the Test Enhancer read the built models of a project (value sets and key
// containment) through the warehouse's read-only queries. `dataops tests` and the review give
// the Enhancer the same evidence, so that both propose the same tests on the same data.
type DataProfiler struct {
	Project   *dbt.Project
	Warehouse warehouse.Warehouse
	Target    *warehouse.Target
}

func (d DataProfiler) Columns(ctx context.Context, m *dbt.Node, cols []string, max int) ([]testgen.ColumnData, error) {
	vs, err := d.Warehouse.Values(ctx, runner.Relation(d.Project, d.Target, m), cols, max)
	if err != nil {
		return nil, err
	}
	out := make([]testgen.ColumnData, len(vs))
	for i, v := range vs {
		out[i] = testgen.ColumnData{Name: v.Name, Type: v.Type, Rows: v.Rows, Nulls: v.Nulls, Distinct: v.Distinct}
		if v.Values != nil {
			out[i].Values = make([]testgen.ValueCount, len(v.Values))
			for j, vc := range v.Values {
				out[i].Values[j] = testgen.ValueCount{Value: fmt.Sprint(vc.Value), Count: vc.Count}
			}
		}
	}
	return out, nil
}

func (d DataProfiler) Contained(ctx context.Context, m *dbt.Node, col string, to *dbt.Node, key string, sample int) (testgen.Containment, error) {
	ct, err := d.Warehouse.Contained(ctx, runner.Relation(d.Project, d.Target, m), col, runner.Relation(d.Project, d.Target, to), key, sample)
	if err != nil {
		return testgen.Containment{}, err
	}
	return testgen.Containment{Checked: ct.Checked, Found: ct.Found, Sampled: ct.Sampled}, nil
}

package cli

import (
	"context"
	"fmt"

	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/schema"
	"github.com/dataops-dev/dataops/internal/testgen"
	"github.com/dataops-dev/dataops/internal/warehouse"
	"github.com/dataops-dev/dataops/internal/warehouse/runner"
)

// dataProfiler lets the Test Enhancer read the built models of a project: value sets and key
// containment, through the warehouse's read-only queries.
type dataProfiler struct {
	p      *dbt.Project
	wh     warehouse.Warehouse
	target *warehouse.Target
}

func (d dataProfiler) Columns(ctx context.Context, m *dbt.Node, cols []string, max int) ([]testgen.ColumnData, error) {
	vs, err := d.wh.Values(ctx, runner.Relation(d.p, d.target, m), cols, max)
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

func (d dataProfiler) Contained(ctx context.Context, m *dbt.Node, col string, to *dbt.Node, key string, sample int) (testgen.Containment, error) {
	ct, err := d.wh.Contained(ctx, runner.Relation(d.p, d.target, m), col, runner.Relation(d.p, d.target, to), key, sample)
	if err != nil {
		return testgen.Containment{}, err
	}
	return testgen.Containment{Checked: ct.Checked, Found: ct.Found, Sampled: ct.Sampled}, nil
}

// testsDictionary loads the data dictionary the trusted settings name (schema.dictionary),
// whose descriptions the Test Enhancer reads like the property files'; nil when none is set.
func testsDictionary(env *Env, pf *projectFlags, tr *trust, p *dbt.Project) (testgen.Glossary, error) {
	settings, err := tr.config(env, pf)
	if err != nil {
		return nil, err
	}
	cfg := schemaConfig(settings, pf.Project, tr)
	if cfg.Dictionary == "" {
		return nil, nil
	}
	var d *schema.Dictionary
	if tr.base() {
		d, err = tr.dictionary(cfg.Dictionary)
	} else if d, err = cfg.ReadDictionary(p.Root); err != nil {
		err = usageError("%v", err)
	}
	if err != nil || d == nil {
		return nil, err
	}
	return d, nil
}

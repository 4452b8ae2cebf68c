package testgen

import (
	"context"
	"fmt"
	"strings"

	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/warehouse"
	"github.com/dataops-dev/dataops/internal/warehouse/runner"
)

// Confirm runs every suggestion on the warehouse: a test that passes is confirmed, one that
// fails is marked failed with its failure count (the data may be wrong, or the guess: either
// way a person should look), and one that cannot run (the model was never built) stays
// unverified with the reason.
func Confirm(ctx context.Context, p *dbt.Project, wh warehouse.Warehouse, target *warehouse.Target, res *Result) {
	for _, s := range res.Suggestions {
		if ctx.Err() != nil {
			return
		}
		spec := runner.TestSpec{Attached: s.UniqueID, Column: s.Column, Kwargs: map[string]any{}}
		name := s.Test
		if i := strings.LastIndexByte(name, '.'); i >= 0 {
			spec.Namespace, name = name[:i], name[i+1:]
		}
		spec.Name = name
		for k, v := range s.Arguments {
			spec.Kwargs[k] = v
		}
		if s.Column != "" {
			spec.Kwargs["column_name"] = s.Column
		}
		tr, err := runner.CheckTest(ctx, p, wh, target, spec, 3)
		switch {
		case err != nil:
			s.Status = Unverified
			s.Reasons = append(s.Reasons, "not run on data: "+firstLine(err.Error()))
		case tr.Failures == 0:
			s.Status = Confirmed
			s.Reasons = append(s.Reasons, "passes on the warehouse's data")
		default:
			s.Status = Failed
			s.Failures = tr.Failures
			s.Reasons = append(s.Reasons, fmt.Sprintf("fails on the warehouse's data with %d failing row(s): either the guess is wrong or the data has a bug worth a look", tr.Failures))
		}
	}
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

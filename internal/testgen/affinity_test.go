package testgen

import (
	"strings"
	"testing"
)

// Two systems stage the same entity under the same key name: a reference to company_id goes
// to the company model of the referring model's own system, whichever of the two sorts first.
func TestSourceAffinity(t *testing.T) {
	p, inf := loadCase(t, "testdata/affinity")
	got := relationshipTargets(Suggest(p, inf, Options{Threshold: 0.01}))
	for col, want := range map[string]string{
		"stg_south__visit.company_id":                "ref('stg_south__company')",
		"stg_south__visit.owner_company_id":          "ref('stg_south__company')",
		"dim_south__contract.company_id":             "ref('dim_south__company')",
		"fct_stock__delivery_south_depot.company_id": "ref('dim_south__company')",
		// The team's habit, in the north, is to point region_id at the north's region.
		"stg_south__letter.region_id": "ref('stg_south__region')",
		"fct_orders.company_id":       "ref('dim_north__company')", // nothing to tell them apart
	} {
		if got[col] != want {
			t.Errorf("%s: relationships to %q, want %s", col, got[col], want)
		}
	}
	for name, want := range map[string]int{"stg_south__visit": 2, "dim_south__contract": 1, "fct_orders": 0} {
		if a := sourceAffinity(p.Nodes["model.cases."+name], p.Nodes["model.cases.stg_south__company"]); a != want {
			t.Errorf("sourceAffinity(%s, stg_south__company) = %d, want %d", name, a, want)
		}
	}
}

// The team points client_id at a mart in its facts; a staging model of one source points at
// that source's staging model, not at a mart, which staging models do not read.
func TestOwnSystemStaging(t *testing.T) {
	p, inf := loadCase(t, "testdata/crosslayer")
	got := relationshipTargets(Suggest(p, inf, Options{Threshold: 0.01}))
	for col, want := range map[string]string{
		"stg_south__jobs.client_id":   "ref('stg_south__clients')",
		"stg_north__visits.client_id": "ref('stg_north__clients')",
		"fct_sales.client_id":         "ref('dim_sales__client')",
	} {
		if got[col] != want {
			t.Errorf("%s: relationships to %q, want %s", col, got[col], want)
		}
	}
}

// relationshipTargets maps each relationships proposal's model.column to its `to`.
func relationshipTargets(res *Result) map[string]string {
	got := map[string]string{}
	for _, s := range res.Suggestions {
		if s.Test == Relationships {
			to, _ := s.Arguments["to"].(string)
			got[s.Model[strings.LastIndex(s.Model, ".")+1:]+"."+strings.ToLower(s.Column)] = to
		}
	}
	return got
}

package testgen

import (
	"reflect"
	"testing"
)

func TestDecodes(t *testing.T) {
	p, inf := loadCase(t, "testdata/cases/decodes")
	models := p.Models()
	g := newSQLGraph(p, models, "duckdb", Options{}.sqlOf, nil)
	id := func(name string) string { return "model.cases." + name }

	// rpt_claims decodes stg_claims' columns through a CTE and a star: WHEN x = and IN, and
	// CASE x WHEN. One comparison is no decoding; a WHERE is a filter.
	want := map[colRef][]string{
		{id("stg_claims"), "claim_status"}: {"P", "R", "S"},
		{id("stg_claims"), "payment_type"}: {"CC", "CK"},
	}
	got := map[colRef][]string{}
	for r, d := range g.decodes {
		got[r] = d.vals
		if d.in != id("rpt_claims") {
			t.Errorf("decodes[%v] found in %s", r, d.in)
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("decodes = %v, want %v", got, want)
	}

	// fct_claims copies stg_claims' columns unchanged: the codes reach it.
	x := &extra{p: p, inf: inf, graph: g}
	for _, c := range []struct {
		model, col string
		want       []string
	}{
		{"fct_claims", "claim_status", []string{"P", "R", "S"}},
		{"stg_claims", "payment_type", []string{"CC", "CK"}},
		{"fct_claims", "kind", nil},
		{"fct_claims", "region", nil},
	} {
		vals, in := x.decodedValues(&column{model: p.Nodes[id(c.model)], lower: c.col})
		if !reflect.DeepEqual(vals, c.want) || (vals != nil) != (in == id("rpt_claims")) {
			t.Errorf("decodedValues(%s.%s) = %v in %q, want %v", c.model, c.col, vals, in, c.want)
		}
	}
}

package testgen

import (
	"reflect"
	"testing"
)

func TestCoalesceSets(t *testing.T) {
	p, _ := loadCase(t, "testdata/cases/coalescesets")
	g := newSQLGraph(p, p.Models(), "duckdb", Options{}.sqlOf, nil)
	id := func(name string) string { return "model.cases." + name }

	tr := g.traceOutput(id("fct_balances"), "aging_bucket")
	if tr == nil || !reflect.DeepEqual(tr.lits, []string{"0-30", "31-60", "60+", "unknown"}) || tr.where != id("fct_balances") {
		t.Errorf("trace fct_balances.aging_bucket = %+v, want the union of both CASEs, produced by fct_balances", tr)
	}
	// The seed's channel holds values no SQL names: the coalesce holds no closed set.
	if tr := g.traceOutput(id("fct_balances"), "channel"); tr != nil {
		t.Errorf("trace fct_balances.channel = %+v, want none", tr)
	}
}

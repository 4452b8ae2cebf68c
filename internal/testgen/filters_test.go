package testgen

import (
	"reflect"
	"testing"

	"github.com/dataops-dev/dataops/internal/sql/ast"
	sqldialect "github.com/dataops-dev/dataops/internal/sql/dialect"
)

func TestGraphFilters(t *testing.T) {
	p, _ := loadCase(t, "testdata/cases/filtered")
	g := newSQLGraph(p, p.Models(), "duckdb", Options{}.sqlOf, nil)
	id := func(name string) string { return "model.cases." + name }

	// The filter sits in a CTE; the model's output passes it through a star.
	tr := g.traceOutput(id("stg_payments_deduped"), "operation")
	if tr == nil || !tr.filter || tr.where != id("stg_payments_deduped") || !reflect.DeepEqual(tr.lits, []string{"REFUND", "SALE"}) {
		t.Errorf("trace stg_payments_deduped.operation = %+v", tr)
	}
	// Downstream of the filter the column keeps the filter's values.
	if tr := g.traceOutput(id("fct_settlements"), "operation"); tr == nil || !tr.filter || tr.where != id("stg_payments_deduped") {
		t.Errorf("trace fct_settlements.operation = %+v", tr)
	}
	if !g.filtered(colRef{id("stg_payments_deduped"), "operation"}) || g.filtered(colRef{id("fct_settlements"), "operation"}) || g.filtered(colRef{id("stg_payments"), "operation"}) {
		t.Errorf("filtered: only the model with the filter filters")
	}
	// A filter on another column bounds nothing here.
	if tr := g.traceOutput(id("stg_payments_deduped"), "created_at"); tr != nil && len(tr.lits) > 0 {
		t.Errorf("trace stg_payments_deduped.created_at = %+v", tr)
	}
}

func TestFilterLiterals(t *testing.T) {
	for sql, want := range map[string][]string{
		"select * from t where op in ('a', 'b') and x > 1": {"a", "b"},
		"select * from t where t.op = 'a'":                 {"a"},
		"select * from t where 'a' = op":                   {"a"},
		"select * from t where op in ('a', 'b') or x > 1":  nil,
		"select * from t where op not in ('a')":            nil,
		"select * from t where op in ('a', other)":         nil,
		"select * from t where other in ('a')":             nil,
	} {
		d, _ := sqldialect.Lookup("duckdb")
		ms := parseModel(sql, d, nil)
		sel, _ := ms.q.Body.(*ast.Select)
		if got := filterLiterals(sel.Where, "op"); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %v, want %v", sql, got, want)
		}
	}
}

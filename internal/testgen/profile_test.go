package testgen

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/warehouse"
	"github.com/dataops-dev/dataops/internal/warehouse/duckdb"
	"github.com/dataops-dev/dataops/internal/warehouse/runner"
)

// whProfiler reads a built project on a warehouse, as the CLI's profiler does.
type whProfiler struct {
	p      *dbt.Project
	w      warehouse.Warehouse
	target *warehouse.Target
	calls  int
}

func (d *whProfiler) Columns(ctx context.Context, m *dbt.Node, cols []string, max int) ([]ColumnData, error) {
	d.calls++
	vs, err := d.w.Values(ctx, runner.Relation(d.p, d.target, m), cols, max)
	if err != nil {
		return nil, err
	}
	out := make([]ColumnData, len(vs))
	for i, v := range vs {
		out[i] = ColumnData{Name: v.Name, Type: v.Type, Rows: v.Rows, Nulls: v.Nulls, Distinct: v.Distinct}
		for _, vc := range v.Values {
			out[i].Values = append(out[i].Values, ValueCount{Value: fmt.Sprint(vc.Value), Count: vc.Count})
		}
	}
	return out, nil
}

func (d *whProfiler) Contained(ctx context.Context, m *dbt.Node, col string, to *dbt.Node, key string, sample int) (Containment, error) {
	ct, err := d.w.Contained(ctx, runner.Relation(d.p, d.target, m), col, runner.Relation(d.p, d.target, to), key, sample)
	if err != nil {
		return Containment{}, err
	}
	return Containment{Checked: ct.Checked, Found: ct.Found, Sampled: ct.Sampled}, nil
}

// The data holds what the SQL does not say: channel takes three values, every customer_id is a
// customer, one agent_id is no agent. A model that was never built gives no evidence.
func TestDataEvidence(t *testing.T) {
	ctx := context.Background()
	p, inf := loadCase(t, "testdata/data")
	w, err := duckdb.Open(ctx, filepath.Join(t.TempDir(), "t.duckdb"), warehouse.BuildAccess("testdata"))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	target := &warehouse.Target{Schema: "main"}
	sel := map[string]bool{}
	for id, n := range p.Nodes {
		sel[id] = n.Name != "never_built"
	}
	for _, r := range runner.Run(ctx, runner.Config{Project: p, Warehouse: w, Target: target, Types: []string{dbt.Seed, dbt.Model}, Selected: sel}) {
		if r.Failed() {
			t.Fatalf("%s: %s", r.Name, r.Message)
		}
	}

	// Without data, the SQL and names say nothing about channel.
	for _, s := range Suggest(p, inf, Options{}).Suggestions {
		if s.Column == "channel" && s.Test == AcceptedValues {
			t.Fatalf("accepted_values on channel without data: %+v", s)
		}
	}

	prof := &whProfiler{p: p, w: w, target: target}
	res := Suggest(p, inf, Options{Data: NewDataEvidence(ctx, prof)})
	Confirm(ctx, p, w, target, res)
	got := map[string]*Suggestion{}
	for _, s := range res.Suggestions {
		got[s.Model+"."+s.Column+"."+s.Test] = s
	}
	ch := got["stg_tickets.channel.accepted_values"]
	if ch == nil {
		t.Fatalf("no accepted_values on channel from data: %+v", res.Suggestions)
	}
	if !reflect.DeepEqual(ch.Arguments, map[string]any{"values": []any{"chat", "email", "phone"}}) || ch.Status != Confirmed || !strings.Contains(strings.Join(ch.Reasons, "; "), "the data holds only") {
		t.Errorf("channel: %+v", ch)
	}
	for _, k := range []string{"stg_tickets.subject.accepted_values", "stg_tickets.ticket_id.accepted_values"} {
		if got[k] != nil {
			t.Errorf("%s proposed: %+v", k, got[k])
		}
	}
	cu := got["stg_tickets.customer_id.relationships"]
	if cu == nil || cu.Status != Confirmed || !strings.Contains(strings.Join(cu.Reasons, "; "), "10 of 10 distinct customer_id values are found in dim_customers.customer_id") {
		t.Errorf("customer_id: %+v", cu)
	}
	// Found in the key but for one value: no data evidence, and the test fails on the data.
	if ag := got["stg_tickets.agent_id.relationships"]; ag == nil || ag.Status != Failed || ag.Failures != 1 || strings.Contains(strings.Join(ag.Reasons, "; "), "are found in") {
		t.Errorf("agent_id: %+v", ag)
	}
	for _, s := range res.Suggestions {
		if s.Model == "never_built" && strings.Contains(strings.Join(s.Reasons, "; "), "data") && s.Status != Unverified {
			t.Errorf("never built: %+v", s)
		}
	}
	// Each model's columns are read once.
	if prof.calls > len(p.Models()) {
		t.Errorf("%d column reads for %d models", prof.calls, len(p.Models()))
	}
}

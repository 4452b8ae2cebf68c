package pipeline

import (
	"context"
	"maps"
	"strings"
	"testing"

	"github.com/dataops-dev/dataops/internal/change"
	"github.com/dataops-dev/dataops/internal/columns"
	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/review"
)

func shop(orders string) map[string]string {
	return map[string]string{
		"dbt_project.yml":       "name: p\nversion: '1'\nconfig-version: 2\nprofile: p\n",
		"profiles.yml":          "p:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n",
		"models/stg_orders.sql": "select 1 as order_id, 'placed' as status\n",
		"models/orders.sql":     orders,
		"models/_models.yml":    "version: 2\nmodels:\n  - name: orders\n    columns:\n      - name: order_id\n        description: The order.\n        tests: [unique, not_null]\n",
	}
}

func detect(t *testing.T, base, head map[string]string) *change.ChangeSet {
	t.Helper()
	load := func(ctx context.Context, dir string, roots []string, _ bool) (*dbt.Project, error) {
		return dbt.Load(ctx, dbt.LoadOptions{Dir: dir, Roots: roots, Getenv: func(string) (string, bool) { return "", false }})
	}
	cs, err := change.Detect(context.Background(), change.Options{Dir: writeProject(t, head), BaseDir: writeProject(t, base),
		Load: load, Infer: change.ColumnsInferrer(columns.Options{})})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs
}

// Run reviews a change without a command line and leaves the loaded head as it was: the
// Test Enhancer reads the parse render of models a change set did not compile, without
// writing it into the nodes.
func TestRunLeavesTheProjectAsLoaded(t *testing.T) {
	cs := detect(t,
		shop("select order_id from {{ ref('stg_orders') }}\n"),
		shop("select order_id, status from {{ ref('stg_orders') }}\nwhere status in ('placed', 'shipped')\n"))
	before := map[string]string{}
	for id, n := range cs.Head.Nodes {
		before[id] = n.CompiledCode
	}
	rv, err := Run(context.Background(), Inputs{Change: cs, MinConfidence: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	after := map[string]string{}
	for id, n := range cs.Head.Nodes {
		after[id] = n.CompiledCode
	}
	if !maps.Equal(before, after) {
		t.Errorf("Run changed the compiled code of the head's nodes")
	}
	var rules []string
	for _, f := range rv.Findings {
		rules = append(rules, f.Agent+"/"+f.Rule)
	}
	got := strings.Join(rules, " ")
	// The new column is added to the property file, and the filter makes it a breaking change.
	if !strings.Contains(got, review.AgentImpact+"/"+review.RuleGrainChange) {
		t.Errorf("findings %s: want a grain change", got)
	}
	if len(rv.Edits) != 1 || rv.Edits[0].Path != "models/_models.yml" || !strings.Contains(string(rv.Edits[0].New), "name: status") {
		t.Errorf("edits %+v: want status added to models/_models.yml", rv.Edits)
	}
	if !strings.Contains(got, review.AgentTests+"/"+review.RuleMissingTest) {
		t.Errorf("findings %s: want a proposed test on status (its literals are in the SQL)", got)
	}
}

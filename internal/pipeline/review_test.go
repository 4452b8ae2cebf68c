package pipeline

import (
	"context"
	"maps"
	"slices"
	"strconv"
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

// A new model documented under its file's name (`- name: daily_revenue.sql`): dbt drops the
// entry. The review says so at the entry's line and renames it, rather than writing a second
// entry for the model in a new file.
func TestRunEntryNamedLikeAFile(t *testing.T) {
	base := shop("select order_id from {{ ref('stg_orders') }}\n")
	head := maps.Clone(base)
	head["models/daily_revenue.sql"] = "select order_id, 1 as revenue from {{ ref('orders') }}\n"
	head["models/_revenue.yml"] = "version: 2\nmodels:\n  - name: daily_revenue.sql\n    description: Revenue per order.\n" +
		"    columns:\n      - name: order_id\n        description: The order.\n      - name: revenue\n        description: Total in USD.\n"
	rv, err := Run(context.Background(), Inputs{Change: detect(t, base, head), MinConfidence: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range rv.Findings {
		if f.Rule == dbt.KindUnknownPatch && f.Path == "models/_revenue.yml" && f.Line == 3 && strings.Contains(f.Message, "did you mean daily_revenue?") {
			found = true
		}
	}
	if !found {
		t.Errorf("findings %+v: want unknown-patch at models/_revenue.yml:3 with a hint", rv.Findings)
	}
	if len(rv.Edits) != 1 || rv.Edits[0].Path != "models/_revenue.yml" {
		t.Fatalf("edits %+v: want the entry renamed in models/_revenue.yml alone", rv.Edits)
	}
	got := string(rv.Edits[0].New)
	if want := strings.Replace(head["models/_revenue.yml"], "daily_revenue.sql", "daily_revenue", 1); got != want {
		t.Errorf("models/_revenue.yml:\n%s\nwant:\n%s", got, want)
	}
}

// A merge's conflict markers left in a changed model are an error at the opening marker; a
// model that only has a line of equals signs is not.
func TestRunFindsConflictMarkers(t *testing.T) {
	base := shop("select order_id from {{ ref('stg_orders') }}\n")
	head := maps.Clone(base)
	head["models/orders.sql"] = "select\n<<<<<<< HEAD\n    order_id\n=======\n    order_id, status\n>>>>>>> add status\nfrom {{ ref('stg_orders') }}\n"
	head["models/notes.sql"] = "-- totals\n=======\nselect 1 as n\n"
	rv, err := Run(context.Background(), Inputs{Change: detect(t, base, head), MinConfidence: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range rv.Findings {
		if f.Rule == "merge-conflict" {
			got = append(got, f.Severity+" "+f.Path+":"+strconv.Itoa(f.Line)+" "+f.Message)
		}
	}
	want := []string{review.SeverityError + ` models/orders.sql:2 unresolved merge conflict: the line "<<<<<<< HEAD" a merge leaves is still in the model`}
	if !slices.Equal(got, want) {
		t.Errorf("merge-conflict findings:\n%q\nwant\n%q", got, want)
	}
}

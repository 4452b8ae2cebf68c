package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/dataops-dev/dataops/internal/mcp"
	"github.com/dataops-dev/dataops/internal/secret"
)

// mcpSession serves the project in dir with the CLI's engine and connects the SDK's client to
// it in memory.
func mcpSession(t *testing.T, dir string, opts mcp.Options) *sdk.ClientSession {
	t.Helper()
	ctx := context.Background()
	var stderr lockedBuffer
	env := &Env{Ctx: ctx, Stdin: strings.NewReader(""), Stdout: &stderr, Stderr: &stderr,
		Getenv: testGetenv(nil), Secrets: secret.New()}
	opts.Dir = dir
	srv := mcp.New(ctx, &mcpEngine{env: env, pf: projectFlags{Project: dir}}, opts)
	t.Cleanup(srv.Close)
	st, ct := sdk.NewInMemoryTransports()
	ss, err := srv.SDK().Connect(ctx, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ss.Close() })
	cs, err := sdk.NewClient(&sdk.Implementation{Name: "test", Version: "0"}, nil).Connect(ctx, ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs
}

func mcpCall(t *testing.T, cs *sdk.ClientSession, name string, args map[string]any) map[string]any {
	t.Helper()
	res, err := cs.CallTool(context.Background(), &sdk.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if res.IsError {
		t.Fatalf("%s %v: %s", name, args, res.Content[0].(*sdk.TextContent).Text)
	}
	b, _ := json.Marshal(res.StructuredContent)
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func mcpToolError(t *testing.T, cs *sdk.ClientSession, name string, args map[string]any) string {
	t.Helper()
	res, err := cs.CallTool(context.Background(), &sdk.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if !res.IsError {
		t.Fatalf("%s %v: want a tool error, got %v", name, args, res.StructuredContent)
	}
	return res.Content[0].(*sdk.TextContent).Text
}

// js renders part of an answer as JSON, to look for what it must say.
func js(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestMCPOnTheShop drives every tool through the CLI's engine on the demo pull request: the
// shop committed on main, the branch adding a column, dropping one a mart reads, tightening a
// filter and adding a model with style problems, built on the embedded DuckDB.
func TestMCPOnTheShop(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "shop")
	if err := makeDemoRepo(context.Background(), "../../examples/shop", dir); err != nil {
		t.Fatal(err)
	}
	// dim_customers fails to build (it reads the dropped column); the rest is built.
	runCLI(t, "build", "--project", dir)
	cs := mcpSession(t, dir, mcp.Options{Base: "main", AllowWrite: true})

	sum := mcpCall(t, cs, "get_project_summary", nil)
	if c := sum["counts"].(map[string]any); c["models"] != 12.0 || c["seeds"] != 5.0 {
		t.Errorf("summary: %v", js(sum))
	}

	im := mcpCall(t, cs, "impact_analysis", nil)
	classes := map[string]string{}
	for _, c := range im["changes"].([]any) {
		c := c.(map[string]any)
		classes[c["name"].(string)] = c["classification"].(string)
	}
	if classes["stg_customers"] != "partial" || classes["fct_daily_revenue"] != "breaking" || classes["fct_payments_by_method"] != "non-breaking" {
		t.Errorf("classification: %v", classes)
	}
	if f := js(im["findings"]); !strings.Contains(f, `"path":"models/marts/dim_customers.sql"`) || !strings.Contains(f, "last_name") {
		t.Errorf("impact findings: %s", f)
	}
	sd := js(mcpCall(t, cs, "schema_diff", map[string]any{"base": "main"}))
	if !strings.Contains(sd, `{"change":"removed","data_type":"varchar","name":"last_name"`) || !strings.Contains(sd, `"name":"email_domain"`) {
		t.Errorf("schema diff: %s", sd)
	}
	if ld := js(mcpCall(t, cs, "lineage_diff", nil)); !strings.Contains(ld, `{"change":"impacted","unique_id":"model.shop.dim_customers"}`) {
		t.Errorf("lineage diff: %s", ld)
	}
	plan := js(mcpCall(t, cs, "plan_schema", map[string]any{"base": "main"}))
	if !strings.Contains(plan, "+      - name: email_domain") || !strings.Contains(plan, "fct_payments_by_method") || !strings.Contains(plan, `"valid":true`) {
		t.Errorf("schema plan: %s", plan)
	}
	tests := js(mcpCall(t, cs, "suggest_tests", map[string]any{"base": "main"}))
	if !strings.Contains(tests, `"model":"fct_payments_by_method"`) || !strings.Contains(tests, `"reasons":[`) {
		t.Errorf("test suggestions: %s", tests)
	}
	rv := mcpCall(t, cs, "review_change", map[string]any{"base": "main"})
	if s := js(rv["summary"]); !strings.Contains(s, `"models_changed":3`) || !strings.Contains(js(rv["findings"]), `"agent":"lint"`) {
		t.Errorf("review: %s", js(rv))
	}

	lint := mcpCall(t, cs, "lint", map[string]any{"path": "models/marts/fct_payments_by_method.sql", "fix": true})
	if v := js(lint["violations"]); !strings.Contains(v, `"code":"CP01"`) || !strings.Contains(lint["fixed"].(string), "\nselect\n") {
		t.Errorf("lint a file: %s", js(lint))
	}
	if v := js(mcpCall(t, cs, "lint", map[string]any{"sql": "SELECT id  from {{ ref('stg_orders') }}\n"})["violations"]); !strings.Contains(v, `"code":"LT01"`) {
		t.Errorf("lint SQL: %s", v)
	}
	if msg := mcpToolError(t, cs, "lint", map[string]any{"path": "../outside.sql"}); !strings.Contains(msg, "leads outside the project") {
		t.Errorf("lint outside: %s", msg)
	}

	show := mcpCall(t, cs, "show", map[string]any{"sql": "select count(*) as n from {{ ref('stg_orders') }}"})
	if js(show["rows"]) != "[[600]]" || js(show["columns"]) != `["n"]` {
		t.Errorf("show: %s", js(show))
	}
	show = mcpCall(t, cs, "show", map[string]any{"model": "stg_customers", "limit": 3})
	if len(show["rows"].([]any)) != 3 || show["more"] != true || !slices.Contains(show["columns"].([]any), any("email_domain")) {
		t.Errorf("show a model: %s", js(show))
	}
	for _, sql := range []string{
		"copy (select 1 as x) to '" + filepath.Join(t.TempDir(), "x.csv") + "'",
		"select * from read_csv('" + filepath.Join(dir, "seeds", "raw_orders.csv") + "')",
		"create table pwned as select 1 as x",
		"select 1; select 2",
	} {
		if msg := mcpToolError(t, cs, "show", map[string]any{"sql": sql}); msg == "" {
			t.Errorf("%s was run", sql)
		}
	}
	runs := mcpCall(t, cs, "run_tests", map[string]any{"select": []string{"stg_orders"}})
	if c := runs["counts"].(map[string]any); c["pass"] == nil || c["fail"] != nil || c["error"] != nil {
		t.Errorf("run tests: %s", js(runs))
	}

	ids := mcpCall(t, cs, "memory_ingest", map[string]any{"records": []map[string]any{
		{"text": "Daily revenue leaves out returned orders and orders whose return is pending.", "kind": "playbook_rule", "model": "fct_daily_revenue"}}})
	hits := mcpCall(t, cs, "memory_search", map[string]any{"query": "pending return revenue"})
	if h := js(hits["hits"]); !strings.Contains(h, ids["ids"].([]any)[0].(string)) || !strings.Contains(h, "return is pending") {
		t.Errorf("memory: %s", h)
	}

	fixFile := filepath.Join(dir, "models/marts/fct_payments_by_method.sql")
	before, _ := os.ReadFile(fixFile)
	preview := mcpCall(t, cs, "apply_lint_fixes", map[string]any{"path": "models/marts/fct_payments_by_method.sql"})
	if after, _ := os.ReadFile(fixFile); !bytes.Equal(before, after) || preview["dry_run"] != true || !strings.Contains(js(preview["edits"]), "+select") {
		t.Errorf("lint fix preview: %s", js(preview))
	}
	mcpCall(t, cs, "apply_lint_fixes", map[string]any{"path": "models/marts/fct_payments_by_method.sql", "dry_run": false})
	if after, _ := os.ReadFile(fixFile); !strings.Contains(string(after), "\nselect\n") {
		t.Errorf("lint fixes not written:\n%s", after)
	}
	mcpCall(t, cs, "apply_schema_edits", map[string]any{"base": "main", "dry_run": false})
	if b, _ := os.ReadFile(filepath.Join(dir, "models/staging/_staging.yml")); !strings.Contains(string(b), "- name: email_domain") {
		t.Errorf("schema edits not written:\n%s", b)
	}
	// The warm project sees what was written.
	d := mcpCall(t, cs, "get_node_details", map[string]any{"name": "stg_customers"})
	if !strings.Contains(js(d["columns"]), `"documented":true,"in_sql":true,"kind":"transform","line":20,"name":"email_domain"`) {
		t.Errorf("after the write: %s", js(d["columns"]))
	}
	if tp := mcpCall(t, cs, "apply_tests", map[string]any{"base": "main"}); tp["dry_run"] != true {
		t.Errorf("apply tests preview: %s", js(tp))
	}
}

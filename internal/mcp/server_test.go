package mcp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/dataops-dev/dataops/internal/change"
	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/lineage"
	"github.com/dataops-dev/dataops/internal/lint"
	"github.com/dataops-dev/dataops/internal/review"
	"github.com/dataops-dev/dataops/internal/schema"
	"github.com/dataops-dev/dataops/internal/testgen"
)

var readTools = []string{"get_project_summary", "list_models", "get_node_details", "compile", "get_lineage", "get_column_lineage",
	"impact_analysis", "schema_diff", "lineage_diff", "plan_schema", "suggest_tests", "review_change", "lint", "show",
	"run_tests", "memory_search"}

var applyTools = []string{"apply_schema_edits", "apply_tests", "apply_lint_fixes"}

func listTools(t *testing.T, cs *sdk.ClientSession) map[string]*sdk.Tool {
	t.Helper()
	out := map[string]*sdk.Tool{}
	for tool, err := range cs.Tools(context.Background(), nil) {
		if err != nil {
			t.Fatal(err)
		}
		out[tool.Name] = tool
	}
	return out
}

func TestToolListAndSchemas(t *testing.T) {
	for _, allow := range []bool{false, true} {
		t.Run(fmt.Sprintf("allow-write=%v", allow), func(t *testing.T) {
			_, cs := connect(t, &testEngine{dir: shopCopy(t)}, Options{AllowWrite: allow})
			tools := listTools(t, cs)
			want := append(slices.Clone(readTools), "memory_ingest")
			if allow {
				want = append(want, applyTools...)
			}
			var got []string
			for name := range tools {
				got = append(got, name)
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Fatalf("tools:\n got %v\nwant %v", got, want)
			}
			for name, tool := range tools {
				if tool.Description == "" || strings.Contains(tool.Description, "\n") || len(tool.Description) > 160 {
					t.Errorf("%s: the description must be one line an assistant can act on: %q", name, tool.Description)
				}
				in, _ := json.Marshal(tool.InputSchema)
				out, _ := json.Marshal(tool.OutputSchema)
				if !strings.Contains(string(in), `"type":"object"`) || !strings.Contains(string(out), `"type":"object"`) {
					t.Errorf("%s: input and output schemas must be objects:\n in %s\nout %s", name, in, out)
				}
				a := tool.Annotations
				if a == nil || a.Title == "" || a.OpenWorldHint == nil || *a.OpenWorldHint {
					t.Errorf("%s: annotations must have a title and say the tool reaches nothing outside: %+v", name, a)
					continue
				}
				if a.ReadOnlyHint != slices.Contains(readTools, name) {
					t.Errorf("%s: readOnlyHint %v", name, a.ReadOnlyHint)
				}
				if slices.Contains(applyTools, name) && (a.DestructiveHint == nil || !*a.DestructiveHint) {
					t.Errorf("%s: an apply tool replaces files: destructiveHint must be true", name)
				}
			}
			// Arguments are validated against the schema before any tool runs.
			if msg := toolError(t, cs, "get_node_details", map[string]any{"name": 3}); !strings.Contains(msg, "name") {
				t.Errorf("a wrong argument type: %s", msg)
			}
		})
	}
}

func TestProjectTools(t *testing.T) {
	eng := &testEngine{dir: shopCopy(t)}
	_, cs := connect(t, eng, Options{})

	var sum ProjectSummary
	call(t, cs, "get_project_summary", nil, &sum)
	if sum.Name != "shop" || sum.Counts["models"] != 11 || sum.Counts["seeds"] != 5 || sum.Counts["sources"] == 0 || sum.Packages[0] != "shop" {
		t.Errorf("summary: %+v", sum)
	}

	var list NodeList
	call(t, cs, "list_models", map[string]any{"tag": "marts"}, &list)
	if names := nodeNames(list.Nodes); !slices.Equal(names, []string{"dim_customers", "dim_products", "fct_daily_revenue", "fct_orders"}) || list.Total != 4 {
		t.Errorf("tag marts: %v (total %d)", names, list.Total)
	}
	call(t, cs, "list_models", map[string]any{"path": "models/staging", "search": "ORD"}, &list)
	if names := nodeNames(list.Nodes); !slices.Equal(names, []string{"stg_order_items", "stg_orders"}) {
		t.Errorf("path and search: %v", names)
	}
	call(t, cs, "list_models", map[string]any{"column": "lifetime_value"}, &list)
	if names := nodeNames(list.Nodes); !slices.Equal(names, []string{"dim_customers"}) {
		t.Errorf("column: %v", names)
	}
	call(t, cs, "list_models", map[string]any{"resource_type": "seed", "path": "seeds/raw_*.csv"}, &list)
	if list.Total != 5 {
		t.Errorf("seeds by glob: %+v", list)
	}
	// Pages of 4 cover the 11 models once each, in order.
	var all []string
	cursor := ""
	for pages := 0; ; pages++ {
		args := map[string]any{"limit": 4}
		if cursor != "" {
			args["cursor"] = cursor
		}
		call(t, cs, "list_models", args, &list)
		all = append(all, nodeNames(list.Nodes)...)
		if cursor = list.NextCursor; cursor == "" {
			if pages != 2 {
				t.Errorf("11 models in pages of 4: %d pages", pages+1)
			}
			break
		}
	}
	if len(all) != 11 || !slices.IsSorted(all) {
		t.Errorf("paged models: %v", all)
	}
	if msg := toolError(t, cs, "list_models", map[string]any{"cursor": "bogus"}); !strings.Contains(msg, "next_cursor") {
		t.Errorf("a bad cursor: %s", msg)
	}

	var d NodeDetails
	call(t, cs, "get_node_details", map[string]any{"name": "fct_orders"}, &d)
	if d.UniqueID != "model.shop.fct_orders" || d.Materialized != "incremental" || d.Path != "models/marts/fct_orders.sql" ||
		!strings.HasPrefix(d.PropertyFile, "models/marts/_marts.yml:") || !strings.Contains(d.RawSQL, "is_incremental()") ||
		!strings.Contains(d.CompiledSQL, `"stg_orders"`) {
		t.Errorf("details: %+v", d)
	}
	cols := map[string]ColumnInfo{}
	for _, c := range d.Columns {
		cols[c.Name] = c
	}
	if c := cols["order_id"]; !c.InSQL || !c.Documented || c.Description != "Primary key of the order." || !slices.Equal(c.Tests, []string{"unique", "not_null"}) {
		t.Errorf("order_id: %+v", c)
	}
	if c := cols["item_count"]; !c.InSQL || c.Documented || c.DataType == "" || c.Line == 0 {
		t.Errorf("item_count, inferred and not documented: %+v", c)
	}
	var tests []string
	for _, ti := range d.Tests {
		tests = append(tests, ti.Test+":"+ti.Column)
	}
	if !slices.Contains(tests, "relationships:customer_id") || !slices.Contains(tests, "unique:order_id") {
		t.Errorf("tests: %v", tests)
	}
	if !slices.Contains(d.DependsOn, "model.shop.stg_orders") {
		t.Errorf("depends_on: %v", d.DependsOn)
	}
	if msg := toolError(t, cs, "get_node_details", map[string]any{"name": "fct_order"}); !strings.Contains(msg, `did you mean fct_orders`) {
		t.Errorf("unknown model: %s", msg)
	}
	call(t, cs, "get_node_details", map[string]any{"name": "shop_raw.payments"}, &d)
	if d.ResourceType != "source" || !strings.HasPrefix(d.PropertyFile, "models/staging/_sources.yml:") {
		t.Errorf("source details: %+v", d)
	}

	var lin Lineage
	call(t, cs, "get_lineage", map[string]any{"name": "stg_orders", "direction": "downstream", "depth": 1}, &lin)
	var down []string
	for _, n := range lin.Downstream {
		down = append(down, n.Name)
	}
	if !slices.Contains(down, "fct_orders") || lin.Upstream != nil || len(lin.Edges) != len(down) {
		t.Errorf("lineage down 1: %+v", lin)
	}
	if msg := toolError(t, cs, "get_lineage", map[string]any{"name": "stg_orders", "direction": "sideways"}); !strings.Contains(msg, "direction") {
		t.Errorf("bad direction: %s", msg)
	}

	var cl ColumnLineage
	call(t, cs, "get_column_lineage", map[string]any{"model": "dim_customers", "column": "customer_id", "direction": "upstream"}, &cl)
	if !hasStep(cl.Upstream, "model.shop.stg_customers", "customer_id") || !hasStep(cl.Upstream, "seed.shop.raw_customers", "id") {
		t.Errorf("column lineage up: %+v", cl.Upstream)
	}
	call(t, cs, "get_column_lineage", map[string]any{"model": "stg_payments", "column": "amount"}, &cl)
	if len(cl.Downstream) == 0 {
		t.Errorf("column lineage down: %+v", cl)
	}
	if msg := toolError(t, cs, "get_column_lineage", map[string]any{"model": "dim_customers", "column": "nope"}); !strings.Contains(msg, "known: customer_id") {
		t.Errorf("unknown column: %s", msg)
	}

	var comp Compiled
	call(t, cs, "compile", map[string]any{"model": "stg_orders"}, &comp)
	if !strings.Contains(comp.CompiledSQL, `"raw_orders"`) || strings.Contains(comp.CompiledSQL, "{{") {
		t.Errorf("compile model: %s", comp.CompiledSQL)
	}
	call(t, cs, "compile", map[string]any{"sql": "select count(*) from {{ ref('fct_orders') }} where ordered_at >= '{{ var(\"shop_start_date\") }}'"}, &comp)
	if !strings.Contains(comp.CompiledSQL, `"fct_orders"`) || !strings.Contains(comp.CompiledSQL, "2024-01-01") {
		t.Errorf("compile inline: %s", comp.CompiledSQL)
	}
	if msg := toolError(t, cs, "compile", map[string]any{"sql": "select 1\nfrom {{ ref('nope') }}"}); !strings.HasPrefix(msg, "inline.sql:2:") {
		t.Errorf("compile with an unknown ref: %s", msg)
	}
}

func nodeNames(ns []NodeSummary) []string {
	var out []string
	for _, n := range ns {
		out = append(out, n.Name)
	}
	return out
}

func hasStep(steps []lineage.ColumnStep, node, col string) bool {
	for _, s := range steps {
		if s.Node == node && strings.EqualFold(s.Column, col) {
			return true
		}
	}
	return false
}

// editFile rewrites a file of the project the way an editor saves it.
func editFile(t *testing.T, dir, rel string, edit func(string) string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	old, err := os.ReadFile(p)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(edit(string(old))), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Both ways of seeing edits: the file watcher (Linux) and the walk before each call.
func bothWays(t *testing.T, f func(t *testing.T, walk bool)) {
	for _, walk := range []bool{false, true} {
		t.Run(map[bool]string{false: "watch", true: "walk"}[walk], func(t *testing.T) { f(t, walk) })
	}
}

func TestProjectEditedBetweenCalls(t *testing.T) { bothWays(t, projectEditedBetweenCalls) }

func projectEditedBetweenCalls(t *testing.T, walk bool) {
	dir := shopCopy(t)
	eng := &testEngine{dir: dir}
	_, cs := connect(t, eng, Options{WalkFiles: walk})
	var d NodeDetails
	call(t, cs, "get_node_details", map[string]any{"name": "stg_customers"}, &d)
	if hasColumn(d.Columns, "email_domain") {
		t.Fatal("email_domain before the edit")
	}
	call(t, cs, "get_node_details", map[string]any{"name": "stg_customers"}, &d)
	call(t, cs, "list_models", nil, nil)
	if n := eng.loads.Load(); n != 1 {
		t.Fatalf("%d loads for calls on unchanged files: the project must stay warm", n)
	}
	// A README is no file a load reads.
	editFile(t, dir, "README.md", func(string) string { return "notes\n" })
	call(t, cs, "get_project_summary", nil, nil)
	if n := eng.loads.Load(); n != 1 {
		t.Fatalf("a README edit loaded the project again (%d loads)", n)
	}

	editFile(t, dir, "models/staging/stg_customers.sql", func(s string) string {
		return strings.Replace(s, "lower(email) as email,", "lower(email) as email,\n        split_part(email, '@', 2) as email_domain,", 1)
	})
	call(t, cs, "get_node_details", map[string]any{"name": "stg_customers"}, &d)
	if !hasColumn(d.Columns, "email_domain") {
		t.Fatalf("the edit is not seen: %+v", d.Columns)
	}
	// Downstream column lineage follows the edit too (the background inference is redone).
	var cl ColumnLineage
	call(t, cs, "get_column_lineage", map[string]any{"model": "stg_customers", "column": "email_domain"}, &cl)
	if cl.Column != "email_domain" {
		t.Fatalf("column lineage after the edit: %+v", cl)
	}
	editFile(t, dir, "models/marts/fct_big_orders.sql", func(string) string {
		return "select * from {{ ref('fct_orders') }} where order_amount > 100\n"
	})
	var list NodeList
	call(t, cs, "list_models", map[string]any{"search": "big"}, &list)
	if names := nodeNames(list.Nodes); !slices.Equal(names, []string{"fct_big_orders"}) {
		t.Fatalf("a new model: %v", names)
	}
	var lin Lineage
	call(t, cs, "get_lineage", map[string]any{"name": "fct_orders", "direction": "downstream"}, &lin)
	if !slices.ContainsFunc(lin.Downstream, func(n LineageNode) bool { return n.Name == "fct_big_orders" }) {
		t.Fatalf("the new model is not downstream: %+v", lin.Downstream)
	}
	if err := os.Remove(filepath.Join(dir, "models/marts/fct_big_orders.sql")); err != nil {
		t.Fatal(err)
	}
	call(t, cs, "list_models", map[string]any{"search": "big"}, &list)
	if list.Total != 0 {
		t.Fatalf("a removed model is still listed: %v", nodeNames(list.Nodes))
	}
	// A project that no longer loads is an error at its file and line, until it is fixed.
	editFile(t, dir, "models/marts/_marts.yml", func(s string) string { return s + "  - name: [broken\n" })
	if msg := toolError(t, cs, "get_project_summary", nil); !strings.Contains(msg, "models/marts/_marts.yml:") {
		t.Fatalf("a broken property file: %s", msg)
	}
	editFile(t, dir, "models/marts/_marts.yml", func(s string) string { return strings.TrimSuffix(s, "  - name: [broken\n") })
	call(t, cs, "get_project_summary", nil, nil)
}

func hasColumn(cols []ColumnInfo, name string) bool {
	return slices.ContainsFunc(cols, func(c ColumnInfo) bool { return c.Name == name })
}

func TestConcurrentCalls(t *testing.T) { bothWays(t, concurrentCalls) }

func concurrentCalls(t *testing.T, walk bool) {
	dir := shopCopy(t)
	eng := &testEngine{dir: dir}
	_, cs := connect(t, eng, Options{WalkFiles: walk})
	calls := []struct {
		name string
		args map[string]any
	}{
		{"get_project_summary", nil},
		{"list_models", map[string]any{"limit": 3}},
		{"get_node_details", map[string]any{"name": "dim_customers"}},
		{"get_lineage", map[string]any{"name": "stg_orders"}},
		{"get_column_lineage", map[string]any{"model": "fct_orders", "column": "order_amount"}},
		{"compile", map[string]any{"model": "fct_daily_revenue"}},
		{"suggest_tests", map[string]any{"models": []string{"fct_orders"}}},
	}
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for round := 0; round < 4; round++ {
		for _, c := range calls {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, err := cs.CallTool(context.Background(), &sdk.CallToolParams{Name: c.name, Arguments: c.args})
				switch {
				case err != nil:
					errs <- fmt.Errorf("%s: %v", c.name, err)
				case res.IsError:
					errs <- fmt.Errorf("%s: %s", c.name, text(res))
				}
			}()
		}
		if round == 1 {
			// An edit while calls are in flight: each call sees the project before or after it.
			editFile(t, dir, "models/marts/dim_products.sql", func(s string) string { return s + "\n-- edited\n" })
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := eng.loads.Load(); n < 2 || n > 3 {
		t.Errorf("%d loads for 28 calls and one edit", n)
	}
}

func TestCancelledCallStopsTheWork(t *testing.T) {
	eng := &testEngine{dir: shopCopy(t), block: make(chan struct{}), cancelled: make(chan error, 1)}
	_, cs := connect(t, eng, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := cs.CallTool(ctx, &sdk.CallToolParams{Name: "review_change", Arguments: map[string]any{"base": "main"}})
		done <- err
	}()
	<-eng.block // the review is running
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("the cancelled call returned %v", err)
	}
	select {
	case err := <-eng.cancelled:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("the engine saw %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the engine's context was not cancelled: the client's cancellation was not passed on")
	}
	// The server goes on serving.
	call(t, cs, "get_project_summary", nil, nil)
}

func TestErrorsAreToolErrorsWithFileAndLine(t *testing.T) {
	eng := &testEngine{dir: shopCopy(t), err: errors.New("models/staging/stg_orders.sql:3:7: unknown ref 'orderz'")}
	_, cs := connect(t, eng, Options{})
	for _, name := range []string{"impact_analysis", "schema_diff", "lineage_diff", "review_change", "plan_schema", "lint"} {
		args := map[string]any{}
		if name == "lint" {
			args["sql"] = "select 1"
		}
		if msg := toolError(t, cs, name, args); msg != "models/staging/stg_orders.sql:3:7: unknown ref 'orderz'" {
			t.Errorf("%s: %q", name, msg)
		}
	}
	for _, c := range []struct {
		tool string
		args map[string]any
		want string
	}{
		{"compile", map[string]any{}, "either model or sql"},
		{"show", map[string]any{"sql": "select 1"}, "no warehouse"},
		{"memory_search", map[string]any{"query": "x", "kinds": []string{"gossip"}}, `kind "gossip"`},
		{"memory_ingest", map[string]any{"records": []map[string]any{{"text": " "}}}, "records[0]: empty text"},
	} {
		if msg := toolError(t, cs, c.tool, c.args); !strings.Contains(msg, c.want) {
			t.Errorf("%s: %q, want %q", c.tool, msg, c.want)
		}
	}
}

func TestLongAnswersAreCutWithANote(t *testing.T) {
	dir := shopCopy(t)
	var b strings.Builder
	b.WriteString("select\n")
	for i := 0; i < 3000; i++ {
		fmt.Fprintf(&b, "    order_id + %d as c%d,\n", i, i)
	}
	b.WriteString("    order_id\nfrom {{ ref('stg_orders') }}\n")
	editFile(t, dir, "models/marts/wide.sql", func(string) string { return b.String() })
	_, cs := connect(t, &testEngine{dir: dir}, Options{})
	var d NodeDetails
	call(t, cs, "get_node_details", map[string]any{"name": "wide"}, &d)
	if len(d.RawSQL) > maxSQLChars || !strings.Contains(d.Note, "raw_sql was cut") || len(d.Columns) != 3001 {
		t.Fatalf("raw_sql %d bytes, note %q, %d columns", len(d.RawSQL), d.Note, len(d.Columns))
	}
	var cl ColumnLineage
	call(t, cs, "get_column_lineage", map[string]any{"model": "stg_orders", "column": "order_id", "direction": "downstream", "depth": 1}, &cl)
	if len(cl.Downstream) != maxSteps || !strings.Contains(cl.Note, fmt.Sprintf("%d of", maxSteps)) {
		t.Fatalf("%d downstream columns, note %q", len(cl.Downstream), cl.Note)
	}
}

func TestAnswersAreMasked(t *testing.T) {
	dir := shopCopy(t)
	const secret = "tok-5f1e2d3c4b5a6978"
	editFile(t, dir, "models/marts/_marts.yml", func(s string) string {
		return strings.Replace(s, "One row per customer with their ordering history.", "Customers; the API key is "+secret+".", 1)
	})
	mask := func(b []byte) []byte { return []byte(strings.ReplaceAll(string(b), secret, "***")) }
	_, cs := connect(t, &testEngine{dir: dir}, Options{Mask: mask})
	res := callRaw(t, cs, "get_node_details", map[string]any{"name": "dim_customers"})
	b, _ := json.Marshal(res)
	if strings.Contains(string(b), secret) || !strings.Contains(text(res), "the API key is ***") {
		t.Fatalf("the secret reached the client: %s", b)
	}
	r, err := cs.ReadResource(context.Background(), &sdk.ReadResourceParams{URI: "dataops://models/dim_customers/properties"})
	if err != nil || strings.Contains(r.Contents[0].Text, secret) {
		t.Fatalf("resource: %v %+v", err, r)
	}
}

func TestWriteToolsOffWithoutAllowWrite(t *testing.T) {
	eng := &testEngine{dir: shopCopy(t), schemaPlan: &SchemaPlan{Edits: []schema.FileEdit{{Path: "models/new.yml", New: []byte("version: 2\n")}}}}
	eng.schemaPlan.Root = eng.dir
	_, cs := connect(t, eng, Options{})
	for _, name := range applyTools {
		msg := toolError(t, cs, name, map[string]any{"dry_run": false, "path": "models/marts/fct_orders.sql"})
		if !strings.Contains(msg, "dataops mcp --allow-write") {
			t.Errorf("%s: %s", name, msg)
		}
	}
	if len(eng.written) != 0 {
		t.Fatalf("files written: %v", eng.written)
	}
	if _, err := os.Stat(filepath.Join(eng.dir, "models/new.yml")); err == nil {
		t.Fatal("models/new.yml was written")
	}
}

func TestApplyToolsWriteOnlyInsideTheProject(t *testing.T) {
	outside := t.TempDir()
	outsideFile := filepath.Join(outside, "outside.yml")
	if err := os.WriteFile(outsideFile, []byte("keep: me\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := shopCopy(t)
	if err := os.Symlink(outsideFile, filepath.Join(dir, "models/linked.yml")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "models/linked_dir")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(outside, "x.sql"), []byte("select 1"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "x.sql"), filepath.Join(dir, "models/linked.sql")); err != nil {
		t.Fatal(err)
	}
	eng := &testEngine{dir: dir}
	_, cs := connect(t, eng, Options{AllowWrite: true})
	plan := func(paths ...string) {
		eng.mu.Lock()
		defer eng.mu.Unlock()
		eng.schemaPlan = &SchemaPlan{Root: dir}
		for _, p := range paths {
			eng.schemaPlan.Edits = append(eng.schemaPlan.Edits, schema.FileEdit{Path: p, New: []byte("version: 2\nmodels: []\n")})
		}
	}
	for _, c := range []struct {
		paths []string
		want  string
	}{
		{[]string{"models/ok.yml", "../outside.yml"}, "leads outside the project"},
		{[]string{"models/../../outside.yml"}, "leads outside the project"},
		{[]string{filepath.Join(outside, "abs.yml")}, "leads outside the project"},
		{[]string{"models/linked.yml"}, "leads outside the project"},
		{[]string{"models/linked_dir/new.yml"}, "leads outside the project"},
		{[]string{"models/staging/stg_orders.sql"}, "only .yml and .yaml files are written"},
		{[]string{".git/config.yml"}, ""},
	} {
		plan(c.paths...)
		msg := toolError(t, cs, "apply_schema_edits", map[string]any{"dry_run": false})
		if !strings.HasPrefix(msg, "refused, nothing written") || !strings.Contains(msg, c.want) {
			t.Errorf("%v: %s", c.paths, msg)
		}
	}
	for _, p := range []string{"../x.sql", "models/linked.sql", "models/linked_dir/x.sql", "models/marts/_marts.yml"} {
		msg := toolError(t, cs, "apply_lint_fixes", map[string]any{"path": p, "dry_run": false})
		if !strings.HasPrefix(msg, "refused, nothing written") {
			t.Errorf("apply_lint_fixes %s: %s", p, msg)
		}
	}
	if len(eng.written) != 0 {
		t.Fatalf("refused edits reached the writer: %v", eng.written)
	}
	if b, _ := os.ReadFile(outsideFile); string(b) != "keep: me\n" {
		t.Fatalf("the file outside changed: %q", b)
	}
	if _, err := os.Stat(filepath.Join(dir, "models/ok.yml")); err == nil {
		t.Fatal("a refused plan wrote part of its edits")
	}

	// A plan inside the project: previewed by default, written when asked.
	plan("models/marts/_new.yml")
	var ans ApplyAnswer
	call(t, cs, "apply_schema_edits", nil, &ans)
	if !ans.DryRun || len(ans.Written) != 0 || len(ans.Edits) != 1 || !strings.Contains(ans.Edits[0].Diff, "+models: []") {
		t.Fatalf("dry run: %+v", ans)
	}
	if _, err := os.Stat(filepath.Join(dir, "models/marts/_new.yml")); err == nil {
		t.Fatal("a dry run wrote")
	}
	call(t, cs, "apply_schema_edits", map[string]any{"dry_run": false}, &ans)
	if ans.DryRun || !slices.Equal(ans.Written, []string{"models/marts/_new.yml"}) {
		t.Fatalf("write: %+v", ans)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "models/marts/_new.yml")); string(b) != "version: 2\nmodels: []\n" {
		t.Fatalf("written: %q", b)
	}

	// A plan that does not validate is never written.
	eng.mu.Lock()
	eng.schemaPlan.Invalid = true
	eng.schemaPlan.Findings = []schema.Finding{{Severity: "error", Path: "models/marts/_new.yml", Line: 2, Message: "models is empty"}}
	eng.mu.Unlock()
	if msg := toolError(t, cs, "apply_schema_edits", map[string]any{"dry_run": false}); !strings.Contains(msg, "models/marts/_new.yml:2: models is empty") {
		t.Fatalf("invalid plan: %s", msg)
	}

	// Lint fixes are written to the SQL file linted.
	eng.mu.Lock()
	eng.lintResult = &LintResult{Source: "SELECT 1\n", FileResult: lint.FileResult{Path: "models/marts/fct_orders.sql", Changed: true, Fixed: "select 1\n"}}
	eng.mu.Unlock()
	call(t, cs, "apply_lint_fixes", map[string]any{"path": "models/marts/fct_orders.sql", "dry_run": false}, &ans)
	if b, _ := os.ReadFile(filepath.Join(dir, "models/marts/fct_orders.sql")); string(b) != "select 1\n" || len(ans.Written) != 1 {
		t.Fatalf("lint fix: %+v %q", ans, b)
	}
}

func TestChangeTools(t *testing.T) {
	eng := &testEngine{dir: shopCopy(t)}
	colImpact := []change.ColumnImpact{{Column: "first_name", Node: "model.shop.dim_customers", NodeColumn: "first_name"}}
	rv := &review.Review{
		Changes: []review.Change{
			{UniqueID: "model.shop.stg_customers", Name: "stg_customers", Change: "modified", Classification: "partial",
				Columns: []change.ColumnChange{{Name: "first_name", Change: change.Removed}}, Impact: []string{"model.shop.dim_customers"}, ColumnImpact: colImpact},
			{UniqueID: "model.shop.new_model", Name: "new_model", Change: "added", Classification: "non-breaking", Impact: []string{}},
		},
		Lineage: []review.Edge{{From: "model.shop.stg_customers", To: "model.shop.dim_customers"}},
	}
	for i := 0; i < 7; i++ {
		rv.Findings = append(rv.Findings, review.Finding{Agent: "impact", Severity: "error", Path: "models/marts/dim_customers.sql", Line: i + 1, Message: "reads first_name"})
	}
	rv.Edits = []review.Edit{{Path: "models/staging/_staging.yml", Agents: []string{"schema"}, Diff: "--- a\n+++ b\n", Safe: true}}
	eng.impact = &Impact{Review: rv, Models: []*change.ModelChange{{UniqueID: "model.shop.stg_customers", Change: change.Modified,
		Columns: []change.ColumnChange{{Name: "first_name", Change: change.Removed}}}}}
	eng.review = rv
	eng.schemaPlan = &SchemaPlan{Edits: []schema.FileEdit{{Path: "a.yml", New: []byte("a: 1\n")}, {Path: "b.yml", Old: []byte("b: 1\n"), New: []byte("b: 2\n")}}}
	_, cs := connect(t, eng, Options{Base: "origin/main"})

	var im ImpactAnswer
	call(t, cs, "impact_analysis", nil, &im)
	if im.Base != "origin/main" || im.Summary.Models != 2 || im.Summary.Classification["partial"] != 1 || im.Summary.Downstream != 1 ||
		len(im.Findings) != 7 || im.Changes[0].ColumnImpact[0].Node != "model.shop.dim_customers" {
		t.Errorf("impact: %+v", im)
	}
	var sd SchemaDiff
	call(t, cs, "schema_diff", map[string]any{"base": "HEAD~1"}, &sd)
	if sd.Base != "HEAD~1" || len(sd.Models) != 1 || sd.Models[0].Columns[0].Change != "removed" {
		t.Errorf("schema diff: %+v", sd)
	}
	var ld LineageDiff
	call(t, cs, "lineage_diff", nil, &ld)
	if len(ld.Nodes) != 3 || ld.Nodes[2].UniqueID != "model.shop.dim_customers" || ld.Nodes[2].Change != "impacted" || len(ld.Edges) != 1 {
		t.Errorf("lineage diff: %+v", ld)
	}
	var ra ReviewAnswer
	call(t, cs, "review_change", map[string]any{"limit": 5}, &ra)
	if ra.TotalFindings != 7 || len(ra.Findings) != 5 || ra.NextCursor == "" || len(ra.Edits) != 1 {
		t.Errorf("review page 1: %+v", ra)
	}
	call(t, cs, "review_change", map[string]any{"limit": 5, "cursor": ra.NextCursor}, &ra)
	if len(ra.Findings) != 2 || ra.NextCursor != "" || ra.Findings[1].Line != 7 {
		t.Errorf("review page 2: %+v", ra)
	}
	var sp SchemaPlanAnswer
	call(t, cs, "plan_schema", map[string]any{"limit": 1}, &sp)
	if sp.TotalEdits != 2 || len(sp.Edits) != 1 || !strings.Contains(sp.Edits[0].Diff, "+a: 1") || !sp.Valid || sp.NextCursor == "" {
		t.Errorf("schema plan: %+v", sp)
	}
	var ta TestsAnswer
	call(t, cs, "suggest_tests", map[string]any{"limit": 2, "threshold": 0.1}, &ta)
	if ta.Total == 0 || len(ta.Suggestions) > 2 || len(ta.Suggestions[0].Reasons) == 0 {
		t.Errorf("tests: %+v", ta)
	}
}

func TestResourcesAndPrompts(t *testing.T) {
	eng := &testEngine{dir: shopCopy(t), review: &review.Review{Summary: review.Summary{ModelsChanged: 1},
		Changes: []review.Change{{UniqueID: "model.shop.stg_orders", Classification: "breaking"}}}}
	_, cs := connect(t, eng, Options{})
	ctx := context.Background()
	read := func(uri string) *sdk.ResourceContents {
		t.Helper()
		r, err := cs.ReadResource(ctx, &sdk.ReadResourceParams{URI: uri})
		if err != nil {
			t.Fatalf("%s: %v", uri, err)
		}
		return r.Contents[0]
	}
	var manifest map[string]any
	if err := json.Unmarshal([]byte(read("dataops://manifest").Text), &manifest); err != nil || manifest["nodes"] == nil || manifest["parent_map"] == nil {
		t.Errorf("manifest: %v %v", err, manifest["metadata"])
	}
	if c := read("dataops://models/stg_orders/sql"); !strings.Contains(c.Text, "ref('raw_orders')") || c.MIMEType != sqlMIME {
		t.Errorf("sql: %+v", c)
	}
	props := read("dataops://models/dim_customers/properties").Text
	if !strings.HasPrefix(props, "# models/marts/_marts.yml:") || !strings.Contains(props, "- name: dim_customers") ||
		!strings.Contains(props, "is_active") || strings.Contains(props, "dim_products") {
		t.Errorf("properties:\n%s", props)
	}
	if c := read("dataops://review/origin/main"); !strings.Contains(c.Text, `"base": "origin/main"`) || !strings.Contains(c.Text, "breaking") {
		t.Errorf("review: %s", c.Text)
	}
	if _, err := cs.ReadResource(ctx, &sdk.ReadResourceParams{URI: "dataops://models/nope/sql"}); err == nil {
		t.Error("an unknown model's resource was read")
	}
	var templates []string
	for rt, err := range cs.ResourceTemplates(ctx, nil) {
		if err != nil {
			t.Fatal(err)
		}
		templates = append(templates, rt.URITemplate)
	}
	if !slices.Contains(templates, "dataops://models/{name}/sql") || !slices.Contains(templates, "dataops://models/{name}/properties") {
		t.Errorf("templates: %v", templates)
	}

	var prompts []string
	for p, err := range cs.Prompts(ctx, nil) {
		if err != nil {
			t.Fatal(err)
		}
		prompts = append(prompts, p.Name)
	}
	slices.Sort(prompts)
	if !slices.Equal(prompts, []string{"document_model", "drop_column_impact", "review_my_change"}) {
		t.Errorf("prompts: %v", prompts)
	}
	for _, c := range []struct {
		name string
		args map[string]string
		want []string
	}{
		{"review_my_change", nil, []string{"Review my change", `"classification": "breaking"`}},
		{"document_model", map[string]string{"model": "dim_customers"}, []string{"Document the dbt model model.shop.dim_customers", `"lifetime_value"`}},
		{"drop_column_impact", map[string]string{"model": "stg_customers", "column": "first_name"}, []string{"drop column first_name", `"model.shop.dim_customers"`}},
	} {
		res, err := cs.GetPrompt(ctx, &sdk.GetPromptParams{Name: c.name, Arguments: c.args})
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		var all string
		for _, m := range res.Messages {
			switch x := m.Content.(type) {
			case *sdk.TextContent:
				all += x.Text
			case *sdk.EmbeddedResource:
				all += x.Resource.Text
			}
		}
		for _, w := range c.want {
			if !strings.Contains(all, w) {
				t.Errorf("%s: no %q in\n%s", c.name, w, all)
			}
		}
	}
	comp, err := cs.Complete(ctx, &sdk.CompleteParams{Ref: &sdk.CompleteReference{Type: "ref/resource", URI: "dataops://models/{name}/sql"},
		Argument: sdk.CompleteParamsArgument{Name: "name", Value: "dim_"}})
	if err != nil || !slices.Equal(comp.Completion.Values, []string{"dim_customers", "dim_products"}) {
		t.Errorf("completion: %v %+v", err, comp)
	}
}

// A load whose renders use up the render budget is not loaded again for it: the next load
// would use it up as well, and the project would never be warm.
func TestSpentRenderBudgetDoesNotReloadForever(t *testing.T) {
	eng := &testEngine{dir: shopCopy(t), renderTime: time.Nanosecond}
	_, cs := connect(t, eng, Options{})
	var sum ProjectSummary
	for !sum.ColumnsReady {
		call(t, cs, "get_project_summary", nil, &sum)
	}
	for range 3 {
		call(t, cs, "get_node_details", map[string]any{"name": "fct_orders"}, nil)
	}
	if n := eng.loads.Load(); n != 1 {
		t.Fatalf("%d loads", n)
	}
}

// suggest_tests carries the accepted_values tests the SQL contradicts beside its proposals,
// and does not say there is nothing to do when there are some.
func TestSuggestTestsConflicts(t *testing.T) {
	vc := &testgen.ValueConflict{Model: "stg_orders", UniqueID: "model.shop.stg_orders", Column: "status",
		Listed: []string{"placed"}, Unlisted: []string{"cancelled"}, Why: "its CASE expression only produces 'placed', 'cancelled'",
		Pos: dbt.Pos{Path: "models/staging/stg_orders.sql", Line: 12, Column: 9}}
	eng := &testEngine{dir: shopCopy(t), testsPlan: &TestsPlan{Result: &testgen.Result{Conflicts: []*testgen.ValueConflict{vc}}}}
	_, cs := connect(t, eng, Options{})
	var ta TestsAnswer
	call(t, cs, "suggest_tests", nil, &ta)
	if len(ta.Conflicts) != 1 || ta.Conflicts[0].Column != "status" || ta.Conflicts[0].Unlisted[0] != "cancelled" || ta.Conflicts[0].Pos.Line != 12 || ta.Note != "" {
		t.Errorf("answer: %+v", ta)
	}
}

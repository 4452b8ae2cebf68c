package dbt

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

func envOf(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func loadProj(t *testing.T, compile bool) *Project {
	t.Helper()
	p, err := Load(context.Background(), LoadOptions{
		Dir: "testdata/proj", Compile: compile, Getenv: envOf(map[string]string{"PROJ_DB": "warehouse_x"}),
		Now: time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC),
	})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return p
}

func node(t *testing.T, p *Project, id string) *Node {
	t.Helper()
	n := p.Nodes[id]
	if n == nil {
		var ids []string
		for k := range p.Nodes {
			ids = append(ids, k)
		}
		sort.Strings(ids)
		t.Fatalf("no node %s; have %s", id, strings.Join(ids, ", "))
	}
	return n
}

func eq(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %#v, want %#v", what, got, want)
	}
}

func sortedCopy(l []string) []string {
	out := append([]string(nil), l...)
	sort.Strings(out)
	return out
}

func TestLoadProjectAndProfile(t *testing.T) {
	p := loadProj(t, false)
	eq(t, "name", p.Name, "proj")
	eq(t, "adapter", p.Adapter, "postgres")
	eq(t, "target database (env_var in profiles.yml)", p.Target.Database, "warehouse_x")
	eq(t, "target schema", p.Target.Schema, "dbt_dev")
	eq(t, "require-dbt-version", p.RequireDbtVersion, []string{">=1.5.0"})
	eq(t, "packages", len(p.Packages), 2)
	for _, d := range p.Diagnostics {
		t.Errorf("unexpected diagnostic: %s:%d: %s %s", d.Pos.Path, d.Pos.Line, d.Kind, d.Message)
	}
}

func TestModelFieldsAndConfigMerge(t *testing.T) {
	p := loadProj(t, false)
	n := node(t, p, "model.proj.stg_orders")
	eq(t, "alias from config()", n.Alias, "orders_clean")
	eq(t, "schema: target + custom", n.Schema, "dbt_dev_staging")
	eq(t, "database", n.Database, "warehouse_x")
	eq(t, "tags", n.Tags, []string{"stg"})
	eq(t, "materialized", n.Config["materialized"], "view")
	eq(t, "persist_docs from the root level of the tree", n.Config["persist_docs"], map[string]any{"relation": true})
	eq(t, "meta from properties", n.Meta, map[string]any{"owner": "ops"})
	eq(t, "fqn", n.FQN, []string{"proj", "staging", "stg_orders"})
	eq(t, "path", n.Path, "staging/stg_orders.sql")
	eq(t, "original_file_path", n.OriginalFilePath, "models/staging/stg_orders.sql")
	eq(t, "patch_path", n.PatchPath, "proj://models/staging/schema.yml")
	eq(t, "relation", n.RelationName, `"warehouse_x"."dbt_dev_staging"."orders_clean"`)
	var cols []string
	for _, c := range n.Columns {
		cols = append(cols, c.Name)
	}
	eq(t, "columns in file order", cols, []string{"order_id", "customer_id", "status"})
	eq(t, "doc() resolved", n.Columns[0].Description, "The order's key.")
	eq(t, "data_type", n.Columns[0].DataType, "integer")
	eq(t, "depends_on.nodes", n.DependsOn.Nodes, []string{"source.proj.raw.orders"})
	if !slices.Contains(n.DependsOn.Macros, "macro.proj.money") {
		t.Errorf("depends_on.macros = %v, want macro.proj.money in it", n.DependsOn.Macros)
	}

	o := node(t, p, "model.proj.orders")
	eq(t, "orders materialized (config() over tree)", o.Config["materialized"], "incremental")
	eq(t, "orders tags (tree + config(), appended)", sortedCopy(o.Tags), []string{"daily", "mart"})
	eq(t, "orders meta (+meta in tree)", o.Meta, map[string]any{"owner": "data"})
	eq(t, "orders schema (no custom schema)", o.Schema, "dbt_dev")
	eq(t, "orders deps", sortedCopy(o.DependsOn.Nodes), []string{"model.proj.stg_customers", "model.proj.stg_orders"})
}

func TestVersionsPackagesAndDisabled(t *testing.T) {
	p := loadProj(t, false)
	v1 := node(t, p, "model.proj.customers.v1")
	v2 := node(t, p, "model.proj.customers.v2")
	eq(t, "v1 alias", v1.Alias, "customers_v1")
	eq(t, "latest", v2.LatestVersion, "2")
	eq(t, "v1 fqn", v1.FQN, []string{"proj", "marts", "customers", "v1"})
	eq(t, "v1 columns (include all, exclude name)", len(v1.Columns), 1)
	eq(t, "v2 columns", len(v2.Columns), 2)
	r := node(t, p, "model.proj.customer_report")
	eq(t, "versioned and package refs", sortedCopy(r.DependsOn.Nodes),
		[]string{"model.proj.customers.v1", "model.proj.customers.v2", "model.util_pkg.util_model"})

	u := node(t, p, "model.util_pkg.util_model")
	eq(t, "package node path", u.OriginalFilePath, "models/util_model.sql")
	eq(t, "package node rel path", u.RelPath, "dbt_packages/util_pkg/models/util_model.sql")
	eq(t, "package schema from the root tree", u.Schema, "dbt_dev_util")
	eq(t, "package materialized from its own tree", u.Config["materialized"], "table")
	eq(t, "a package's ref resolves in the package first", u.DependsOn.Nodes, []string{"model.util_pkg.stg_customers"})

	for _, id := range []string{"model.proj.stg_disabled", "model.util_pkg.util_off"} {
		if _, ok := p.Nodes[id]; ok {
			t.Errorf("%s is disabled but in the graph", id)
		}
		if len(p.Disabled[id]) != 1 {
			t.Errorf("%s missing from Disabled", id)
		}
	}
	if _, ok := p.DisabledSources["source.proj.raw.legacy"]; !ok {
		t.Errorf("source raw.legacy should be disabled")
	}
	py := node(t, p, "model.proj.pymodel")
	eq(t, "python language", py.Language, "python")
	eq(t, "python materialized", py.Config["materialized"], "table")
	eq(t, "python deps", py.DependsOn.Nodes, []string{"model.proj.stg_orders"})
}

func TestSeedsSnapshotsSourcesExposures(t *testing.T) {
	p := loadProj(t, false)
	s := node(t, p, "seed.proj.countries")
	eq(t, "seed header", s.SeedColumns, []string{"code", "name, official", "region"})
	eq(t, "seed schema", s.Schema, "dbt_dev_raw")
	eq(t, "seed description", s.Description, "Country codes.")

	sn := node(t, p, "snapshot.proj.orders_snapshot")
	eq(t, "snapshot schema (target_schema)", sn.Schema, "snapshots")
	eq(t, "snapshot fqn includes the file", sn.FQN, []string{"proj", "orders_snapshot", "orders_snapshot"})
	eq(t, "snapshot deps", sn.DependsOn.Nodes, []string{"model.proj.stg_orders"})
	if len(sn.Refs) != 1 || sn.Refs[0].Pos.Line != 5 {
		t.Errorf("snapshot ref position = %+v, want line 5 of the file", sn.Refs)
	}

	src := p.Sources["source.proj.raw.orders"]
	if src == nil {
		t.Fatal("no source.proj.raw.orders")
	}
	eq(t, "identifier rendered", src.Identifier, "orders_2024")
	eq(t, "source schema", src.Schema, "raw_data")
	eq(t, "source database", src.Database, "warehouse_x")
	eq(t, "source doc()", src.Description, "Raw orders, one row per order.")
	eq(t, "source relation", src.RelationName, `"warehouse_x"."raw_data"."orders_2024"`)

	e := p.Exposures["exposure.proj.weekly_report"]
	if e == nil {
		t.Fatal("no exposure")
	}
	eq(t, "exposure deps", sortedCopy(e.DependsOn.Nodes), []string{"model.proj.orders", "source.proj.raw.customers"})
	eq(t, "singular test deps", node(t, p, "test.proj.assert_orders_positive").DependsOn.Nodes, []string{"model.proj.orders"})
	eq(t, "analysis deps", node(t, p, "analysis.proj.explore").DependsOn.Nodes, []string{"model.proj.orders"})

	var macros []string
	for id := range p.Macros {
		macros = append(macros, id)
	}
	sort.Strings(macros)
	eq(t, "macros", macros, []string{"macro.proj.money", "macro.proj.test_is_positive", "macro.util_pkg.materialization_fancy_postgres", "macro.util_pkg.util_helper"})
	if !strings.HasPrefix(p.Macros["macro.proj.money"].SQL, "{% macro money(col) -%}") || !strings.HasSuffix(p.Macros["macro.proj.money"].SQL, "{%- endmacro %}") {
		t.Errorf("macro SQL = %q", p.Macros["macro.proj.money"].SQL)
	}
	eq(t, "docs", len(p.Docs), 2)
}

func TestGenericTests(t *testing.T) {
	p := loadProj(t, false)
	byName := map[string]*Node{}
	for _, n := range p.Nodes {
		if n.ResourceType == Test && n.TestMeta != nil {
			byName[n.Name] = n
		}
	}
	// 64 characters or more: dbt cuts the name and appends an md5 of the full one.
	relName, relFull := GenericTestName("relationships", "stg_orders", map[string]any{"column_name": "customer_id", "to": "ref('stg_customers')", "field": "customer_id"})
	eq(t, "full relationships name", relFull, "relationships_stg_orders_customer_id__customer_id__ref_stg_customers_")
	eq(t, "short relationships name", relName, "relationships_stg_orders_96411fe0c89b49c3f4da955dfd358ba0")
	want := []string{
		"accepted_values_stg_orders_status__False__placed__shipped",
		"customers_are_unique",
		"not_null_customers_v1_customer_id",
		"not_null_customers_v2_customer_id",
		"not_null_stg_orders_order_id",
		relName,
		"source_not_null_raw_orders_id",
		"unique_countries_code",
		"unique_stg_orders_order_id",
	}
	var got []string
	for name := range byName {
		got = append(got, name)
	}
	sort.Strings(got)
	sort.Strings(want)
	eq(t, "generic test names", got, want)

	rel := byName[relName]
	if rel == nil {
		t.Fatal("no relationships test")
	}
	eq(t, "relationships deps", rel.DependsOn.Nodes, []string{"model.proj.stg_orders", "model.proj.stg_customers"})
	eq(t, "relationships metadata", rel.TestMeta.AttachedNode, "model.proj.stg_orders")
	eq(t, "relationships column", rel.TestMeta.ColumnName, "customer_id")
	eq(t, "relationships kwargs", rel.TestMeta.Kwargs["to"], "ref('stg_customers')")
	eq(t, "model kwarg", rel.TestMeta.Kwargs["model"], "{{ get_where_subquery(ref('stg_orders')) }}")
	eq(t, "severity from the tests tree", rel.Config["severity"], "WARN")
	eq(t, "test schema", rel.Schema, "dbt_dev_dbt_test__audit")
	eq(t, "test fqn", rel.FQN, []string{"proj", "staging", rel.Name})
	if !strings.HasPrefix(rel.UniqueID, "test.proj."+rel.Name+".") || len(rel.UniqueID) != len("test.proj."+rel.Name+".")+10 {
		t.Errorf("unique id %q lacks the 10-hex suffix", rel.UniqueID)
	}
	nn := byName["not_null_stg_orders_order_id"]
	eq(t, "where config", nn.Config["where"], "order_id > 0")
	src := byName["source_not_null_raw_orders_id"]
	eq(t, "source test deps", src.DependsOn.Nodes, []string{"source.proj.raw.orders"})
	eq(t, "source model kwarg", src.TestMeta.Kwargs["model"], "{{ get_where_subquery(source('raw', 'orders')) }}")
	eq(t, "versioned model kwarg", byName["not_null_customers_v1_customer_id"].TestMeta.Kwargs["model"], "{{ get_where_subquery(ref('customers', version='1')) }}")

	// Ids stay the same from one load to the next.
	again := loadProj(t, false)
	if again.Nodes[rel.UniqueID] == nil {
		t.Errorf("test id %s is not stable across loads", rel.UniqueID)
	}
}

func TestGenericTestName(t *testing.T) {
	cases := []struct {
		test, target string
		args         map[string]any
		want         string
	}{
		{"not_null", "orders", map[string]any{"column_name": "order_id"}, "not_null_orders_order_id"},
		{"accepted_values", "orders", map[string]any{"column_name": "status", "values": []any{"a", "b c"}}, "accepted_values_orders_status__a__b_c"},
		{"relationships", "orders", map[string]any{"column_name": "customer_id", "to": "ref('customers')", "field": "id"}, "relationships_orders_customer_id__id__ref_customers_"},
		{"dbt_utils_expression_is_true", "orders", map[string]any{"expression": "amount >= 0"}, "dbt_utils_expression_is_true_orders_amount_0"},
		{"accepted_values", "t", map[string]any{"column_name": "n", "values": []any{int64(1), true, 2.5}}, "accepted_values_t_n__1__True__2_5"},
	}
	for _, c := range cases {
		got, _ := GenericTestName(c.test, c.target, c.args)
		if got != c.want {
			t.Errorf("GenericTestName(%s, %s, %v) = %q, want %q", c.test, c.target, c.args, got, c.want)
		}
	}
	long, full := GenericTestName("accepted_values", "a_model_with_a_rather_long_name", map[string]any{"column_name": "status", "values": []any{"placed", "shipped", "completed"}})
	if len(full) < 64 || len(long) != 30+1+32 || !strings.HasPrefix(long, "accepted_values_a_model_with_a") {
		t.Errorf("long name = %q (full %q), want 30 chars + _ + md5", long, full)
	}
}

func TestGraphHelpers(t *testing.T) {
	p := loadProj(t, false)
	eq(t, "parents", p.ParentMap["model.proj.orders"], []string{"model.proj.stg_customers", "model.proj.stg_orders"})
	if !slices.Contains(p.ChildMap["model.proj.stg_orders"], "model.proj.orders") {
		t.Errorf("child map of stg_orders = %v", p.ChildMap["model.proj.stg_orders"])
	}
	order := p.TopoOrder()
	if len(order) != len(p.Nodes) {
		t.Fatalf("TopoOrder has %d ids, want %d", len(order), len(p.Nodes))
	}
	pos := map[string]int{}
	for i, id := range order {
		pos[id] = i
	}
	for id, n := range p.Nodes {
		for _, d := range n.DependsOn.Nodes {
			if _, isNode := p.Nodes[d]; isNode && pos[d] > pos[id] {
				t.Errorf("%s comes before its parent %s", id, d)
			}
		}
	}
	eq(t, "upstream depth 1", p.Upstream("model.proj.orders", 1), []string{"model.proj.stg_customers", "model.proj.stg_orders"})
	up := p.Upstream("model.proj.orders", 0)
	if !slices.Contains(up, "source.proj.raw.orders") {
		t.Errorf("full upstream misses the source: %v", up)
	}
	down := p.Downstream("source.proj.raw.customers", 0)
	for _, id := range []string{"model.proj.stg_customers", "model.proj.orders", "exposure.proj.weekly_report"} {
		if !slices.Contains(down, id) {
			t.Errorf("downstream of raw.customers misses %s: %v", id, down)
		}
	}
	if n := p.NodeByName("customers"); n == nil || n.UniqueID != "model.proj.customers.v2" {
		t.Errorf("NodeByName(customers) = %v, want the latest version", n)
	}
	if n := p.NodeByName("stg_customers"); n == nil || n.Package != "proj" {
		t.Errorf("NodeByName(stg_customers) = %v, want the root project's", n)
	}
	eq(t, "models sorted", p.Models()[0].UniqueID, "model.proj.customer_report")

	for _, c := range []struct {
		parts []string
		want  string
	}{
		{[]string{`"warehouse_x"`, `"dbt_dev_staging"`, `"orders_clean"`}, "model.proj.stg_orders"},
		{[]string{"DBT_DEV_STAGING", "ORDERS_CLEAN"}, "model.proj.stg_orders"},
		{[]string{"orders_clean"}, "model.proj.stg_orders"},
		{[]string{"stg_orders"}, "model.proj.stg_orders"},
		{[]string{"raw", "orders"}, "source.proj.raw.orders"},
		{[]string{"raw_data", "orders_2024"}, "source.proj.raw.orders"},
		{[]string{"warehouse_x", "raw_data", "orders_2024"}, "source.proj.raw.orders"},
		{[]string{"customers_v1"}, "model.proj.customers.v1"},
	} {
		got, ok := p.LookupRelation(c.parts)
		if !ok || got != c.want {
			t.Errorf("LookupRelation(%v) = %q, %v; want %q", c.parts, got, ok, c.want)
		}
	}
	if _, ok := p.LookupRelation([]string{"nothing", "here"}); ok {
		t.Errorf("LookupRelation found a relation that does not exist")
	}
}

func TestCompile(t *testing.T) {
	p := loadProj(t, true)
	o := node(t, p, "model.proj.orders")
	if !o.Compiled {
		t.Fatal("orders not compiled")
	}
	for _, want := range []string{`"warehouse_x"."dbt_dev_staging"."orders_clean"`, `"warehouse_x"."dbt_dev_staging"."stg_customers"`} {
		if !strings.Contains(o.CompiledCode, want) {
			t.Errorf("compiled code lacks %s:\n%s", want, o.CompiledCode)
		}
	}
	if strings.Contains(o.CompiledCode, "{{") || strings.Contains(o.CompiledCode, "is_incremental") {
		t.Errorf("compiled code still has Jinja:\n%s", o.CompiledCode)
	}
	if o.Render == nil || o.Render.Output != o.CompiledCode {
		t.Errorf("Node.Render is not the compile render")
	}
	s := node(t, p, "model.proj.stg_orders")
	if !strings.Contains(s.CompiledCode, `"warehouse_x"."raw_data"."orders_2024"`) || !strings.Contains(s.CompiledCode, "(amount / 100.0)") {
		t.Errorf("stg_orders compiled:\n%s", s.CompiledCode)
	}
}

func TestManifestShape(t *testing.T) {
	p := loadProj(t, true)
	var buf bytes.Buffer
	if err := WriteManifest(&buf, p); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(buf.Bytes(), &m); err != nil {
		t.Fatalf("manifest is not JSON: %v", err)
	}
	for _, k := range []string{"metadata", "nodes", "sources", "macros", "docs", "exposures", "metrics", "groups", "disabled", "parent_map", "child_map", "semantic_models", "saved_queries", "unit_tests"} {
		if _, ok := m[k]; !ok {
			t.Errorf("manifest lacks %q", k)
		}
	}
	meta := m["metadata"].(map[string]any)
	eq(t, "schema version", meta["dbt_schema_version"], ManifestSchema)
	eq(t, "generated_at", meta["generated_at"], "2024-05-01T12:00:00Z")
	nodes := m["nodes"].(map[string]any)
	o := nodes["model.proj.orders"].(map[string]any)
	eq(t, "resource_type", o["resource_type"], "model")
	eq(t, "depends_on.nodes", o["depends_on"].(map[string]any)["nodes"], []any{"model.proj.stg_orders", "model.proj.stg_customers"})
	refs := o["refs"].([]any)
	eq(t, "two-arg ref package", refs[1].(map[string]any)["package"], "proj")
	cols := nodes["model.proj.stg_orders"].(map[string]any)["columns"].(map[string]any)
	eq(t, "column data_type", cols["order_id"].(map[string]any)["data_type"], "integer")
	var rel map[string]any
	for id, n := range nodes {
		if strings.HasPrefix(id, "test.proj.relationships_") {
			rel = n.(map[string]any)
		}
	}
	if rel == nil {
		t.Fatal("no relationships test in manifest")
	}
	eq(t, "test_metadata.name", rel["test_metadata"].(map[string]any)["name"], "relationships")
	eq(t, "attached_node", rel["attached_node"], "model.proj.stg_orders")
	eq(t, "column_name", rel["column_name"], "customer_id")
	if _, ok := m["disabled"].(map[string]any)["model.proj.stg_disabled"]; !ok {
		t.Errorf("disabled lacks stg_disabled")
	}
	src := m["sources"].(map[string]any)["source.proj.raw.orders"].(map[string]any)
	eq(t, "source identifier", src["identifier"], "orders_2024")
}

func TestReadCatalog(t *testing.T) {
	c, err := ReadCatalog("testdata/proj/catalog.json")
	if err != nil {
		t.Fatal(err)
	}
	e := c.Lookup("model.proj.orders")
	if e == nil {
		t.Fatal("no model.proj.orders")
	}
	var names []string
	for _, col := range e.Columns {
		names = append(names, col.Name+":"+col.Type)
	}
	eq(t, "columns by index", names, []string{"order_id:integer", "amount:numeric", "name:text"})
	eq(t, "comment", e.Columns[1].Comment, "cents")
	if c.Lookup("source.proj.raw.orders") == nil {
		t.Errorf("sources not read")
	}
	bad := filepath.Join(t.TempDir(), "catalog.json")
	os.WriteFile(bad, []byte("{\n  \"nodes\": [1,\n"), 0o644)
	_, err = ReadCatalog(bad)
	var ie *InputError
	if !errors.As(err, &ie) {
		t.Fatalf("err = %v, want *InputError", err)
	}
}

func TestManifestCompactMatchesIndented(t *testing.T) {
	p := loadProj(t, true)
	var a, b bytes.Buffer
	if err := WriteManifest(&a, p); err != nil {
		t.Fatal(err)
	}
	if err := WriteManifestIndent(&b, p); err != nil {
		t.Fatal(err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, b.Bytes()); err != nil {
		t.Fatal(err)
	}
	if got, want := strings.TrimSpace(a.String()), strings.TrimSpace(compact.String()); got != want {
		for i := 0; i < len(got) && i < len(want); i++ {
			if got[i] != want[i] {
				lo := max(0, i-80)
				t.Fatalf("streamed manifest differs at byte %d:\n got %s\nwant %s", i, got[lo:min(len(got), i+80)], want[lo:min(len(want), i+80)])
			}
		}
		t.Fatalf("streamed manifest has length %d, want %d", len(got), len(want))
	}
}

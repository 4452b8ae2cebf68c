package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type columnsOut struct {
	Models map[string]struct {
		Columns []struct {
			Name     string `json:"name"`
			DataType string `json:"data_type"`
			Lineage  []struct {
				Node   string `json:"node"`
				Column string `json:"column"`
			} `json:"lineage"`
			Kind string `json:"kind"`
			Pos  *struct {
				Path string `json:"path"`
				Line int    `json:"line"`
			} `json:"pos"`
		} `json:"columns"`
		Unresolved []string `json:"unresolved"`
	} `json:"models"`
}

func runColumnsCmd(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Run(context.Background(), args, strings.NewReader(""), &stdout, &stderr)
	return stdout.String(), stderr.String(), code
}

func TestColumnsCommandShop(t *testing.T) {
	out, errOut, code := runColumnsCmd(t, "columns", "--project", "../../examples/shop", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var doc columnsOut
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, out)
	}
	m, ok := doc.Models["model.shop.fct_orders"]
	if !ok {
		t.Fatalf("no fct_orders in %v", sortedModelIDs(doc.Models))
	}
	if len(m.Unresolved) != 0 {
		t.Fatalf("fct_orders unresolved: %v", m.Unresolved)
	}
	got := map[string]bool{}
	for _, c := range m.Columns {
		got[c.Name] = true
	}
	for _, want := range []string{"order_id", "customer_id", "ordered_at", "status", "item_count", "order_amount", "total_paid", "discount_amount", "last_paid_at"} {
		if !got[want] {
			t.Errorf("fct_orders lacks %s: %+v", want, m.Columns)
		}
	}
	// order_id comes, through stg_orders, from the raw_orders seed's id
	first := m.Columns[0]
	if first.Name != "order_id" || len(first.Lineage) != 1 || first.Lineage[0].Node != "model.shop.stg_orders" || first.Lineage[0].Column != "order_id" {
		t.Errorf("order_id lineage: %+v", first)
	}
	// its position is the line of its select item in the model file
	src, err := os.ReadFile("../../examples/shop/models/marts/fct_orders.sql")
	if err != nil {
		t.Fatal(err)
	}
	line := 0
	for i, l := range strings.Split(string(src), "\n") {
		if strings.TrimSpace(l) == "orders.order_id," {
			line = i + 1
			break
		}
	}
	if first.Pos == nil || first.Pos.Path != "models/marts/fct_orders.sql" || first.Pos.Line != line {
		t.Errorf("order_id position: %+v, want line %d", first.Pos, line)
	}
	// a seed lists its CSV header with value types
	seed := doc.Models["seed.shop.raw_orders"]
	if len(seed.Columns) == 0 || seed.Columns[0].Name != "id" {
		t.Errorf("seed columns: %+v", seed.Columns)
	}
	// every model of the shop resolves
	for id, m := range doc.Models {
		if len(m.Unresolved) > 0 {
			t.Errorf("%s unresolved: %v", id, m.Unresolved)
		}
	}
}

func TestColumnsCommandText(t *testing.T) {
	out, errOut, code := runColumnsCmd(t, "columns", "dim_customers", "--project", "../../examples/shop")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "model.shop.dim_customers") || !strings.Contains(out, "lifetime_value") {
		t.Errorf("text output:\n%s", out)
	}
	if strings.Contains(out, "model.shop.fct_orders ") {
		t.Errorf("only the named model is printed:\n%s", out)
	}
}

func TestColumnsCommandErrors(t *testing.T) {
	_, errOut, code := runColumnsCmd(t, "columns", "no_such_model", "--project", "../../examples/shop")
	if code != ExitUsage || !strings.Contains(errOut, "no_such_model") {
		t.Errorf("unknown model: exit %d, %s", code, errOut)
	}
	_, _, code = runColumnsCmd(t, "columns", "--project", "../../examples/shop", "--format", "yaml")
	if code != ExitUsage {
		t.Errorf("bad format: exit %d", code)
	}
	bad := filepath.Join(t.TempDir(), "catalog.json")
	if err := os.WriteFile(bad, []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, errOut, code = runColumnsCmd(t, "columns", "--project", "../../examples/shop", "--catalog", bad)
	if code != ExitUsage || !strings.Contains(errOut, "catalog.json") {
		t.Errorf("bad catalog: exit %d, %s", code, errOut)
	}
}

func TestLineageCommand(t *testing.T) {
	out, errOut, code := runColumnsCmd(t, "lineage", "stg_orders", "--downstream", "--project", "../../examples/shop", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rep struct {
		Node       string `json:"node"`
		Downstream []struct {
			ID    string `json:"unique_id"`
			Depth int    `json:"depth"`
		} `json:"downstream"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	found := map[string]int{}
	for _, s := range rep.Downstream {
		found[s.ID] = s.Depth
	}
	if found["model.shop.fct_orders"] != 1 || found["model.shop.dim_customers"] != 2 {
		t.Errorf("downstream of stg_orders: %+v", rep.Downstream)
	}

	// column level: what depends on stg_orders.order_id
	out, errOut, code = runColumnsCmd(t, "lineage", "stg_orders.order_id", "--downstream", "--project", "../../examples/shop", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var crep struct {
		Column            string `json:"column"`
		DownstreamColumns []struct {
			Node   string `json:"node"`
			Column string `json:"column"`
		} `json:"downstream_columns"`
	}
	if err := json.Unmarshal([]byte(out), &crep); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	hit := false
	for _, c := range crep.DownstreamColumns {
		if c.Node == "model.shop.fct_orders" && c.Column == "order_id" {
			hit = true
		}
	}
	if !hit {
		t.Errorf("fct_orders.order_id should depend on stg_orders.order_id: %+v", crep.DownstreamColumns)
	}

	out, _, code = runColumnsCmd(t, "lineage", "fct_orders.total_paid", "--upstream", "--project", "../../examples/shop", "--format", "mermaid")
	if code != 0 || !strings.HasPrefix(out, "graph LR") || !strings.Contains(out, "stg_payments.amount") {
		t.Errorf("mermaid (exit %d):\n%s", code, out)
	}

	_, errOut, code = runColumnsCmd(t, "lineage", "fct_orders.no_such_column", "--project", "../../examples/shop")
	if code != ExitUsage || !strings.Contains(errOut, "no_such_column") {
		t.Errorf("unknown column: exit %d %s", code, errOut)
	}
}

func sortedModelIDs[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestColumnsDescribe expands a star over a source nobody documents from the warehouse: the
// shop's seeds loaded into its DuckDB target stand in for the raw tables.
func TestColumnsDescribe(t *testing.T) {
	proj := filepath.Join(t.TempDir(), "shop")
	if err := copyTree("../../examples/shop", proj); err != nil {
		t.Fatal(err)
	}
	src := `version: 2
sources:
  - name: undocumented
    schema: "{{ target.schema }}"
    tables:
      - name: customers
        identifier: raw_customers
`
	if err := os.WriteFile(filepath.Join(proj, "models", "staging", "_undocumented.yml"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	model := "select * from {{ source('undocumented', 'customers') }}\n"
	if err := os.WriteFile(filepath.Join(proj, "models", "staging", "all_customers.sql"), []byte(model), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := runColumnsCmd(t, "seed", "--project", proj); code != 0 {
		t.Fatalf("seed: exit %d: %s", code, errOut)
	}

	out, errOut, code := runColumnsCmd(t, "columns", "all_customers", "--project", proj, "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var doc columnsOut
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	m := doc.Models["model.shop.all_customers"]
	if len(m.Unresolved) == 0 || !strings.Contains(m.Unresolved[0], "undocumented.customers") {
		t.Fatalf("without --describe the star is unresolved: %+v", m)
	}

	out, errOut, code = runColumnsCmd(t, "columns", "all_customers", "--project", proj, "--format", "json", "--describe")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	doc = columnsOut{}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	m = doc.Models["model.shop.all_customers"]
	if len(m.Unresolved) != 0 || len(m.Columns) == 0 || m.Columns[0].Name != "id" || m.Columns[0].DataType == "" {
		t.Fatalf("with --describe the warehouse lists the columns: %+v", m)
	}
	if l := m.Columns[0].Lineage; len(l) != 1 || l[0].Node != "source.shop.undocumented.customers" {
		t.Errorf("lineage to the source: %+v", l)
	}
}

// A --dialect dataops has no grammar for is said once on stderr, and the JSON stays clean.
func TestColumnsUnknownDialectWarns(t *testing.T) {
	out, errOut, code := runColumnsCmd(t, "columns", "--project", "../../examples/shop", "--format", "json", "--no-cache", "--dialect", "snowflak")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if n := strings.Count(errOut, `--dialect "snowflak": no grammar`); n != 1 {
		t.Errorf("warning given %d times:\n%s", n, errOut)
	}
	var doc columnsOut
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, out)
	}
	if _, errOut, _ := runColumnsCmd(t, "columns", "--project", "../../examples/shop", "--format", "json", "--no-cache", "--dialect", "snowflake"); strings.Contains(errOut, "no grammar") {
		t.Errorf("a known dialect warned: %s", errOut)
	}
}

// A source column its property file does not declare has lineage when a model reads it.
func TestLineageUndeclaredSourceColumn(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"dbt_project.yml": "name: undeclared\nversion: '1.0'\nprofile: undeclared\n",
		"models/sources.yml": "version: 2\nsources:\n  - name: erp\n    tables:\n      - name: company\n" +
			"        columns:\n          - name: id\n",
		"models/stg_company.sql": "with src as (select * from {{ source('erp', 'company') }})\nselect id, vat_number from src\n",
	}
	for name, text := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out, errOut, code := runColumnsCmd(t, "lineage", "erp.company.vat_number", "--downstream", "--project", dir, "--dialect", "duckdb", "--no-cache", "--format", "json")
	if code != 0 || !strings.Contains(out, `"model.undeclared.stg_company"`) {
		t.Errorf("undeclared source column: exit %d %s\n%s", code, errOut, out)
	}
	_, errOut, code = runColumnsCmd(t, "lineage", "erp.company.no_such_column", "--project", dir, "--dialect", "duckdb", "--no-cache")
	if code != ExitUsage || !strings.Contains(errOut, "no_such_column") {
		t.Errorf("unknown column: exit %d %s", code, errOut)
	}
}

// A model switched off by a var that defaults to false, as packages ship their marts, is
// inferred and marked off; the `| as_bool` after its config() adds nothing to its SQL.
func TestColumnsOfModelsSwitchedOff(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"dbt_project.yml": "name: pkg\nversion: '1'\nconfig-version: 2\nprofile: x\n",
		"models/claims.sql": "{{ config(\n  enabled = var('claims_enabled', false)) | as_bool\n}}\n\n" +
			"select c.claim_id, c.paid_amount, 1 as claim_count\nfrom {{ ref('stg_claims') }} as c\n",
		"models/stg_claims.sql": "{{ config(enabled=var('claims_enabled', false)) }}\nselect 1 as claim_id, 2.5 as paid_amount\n",
		"models/on.sql":         "select 1 as id\n",
	})
	out, errOut, code := runColumnsCmd(t, "columns", "--project", dir, "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var doc struct {
		Models map[string]struct {
			Off     bool `json:"off"`
			Columns []struct {
				Name    string `json:"name"`
				Lineage []struct {
					Node string `json:"node"`
				} `json:"lineage"`
			} `json:"columns"`
			Unresolved []string `json:"unresolved"`
		} `json:"models"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, out)
	}
	m, ok := doc.Models["model.pkg.claims"]
	if !ok || !m.Off || len(m.Unresolved) > 0 {
		t.Fatalf("claims: %+v (models %v)", m, out)
	}
	var names []string
	for _, c := range m.Columns {
		names = append(names, c.Name)
	}
	if strings.Join(names, ",") != "claim_id,paid_amount,claim_count" {
		t.Errorf("claims columns: %v", names)
	}
	if l := m.Columns[0].Lineage; len(l) != 1 || l[0].Node != "model.pkg.stg_claims" {
		t.Errorf("claim_id lineage: %+v", l)
	}
	if doc.Models["model.pkg.on"].Off {
		t.Errorf("an enabled model is not off")
	}
	text, errOut, code := runColumnsCmd(t, "columns", "claims", "--project", dir)
	if code != 0 || !strings.Contains(text, "models/claims.sql  (switched off by configuration)") || !strings.Contains(text, "claim_count") {
		t.Errorf("exit %d, text:\n%s%s", code, text, errOut)
	}
}

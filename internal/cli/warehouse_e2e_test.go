package cli

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/dataops-dev/dataops/internal/warehouse"
	"github.com/dataops-dev/dataops/internal/warehouse/postgres"
)

type runResult struct {
	UniqueID     string  `json:"unique_id"`
	ResourceType string  `json:"resource_type"`
	Name         string  `json:"name"`
	Status       string  `json:"status"`
	Failures     int64   `json:"failures"`
	Message      string  `json:"message"`
	Seconds      float64 `json:"seconds"`
	Test         string  `json:"test"`
	Model        string  `json:"model"`
	Column       string  `json:"column"`
	Path         string  `json:"path"`
}

// copyDir copies the example project (without any local warehouse file) to a temp dir.
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if info.IsDir() && (rel == ".dataops" || rel == "target" || rel == "logs") {
			return filepath.SkipDir
		}
		if info.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// runJSON runs a command with --format json and decodes its results.
func runJSON(t *testing.T, getenv func(string) string, args ...string) ([]runResult, int, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := RunEnv(&Env{Ctx: context.Background(), Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: getenv}, append(args, "--format", "json"))
	var doc struct {
		Results []runResult `json:"results"`
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatalf("%v: exit %d, stdout is not JSON (%v):\n%s\nstderr:\n%s", args, code, err, out.String(), errb.String())
	}
	return doc.Results, code, errb.String()
}

func statuses(rs []runResult) map[string]runResult {
	m := map[string]runResult{}
	for _, r := range rs {
		m[r.Name] = r
	}
	return m
}

// shopE2E runs seed, build and test on a copy of examples/shop against one target, then
// breaks the data and a model and checks exactly what fails.
func shopE2E(t *testing.T, getenv func(string) string, extra ...string) {
	dir := copyDir(t, "../../examples/shop")
	run := func(args ...string) ([]runResult, int, string) {
		return runJSON(t, getenv, append(append(args, "--project", dir), extra...)...)
	}
	for _, cmd := range []string{"seed", "build", "test"} {
		rs, code, stderr := run(cmd)
		if code != 0 || len(rs) == 0 {
			t.Fatalf("%s: exit %d with %d results\n%s", cmd, code, len(rs), stderr)
		}
		for _, r := range rs {
			if r.Status != "success" && r.Status != "pass" {
				t.Errorf("%s: %s is %s: %s", cmd, r.UniqueID, r.Status, r.Message)
			}
		}
	}
	// Broken data: an orphan customer with an unknown status, a NULL customer, a duplicate id.
	orders := filepath.Join(dir, "seeds", "raw_orders.csv")
	data, err := os.ReadFile(orders)
	if err != nil {
		t.Fatal(err)
	}
	data = append(data, []byte("601,9999,2024-06-01 10:00:00,lost\n602,,2024-06-02 10:00:00,placed\n1,51,2024-03-11 13:02:55,returned\n")...)
	if err := os.WriteFile(orders, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if rs, code, stderr := run("seed", "--select", "raw_orders"); code != 0 || len(rs) != 1 {
		t.Fatalf("reseed: exit %d %v\n%s", code, rs, stderr)
	}
	rs, code, _ := run("test")
	if code != 1 {
		t.Errorf("test on broken data: exit %d, want 1", code)
	}
	var failed []string
	for _, r := range rs {
		if r.Status != "pass" {
			failed = append(failed, r.Test+" "+r.Model+"."+r.Column+" "+r.Status+" "+itoa64(r.Failures))
		}
	}
	sort.Strings(failed)
	want := []string{
		"accepted_values stg_orders.status fail 1",
		"not_null stg_orders.customer_id fail 1",
		"relationships stg_orders.customer_id fail 1",
		"unique stg_orders.order_id fail 1",
	}
	if strings.Join(failed, "\n") != strings.Join(want, "\n") {
		t.Errorf("failing tests:\n%s\nwant:\n%s", strings.Join(failed, "\n"), strings.Join(want, "\n"))
	}
	// A broken model: reported with its file and the warehouse's message; its dependent is
	// skipped; the rest of the DAG still builds.
	writeFile(t, filepath.Join(dir, "models", "marts", "broken.sql"), "select no_such_column from {{ ref('dim_products') }}\n")
	writeFile(t, filepath.Join(dir, "models", "marts", "after_broken.sql"), "select * from {{ ref('broken') }}\n")
	rs, code, _ = run("build", "--select", "dim_products+", "--exclude", "resource_type:test")
	got := statuses(rs)
	if code != 1 || got["dim_products"].Status != "success" || got["broken"].Status != "error" || got["after_broken"].Status != "skipped" {
		t.Fatalf("build with a broken model: exit %d, %+v", code, rs)
	}
	if b := got["broken"]; b.Path != "models/marts/broken.sql" || !strings.Contains(strings.ToLower(b.Message), "no_such_column") {
		t.Errorf("broken model result = %+v", b)
	}
}

func itoa64(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestE2EShopDuckDB(t *testing.T) {
	shopE2E(t, func(string) string { return "" })
}

func TestE2EShopPostgres(t *testing.T) {
	raw := os.Getenv("DATAOPS_TEST_POSTGRES_URL")
	if raw == "" {
		raw = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "dataops_e2e_" + hex.EncodeToString(b)
	pw, _ := u.User.Password()
	env := map[string]string{
		"SHOP_PG_HOST": u.Hostname(), "SHOP_PG_PORT": u.Port(), "SHOP_PG_USER": u.User.Username(),
		"SHOP_PG_PASSWORD": pw, "SHOP_PG_DATABASE": strings.TrimPrefix(u.Path, "/"), "SHOP_PG_SCHEMA": schema,
	}
	if env["SHOP_PG_PORT"] == "" {
		env["SHOP_PG_PORT"] = "5432"
	}
	w, err := postgres.Open(context.Background(), raw, 1, warehouse.Access{Write: true})
	if err != nil {
		t.Fatalf("PostgreSQL at %s: %v", raw, err)
	}
	t.Cleanup(func() {
		w.Exec(context.Background(), "drop schema if exists "+w.Quote(schema)+" cascade")
		w.Close()
	})
	shopE2E(t, func(k string) string { return env[k] }, "--target", "postgres")
	// The run really used PostgreSQL: the models are in the test's schema.
	kind, cols, err := w.Describe(context.Background(), warehouse.Relation{Schema: schema, Name: "fct_orders"})
	if err != nil || kind != warehouse.KindTable || len(cols) == 0 {
		t.Fatalf("fct_orders on PostgreSQL: %q %v %v", kind, cols, err)
	}
}

// Custom generic tests ({% test %} blocks) render through the project's Jinja; dbt_utils
// tests are generated without the package; where, severity and warn_if apply.
func TestE2ECustomTests(t *testing.T) {
	dir := copyDir(t, "../../examples/shop")
	writeFile(t, filepath.Join(dir, "macros", "test_is_even.sql"),
		"{% test is_even(model, column_name, offset=0) %}\nselect {{ column_name }} from {{ model }}\nwhere mod({{ column_name }} + {{ offset }}, 2) <> 0\n{% endtest %}\n")
	props := filepath.Join(dir, "seeds", "_seeds.yml")
	data, err := os.ReadFile(props)
	if err != nil {
		t.Fatal(err)
	}
	old := "  - name: raw_products\n    description: The product catalogue with list prices in cents.\n"
	if !strings.Contains(string(data), old) {
		t.Fatalf("%s changed: update this test", props)
	}
	data = []byte(strings.Replace(string(data), old, old+`    columns:
      - name: id
        data_tests:
          - is_even
          - is_even:
              name: ids_odd
              offset: 1
              config:
                severity: warn
                warn_if: ">30"
      - name: price_cents
        data_tests:
          - dbt_utils.accepted_range:
              min_value: 1000
              max_value: 10000
          - dbt_utils.accepted_range:
              name: cheap_apparel
              max_value: 1000
              config:
                where: "category = 'apparel'"
                error_if: ">100"
`, 1))
	writeFile(t, props, string(data))
	getenv := func(string) string { return "" }
	if _, code, stderr := runJSON(t, getenv, "seed", "--project", dir); code != 0 {
		t.Fatalf("seed: exit %d\n%s", code, stderr)
	}
	rs, code, stderr := runJSON(t, getenv, "test", "--project", dir, "--select", "raw_products")
	if code != 1 {
		t.Fatalf("test: exit %d, want 1\n%s", code, stderr)
	}
	var got []string
	for _, r := range rs {
		got = append(got, r.Test+" "+r.Status+" "+itoa64(r.Failures))
	}
	sort.Strings(got)
	want := []string{"dbt_utils.accepted_range fail 26", "dbt_utils.accepted_range warn 7", "is_even fail 20", "is_even pass 20"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("results:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestE2EProfile(t *testing.T) {
	dir := copyDir(t, "../../examples/shop")
	env := &Env{Ctx: context.Background(), Stdin: strings.NewReader(""), Getenv: testGetenv(nil)}
	run := func(args ...string) (string, int) {
		var out, errb bytes.Buffer
		env.Stdout, env.Stderr = &out, &errb
		code := RunEnv(env, append(args, "--project", dir))
		if code != 0 {
			t.Logf("%v: %s", args, errb.String())
		}
		return out.String(), code
	}
	if _, code := run("seed"); code != 0 {
		t.Fatal("seed failed")
	}
	out, code := run("profile", "raw_products", "--format", "json", "--top", "2")
	if code != 0 {
		t.Fatalf("profile: exit %d", code)
	}
	var p struct {
		UniqueID      string     `json:"unique_id"`
		Rows          int64      `json:"rows"`
		CandidateKeys [][]string `json:"candidate_keys"`
		Columns       []struct {
			Name     string `json:"name"`
			Distinct int64  `json:"distinct"`
			Top      []struct {
				Value any   `json:"value"`
				Count int64 `json:"count"`
			} `json:"top_values"`
		} `json:"columns"`
	}
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	keys, _ := json.Marshal(p.CandidateKeys)
	if p.UniqueID != "seed.shop.raw_products" || p.Rows != 40 || !strings.Contains(string(keys), `["id"]`) || !strings.Contains(string(keys), `["sku"]`) {
		t.Fatalf("profile = %s", out)
	}
	for _, c := range p.Columns {
		if c.Name == "category" && (c.Distinct != 5 || len(c.Top) != 2 || c.Top[0].Count != 8) {
			t.Errorf("category = %+v", c)
		}
	}
	if _, code := run("profile", "no_such_model"); code != 2 {
		t.Errorf("unknown model: exit %d, want 2", code)
	}
	text, _ := run("profile", "raw_products", "--sample", "10")
	if !strings.Contains(text, "10 rows (sample)") || !strings.Contains(text, "Candidate keys:") {
		t.Errorf("text profile:\n%s", text)
	}
}

// The text log: one line per node, failures with their file, count and sample rows, a summary.
func TestE2ETextOutput(t *testing.T) {
	dir := copyDir(t, "../../examples/shop")
	writeFile(t, filepath.Join(dir, "tests", "assert_no_apparel.sql"), "select id, category from {{ ref('raw_products') }} where category = 'apparel'\n")
	env := &Env{Ctx: context.Background(), Stdin: strings.NewReader(""), Getenv: testGetenv(nil)}
	var out, errb bytes.Buffer
	env.Stdout, env.Stderr = &out, &errb
	code := RunEnv(env, []string{"build", "--project", dir, "--select", "raw_products+", "--threads", "1"})
	text := out.String()
	if code != 1 {
		t.Fatalf("exit %d\n%s\n%s", code, text, errb.String())
	}
	for _, want := range []string{
		"OK    seed \"main\".\"raw_products\"",
		"FAIL  test assert_no_apparel",
		"[FAIL 8 in ",
		"Failure in test assert_no_apparel (tests/assert_no_apparel.sql)",
		"got 8 results, configured to fail if",
		"id | category\n",
		"SKIP  model \"main\".\"dim_products\"",
		"Done. PASS=",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
}

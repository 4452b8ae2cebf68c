package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// shopWithoutOrderIDTests removes the tests of one column of the shop's staging property file, so
// the Test Enhancer has something to propose.
func shopWithoutOrderIDTests(t *testing.T) (dir, file string) {
	dir = copyDir(t, filepath.Join("..", "..", "examples", "shop"))
	file = filepath.Join(dir, "models", "staging", "_staging.yml")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	var out []string
	skip := -1
	inOrders := false
	for _, l := range lines {
		trim := strings.TrimSpace(l)
		indent := len(l) - len(strings.TrimLeft(l, " "))
		if strings.HasPrefix(trim, "- name: stg_orders") {
			inOrders = true
		} else if strings.HasPrefix(trim, "- name: stg_") {
			inOrders = false
		}
		if skip >= 0 {
			if trim == "" || indent > skip {
				continue
			}
			skip = -1
		}
		if inOrders && (trim == "tests:" || trim == "data_tests:") {
			skip = indent
			continue
		}
		out = append(out, l)
	}
	if err := os.WriteFile(file, []byte(strings.Join(out, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, file
}

func TestTestsCommand(t *testing.T) {
	dir, file := shopWithoutOrderIDTests(t)
	stdout, stderr, code := runCLI(t, "tests", "--project", dir, "--format", "json", "--no-history")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var res struct {
		Suggestions []struct {
			Model, Column, Test, Status string
			Confidence                  float64
			Reasons                     []string
		}
	}
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, stdout)
	}
	want := map[string]bool{"stg_orders.order_id.unique": false, "stg_orders.order_id.not_null": false}
	for _, s := range res.Suggestions {
		k := s.Model + "." + s.Column + "." + s.Test
		if _, ok := want[k]; ok {
			want[k] = true
		}
		if s.Status != "unverified" || len(s.Reasons) == 0 {
			t.Errorf("%s: %+v", k, s)
		}
	}
	for k, ok := range want {
		if !ok {
			t.Errorf("missing %s in %s", k, stdout)
		}
	}

	before, _ := os.ReadFile(file)
	if _, _, code := runCLI(t, "tests", "--project", dir, "--check", "--no-history"); code != 1 {
		t.Errorf("--check: exit %d, want 1", code)
	}
	if after, _ := os.ReadFile(file); !bytes.Equal(before, after) {
		t.Error("--check wrote the file")
	}
	if _, stderr, code := runCLI(t, "tests", "--project", dir, "--write", "--no-history"); code != 0 {
		t.Fatalf("--write: exit %d: %s", code, stderr)
	}
	after, _ := os.ReadFile(file)
	if !strings.Contains(string(after), "unique") || bytes.Equal(before, after) {
		t.Fatalf("--write did not add the tests:\n%s", after)
	}
	// Written once, nothing left to propose for that column.
	stdout, _, _ = runCLI(t, "tests", "--project", dir, "--format", "json", "--no-history")
	if strings.Contains(stdout, `"column": "order_id",`+"\n"+`      "test": "unique"`) {
		t.Errorf("unique on stg_orders.order_id proposed again after --write")
	}

	gx := t.TempDir()
	dir2, _ := shopWithoutOrderIDTests(t)
	if _, stderr, code := runCLI(t, "tests", "--project", dir2, "--format", "gx", "--out", gx, "--no-history"); code != 0 {
		t.Fatalf("gx: exit %d: %s", code, stderr)
	}
	data, err := os.ReadFile(filepath.Join(gx, "stg_orders.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "expect_column_values_to_be_unique") {
		t.Errorf("suite: %s", data)
	}
}

func TestCoverageCommand(t *testing.T) {
	base := copyDir(t, filepath.Join("..", "..", "examples", "shop"))
	head := copyDir(t, filepath.Join("..", "..", "examples", "shop"))
	model := filepath.Join(head, "models", "staging", "stg_orders.sql")
	data, err := os.ReadFile(model)
	if err != nil {
		t.Fatal(err)
	}
	src := string(data)
	// The new column goes at the end of the select list of the `renamed` CTE.
	i := strings.Index(src, "    from source")
	if i < 0 {
		t.Fatalf("stg_orders.sql changed shape:\n%s", src)
	}
	src = src[:i] + "        , 1 as is_priority\n" + src[i:]
	if err := os.WriteFile(model, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := runCLI(t, "coverage", "--project", head, "--base-dir", base, "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var cov struct {
		Totals struct {
			Columns       int `json:"columns"`
			TestedColumns int `json:"tested_columns"`
		}
		Delta struct {
			NewColumns  int      `json:"new_columns"`
			NewUntested []string `json:"new_untested"`
		}
	}
	if err := json.Unmarshal([]byte(stdout), &cov); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	if cov.Delta.NewColumns != 1 || len(cov.Delta.NewUntested) != 1 || cov.Delta.NewUntested[0] != "stg_orders.is_priority" {
		t.Errorf("delta = %+v", cov.Delta)
	}
	if cov.Totals.Columns == 0 || cov.Totals.TestedColumns == 0 {
		t.Errorf("totals = %+v", cov.Totals)
	}
	if _, _, code := runCLI(t, "coverage", "--project", head, "--fail-under", "99"); code != 1 {
		t.Errorf("--fail-under 99: exit %d, want 1", code)
	}
}

// After `dataops build`, the built models' data is evidence: the customer_id the team no
// longer tests is found in the customers' key, and the suggestion says so and is confirmed.
// The data dictionary's descriptions are read like the property files', and the values they
// list take the spelling the data uses.
func TestTestsFromDataAndDictionary(t *testing.T) {
	dir, _ := shopWithoutOrderIDTests(t)
	for _, cmd := range []string{"seed", "build"} {
		if _, stderr, code := runCLI(t, cmd, "--project", dir); code != 0 {
			t.Fatalf("%s: exit %d: %s", cmd, code, stderr)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, ".dataops.yml"), []byte("schema:\n  dictionary: dictionary.csv\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dict := "column,description\ncountry_code,\"Shipping country, one of: `nl`, `de`, `gb`, `es`, `it`, `us`, `jp`, `se`, `fr`, `pl`.\"\n"
	if err := os.WriteFile(filepath.Join(dir, "dictionary.csv"), []byte(dict), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := runCLI(t, "tests", "--project", dir, "--format", "json", "--no-history", "--threshold", "0.01")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var res struct {
		Suggestions []struct {
			Model, Column, Test, Status string
			Arguments                   map[string]any
			Reasons                     []string
		}
	}
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, stdout)
	}
	var fk, country bool
	for _, s := range res.Suggestions {
		why := strings.Join(s.Reasons, "; ")
		switch {
		case s.Model == "stg_orders" && s.Column == "customer_id" && s.Test == "relationships":
			fk = true
			if s.Status != "confirmed" || !strings.Contains(why, "distinct customer_id values are found in") {
				t.Errorf("customer_id: %+v", s)
			}
		case s.Model == "stg_customers" && s.Column == "country_code" && s.Test == "accepted_values":
			country = true
			vals, _ := s.Arguments["values"].([]any)
			if !strings.Contains(why, "its description lists 'NL', 'DE', 'GB'") || len(vals) != 10 || vals[0] != "NL" || s.Status != "confirmed" {
				t.Errorf("country_code: %+v", s)
			}
		}
	}
	if !fk || !country {
		t.Errorf("relationships on customer_id: %v, accepted_values from the dictionary: %v\n%s", fk, country, stdout)
	}
}

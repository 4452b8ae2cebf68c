package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// movedShopOrders is the shop with stg_orders moved to models/core and its property entry
// deleted, uncommitted: a change against HEAD that drops the entry.
func movedShopOrders(t *testing.T) string {
	t.Helper()
	_, proj := shopRepo(t)
	yml := filepath.Join(proj, "models/staging/_staging.yml")
	data, err := os.ReadFile(yml)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	from, to := strings.Index(text, "  - name: stg_orders\n"), strings.Index(text, "  - name: stg_order_items\n")
	if from < 0 || to < from {
		t.Fatalf("the shop's _staging.yml changed:\n%s", text)
	}
	if err := os.WriteFile(yml, []byte(text[:from]+text[to:]), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(proj, "models/core"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(proj, "models/staging/stg_orders.sql"), filepath.Join(proj, "models/core/stg_orders.sql")); err != nil {
		t.Fatal(err)
	}
	return proj
}

// A change that moves a model and drops its property entry (the file that documented it
// deleted, no new one written): the entry is written again from the base's, doc() calls kept.
func TestSchemaRestoresAnEntryTheChangeDropped(t *testing.T) {
	proj := movedShopOrders(t)
	out, errOut, code := runCLI(t, "schema", "--project", proj, "--base", "HEAD")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"+  - name: stg_orders\n", `order_status`, "from base (models/staging/_staging.yml:56)", "+      - name: order_id\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("schema output lacks %q:\n%s", want, out)
		}
	}
}

// The same change drops the entry's tests: the Test Enhancer proposes them again, with their
// arguments as written, and nothing else on columns the change did not touch.
func TestTestsRestoreWhatTheChangeDropped(t *testing.T) {
	proj := movedShopOrders(t)
	out, errOut, code := runCLI(t, "tests", "--project", proj, "--base", "HEAD", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var res struct {
		Suggestions []struct {
			Model, Column, Test string
			Arguments           map[string]any
			Reasons             []string
		}
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	got := map[string]string{}
	for _, s := range res.Suggestions {
		if s.Model != "stg_orders" {
			continue
		}
		if len(s.Reasons) == 0 || !strings.Contains(s.Reasons[0], "the change dropped the entry") {
			t.Errorf("%s.%s %s: reasons %v", s.Model, s.Column, s.Test, s.Reasons)
		}
		args, _ := json.Marshal(s.Arguments)
		got[s.Column+" "+s.Test] = string(args)
	}
	want := map[string]string{
		"order_id unique": "null", "order_id not_null": "null", "customer_id not_null": "null",
		"customer_id relationships": `{"field":"customer_id","to":"ref('stg_customers')"}`,
		"status accepted_values":    `{"values":["placed","shipped","completed","return_pending","returned"]}`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("stg_orders proposals:\n got %v\nwant %v", got, want)
	}
	// The review writes them back into the entry it writes again: they are the team's.
	out, errOut, code = runCLI(t, "review", "--project", proj, "--base", "HEAD", "--format", "json")
	if code != 0 {
		t.Fatalf("review: exit %d: %s", code, errOut)
	}
	var rv struct {
		Edits []struct{ Path, Diff string }
	}
	if err := json.Unmarshal([]byte(out), &rv); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var diff string
	for _, e := range rv.Edits {
		if e.Path == "models/core/_core.yml" {
			diff = e.Diff
		}
	}
	for _, want := range []string{"+  - name: stg_orders\n", "- unique\n", "- not_null\n", "relationships", "return_pending"} {
		if !strings.Contains(diff, want) {
			t.Errorf("the review's edit of models/core/_core.yml lacks %q:\n%s", want, diff)
		}
	}
}

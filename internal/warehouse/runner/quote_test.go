package runner

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/warehouse"
	"github.com/dataops-dev/dataops/internal/warehouse/warehousetest"
)

// Names in tests' arguments are names, whatever they hold: each generic test runs on columns
// named to break out of the SQL, finds them and counts right, and nothing spliced in runs.
func TestGenericTestsQuoteNames(t *testing.T) {
	warehouses(t, func(t *testing.T, w warehouse.Warehouse, schema string) {
		ctx := context.Background()
		d := w.Dialect()
		canary := filepath.Join(t.TempDir(), "x.csv")
		// The column alias of issue 17, aimed at a file: with the name spliced in unquoted
		// the count query ends early and a COPY runs.
		exploit := `1 as a_id, ' as s) t; COPY (select 42 as pwned) TO $$` + canary + `$$; select * from (select x_id from (select 1 as x_id) q where x_id`
		names := append([]string{exploit}, warehousetest.Hostile...)
		var cols []string
		for _, n := range names {
			cols = append(cols, d.Literal(n)+" as "+d.Ident(n))
		}
		b := newBuilder(t, schema)
		b.model("odd", "table", "select 1 as id, "+strings.Join(cols, ", "))
		b.test("not_null_exploit", "not_null", "", "model.shop.odd", exploit, nil, nil)
		rs := Run(ctx, Config{Project: b.p, Warehouse: w, Target: &warehouse.Target{Schema: schema}, Types: []string{dbt.Model, dbt.Test}})
		for _, r := range rs {
			if r.Status != StatusSuccess && r.Status != StatusPass {
				t.Fatalf("%s: %s %s", r.Name, r.Status, r.Message)
			}
		}
		target := &warehouse.Target{Schema: schema}
		check := func(spec TestSpec, failures int64) {
			t.Helper()
			spec.Attached = "model.shop.odd"
			res, err := CheckTest(ctx, b.p, w, target, spec, 1)
			if err != nil || res.Failures != failures {
				t.Errorf("%s on %q %v: %+v %v, want %d failures", spec.Name, spec.Column, spec.Kwargs, res, err, failures)
			}
		}
		for _, n := range names {
			check(TestSpec{Name: "not_null", Column: n}, 0)
			check(TestSpec{Name: "unique", Column: n}, 0)
			check(TestSpec{Name: "accepted_values", Column: n, Kwargs: map[string]any{"values": []any{n}}}, 0)
			check(TestSpec{Name: "accepted_values", Column: n, Kwargs: map[string]any{"values": []any{n + "'"}}}, 1)
			check(TestSpec{Name: "relationships", Column: n, Kwargs: map[string]any{"to": "ref('odd')", "field": n}}, 0)
			check(TestSpec{Name: "unique_combination_of_columns", Namespace: "dbt_utils", Kwargs: map[string]any{"combination_of_columns": []any{n, "id"}}}, 0)
			check(TestSpec{Name: "not_constant", Namespace: "dbt_utils", Column: "id", Kwargs: map[string]any{"group_by_columns": []any{n}}}, 1)
		}
		check(TestSpec{Name: "relationships", Column: "id", Kwargs: map[string]any{"to": schema + ".odd", "field": "id"}}, 0)
		// Arguments that are neither names nor values are refused, not spliced in.
		for _, spec := range []TestSpec{
			{Name: "relationships", Column: "id", Kwargs: map[string]any{"to": "odd; select 1", "field": "id"}},
			{Name: "relationships", Column: "id", Kwargs: map[string]any{"to": "(select 1 as id) x", "field": "id"}},
			{Name: "accepted_values", Column: "id", Kwargs: map[string]any{"values": []any{"1) or (1=1"}, "quote": false}},
			{Name: "not_null_proportion", Namespace: "dbt_utils", Column: "id", Kwargs: map[string]any{"at_least": "0) or (1=1"}},
		} {
			spec.Attached = "model.shop.odd"
			if _, err := CheckTest(ctx, b.p, w, target, spec, 1); err == nil {
				t.Errorf("%s %v: ran", spec.Name, spec.Kwargs)
			}
		}
		check(TestSpec{Name: "accepted_values", Column: "id", Kwargs: map[string]any{"values": []any{1, "2.5"}, "quote": false}}, 0)
		// where: is SQL by design; it still cannot start a second statement.
		_, err := CheckTest(ctx, b.p, w, target, TestSpec{Name: "not_null", Attached: "model.shop.odd", Column: "id",
			Config: map[string]any{"where": "1 = 1) t) x; copy (select 42) to '" + canary + "'; select * from (select * from (select 1 as id"}}, 1)
		if !errors.Is(err, warehouse.ErrMultipleStatements) {
			t.Errorf("where: closing the query: %v", err)
		}
		if _, err := os.Stat(canary); err == nil {
			t.Fatal("the COPY spliced into a test ran")
		}
	})
}

package testgen

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dataops-dev/dataops/internal/columns"
	"github.com/dataops-dev/dataops/internal/dbt"
)

func loadCase(t *testing.T, dir string) (*dbt.Project, *columns.Result) {
	t.Helper()
	p, err := dbt.Load(context.Background(), dbt.LoadOptions{Dir: dir, Compile: true, Adapter: "duckdb"})
	if err != nil {
		t.Fatalf("loading %s: %v", dir, err)
	}
	return p, columns.Infer(p, columns.Options{})
}

// loadKeys loads a case and indexes its keys as Suggest does (DuckDB, the compiled SQL).
func loadKeys(t *testing.T, dir string) (*dbt.Project, *columns.Result, *keyIndex) {
	t.Helper()
	p, inf := loadCase(t, dir)
	models := p.Models()
	sigs := make([]*sqlSignals, len(models))
	for i, m := range models {
		sigs[i] = safeSignals(m.CompiledCode, "duckdb", nil, nil, nil)
	}
	return p, inf, newKeyIndex(p, models, sigs, inf, existingTests(p), keyOwners(models, sigs, inf))
}

// TestCases runs every project under testdata/cases: want.txt lists `model column test` lines
// that must be proposed and `!model column test` lines that must not.
func TestCases(t *testing.T) {
	dirs, _ := filepath.Glob("testdata/cases/*")
	if len(dirs) == 0 {
		t.Fatal("no cases")
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			p, inf := loadCase(t, dir)
			res := Suggest(p, inf, Options{})
			got := map[string]*Suggestion{}
			for _, s := range res.Suggestions {
				got[s.Model+" "+strings.ToLower(s.Column)+" "+s.Test] = s
			}
			f, err := os.Open(filepath.Join(dir, "want.txt"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			sc := bufio.NewScanner(f)
			for sc.Scan() {
				line := strings.TrimSpace(sc.Text())
				if line == "" || strings.HasPrefix(line, "#") {
					continue
				}
				if neg := strings.TrimPrefix(line, "!"); neg != line {
					if s := got[neg]; s != nil {
						t.Errorf("proposed %s (%.2f) but must not: %v", neg, s.Confidence, s.Reasons)
					}
					continue
				}
				s := got[line]
				if s == nil {
					t.Errorf("missing %s", line)
					continue
				}
				if len(s.Reasons) == 0 || s.Confidence <= 0 || s.Status != Unverified {
					t.Errorf("%s: want reasons, a confidence and status unverified, got %+v", line, s)
				}
				if s.Pos.Path == "" {
					t.Errorf("%s: no position", line)
				}
			}
		})
	}
}

// A run scoped to some models reads the columns of the others only to learn from them: what
// it proposes for a model is what an unscoped run proposes for it, in every case.
func TestScopedRunAgreesWithWhole(t *testing.T) {
	dirs, _ := filepath.Glob("testdata/cases/*")
	for _, dir := range dirs {
		p, inf := loadCase(t, dir)
		whole := map[string][]string{}
		for _, s := range Suggest(p, inf, Options{}).Suggestions {
			whole[s.UniqueID] = append(whole[s.UniqueID], fmt.Sprintf("%s %s %.2f %v", s.Column, s.Test, s.Confidence, s.Arguments))
		}
		for _, m := range p.Models() {
			var scoped []string
			for _, s := range Suggest(p, inf, Options{Models: map[string]bool{m.UniqueID: true}}).Suggestions {
				scoped = append(scoped, fmt.Sprintf("%s %s %.2f %v", s.Column, s.Test, s.Confidence, s.Arguments))
			}
			if !slices.Equal(scoped, whole[m.UniqueID]) {
				t.Errorf("%s %s: scoped run proposes\n%v\nthe whole run\n%v", filepath.Base(dir), m.Name, scoped, whole[m.UniqueID])
			}
		}
	}
}

// A model that is off is proposed on, but owns no key: no test refers to it.
func TestDisabledModelIsNoTarget(t *testing.T) {
	p, inf := loadCase(t, "testdata/cases/disabled")
	if _, on := p.Nodes["model.cases.refunds"]; on {
		t.Fatal("refunds is enabled: the case tests nothing")
	}
	proposed := false
	res := Suggest(p, inf, Options{})
	// Its tests are written into its property entry as any model's.
	if edits, notes := Edits(p, res, nil); len(notes) > 0 || len(edits) != 1 || !strings.Contains(string(edits[0].New), "refund_id\n        data_tests: [unique, not_null]") {
		t.Errorf("edits of the disabled model: %d edits, notes %v", len(edits), notes)
	}
	for _, s := range res.Suggestions {
		if to, _ := s.Arguments["to"].(string); strings.Contains(to, "refunds") {
			t.Errorf("%s.%s refers to a disabled model: %v", s.Model, s.Column, s.Arguments)
		}
		proposed = proposed || s.Model == "refunds"
	}
	if !proposed {
		t.Error("nothing proposed on the disabled model")
	}
}

func TestArguments(t *testing.T) {
	p, inf := loadCase(t, "testdata/cases/fk")
	for _, s := range Suggest(p, inf, Options{}).Suggestions {
		if s.Model == "fct_invoices" && s.Test == Relationships {
			if s.Arguments["to"] != "ref('dim_accounts')" || s.Arguments["field"] != "account_id" {
				t.Errorf("relationships arguments = %v", s.Arguments)
			}
			return
		}
	}
	t.Fatal("no relationships suggestion")
}

func TestScopeAndExisting(t *testing.T) {
	p, inf := loadCase(t, "testdata/cases/learned")
	res := Suggest(p, inf, Options{Models: map[string]bool{"model.cases.fct_d": true}})
	for _, s := range res.Suggestions {
		if s.Model != "fct_d" {
			t.Errorf("suggestion outside the scope: %+v", s)
		}
	}
	if res.Learned.TestedModels != 3 {
		t.Errorf("learned from %d tested models, want 3", res.Learned.TestedModels)
	}
	// Columns that already have a test get no second one.
	res = Suggest(p, inf, Options{})
	for _, s := range res.Suggestions {
		if s.Model != "fct_d" && s.Test == NotNull && s.Column != "amount" {
			t.Errorf("proposed a test the column already has: %+v", s)
		}
	}
}

func TestGXSuites(t *testing.T) {
	p, inf := loadCase(t, "testdata/cases/enum")
	suites := GXSuites(Suggest(p, inf, Options{}))
	if len(suites) != 1 || suites[0].Name != "stg_tickets" {
		t.Fatalf("suites = %+v", suites)
	}
	seen := map[string]bool{}
	for _, e := range suites[0].Expectations {
		seen[e.Type] = true
		if e.Type == "expect_column_values_to_be_in_set" && e.Kwargs["value_set"] == nil {
			t.Errorf("in-set expectation without values: %+v", e)
		}
	}
	if !seen["expect_column_values_to_be_in_set"] || !seen["expect_column_values_to_be_unique"] {
		t.Errorf("expectation types = %v", seen)
	}
}

// Every way a column is taken for the model's key is said in the proposal's reasons, even with
// nothing learned from the team to add.
func TestKeyReasons(t *testing.T) {
	for _, pk := range []string{"sql", "combo", "name", "first"} {
		c := &column{name: "visit_id", lower: "visit_id", pk: pk}
		if r := reasons(c, NotNull, "", ""); len(r) == 0 {
			t.Errorf("a key taken as %q gives no reason for not_null", pk)
		}
	}
}

// A relationships suggestion's reasons speak of the model its arguments name: the team's
// habit (dim_b_company) chose the target, not the key of the same name the SQL offered.
func TestRelationshipsReasonsNameTheirTarget(t *testing.T) {
	p, inf := loadCase(t, "testdata/cases/habittarget")
	for _, s := range Suggest(p, inf, Options{Threshold: 0.01}).Suggestions {
		if s.Test != Relationships || s.Model != "fct_a" || s.Column != "company_id" {
			continue
		}
		if to := s.Arguments["to"]; to != "ref('dim_b_company')" {
			t.Fatalf("to = %v", to)
		}
		for _, r := range s.Reasons {
			if strings.Contains(r, "dim_a_company") {
				t.Errorf("reason %q names another model than the target", r)
			}
		}
		return
	}
	t.Fatal("no relationships suggestion for fct_a.company_id")
}

// The proposals are the same from run to run, and a surrogate key refers to the key of its own
// name when the entity's model has a natural key beside it.
func TestSuggestIsStable(t *testing.T) {
	var first string
	for run := 0; run < 12; run++ {
		p, inf := loadCase(t, "testdata/cases/twokeys")
		res := Suggest(p, inf, Options{})
		out, _ := json.Marshal(res.Suggestions)
		if run == 0 {
			first = string(out)
			var found bool
			for _, s := range res.Suggestions {
				if s.Column == "marketplace_sk" && s.Test == Relationships {
					found = s.Arguments["field"] == "marketplace_sk"
				}
			}
			if !found {
				t.Fatalf("marketplace_sk does not refer to dim_marketplace.marketplace_sk: %s", out)
			}
		} else if string(out) != first {
			t.Fatalf("run %d differs from the first", run)
		}
	}
}

// BigQuery stores a null array as an empty one: not_null on an array column cannot fail
// there, so it is not proposed, though the same project on another warehouse gets it.
func TestNoNotNullOnBigQueryArrays(t *testing.T) {
	for _, adapter := range []string{"bigquery", "duckdb"} {
		p, err := dbt.Load(context.Background(), dbt.LoadOptions{Dir: "testdata/bqarrays", Compile: true, Adapter: adapter})
		if err != nil {
			t.Fatal(err)
		}
		res := Suggest(p, columns.Infer(p, columns.Options{}), Options{})
		got := map[string]bool{}
		for _, s := range res.Suggestions {
			got[s.Model+"."+s.Column+" "+s.Test] = true
		}
		if !got["fct_events.event_name not_null"] {
			t.Fatalf("%s: want not_null on event_name, got %v", adapter, got)
		}
		if arr := got["fct_events.event_params not_null"]; arr != (adapter != "bigquery") {
			t.Errorf("%s: not_null on the array column proposed = %v", adapter, arr)
		}
	}
}

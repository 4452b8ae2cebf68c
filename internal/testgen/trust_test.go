package testgen

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// testdata/trust holds models shaped after tests reviewers rejected on real pull requests: a
// unique key on history tables and on a person x vaccine grain, not_null on the optional side
// of a LEFT JOIN and on columns documented as null for some source, tests on a column the model
// no longer outputs, a unique name-key where the team declares a composite one; and the key
// tests that were missed (a hash the model keeps not null, a copy of a unique upstream key).
// Lines of want.txt are proposed at the default threshold; `!` lines at none: a test that
// contradicts the model is not a matter of confidence.
func TestTrustCases(t *testing.T) {
	p, inf := loadCase(t, "testdata/trust")
	at := func(threshold float64) map[string]*Suggestion {
		got := map[string]*Suggestion{}
		for _, s := range Suggest(p, inf, Options{Threshold: threshold}).Suggestions {
			got[s.Model+" "+strings.ToLower(s.Column)+" "+s.Test] = s
		}
		return got
	}
	def, any := at(0), at(0.0001)
	f, err := os.Open(filepath.Join("testdata/trust", "want.txt"))
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
			if s := any[neg]; s != nil {
				t.Errorf("proposed %s (%.2f) but it contradicts the model: %v", neg, s.Confidence, s.Reasons)
			}
			continue
		}
		if def[line] == nil {
			t.Errorf("missing %s", line)
		}
	}
	// A join may repeat rows: a key unique upstream is no evidence there.
	if s := def["fct_payment_lines payment_id unique"]; s != nil {
		t.Errorf("unique proposed through a join: %v", s.Reasons)
	}
	// A dimension joined on its key keeps the rows of the relation read first: that
	// relation's key stays a key, the dimension's repeats once per row referring to it.
	const copied = "copies a unique upstream column"
	if s := def["int_vendor_payments payment_id unique"]; s == nil || !strings.Contains(strings.Join(s.Reasons, " "), copied) {
		t.Errorf("int_vendor_payments payment_id: want unique as a copy of stg_payments' key, got %v", s)
	}
	if s := any["int_vendor_payments vendor_id unique"]; s != nil && strings.Contains(strings.Join(s.Reasons, " "), copied) {
		t.Errorf("the joined dimension's key taken for the model's: %v", s.Reasons)
	}
	// The first column copying a unique upstream one is the key; a second is an alternate
	// key, not the key teams guard as such.
	if s := def["dim_vendors vendor_id unique"]; s == nil || !strings.Contains(strings.Join(s.Reasons, " "), copied) {
		t.Errorf("dim_vendors vendor_id: want unique as a copy of stg_vendors' key, got %v", s)
	}
	if s := any["dim_vendors vendor_name not_null"]; s != nil && strings.Contains(strings.Join(s.Reasons, " "), "model's key") {
		t.Errorf("an alternate key taken for the model's key: %v", s.Reasons)
	}
}

// The composite key a model-level test should name: the SQL's grain, the declared unique_key,
// or a history table's entity key with its validity start; none where the team already has one.
func TestTrustCompositeKeys(t *testing.T) {
	p, inf := loadCase(t, "testdata/trust")
	got := map[string]string{}
	for _, s := range Suggest(p, inf, Options{}).Suggestions {
		if s.Test == CombinationKey {
			got[s.Model] = fmt.Sprint(s.Arguments["combination_of_columns"])
		}
	}
	want := map[string]string{
		"int_person_vaccines": "[person_id vaccine_code]",
		"dim_course_run":      "[courserun_pk effective_date]",
		"dim_users":           "[user_id valid_from]",
	}
	for m, w := range want {
		if got[m] != w {
			t.Errorf("%s: composite key %q, want %q", m, got[m], w)
		}
	}
	if k, ok := got["input_layer__medical_claim"]; ok {
		t.Errorf("input_layer__medical_claim already tests its key, proposed %s", k)
	}
}

// Scoped to what a change touched, a model gets tests on those columns only and no model-level
// test.
func TestColumnsScope(t *testing.T) {
	p, inf := loadCase(t, "testdata/trust")
	res := Suggest(p, inf, Options{Models: map[string]bool{"model.trust.dim_users": true},
		Columns: map[string]map[string]bool{"model.trust.dim_users": {"email": true}}})
	for _, s := range res.Suggestions {
		if s.Column != "email" {
			t.Errorf("outside the change: %s %s %s", s.Model, s.Column, s.Test)
		}
	}
}

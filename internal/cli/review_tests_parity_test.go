package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestReviewProposesWhatTestsProposes: on a change whose head is built on DuckDB, the
// review's Test Enhancer reads the same evidence as `dataops tests --base-dir` (the data's
// value sets, the dictionary) and proposes the same tests: a new upper-cased status column
// gets its accepted_values, with the set the data holds, from both.
func TestReviewProposesWhatTestsProposes(t *testing.T) {
	base := copyDir(t, "../../examples/shop")
	head := copyDir(t, "../../examples/shop")
	stg := filepath.Join(head, "models", "staging", "stg_orders.sql")
	sql, _ := os.ReadFile(stg)
	edited := strings.Replace(string(sql), "        status,\n", "        status,\n        upper(status) as status_code,\n", 1)
	if edited == string(sql) {
		t.Fatal("stg_orders.sql changed: the edit no longer applies")
	}
	os.WriteFile(stg, []byte(edited), 0o644)
	for _, cmd := range []string{"seed", "build"} {
		if _, stderr, code := runCLI(t, cmd, "--project", head); code != 0 {
			t.Fatalf("%s: exit %d: %s", cmd, code, stderr)
		}
	}

	out, stderr, code := runCLI(t, "tests", "--project", head, "--base-dir", base, "--format", "json", "--no-history")
	if code != 0 {
		t.Fatalf("tests: exit %d: %s", code, stderr)
	}
	var res struct {
		Suggestions []struct {
			Model, Column, Test, Status string
		}
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err, out)
	}
	var fromTests []string
	for _, s := range res.Suggestions {
		fromTests = append(fromTests, fmt.Sprintf("%s.%s %s %s", s.Model, s.Column, s.Test, s.Status))
	}

	out, stderr, code = runCLI(t, "review", "--project", head, "--base-dir", base, "--format", "json", "--no-history", "--fail-on", "never")
	if code != 0 {
		t.Fatalf("review: exit %d: %s", code, stderr)
	}
	var rv struct {
		Findings []struct{ Agent, Rule, Message string }
	}
	if err := json.Unmarshal([]byte(out), &rv); err != nil {
		t.Fatal(err, out)
	}
	// "stg_orders.status_code has no accepted_values test (confidence 0.56, confirmed on data)"
	msg := regexp.MustCompile(`^(\S+) has no (\S+) test \(confidence [0-9.]+(?:, (confirmed) on data)?`)
	var fromReview []string
	for _, f := range rv.Findings {
		if f.Agent != "tests" {
			continue
		}
		m := msg.FindStringSubmatch(f.Message)
		if m == nil {
			t.Fatalf("unexpected test finding: %s", f.Message)
		}
		status := m[3]
		if status == "" {
			status = "unverified"
		}
		fromReview = append(fromReview, m[1]+" "+m[2]+" "+status)
	}
	slices.Sort(fromTests)
	slices.Sort(fromReview)
	if !slices.Contains(fromTests, "stg_orders.status_code accepted_values confirmed") {
		t.Fatalf("tests does not propose the value set on data: %v", fromTests)
	}
	if !slices.Equal(fromTests, fromReview) {
		t.Fatalf("the review proposes\n  %v\nwhere tests proposes\n  %v", fromReview, fromTests)
	}
}

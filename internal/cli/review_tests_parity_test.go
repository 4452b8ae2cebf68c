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

	fromTests, fromReview := proposedByBoth(t, head, base, false)
	if !slices.Contains(fromTests, "stg_orders.status_code accepted_values confirmed") {
		t.Fatalf("tests does not propose the value set on data: %v", fromTests)
	}
	if !slices.Equal(fromTests, fromReview) {
		t.Fatalf("the review proposes\n  %v\nwhere tests proposes\n  %v", fromReview, fromTests)
	}
}

// TestReviewLearnsFromTheWholeProject: the review proposes what `dataops tests` proposes, at
// the same confidence, when the models the team tests are neither the change's models nor
// upstream of them (testdata/agree: two GROUP BY keys and a leading id without unique elsewhere
// in the project). The review used to read the columns and SQL of the changed models and
// their ancestors only, so it learned from keys without their SQL and proposed unique on the
// new model's leading id, which `dataops tests` did not. Both read the team's threshold too.
func TestReviewLearnsFromTheWholeProject(t *testing.T) {
	base := copyDir(t, "../../testdata/agree/base")
	head := copyDir(t, "../../testdata/agree/head")
	fromTests, fromReview := proposedByBoth(t, head, base, true)
	if !slices.Equal(fromTests, fromReview) {
		t.Fatalf("the review proposes\n  %v\nwhere tests proposes\n  %v", fromReview, fromTests)
	}
	if want := []string{"account_events.account_id not_null unverified 0.95"}; !slices.Equal(fromTests, want) {
		t.Fatalf("tests proposes %v, want %v", fromTests, want)
	}

	// tests.min_confidence is the threshold of both.
	os.WriteFile(filepath.Join(head, ".dataops.yml"), []byte("tests:\n  min_confidence: 0.97\n"), 0o644)
	fromTests, fromReview = proposedByBoth(t, head, base, true)
	if len(fromTests) > 0 || len(fromReview) > 0 {
		t.Fatalf("at min_confidence 0.97: tests proposes %v, the review %v; want nothing", fromTests, fromReview)
	}
}

// proposedByBoth runs `dataops tests` and `dataops review` on the change from base to head
// (no git history) and returns what each proposes, sorted: "model.column test status", and
// the confidence after it when withConfidence.
func proposedByBoth(t *testing.T, head, base string, withConfidence bool) (fromTests, fromReview []string) {
	t.Helper()
	out, stderr, code := runCLI(t, "tests", "--project", head, "--base-dir", base, "--format", "json", "--no-history")
	if code != 0 {
		t.Fatalf("tests: exit %d: %s", code, stderr)
	}
	var res struct {
		Suggestions []struct {
			Model, Column, Test, Status string
			Confidence                  float64
		}
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err, out)
	}
	for _, s := range res.Suggestions {
		line := fmt.Sprintf("%s.%s %s %s", s.Model, s.Column, s.Test, s.Status)
		if withConfidence {
			line += fmt.Sprintf(" %.2f", s.Confidence)
		}
		fromTests = append(fromTests, line)
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
	msg := regexp.MustCompile(`^(\S+) has no (\S+) test \(confidence ([0-9.]+)(?:, (confirmed) on data)?`)
	for _, f := range rv.Findings {
		if f.Agent != "tests" {
			continue
		}
		m := msg.FindStringSubmatch(f.Message)
		if m == nil {
			t.Fatalf("unexpected test finding: %s", f.Message)
		}
		status := m[4]
		if status == "" {
			status = "unverified"
		}
		line := m[1] + " " + m[2] + " " + status
		if withConfidence {
			line += " " + m[3]
		}
		fromReview = append(fromReview, line)
	}
	slices.Sort(fromTests)
	slices.Sort(fromReview)
	return fromTests, fromReview
}

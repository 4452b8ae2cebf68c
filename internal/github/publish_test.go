package github

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/dataops-dev/dataops/internal/github/githubtest"
	"github.com/dataops-dev/dataops/internal/review"
)

// The pull request touches the model (lines 5-9 of the new file are in a hunk) and the
// property file around line 10.
var prFiles = []githubtest.File{
	{Filename: "shop/models/fct.sql", Status: "modified", Patch: "@@ -3,4 +3,7 @@ with x as (\n select\n-    a\n+    a,\n+    b,\n+    c\n from t\n-where x\n+where y\n"},
	{Filename: "shop/models/_models.yml", Status: "modified", Patch: "@@ -8,5 +8,6 @@ models:\n   - name: fct\n     columns:\n       - name: a\n+      - name: b\n         description: A.\n"},
	{Filename: "shop/seeds/big.csv", Status: "modified"},
}

var propsOld = "version: 2\n\nmodels:\n  - name: other\n    columns:\n      - name: z\n\n  - name: fct\n    columns:\n      - name: a\n      - name: b\n        description: A.\n"

func sampleReview() *review.Review {
	propsNew := strings.Replace(propsOld, "      - name: b\n", "      - name: b\n        data_tests:\n          - not_null\n", 1)
	rv := &review.Review{
		Changes: []review.Change{{UniqueID: "model.shop.fct", Name: "fct", Path: "models/fct.sql", Change: "modified", Classification: review.Breaking, Reasons: []string{"grain"}}},
		Findings: []review.Finding{
			{Agent: "lint", Rule: "LT01", Severity: "warning", Path: "models/fct.sql", Line: 6, Column: 5, Message: "too many spaces"},
			{Agent: "impact", Rule: "grain-change", Severity: "error", Path: "models/fct.sql", Line: 9, Message: "filter changed"},
			{Agent: "lint", Rule: "CP01", Severity: "warning", Path: "models/fct.sql", Line: 1, Message: "outside the hunk"},
			{Agent: "schema", Rule: "description-required", Severity: "warning", Path: "models/other.yml", Line: 3, Message: "file not in the PR"},
		},
		Edits: []review.Edit{{Path: "models/_models.yml", Agents: []string{"tests"}, Safe: true, Old: []byte(propsOld), New: []byte(propsNew),
			Diff: "(diff)"}},
	}
	rv.Finish()
	return rv
}

func newPublisher(t *testing.T, srv string, mod func(*Options)) (*Publisher, *[]time.Duration, *bytes.Buffer) {
	var slept []time.Duration
	var log bytes.Buffer
	o := Options{Owner: "acme", Repo: "shop", PR: 7, Token: "ghs_test", APIURL: srv, PathPrefix: "shop/",
		ReportURL: "https://github.com/acme/shop/actions/runs/1", Log: &log,
		Sleep: func(d time.Duration) { slept = append(slept, d) }, Now: func() time.Time { return time.Unix(1700000000, 0) }}
	if mod != nil {
		mod(&o)
	}
	p, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return p, &slept, &log
}

func TestPublishPlacesCommentsInsideHunks(t *testing.T) {
	fake, srv := githubtest.NewFake(t, prFiles)
	p, _, _ := newPublisher(t, srv.URL, nil)
	res, err := p.Publish(context.Background(), sampleReview())
	if err != nil {
		t.Fatal(err)
	}
	if len(fake.Reviews) != 1 {
		t.Fatalf("reviews = %d, want 1", len(fake.Reviews))
	}
	rv := fake.Reviews[0]
	if rv.Event != "COMMENT" || rv.CommitID != fake.SHA {
		t.Errorf("event %s commit %s", rv.Event, rv.CommitID)
	}
	var lines []string
	for _, c := range rv.Comments {
		lines = append(lines, fmt.Sprintf("%s:%v", c["path"], c["line"]))
	}
	got := strings.Join(lines, " ")
	if got != "shop/models/fct.sql:9 shop/models/fct.sql:6 shop/models/_models.yml:12" {
		t.Errorf("inline comments on %s", got)
	}
	if res.InlineComments != 3 || res.Suggestions != 1 || res.InSummary != 2 {
		t.Errorf("result %+v", res)
	}
	sug := rv.Comments[2]
	if body := sug["body"].(string); !strings.Contains(body, "```suggestion\n    columns:\n      - name: a\n      - name: b\n        data_tests:\n          - not_null\n        description: A.\n```") {
		t.Errorf("suggestion body:\n%s", body)
	}
	// The suggestion replaces lines 9-12 (the change with its context) and stays in the hunk.
	if sug["start_line"] == nil || sug["start_line"].(float64) != 9 || sug["line"].(float64) != 12 {
		t.Errorf("suggestion range: %v..%v", sug["start_line"], sug["line"])
	}
	if !strings.HasPrefix(rv.Body, Marker) || !strings.Contains(rv.Body, "shop/models/fct.sql:1") || !strings.Contains(rv.Body, "shop/models/other.yml:3") {
		t.Errorf("summary lacks the marker or the findings off the diff:\n%s", rv.Body)
	}
	if strings.Contains(rv.Body, "too many spaces") {
		t.Error("an inline finding is repeated in the summary")
	}
	if len(fake.CheckRuns) != 1 || fake.CheckRuns[0].Annotations != 4 || fake.CheckRuns[0].Conclusion != "neutral" {
		t.Errorf("check run %+v", fake.CheckRuns)
	}
}

func TestPublishUpdatesPreviousSummary(t *testing.T) {
	fake, srv := githubtest.NewFake(t, prFiles)
	p, _, _ := newPublisher(t, srv.URL, nil)
	if _, err := p.Publish(context.Background(), sampleReview()); err != nil {
		t.Fatal(err)
	}
	rv := sampleReview()
	rv.Findings = append(rv.Findings, review.Finding{Agent: "lint", Rule: "LT05", Severity: "warning", Path: "models/fct.sql", Line: 7, Message: "new on this push"})
	rv.Finish()
	res, err := p.Publish(context.Background(), rv)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Updated || res.ReviewID != fake.Reviews[0].ID {
		t.Errorf("second run did not update the first summary: %+v", res)
	}
	if !strings.Contains(fake.Reviews[0].Body, "Findings | 1 error, 4 warning") {
		t.Errorf("summary not updated:\n%s", fake.Reviews[0].Body)
	}
	// Only the new comment is posted, in a short review of its own.
	if len(fake.Reviews) != 2 || len(fake.Reviews[1].Comments) != 1 || strings.Contains(fake.Reviews[1].Body, Marker) {
		t.Fatalf("reviews after the second push: %d, last with %d comments", len(fake.Reviews), len(fake.Reviews[len(fake.Reviews)-1].Comments))
	}
	if fake.Reviews[1].Comments[0]["line"].(float64) != 7 {
		t.Errorf("new comment on line %v", fake.Reviews[1].Comments[0]["line"])
	}
}

func TestAnnotationsInBatchesOf50(t *testing.T) {
	fake, srv := githubtest.NewFake(t, prFiles)
	p, _, _ := newPublisher(t, srv.URL, nil)
	rv := &review.Review{}
	for i := 0; i < 120; i++ {
		rv.Findings = append(rv.Findings, review.Finding{Agent: "lint", Rule: "LT01", Severity: "info", Path: "models/fct.sql", Line: 100 + i, Message: "m"})
	}
	rv.Finish()
	res, err := p.Publish(context.Background(), rv)
	if err != nil {
		t.Fatal(err)
	}
	cr := fake.CheckRuns[0]
	if cr.Annotations != 120 || cr.Requests != 3 || res.Annotations != 120 {
		t.Errorf("annotations %d in %d requests", cr.Annotations, cr.Requests)
	}
}

func TestLongBodyIsTruncatedWithALink(t *testing.T) {
	fake, srv := githubtest.NewFake(t, prFiles)
	p, _, _ := newPublisher(t, srv.URL, nil)
	rv := &review.Review{}
	for i := 0; i < 2000; i++ {
		rv.Findings = append(rv.Findings, review.Finding{Agent: "schema", Rule: "r", Severity: "info", Path: "models/other.yml", Line: i + 1,
			Message: strings.Repeat("ü", 60)})
	}
	rv.Finish()
	if _, err := p.Publish(context.Background(), rv); err != nil {
		t.Fatal(err)
	}
	body := fake.Reviews[0].Body
	if n := utf8.RuneCountInString(body); n > githubtest.MaxBody {
		t.Errorf("body has %d characters", n)
	}
	if !strings.HasSuffix(body, "The full report: https://github.com/acme/shop/actions/runs/1") {
		t.Errorf("truncated body ends %q", body[len(body)-120:])
	}
}

func TestRetriesRateLimitsAndServerErrors(t *testing.T) {
	fake, srv := githubtest.NewFake(t, prFiles)
	fake.Inject = []int{http.StatusBadGateway, http.StatusForbidden, http.StatusTooManyRequests}
	p, slept, _ := newPublisher(t, srv.URL, nil)
	if _, err := p.Publish(context.Background(), sampleReview()); err != nil {
		t.Fatal(err)
	}
	if len(*slept) != 3 || (*slept)[0] != time.Second || (*slept)[1] != 2*time.Second {
		t.Errorf("waits %v, want 1s backoff then Retry-After 2s twice", *slept)
	}
	fake.Inject = []int{500, 500, 500, 500, 500}
	if _, err := p.Publish(context.Background(), sampleReview()); err == nil || !strings.Contains(err.Error(), "500") {
		t.Errorf("persistent 500: %v", err)
	}
}

func TestRejectedCommentsMoveToTheSummary(t *testing.T) {
	fake, srv := githubtest.NewFake(t, prFiles)
	fake.RejectComments = true
	p, _, log := newPublisher(t, srv.URL, nil)
	res, err := p.Publish(context.Background(), sampleReview())
	if err != nil {
		t.Fatal(err)
	}
	if len(fake.Reviews) != 1 || len(fake.Reviews[0].Comments) != 0 || res.InlineComments != 0 {
		t.Fatalf("reviews %d, inline %d", len(fake.Reviews), res.InlineComments)
	}
	if !strings.Contains(fake.Reviews[0].Body, "Comments GitHub did not accept inline") || !strings.Contains(fake.Reviews[0].Body, "shop/models/fct.sql:6") {
		t.Errorf("summary lacks the rejected comments:\n%s", fake.Reviews[0].Body)
	}
	if !strings.Contains(log.String(), "line must be part of the diff") || !strings.Contains(log.String(), "shop/models/fct.sql:9") {
		t.Errorf("log does not name the offending comments: %s", log.String())
	}
}

func TestChecksForbiddenIsANote(t *testing.T) {
	fake, srv := githubtest.NewFake(t, prFiles)
	fake.ChecksForbidden = true
	p, _, log := newPublisher(t, srv.URL, nil)
	res, err := p.Publish(context.Background(), sampleReview())
	if err != nil {
		t.Fatal(err)
	}
	if res.CheckRunID != 0 || !strings.Contains(log.String(), "check run skipped") {
		t.Errorf("check run %d, log %q", res.CheckRunID, log.String())
	}
}

func TestRequestChangesWhenFailing(t *testing.T) {
	fake, srv := githubtest.NewFake(t, prFiles)
	p, _, _ := newPublisher(t, srv.URL, func(o *Options) { o.RequestChanges, o.Failing = true, true })
	if _, err := p.Publish(context.Background(), sampleReview()); err != nil {
		t.Fatal(err)
	}
	if fake.Reviews[0].Event != "REQUEST_CHANGES" || fake.CheckRuns[0].Conclusion != "failure" {
		t.Errorf("event %s, conclusion %s", fake.Reviews[0].Event, fake.CheckRuns[0].Conclusion)
	}
}

func TestDryRunSendsOnlyReads(t *testing.T) {
	fake, srv := githubtest.NewFake(t, prFiles)
	var out bytes.Buffer
	p, _, _ := newPublisher(t, srv.URL, func(o *Options) { o.DryRun = &out })
	if _, err := p.Publish(context.Background(), sampleReview()); err != nil {
		t.Fatal(err)
	}
	for _, r := range fake.Requests {
		if !strings.HasPrefix(r, "GET ") {
			t.Errorf("dry run sent %s", r)
		}
	}
	if !strings.Contains(out.String(), "POST "+srv.URL+"/repos/acme/shop/pulls/7/reviews") || !strings.Contains(out.String(), "check-runs") {
		t.Errorf("dry run printed:\n%s", out.String())
	}
}

func TestBadToken(t *testing.T) {
	_, srv := githubtest.NewFake(t, prFiles)
	p, _, _ := newPublisher(t, srv.URL, func(o *Options) { o.Token = "wrong" })
	if _, err := p.Publish(context.Background(), sampleReview()); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("bad token: %v", err)
	}
}

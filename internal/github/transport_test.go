package github

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/dataops-dev/dataops/internal/github/githubtest"
	"github.com/dataops-dev/dataops/internal/review"
	"github.com/dataops-dev/dataops/internal/secret"
)

// Request bodies are masked, retries resend the masked body, and the token in the
// Authorization header still authenticates.
func TestPublishMasksRequestBodies(t *testing.T) {
	const planted = "planted-secret-value-123"
	fake, srv := githubtest.NewFake(t, prFiles)
	fake.Inject = []int{http.StatusBadGateway}
	m := secret.New(planted, "ghs_test")
	p, _, _ := newPublisher(t, srv.URL, func(o *Options) { o.Mask = m.Mask })
	rv := sampleReview()
	rv.Findings = append(rv.Findings, review.Finding{Agent: "schema", Rule: "x", Severity: "error", Path: "models/fct.sql", Line: 6,
		Message: "column " + planted + " and " + strings.ReplaceAll(strings.ToUpper(planted), "-", "_")})
	rv.Finish()
	if _, err := p.Publish(context.Background(), rv); err != nil {
		t.Fatal(err)
	}
	if len(fake.Reviews) != 1 || len(fake.CheckRuns) != 1 {
		t.Fatalf("reviews %d, check runs %d", len(fake.Reviews), len(fake.CheckRuns))
	}
	var all strings.Builder
	all.WriteString(fake.Reviews[0].Body)
	for _, c := range fake.Reviews[0].Comments {
		all.WriteString(c["body"].(string))
	}
	if s := all.String(); strings.Contains(s, planted) || strings.Contains(strings.ToUpper(s), "PLANTED_SECRET") || !strings.Contains(s, "column ***") {
		t.Errorf("posted: %s", s)
	}
}

func TestDryRunPrintsMaskedBodies(t *testing.T) {
	fake, srv := githubtest.NewFake(t, prFiles)
	var out bytes.Buffer
	m := secret.New("planted-secret-value-123")
	p, _, _ := newPublisher(t, srv.URL, func(o *Options) { o.Mask = m.Mask; o.DryRun = &out })
	rv := sampleReview()
	rv.Findings[0].Message = "planted-secret-value-123"
	rv.Finish()
	if _, err := p.Publish(context.Background(), rv); err != nil {
		t.Fatal(err)
	}
	if len(fake.Reviews) != 0 || !strings.Contains(out.String(), "***") || strings.Contains(out.String(), "planted") {
		t.Errorf("dry run printed:\n%s", out.String())
	}
}

package dashboard

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/dataops-dev/dataops/internal/service"
)

// chromium finds the headless browser scripts/test.sh installs.
func chromium(t *testing.T) string {
	if p := os.Getenv("DATAOPS_TEST_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("no Chromium: set DATAOPS_TEST_CHROMIUM or install Debian's chromium (scripts/test.sh does)")
	return ""
}

type failing struct{}

func (failing) Review(context.Context, *service.Job) (*service.Result, error) {
	return nil, errors.New("GitHub answered 502 Bad Gateway")
}
func (failing) Fix(context.Context, *service.Job) (map[string][]byte, error) { return nil, nil }

// TestDashboardInChromium: in a real headless Chromium the page refuses a visitor without
// credentials, and with the bearer token shows the seeded runs per repository, findings by
// agent and rule, the acceptance chart as inline SVG, the LLM cost and a job the worker
// dead-lettered.
func TestDashboardInChromium(t *testing.T) {
	url := os.Getenv("DATAOPS_TEST_REDIS_URL")
	if url == "" {
		t.Fatal("DATAOPS_TEST_REDIS_URL is not set (scripts/test.sh starts a Redis)")
	}
	ctx := context.Background()
	q, err := service.NewQueue(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	q.Prefix = "dataops:test:" + hex.EncodeToString(b) + ":"
	q.Init(ctx)
	t.Cleanup(func() {
		iter := q.R.Scan(ctx, 0, q.Prefix+"*", 1000).Iterator()
		for iter.Next(ctx) {
			q.R.Del(ctx, iter.Val())
		}
		q.Close()
	})
	now := time.Now()
	q.SaveRun(ctx, service.Run{Job: "r1", Kind: "review", Repo: "acme/shop", PR: 12, Head: "abcdef0123", State: service.StateDone, Attempts: 1, Started: now.Add(-time.Minute), Duration: 4200 * time.Millisecond, Findings: 3, LLMTokens: 777, LLMCostUSD: 0.01})
	q.SaveRun(ctx, service.Run{Job: "r2", Kind: "review", Repo: "acme/warehouse", PR: 5, Head: "0011223344", State: service.StateSuperseded, Attempts: 1, Started: now})
	q.CountFindings(ctx, []service.Finding{{Agent: "schema", Rule: "missing-description"}, {Agent: "schema", Rule: "missing-description"}, {Agent: "lint", Rule: "LT01"}})
	q.Proposals(ctx, now.AddDate(0, 0, -2), 10, 4)
	q.Proposals(ctx, now.AddDate(0, 0, -1), 8, 6)
	q.Proposals(ctx, now, 5, 5)
	q.AddLLM(ctx, 12345, 0.42)
	q.Enqueue(ctx, &service.Job{ID: "doomed", Kind: service.KindReview, Owner: "acme", Repo: "shop", PR: 9, HeadSHA: "feedfacecafe", BaseSHA: "b", CloneURL: "x", Installation: 1, Delivery: "d9"})
	w := &service.Worker{Name: "w", Queue: q, Runner: failing{}, Metrics: service.NewMetrics(nil), MaxAttempts: 2, Backoff: time.Millisecond, Block: 20 * time.Millisecond}
	for i := 0; i < 50; i++ {
		w.Once(ctx)
		if h, _ := q.Health(ctx); h.Dead == 1 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}

	srv := httptest.NewServer(New(q, Auth{Token: "s3cret-dash", User: "ops", Password: "pw"}))
	defer srv.Close()

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium(t)), chromedp.NoSandbox, chromedp.Headless, chromedp.DisableGPU)
	actx, cancel := chromedp.NewExecAllocator(ctx, opts...)
	defer cancel()
	bctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	bctx, cancel = context.WithTimeout(bctx, 30*time.Second)
	defer cancel()

	headers := func(v string) {
		t.Helper()
		if _, err := chromedp.Call(bctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Authorization": v}}); err != nil {
			t.Fatalf("chromium: %v", err)
		}
	}
	// text loads the page and returns its text; Chromium reports a 401 that offers basic
	// auth to a request already carrying credentials as a load error, returned as the text.
	text := func() string {
		t.Helper()
		if err := chromedp.Do(bctx, chromedp.Navigate(srv.URL+"/")); err != nil {
			if strings.Contains(err.Error(), "ERR_INVALID_AUTH_CREDENTIALS") {
				return "unauthorized: " + err.Error()
			}
			t.Fatalf("chromium: %v", err)
		}
		s, err := chromedp.Run(bctx, chromedp.Text("body"))
		if err != nil {
			t.Fatalf("chromium: %v", err)
		}
		return s
	}
	eval := func(js string) float64 {
		t.Helper()
		v, err := chromedp.Run(bctx, chromedp.Evaluate[float64](js))
		if err != nil {
			t.Fatalf("chromium: %s: %v", js, err)
		}
		return v
	}

	if wall := text(); !strings.Contains(wall, "unauthorized") || strings.Contains(wall, "acme/shop") {
		t.Errorf("without credentials the page shows %q", wall)
	}
	headers("Bearer s3cret-dash")
	body := text()
	bars := int(eval(`document.querySelectorAll("#acceptance-chart rect").length`))
	deadRows := int(eval(`document.querySelectorAll("tr.dead-letter").length`))
	runTokens, err := chromedp.Run(bctx, chromedp.Evaluate[string](`document.querySelector('tr[data-job="r1"] .llm-tokens').textContent`))
	if err != nil || runTokens != "777" {
		t.Errorf("run r1's LLM tokens cell is %q (%v), want 777", runTokens, err)
	}
	// The embedded stylesheet loaded: a done run's state is green.
	bg, err := chromedp.Run(bctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector("tr.state-done .state")).color`))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"acme/shop", "acme/warehouse", "#12", "abcdef0", "superseded", "missing-description", "LT01", "12345", "$0.42", "doomed", "502 Bad Gateway"} {
		if !strings.Contains(body, want) {
			t.Errorf("the page does not show %q:\n%s", want, body)
		}
	}
	if bars != 6 {
		t.Errorf("the chart has %d bars, want 6 (three days, proposed and accepted)", bars)
	}
	if deadRows != 1 {
		t.Errorf("%d dead letters listed, want 1", deadRows)
	}
	if bg != "rgb(26, 127, 55)" {
		t.Errorf("the stylesheet did not apply: a done state is %q", bg)
	}

	// Basic auth opens it too; a wrong token does not.
	headers("Bearer wrong")
	if other := text(); !strings.Contains(other, "unauthorized") {
		t.Errorf("a wrong token got %q", other)
	}
	headers("Basic b3BzOnB3")
	if other := text(); !strings.Contains(other, "acme/shop") {
		t.Errorf("basic auth got %q", other)
	}
}

package service

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dataops-dev/dataops/internal/github/githubtest"
)

func post(t testing.TB, url, event, delivery, sig string, body []byte) (int, string) {
	req, _ := http.NewRequest("POST", url, bytes.NewReader(body))
	req.Header.Set("X-GitHub-Event", event)
	req.Header.Set("X-GitHub-Delivery", delivery)
	if sig != "" {
		req.Header.Set("X-Hub-Signature-256", sig)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(b))
}

func newHook(t testing.TB, q *Queue, logs *logBuffer) (*Webhook, *httptest.Server) {
	h := &Webhook{Secret: []byte(testSecret), Queue: q, Metrics: NewMetrics(q), Log: jsonLog(logs)}
	srv := httptest.NewServer(Mux(h, q, h.Metrics, nil))
	t.Cleanup(srv.Close)
	return h, srv
}

// TestWebhookRefusesWhatGitHubDidNotSend: a forged or missing signature is 401, a body over
// 25 MB is 413, malformed JSON 400, an unknown event is accepted and ignored, a replayed
// delivery is a duplicate; only the one genuine delivery is enqueued, and neither the secret
// nor a signature reaches the logs.
func TestWebhookRefusesWhatGitHubDidNotSend(t *testing.T) {
	q := testQueue(t, redisURL(t))
	var logs logBuffer
	h, srv := newHook(t, q, &logs)
	url := srv.URL + "/webhook"
	body := prEvent("acme", "shop", 1, sha("h1"), sha("b"), "opened")
	good := Sign([]byte(testSecret), body)
	forged := Sign([]byte("not-the-secret"), body)

	cases := []struct {
		name, event, delivery, sig string
		body                       []byte
		code                       int
	}{
		{"unsigned", "pull_request", "d-0", "", body, 401},
		{"forged", "pull_request", "d-1", forged, body, 401},
		{"signature of another body", "pull_request", "d-2", good, append([]byte(" "), body...), 401},
		{"bad hex", "pull_request", "d-3", "sha256=zz", body, 401},
		{"genuine", "pull_request", "d-4", good, body, 202},
		{"replayed", "pull_request", "d-4", good, body, 200},
		{"malformed", "pull_request", "d-5", Sign([]byte(testSecret), []byte("{not json")), []byte("{not json"), 400},
		{"unknown event", "deployment_status", "d-6", Sign([]byte(testSecret), []byte(`{"action":"created"}`)), []byte(`{"action":"created"}`), 202},
		{"closed is not reviewed", "pull_request", "d-7", Sign([]byte(testSecret), prEvent("acme", "shop", 2, sha("x"), sha("b"), "closed")), prEvent("acme", "shop", 2, sha("x"), sha("b"), "closed"), 202},
	}
	for _, c := range cases {
		code, _ := post(t, url, c.event, c.delivery, c.sig, c.body)
		if code != c.code {
			t.Errorf("%s: status %d, want %d", c.name, code, c.code)
		}
	}
	big := make([]byte, MaxPayload+1)
	if code, _ := post(t, url, "pull_request", "d-8", Sign([]byte(testSecret), big), big); code != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized: status %d, want 413", code)
	}
	if n := q.R.XLen(context.Background(), q.Stream()).Val(); n != 1 {
		t.Errorf("%d jobs enqueued, want 1 (the genuine delivery)", n)
	}
	if got := float64(h.Metrics.Deliveries.WithLabelValues("unauthorized").Get()); got != 4 {
		t.Errorf("unauthorized deliveries counted %v, want 4", got)
	}
	if got := float64(h.Metrics.Deliveries.WithLabelValues("duplicate").Get()); got != 1 {
		t.Errorf("duplicate deliveries counted %v, want 1", got)
	}
	out := logs.String()
	for _, secret := range []string{testSecret, good, forged, strings.TrimPrefix(good, "sha256=")} {
		if strings.Contains(out, secret) {
			t.Errorf("logs hold a secret or signature %q:\n%s", secret, out)
		}
	}
	if !strings.Contains(out, `"delivery":"d-4"`) {
		t.Errorf("logs do not name the accepted delivery:\n%s", out)
	}
	// A command comment from a bot (our own answers) never becomes a job.
	bot := []byte(strings.Replace(string(commentEvent("acme", "shop", 1, "dataops[bot]", "/dataops apply")), `"type":"User"}}`, `"type":"Bot"}}`, 1))
	if code, _ := post(t, url, "issue_comment", "d-9", Sign([]byte(testSecret), bot), bot); code != 202 {
		t.Errorf("bot comment: status %d", code)
	}
	if n := q.R.XLen(context.Background(), q.Stream()).Val(); n != 1 {
		t.Errorf("bot comment enqueued a job")
	}
	resp, err := http.Get(srv.URL + "/readyz")
	if err != nil || resp.StatusCode != 200 {
		t.Errorf("readyz: %v %v", resp, err)
	}
}

// TestBurst: 500 deliveries across 50 pull requests (five pushes each, every delivery sent
// twice) with four workers: every delivery is answered 2xx, no (pull request, head) is
// reviewed twice, every pull request's last head is reviewed exactly once, and duplicates and
// superseded heads are counted in the metrics.
func TestBurst(t *testing.T) {
	q := testQueue(t, redisURL(t))
	var logs logBuffer
	h, srv := newHook(t, q, &logs)
	fake, api, app := testApp(t)
	const prs, pushes = 50, 5
	for n := 1; n <= prs; n++ {
		pr := fake.AddPR(&githubtest.PullRequest{Owner: "acme", Repo: "shop", Number: n, HeadSHA: sha(fmt.Sprintf("%d-0", n)), BaseSHA: sha("base")})
		for p := 1; p < pushes; p++ {
			fake.AddHead(pr, sha(fmt.Sprintf("%d-%d", n, p)))
		}
	}
	runner := &postingRunner{app: app, api: api.URL}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	for i := range 4 {
		w := &Worker{Name: fmt.Sprintf("w%d", i), Queue: q, Runner: runner, GitHub: app, Metrics: h.Metrics, Log: jsonLog(&logs), Block: 100 * time.Millisecond}
		wg.Add(1)
		go func() { defer wg.Done(); w.Run(ctx) }()
	}
	var mu sync.Mutex
	var bad []string
	var send sync.WaitGroup
	for n := 1; n <= prs; n++ {
		send.Add(1)
		go func() {
			defer send.Done()
			for p := range pushes {
				body := prEvent("acme", "shop", n, sha(fmt.Sprintf("%d-%d", n, p)), sha("base"), "synchronize")
				for rep := range 2 {
					code, _ := post(t, srv.URL+"/webhook", "pull_request", fmt.Sprintf("d-%d-%d", n, p), Sign([]byte(testSecret), body), body)
					if code != 202 && !(rep == 1 && code == 200) {
						mu.Lock()
						bad = append(bad, fmt.Sprintf("PR %d push %d copy %d: %d", n, p, rep, code))
						mu.Unlock()
					}
				}
			}
		}()
	}
	send.Wait()
	if len(bad) > 0 {
		t.Fatalf("deliveries not acknowledged: %v", bad)
	}
	waitIdle(t, q, 60*time.Second)
	cancel()
	wg.Wait()
	runner.mu.Lock()
	defer runner.mu.Unlock()
	reviews := 0
	for k, c := range runner.posted {
		if c != 1 {
			t.Errorf("%s reviewed %d times", k, c)
		}
		reviews += c
	}
	for n := 1; n <= prs; n++ {
		if runner.posted[fmt.Sprintf("acme/shop#%d@%s", n, sha(fmt.Sprintf("%d-%d", n, pushes-1)))] != 1 {
			t.Errorf("PR %d: last head not reviewed once", n)
		}
	}
	// A later head's review updates the pull request's summary rather than adding one.
	if got := fake.Reviews(); got != prs {
		t.Errorf("GitHub holds %d reviews, want one per pull request (%d)", got, prs)
	}
	dups := float64(h.Metrics.Deliveries.WithLabelValues("duplicate").Get())
	done := float64(h.Metrics.Jobs.WithLabelValues(StateDone).Get())
	superseded := float64(h.Metrics.Jobs.WithLabelValues(StateSuperseded).Get())
	if dups != prs*pushes {
		t.Errorf("duplicates counted %v, want %d", dups, prs*pushes)
	}
	if int(done) != reviews || done+superseded != prs*pushes {
		t.Errorf("jobs: %v done, %v superseded; want done = %d reviews and done+superseded = %d", done, superseded, reviews, prs*pushes)
	}
	t.Logf("%d reviews, %v superseded", reviews, superseded)
}

// waitIdle waits until no job waits, runs or is scheduled for a retry.
func waitIdle(t testing.TB, q *Queue, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		h, err := q.Health(context.Background())
		if err == nil && h.Depth == 0 && h.Pending == 0 && h.Retrying == 0 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	h, err := q.Health(context.Background())
	t.Fatalf("queue not idle after %v: %+v %v", limit, h, err)
}

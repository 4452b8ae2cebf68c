package service

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dataops-dev/dataops/internal/github/githubtest"
	"github.com/dataops-dev/dataops/internal/githubapp"
)

// prEventAt is a pull_request event carrying the pull request's updated_at, as GitHub's do.
func prEventAt(n int, head, base string, updated time.Time) []byte {
	return []byte(strings.Replace(string(prEvent("acme", "shop", n, head, base, "synchronize")),
		`"draft":false,`, fmt.Sprintf(`"draft":false,"updated_at":%q,`, updated.UTC().Format(time.RFC3339)), 1))
}

// TestOutOfOrderPushes: GitHub delivers the newer push first and the older one after it. The
// older head is answered as stale and never becomes the pull request's newest: only the newer
// head is reviewed, and the late delivery is counted as superseded.
func TestOutOfOrderPushes(t *testing.T) {
	q := testQueue(t, redisURL(t))
	var logs logBuffer
	h, srv := newHook(t, q, &logs)
	fake, api, app := testApp(t)
	pr := fake.AddPR(&githubtest.PullRequest{Owner: "acme", Repo: "shop", Number: 4, HeadSHA: sha("new"), BaseSHA: sha("b")})
	fake.AddHead(pr, sha("old"))
	t0 := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	newer, older := prEventAt(4, sha("new"), sha("b"), t0.Add(time.Minute)), prEventAt(4, sha("old"), sha("b"), t0)
	if code, res := post(t, srv.URL+"/webhook", "pull_request", "d-new", Sign([]byte(testSecret), newer), newer); code != 202 || res != "accepted" {
		t.Fatalf("newer push: %d %s", code, res)
	}
	if code, res := post(t, srv.URL+"/webhook", "pull_request", "d-old", Sign([]byte(testSecret), older), older); code != 202 || res != "stale_head" {
		t.Fatalf("older push delivered late: %d %s, want 202 stale_head", code, res)
	}
	ctx := context.Background()
	if head, _ := q.Head(ctx, "acme/shop#4"); head != sha("new") {
		t.Fatalf("newest head is %s, want the newer push's", head)
	}
	runner := &postingRunner{app: app, api: api.URL}
	w := &Worker{Name: "w", Queue: q, Runner: runner, GitHub: app, Metrics: h.Metrics, Block: 50 * time.Millisecond}
	for range 3 {
		if err := w.Once(ctx); err != nil {
			t.Fatal(err)
		}
	}
	runner.mu.Lock()
	posted := fmt.Sprint(runner.posted)
	runner.mu.Unlock()
	if want := fmt.Sprintf("map[acme/shop#4@%s:1]", sha("new")); posted != want {
		t.Errorf("reviewed %s, want only the newer head", posted)
	}
	if got := float64(h.Metrics.Jobs.WithLabelValues(StateSuperseded).Get()); got != 1 {
		t.Errorf("superseded counted %v, want 1", got)
	}
	// A push after both is newer still and is taken.
	newest := prEventAt(4, sha("newest"), sha("b"), t0.Add(2*time.Minute))
	if code, res := post(t, srv.URL+"/webhook", "pull_request", "d-newest", Sign([]byte(testSecret), newest), newest); code != 202 || res != "accepted" {
		t.Errorf("a later push: %d %s", code, res)
	}
}

// TestInstallationEvents: created and deleted are recorded; the jobs of a deleted
// installation still in the queue are dropped without a token being minted or a review
// posted; installing again takes new jobs.
func TestInstallationEvents(t *testing.T) {
	q := testQueue(t, redisURL(t))
	var logs logBuffer
	h, srv := newHook(t, q, &logs)
	var heard []string
	h.OnInstallation = func(id int64, action string) { heard = append(heard, fmt.Sprint(id, " ", action)) }
	fake, api, app := testApp(t)
	fake.AddPR(&githubtest.PullRequest{Owner: "acme", Repo: "shop", Number: 1, HeadSHA: sha("h1"), BaseSHA: sha("b")})
	fake.AddPR(&githubtest.PullRequest{Owner: "acme", Repo: "shop", Number: 2, HeadSHA: sha("h2"), BaseSHA: sha("b")})
	ctx := context.Background()
	install := func(delivery, action string) {
		t.Helper()
		body := []byte(fmt.Sprintf(`{"action":%q,"installation":{"id":77,"account":{"login":"acme"}},"sender":{"login":"ada","type":"User"}}`, action))
		if code, res := post(t, srv.URL+"/webhook", "installation", delivery, Sign([]byte(testSecret), body), body); code != 202 || res != "installation" {
			t.Fatalf("installation %s: %d %s", action, code, res)
		}
	}
	push := func(delivery string, n int, head string) {
		t.Helper()
		body := prEvent("acme", "shop", n, head, sha("b"), "synchronize")
		if code, _ := post(t, srv.URL+"/webhook", "pull_request", delivery, Sign([]byte(testSecret), body), body); code != 202 {
			t.Fatalf("push: %d", code)
		}
	}
	install("i-1", "created")
	if got, _ := q.Installations(ctx); !strings.HasPrefix(got["77"], "created ") {
		t.Fatalf("installations %v, want 77 created", got)
	}
	push("p-1", 1, sha("h1"))
	install("i-2", "deleted")
	if got, _ := q.Installations(ctx); !strings.HasPrefix(got["77"], "deleted ") {
		t.Fatalf("installations %v, want 77 deleted", got)
	}
	runner := &postingRunner{app: app, api: api.URL}
	w := &Worker{Name: "w", Queue: q, Runner: runner, GitHub: app, Metrics: h.Metrics, Block: 50 * time.Millisecond}
	w.Once(ctx)
	if n := fake.Reviews(); n != 0 {
		t.Errorf("%d reviews posted for a deleted installation", n)
	}
	fake.Lock()
	minted := fake.TokensMinted
	fake.Unlock()
	if minted != 0 {
		t.Errorf("%d tokens minted for a deleted installation", minted)
	}
	if hl, _ := q.Health(ctx); hl.Depth != 0 || hl.Pending != 0 {
		t.Errorf("the dropped job is still queued: %+v", hl)
	}
	runs, _ := q.Runs(ctx, 10)
	if len(runs) != 1 || runs[0].State != StateDropped {
		t.Errorf("runs %+v, want one dropped", runs)
	}
	install("i-3", "created")
	push("p-2", 2, sha("h2"))
	w.Once(ctx)
	if n := len(fake.ReviewsOf("acme", "shop", 2)); n != 1 {
		t.Errorf("after installing again: %d reviews, want 1", n)
	}
	if fmt.Sprint(heard) != "[77 created 77 deleted 77 created]" {
		t.Errorf("OnInstallation heard %v", heard)
	}
}

// TestRedeliverySchedule: the App's failed deliveries are listed through GET
// /app/hook/deliveries and each is redelivered once, by one of two service instances running
// the round at the same moment; a failure later delivered successfully, one this service
// already accepted and one older than the window are left alone; the next round asks for
// nothing again.
func TestRedeliverySchedule(t *testing.T) {
	url := redisURL(t)
	q1 := testQueue(t, url)
	q2, err := NewQueue(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer q2.Close()
	q2.Prefix = q1.Prefix
	fake, api, app1 := testApp(t)
	// The second instance has its own App client (its own token cache and JWTs).
	pemKey, _ := appKey(t)
	app2, err := githubapp.New(githubapp.Options{ID: 4242, Key: pemKey, APIURL: api.URL, Sleep: func(time.Duration) {}})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	deliveries := []githubtest.HookDelivery{
		{ID: 1, GUID: "g-failed-a", Event: "pull_request", StatusCode: 500, DeliveredAt: now.Add(-time.Hour)},
		{ID: 2, GUID: "g-failed-b", Event: "issue_comment", StatusCode: 0, DeliveredAt: now.Add(-30 * time.Minute)},
		{ID: 3, GUID: "g-healed", Event: "pull_request", StatusCode: 502, DeliveredAt: now.Add(-20 * time.Minute)},
		{ID: 4, GUID: "g-healed", Event: "pull_request", StatusCode: 202, DeliveredAt: now.Add(-10 * time.Minute)},
		{ID: 5, GUID: "g-accepted", Event: "pull_request", StatusCode: 504, DeliveredAt: now.Add(-5 * time.Minute)},
		{ID: 6, GUID: "g-ok", Event: "pull_request", StatusCode: 202, DeliveredAt: now.Add(-4 * time.Minute)},
		{ID: 7, GUID: "g-ancient", Event: "pull_request", StatusCode: 500, DeliveredAt: now.Add(-48 * time.Hour)},
	}
	fake.Lock()
	fake.Deliveries = deliveries
	fake.Unlock()
	ctx := context.Background()
	// The first try of g-accepted timed out on GitHub's side but reached the service.
	q1.Seen(ctx, "g-accepted")
	m1, m2 := NewMetrics(nil), NewMetrics(nil)
	var logs logBuffer
	var wg sync.WaitGroup
	counts := make([]int, 2)
	for i, inst := range []struct {
		q *Queue
		m *Metrics
	}{{q1, m1}, {q2, m2}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := app1
			if i == 1 {
				d = app2
			}
			counts[i] = RedeliverOnce(ctx, d, inst.q, inst.m, jsonLog(&logs), time.Minute, 24*time.Hour)
		}()
	}
	wg.Wait()
	if (counts[0] == 0) == (counts[1] == 0) {
		t.Errorf("redeliveries per instance %v: want exactly one instance to run the round", counts)
	}
	fake.Lock()
	got := fmt.Sprint(fake.Redelivered)
	fake.Unlock()
	if got != "[2 1]" {
		t.Errorf("redelivered %s, want [2 1] (the two failures, newest first)", got)
	}
	if n := float64(m1.Redeliveries.Get()) + float64(m2.Redeliveries.Get()); n != 2 {
		t.Errorf("redeliveries counted %v, want 2", n)
	}
	// The next round (the lock expired) lists the same failures and asks for nothing.
	q1.R.Del(ctx, q1.k("redeliver", "lock"))
	if n := RedeliverOnce(ctx, app1, q1, m1, jsonLog(&logs), time.Minute, 24*time.Hour); n != 0 {
		t.Errorf("second round redelivered %d", n)
	}
	fake.Lock()
	if len(fake.Redelivered) != 2 {
		t.Errorf("redelivered %v after the second round", fake.Redelivered)
	}
	listed := 0
	for _, r := range fake.Requests {
		if r == "GET /app/hook/deliveries" {
			listed++
		}
	}
	fake.Unlock()
	if listed != 2 {
		t.Errorf("deliveries listed %d times, want once per round that ran (2)", listed)
	}
	if strings.Contains(logs.String(), fake.Token) {
		t.Error("the logs hold the installation token")
	}
}

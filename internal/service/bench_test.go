package service

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/dataops-dev/dataops/internal/github/githubtest"
)

// BenchmarkBurst sends 500 signed deliveries across 50 pull requests (five pushes each, every
// delivery twice) from 20 senders at once to the webhook, with four workers posting reviews
// to the fake GitHub, and reports the p50 and p99 time to acknowledge a delivery and the time
// until every job finished.
func BenchmarkBurst(b *testing.B) {
	for range b.N {
		q := testQueue(b, redisURL(b))
		var logs logBuffer
		_, srv := newHook(b, q, &logs)
		fake, api, app := testApp(b)
		const prs, pushes = 50, 5
		for n := 1; n <= prs; n++ {
			pr := fake.AddPR(&githubtest.PullRequest{Owner: "acme", Repo: "shop", Number: n, HeadSHA: sha(fmt.Sprintf("%d-0", n)), BaseSHA: sha("base")})
			for p := 1; p < pushes; p++ {
				fake.AddHead(pr, sha(fmt.Sprintf("%d-%d", n, p)))
			}
		}
		runner := &postingRunner{app: app, api: api.URL}
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for i := range 4 {
			w := &Worker{Name: fmt.Sprintf("w%d", i), Queue: q, Runner: runner, GitHub: app, Metrics: NewMetrics(nil), Block: 50 * time.Millisecond}
			wg.Add(1)
			go func() { defer wg.Done(); w.Run(ctx) }()
		}
		type delivery struct {
			id   string
			body []byte
		}
		work := make(chan delivery)
		var mu sync.Mutex
		var lat []time.Duration
		start := time.Now()
		var send sync.WaitGroup
		for range 20 {
			send.Add(1)
			go func() {
				defer send.Done()
				for d := range work {
					t0 := time.Now()
					code, _ := post(b, srv.URL+"/webhook", "pull_request", d.id, Sign([]byte(testSecret), d.body), d.body)
					el := time.Since(t0)
					if code >= 300 {
						b.Errorf("delivery %s: %d", d.id, code)
					}
					mu.Lock()
					lat = append(lat, el)
					mu.Unlock()
				}
			}()
		}
		for p := range pushes {
			for n := 1; n <= prs; n++ {
				body := prEvent("acme", "shop", n, sha(fmt.Sprintf("%d-%d", n, p)), sha("base"), "synchronize")
				for range 2 {
					work <- delivery{fmt.Sprintf("d-%d-%d", n, p), body}
				}
			}
		}
		close(work)
		send.Wait()
		acked := time.Since(start)
		waitIdle(b, q, 120*time.Second)
		all := time.Since(start)
		cancel()
		wg.Wait()
		slices.Sort(lat)
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ack-ms")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ack-ms")
		b.ReportMetric(acked.Seconds(), "all-acked-s")
		b.ReportMetric(all.Seconds(), "all-done-s")
	}
}

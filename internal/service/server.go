package service

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/dataops-dev/dataops/internal/githubapp"
)

// Mux serves the webhook, /metrics, /healthz, /readyz and, when set, the dashboard under
// /dashboard/.
func Mux(hook *Webhook, q *Queue, m *Metrics, dashboard http.Handler) *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("/webhook", hook)
	mux.Handle("GET /metrics", m.Handler())
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := q.Ping(ctx); err != nil {
			http.Error(w, "redis unreachable", http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("ready\n"))
	})
	if dashboard != nil {
		mux.Handle("/dashboard/", http.StripPrefix("/dashboard", dashboard))
	}
	return mux
}

// Deliveries is the part of the App the redelivery schedule uses.
type Deliveries interface {
	FailedDeliveries(ctx context.Context, since time.Time) ([]githubapp.Delivery, error)
	Redeliver(ctx context.Context, id int64) error
}

// Redeliver asks GitHub, every interval, for the App's failed deliveries of the last window
// and has each sent again once (GitHub never retries on its own). A lock in Redis makes one
// service instance do it per round; asked-for ids are remembered so none is asked twice.
func Redeliver(ctx context.Context, d Deliveries, q *Queue, m *Metrics, log *slog.Logger, interval, window time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		RedeliverOnce(ctx, d, q, m, log, interval, window)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RedeliverOnce is one round of Redeliver.
func RedeliverOnce(ctx context.Context, d Deliveries, q *Queue, m *Metrics, log *slog.Logger, interval, window time.Duration) int {
	ok, err := q.R.SetNX(ctx, q.k("redeliver", "lock"), 1, max(interval/2, time.Second)).Result()
	if err != nil || !ok {
		return 0
	}
	failed, err := d.FailedDeliveries(ctx, time.Now().Add(-window))
	if err != nil {
		log.Warn("listing failed deliveries", "error", err.Error())
		return 0
	}
	n := 0
	for _, f := range failed {
		// A delivery this service already accepted (its first try timed out on GitHub's side
		// but reached us) needs nothing.
		if seen, _ := q.R.Exists(ctx, q.k("delivery", f.GUID)).Result(); seen == 1 {
			continue
		}
		if first, _ := q.R.SetNX(ctx, q.k("redelivered", f.GUID), 1, q.KeyTTL).Result(); !first {
			continue
		}
		if err := d.Redeliver(ctx, f.ID); err != nil {
			q.R.Del(ctx, q.k("redelivered", f.GUID))
			log.Warn("redelivery failed", "delivery", f.GUID, "error", err.Error())
			continue
		}
		m.Redeliveries.Inc()
		log.Info("redelivery asked", "delivery", f.GUID, "event", f.Event)
		n++
	}
	return n
}

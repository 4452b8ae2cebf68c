package service

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/VictoriaMetrics/metrics"
)

// Metrics are the service's Prometheus series. They are kept with VictoriaMetrics' metrics
// package rather than Prometheus' client: that client registers its collectors and protobuf
// types when the binary starts, a cost every command paid (some 3 ms of CPU on every run of
// `dataops help`), though only serve and worker ever expose a metric.
type Metrics struct {
	families     []*family
	Deliveries   CounterVec // result: accepted, duplicate, duplicate_job, stale_head, installation, ignored, unauthorized, too_large, malformed, unavailable
	Jobs         CounterVec // state: done, retrying, dead, superseded, duplicate, refused, dropped
	JobDuration  HistogramVec
	AckLatency   *metrics.PrometheusHistogram
	GitHubCalls  CounterVec // code
	RateLimit    *metrics.Gauge
	LLMTokens    *metrics.Counter
	LLMCost      *metrics.FloatCounter
	Redeliveries *metrics.Counter
	queue        *Queue
}

// family is one metric name with its help and type, on a set of its own, so that /metrics
// gives each its # HELP and # TYPE lines just above its series.
type family struct {
	name, help, kind string
	set              *metrics.Set
}

// CounterVec is a counter with one label.
type CounterVec struct {
	f     *family
	label string
}

// WithLabelValues is the counter of the label's value.
func (v CounterVec) WithLabelValues(value string) *metrics.Counter {
	return v.f.set.GetOrCreateCounter(series(v.f.name, v.label, value))
}

// HistogramVec is a histogram with one label.
type HistogramVec struct {
	f       *family
	label   string
	buckets []float64
}

// WithLabelValues is the histogram of the label's value.
func (v HistogramVec) WithLabelValues(value string) *metrics.PrometheusHistogram {
	return v.f.set.GetOrCreatePrometheusHistogramExt(series(v.f.name, v.label, value), v.buckets)
}

var labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)

// series is name{label="value"}, the value escaped as the exposition format wants.
func series(name, label, value string) string {
	return name + "{" + label + `="` + labelEscaper.Replace(value) + `"}`
}

// NewMetrics makes the series; queue, when set, is read at every scrape for its depth,
// pending, retrying, dead letters and the oldest job's age.
func NewMetrics(queue *Queue) *Metrics {
	m := &Metrics{queue: queue}
	fam := func(name, kind, help string) *family {
		f := &family{name: name, help: help, kind: kind, set: metrics.NewSet()}
		m.families = append(m.families, f)
		return f
	}
	m.Deliveries = CounterVec{fam("dataops_webhook_deliveries_total", "counter", "Webhook deliveries by result."), "result"}
	m.Jobs = CounterVec{fam("dataops_jobs_total", "counter", "Jobs finished by state."), "state"}
	m.JobDuration = HistogramVec{fam("dataops_job_duration_seconds", "histogram", "Time a job ran, by kind."), "kind", metrics.ExponentialBuckets(0.05, 2, 14)}
	f := fam("dataops_webhook_ack_seconds", "histogram", "Time from a delivery's arrival to its answer.")
	m.AckLatency = f.set.NewPrometheusHistogramExt(f.name, metrics.ExponentialBuckets(0.0005, 2, 14))
	m.GitHubCalls = CounterVec{fam("dataops_github_api_calls_total", "counter", "GitHub API calls by status code."), "code"}
	f = fam("dataops_github_rate_limit_remaining", "gauge", "X-RateLimit-Remaining of the last GitHub answer.")
	m.RateLimit = f.set.NewGauge(f.name, nil)
	f = fam("dataops_llm_tokens_total", "counter", "Language-model tokens used by reviews.")
	m.LLMTokens = f.set.NewCounter(f.name)
	f = fam("dataops_llm_cost_usd_total", "counter", "Language-model cost of reviews, in US dollars.")
	m.LLMCost = f.set.NewFloatCounter(f.name)
	f = fam("dataops_redeliveries_total", "counter", "Failed deliveries the service asked GitHub to send again.")
	m.Redeliveries = f.set.NewCounter(f.name)
	return m
}

// Handler serves /metrics: the service's series, the queue read at the scrape, and the Go
// runtime's and the process's series.
func (m *Metrics) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		m.WriteTo(r.Context(), w)
		metrics.WriteProcessMetrics(w)
	})
}

// WriteTo writes the service's series and the queue's in Prometheus' text format.
func (m *Metrics) WriteTo(ctx context.Context, w io.Writer) {
	for _, f := range m.families {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n", f.name, f.help, f.name, f.kind)
		f.set.WritePrometheus(w)
	}
	if m.queue != nil {
		m.writeQueue(ctx, w)
	}
}

func (m *Metrics) writeQueue(ctx context.Context, w io.Writer) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	gauge := func(name, help string, v float64) {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name)
		metrics.WriteGaugeFloat64(w, name, v)
	}
	h, err := m.queue.Health(ctx)
	if err != nil {
		gauge("dataops_redis_up", "1 when Redis answered the scrape's queue reading.", 0)
		return
	}
	gauge("dataops_redis_up", "1 when Redis answered the scrape's queue reading.", 1)
	gauge("dataops_queue_depth", "Jobs waiting for a worker.", float64(h.Depth))
	gauge("dataops_queue_pending", "Jobs held by a worker, not yet acknowledged.", float64(h.Pending))
	gauge("dataops_queue_retrying", "Jobs waiting for their retry.", float64(h.Retrying))
	gauge("dataops_queue_dead_letters", "Jobs in the dead-letter stream.", float64(h.Dead))
	gauge("dataops_queue_oldest_age_seconds", "Age of the oldest waiting or held job.", h.OldestAge.Seconds())
}

// Transport counts GitHub calls and keeps the rate limit's remaining calls.
func (m *Metrics) Transport(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		resp, err := base.RoundTrip(r)
		if err != nil {
			m.GitHubCalls.WithLabelValues("error").Inc()
			return resp, err
		}
		m.GitHubCalls.WithLabelValues(http.StatusText(resp.StatusCode)).Inc()
		if v := resp.Header.Get("X-RateLimit-Remaining"); v != "" {
			var n float64
			for _, c := range v {
				if c < '0' || c > '9' {
					return resp, nil
				}
				n = n*10 + float64(c-'0')
			}
			m.RateLimit.Set(n)
		}
		return resp, nil
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

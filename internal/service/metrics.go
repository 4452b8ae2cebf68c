package service

import (
	"context"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the service's Prometheus series, on a registry of their own.
type Metrics struct {
	Reg          *prometheus.Registry
	Deliveries   *prometheus.CounterVec   // result: accepted, duplicate, duplicate_job, stale_head, installation, ignored, unauthorized, too_large, malformed, unavailable
	Jobs         *prometheus.CounterVec   // state: done, retrying, dead, superseded, duplicate, refused, dropped
	JobDuration  *prometheus.HistogramVec // kind
	AckLatency   prometheus.Histogram
	GitHubCalls  *prometheus.CounterVec // code
	RateLimit    prometheus.Gauge
	LLMTokens    prometheus.Counter
	LLMCost      prometheus.Counter
	Redeliveries prometheus.Counter
}

// NewMetrics registers the series; queue, when set, is read at every scrape for its depth,
// pending, retrying, dead letters and the oldest job's age.
func NewMetrics(queue *Queue) *Metrics {
	m := &Metrics{Reg: prometheus.NewRegistry()}
	m.Deliveries = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "dataops_webhook_deliveries_total", Help: "Webhook deliveries by result."}, []string{"result"})
	m.Jobs = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "dataops_jobs_total", Help: "Jobs finished by state."}, []string{"state"})
	m.JobDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "dataops_job_duration_seconds", Help: "Time a job ran, by kind.", Buckets: prometheus.ExponentialBuckets(0.05, 2, 14)}, []string{"kind"})
	m.AckLatency = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "dataops_webhook_ack_seconds", Help: "Time from a delivery's arrival to its answer.", Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14)})
	m.GitHubCalls = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "dataops_github_api_calls_total", Help: "GitHub API calls by status code."}, []string{"code"})
	m.RateLimit = prometheus.NewGauge(prometheus.GaugeOpts{Name: "dataops_github_rate_limit_remaining", Help: "X-RateLimit-Remaining of the last GitHub answer."})
	m.LLMTokens = prometheus.NewCounter(prometheus.CounterOpts{Name: "dataops_llm_tokens_total", Help: "Language-model tokens used by reviews."})
	m.LLMCost = prometheus.NewCounter(prometheus.CounterOpts{Name: "dataops_llm_cost_usd_total", Help: "Language-model cost of reviews, in US dollars."})
	m.Redeliveries = prometheus.NewCounter(prometheus.CounterOpts{Name: "dataops_redeliveries_total", Help: "Failed deliveries the service asked GitHub to send again."})
	m.Reg.MustRegister(m.Deliveries, m.Jobs, m.JobDuration, m.AckLatency, m.GitHubCalls, m.RateLimit, m.LLMTokens, m.LLMCost, m.Redeliveries,
		prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	if queue != nil {
		m.Reg.MustRegister(&queueCollector{q: queue})
	}
	return m
}

// Handler serves /metrics.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Reg, promhttp.HandlerOpts{})
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

var (
	descDepth    = prometheus.NewDesc("dataops_queue_depth", "Jobs waiting for a worker.", nil, nil)
	descPending  = prometheus.NewDesc("dataops_queue_pending", "Jobs held by a worker, not yet acknowledged.", nil, nil)
	descRetrying = prometheus.NewDesc("dataops_queue_retrying", "Jobs waiting for their retry.", nil, nil)
	descDead     = prometheus.NewDesc("dataops_queue_dead_letters", "Jobs in the dead-letter stream.", nil, nil)
	descAge      = prometheus.NewDesc("dataops_queue_oldest_age_seconds", "Age of the oldest waiting or held job.", nil, nil)
	descUp       = prometheus.NewDesc("dataops_redis_up", "1 when Redis answered the scrape's queue reading.", nil, nil)
)

type queueCollector struct{ q *Queue }

func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descDepth, descPending, descRetrying, descDead, descAge, descUp} {
		ch <- d
	}
}

func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	h, err := c.q.Health(ctx)
	if err != nil {
		ch <- prometheus.MustNewConstMetric(descUp, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(descUp, prometheus.GaugeValue, 1)
	ch <- prometheus.MustNewConstMetric(descDepth, prometheus.GaugeValue, float64(h.Depth))
	ch <- prometheus.MustNewConstMetric(descPending, prometheus.GaugeValue, float64(h.Pending))
	ch <- prometheus.MustNewConstMetric(descRetrying, prometheus.GaugeValue, float64(h.Retrying))
	ch <- prometheus.MustNewConstMetric(descDead, prometheus.GaugeValue, float64(h.Dead))
	ch <- prometheus.MustNewConstMetric(descAge, prometheus.GaugeValue, h.OldestAge.Seconds())
}

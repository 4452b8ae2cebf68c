package service

import (
	"context"
	"io"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// sample is one series line of Prometheus' text format: a name, labels with escaped values,
// and a number.
var sample = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*"(, ?[a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*")*\})? (-?[0-9.e+-]+|\+Inf|NaN)$`)

// scrape is what GET /metrics answers, checked line by line: every series is well formed and
// comes after the # TYPE line of its family.
func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Errorf("Content-Type %q", ct)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	typed := map[string]string{}
	for i, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		if f := strings.Fields(line); len(f) == 4 && f[0] == "#" && f[1] == "TYPE" {
			typed[f[2]] = f[3]
			continue
		}
		if strings.HasPrefix(line, "# HELP ") {
			continue
		}
		if !sample.MatchString(line) {
			t.Errorf("line %d is not a series: %q", i+1, line)
			continue
		}
		name := line[:strings.IndexAny(line, "{ ")]
		if strings.HasPrefix(name, "dataops_") {
			base := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(name, "_bucket"), "_sum"), "_count")
			if typed[name] == "" && typed[base] != "histogram" {
				t.Errorf("line %d: %s has no # TYPE line before it", i+1, name)
			}
		}
	}
	return string(b)
}

func TestMetricsExposition(t *testing.T) {
	q := testQueue(t, redisURL(t))
	ctx := context.Background()
	if _, err := q.Enqueue(ctx, &Job{ID: "j1", Kind: KindReview, Owner: "acme", Repo: "shop", PR: 1, HeadSHA: sha("h"), BaseSHA: sha("b"), CloneURL: "x", Installation: 1, Delivery: "d1"}); err != nil {
		t.Fatal(err)
	}
	m := NewMetrics(q)
	m.Deliveries.WithLabelValues("accepted").Inc()
	m.Deliveries.WithLabelValues("accepted").Inc()
	m.Deliveries.WithLabelValues("odd \"value\" \\ here").Inc()
	m.Jobs.WithLabelValues(StateDone).Inc()
	m.JobDuration.WithLabelValues(KindReview).Update(0.3)
	m.AckLatency.Update(0.001)
	m.RateLimit.Set(4999)
	m.LLMTokens.Add(1234567)
	m.LLMCost.Add(0.25)
	m.Redeliveries.Inc()
	out := scrape(t, m)
	for _, want := range []string{
		"# HELP dataops_webhook_deliveries_total Webhook deliveries by result.\n# TYPE dataops_webhook_deliveries_total counter\n",
		"dataops_webhook_deliveries_total{result=\"accepted\"} 2\n",
		`dataops_webhook_deliveries_total{result="odd \"value\" \\ here"} 1` + "\n",
		"dataops_jobs_total{state=\"done\"} 1\n",
		"# TYPE dataops_job_duration_seconds histogram\n",
		"dataops_job_duration_seconds_bucket{kind=\"review\",le=\"0.2\"} 0\n",
		"dataops_job_duration_seconds_bucket{kind=\"review\",le=\"0.4\"} 1\n",
		"dataops_job_duration_seconds_bucket{kind=\"review\",le=\"+Inf\"} 1\n",
		"dataops_job_duration_seconds_count{kind=\"review\"} 1\n",
		"dataops_webhook_ack_seconds_bucket{le=\"0.001\"} 1\n",
		"dataops_github_rate_limit_remaining 4999\n",
		"dataops_llm_tokens_total 1234567\n",
		"dataops_llm_cost_usd_total 0.25\n",
		"dataops_redeliveries_total 1\n",
		"dataops_redis_up 1\n",
		"dataops_queue_depth 1\n",
		"dataops_queue_dead_letters 0\n",
		"\ngo_goroutines ",
		"\nprocess_resident_memory_bytes ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}

	// Redis gone: the scrape still answers, and says so.
	q.Close()
	if out := scrape(t, m); !strings.Contains(out, "dataops_redis_up 0\n") || strings.Contains(out, "dataops_queue_depth") {
		t.Errorf("with Redis closed:\n%s", out)
	}
}

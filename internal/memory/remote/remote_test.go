package remote

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestMaskURL(t *testing.T) {
	cases := map[string]string{
		"https://user:s3cret@db.example.com:5432/x?sslmode=disable":        "https://user:***@db.example.com:5432/x?sslmode=disable",
		"https://api.example.com/v1?api-key=abc123&api-version=2024-10-21": "https://api.example.com/v1?api-key=***&api-version=2024-10-21",
		"http://localhost:6333":    "http://localhost:6333",
		"https://u:p%zz@host/path": "https://host/(unparseable)",
		"no scheme at all %zz":     "(unparseable URL)",
	}
	for in, want := range cases {
		if got := MaskURL(in); got != want {
			t.Errorf("MaskURL(%q) = %q, want %q", in, got, want)
		}
	}
}

// recorder is a Sleep that records the waits instead of waiting.
type recorder struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (r *recorder) sleep(_ context.Context, d time.Duration) error {
	r.mu.Lock()
	r.waits = append(r.waits, d)
	r.mu.Unlock()
	return nil
}

func TestRetryHonoursRetryAfterAndReplaysBody(t *testing.T) {
	var bodies []string
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		bodies = append(bodies, string(b))
		calls++
		switch calls {
		case 1:
			w.Header().Set("Retry-After", "3")
			w.WriteHeader(http.StatusTooManyRequests)
		case 2:
			w.WriteHeader(http.StatusServiceUnavailable)
		default:
			w.Write([]byte(`{"ok":true}`))
		}
	}))
	defer srv.Close()
	rec := &recorder{}
	c, err := New("svc", srv.URL, Options{Transport: &Transport{Sleep: rec.sleep, MinBackoff: time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	var out struct{ OK bool }
	if err := c.JSON(context.Background(), "POST", "/things", nil, map[string]int{"n": 1}, &out); err != nil {
		t.Fatal(err)
	}
	if !out.OK || calls != 3 {
		t.Fatalf("ok=%v after %d calls", out.OK, calls)
	}
	for i, b := range bodies {
		if b != `{"n":1}` {
			t.Errorf("attempt %d sent %q", i+1, b)
		}
	}
	if len(rec.waits) != 2 || rec.waits[0] != 3*time.Second {
		t.Fatalf("waits = %v, want Retry-After's 3s first", rec.waits)
	}
	// second wait: backoff of attempt 1 from a 1 s base, jittered within [1s, 2s].
	if rec.waits[1] < time.Second || rec.waits[1] > 2*time.Second {
		t.Fatalf("backoff wait = %v, want within [1s, 2s]", rec.waits[1])
	}
}

func TestRetryAfterHTTPDate(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	d, ok := retryAfter(now.Add(90*time.Second).Format(http.TimeFormat), now)
	if !ok || d != 90*time.Second {
		t.Fatalf("retryAfter(date) = %v, %v", d, ok)
	}
	if _, ok := retryAfter("soon", now); ok {
		t.Fatal("retryAfter accepted a word")
	}
}

func TestGivesUpAndMasks(t *testing.T) {
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		// A server that echoes the key it was sent must not make us print it.
		http.Error(w, "bad gateway for key "+r.Header.Get("api-key"), http.StatusBadGateway)
	}))
	defer srv.Close()
	rec := &recorder{}
	c, err := New("qdrant", strings.Replace(srv.URL, "http://", "http://admin:pa55word@", 1)+"/?token=tok-xyz", Options{
		Header:    http.Header{"Api-Key": {"key-very-secret"}},
		Transport: &Transport{Sleep: rec.sleep, MaxRetries: 2},
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Do(context.Background(), "GET", "/collections", nil, "", nil)
	if calls != 3 || len(rec.waits) != 2 {
		t.Fatalf("calls %d waits %v, want 3 and 2", calls, rec.waits)
	}
	if StatusOf(err) != http.StatusBadGateway {
		t.Fatalf("err = %v", err)
	}
	msg := err.Error()
	for _, secret := range []string{"key-very-secret", "pa55word", "tok-xyz"} {
		if strings.Contains(msg, secret) {
			t.Fatalf("error shows %q: %s", secret, msg)
		}
	}
	if !strings.Contains(msg, "qdrant: GET http://127.0.0.1:") || !strings.Contains(msg, "/collections?token=***: 502") {
		t.Fatalf("error does not name service, method, URL and status: %s", msg)
	}
}

func TestNoRetryOnClientErrorOrLongRetryAfter(t *testing.T) {
	status, after := http.StatusBadRequest, ""
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if after != "" {
			w.Header().Set("Retry-After", after)
		}
		w.WriteHeader(status)
	}))
	defer srv.Close()
	rec := &recorder{}
	c, _ := New("svc", srv.URL, Options{Transport: &Transport{Sleep: rec.sleep}})
	c.Do(context.Background(), "GET", "/", nil, "", nil)
	status, after = http.StatusTooManyRequests, "3600"
	c.Do(context.Background(), "GET", "/", nil, "", nil)
	if calls != 2 || len(rec.waits) != 0 {
		t.Fatalf("calls %d waits %v: 400 and a 1-hour Retry-After must not be retried", calls, rec.waits)
	}
}

func TestUnreachableAndTimeout(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	rec := &recorder{}
	c, _ := New("weaviate", "http://u:hunter22@"+addr, Options{Transport: &Transport{Sleep: rec.sleep, MaxRetries: 1}})
	_, err = c.Do(context.Background(), "GET", "/v1/meta", nil, "", nil)
	if err == nil || StatusOf(err) != 0 || strings.Contains(err.Error(), "hunter22") || !strings.Contains(err.Error(), addr) {
		t.Fatalf("unreachable: %v", err)
	}
	if len(rec.waits) != 1 {
		t.Fatalf("waits %v: a refused connection is retried", rec.waits)
	}

	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	c, _ = New("weaviate", srv.URL, Options{Transport: &Transport{Sleep: rec.sleep, MaxRetries: -1, AttemptTimeout: 50 * time.Millisecond}})
	_, err = c.Do(context.Background(), "GET", "/v1/meta", nil, "", nil)
	if err == nil || !IsTimeout(err) || !strings.Contains(err.Error(), "timed out") {
		t.Fatalf("hung server: %v", err)
	}
}

func TestCallerCancelStopsRetries(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	c, _ := New("svc", srv.URL, Options{Transport: &Transport{Sleep: func(ctx context.Context, d time.Duration) error {
		cancel()
		return ctx.Err()
	}}})
	_, err := c.Do(ctx, "GET", "/", nil, "", nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestNewRejectsNonHTTP(t *testing.T) {
	for _, u := range []string{"ftp://x", "localhost:6333", ""} {
		if _, err := New("svc", u, Options{}); err == nil {
			t.Errorf("New(%q) accepted", u)
		}
	}
}

func TestEmbedderMismatchError(t *testing.T) {
	err := error(&EmbedderMismatchError{Store: "qdrant http://h/collections/c", StoreName: "a", StoreDimension: 3, Name: "b", Dimension: 4})
	if !errors.Is(err, ErrEmbedderMismatch) || !strings.Contains(err.Error(), "holds vectors of embedder a (dimension 3), not b (dimension 4)") {
		t.Fatalf("%v", err)
	}
}

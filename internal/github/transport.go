package github

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// maskTransport passes each request body through mask before anything else sees it: it is
// the outermost transport, so retries and dry runs send and print the masked body.
type maskTransport struct {
	base http.RoundTripper
	mask func([]byte) []byte
}

func (t *maskTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return t.base.RoundTrip(req)
	}
	b, err := io.ReadAll(req.Body)
	req.Body.Close()
	if err != nil {
		return nil, err
	}
	body := t.mask(b)
	r := req.Clone(req.Context())
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	return t.base.RoundTrip(r)
}

// retryTransport retries rate-limited (403/429 with rate-limit headers) and 5xx responses
// with backoff, honouring Retry-After and X-RateLimit-Reset up to MaxWait.
type retryTransport struct {
	base     http.RoundTripper
	attempts int
	maxWait  time.Duration
	sleep    func(time.Duration)
	now      func() time.Time
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		body = b
	}
	backoff := time.Second
	for attempt := 1; ; attempt++ {
		r := req.Clone(req.Context())
		if body != nil {
			r.Body = io.NopCloser(bytes.NewReader(body))
			r.ContentLength = int64(len(body))
		}
		resp, err := t.base.RoundTrip(r)
		if err != nil || attempt >= t.attempts {
			return resp, err
		}
		wait, retry := t.retryAfter(resp, backoff)
		if !retry {
			return resp, nil
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if wait > t.maxWait {
			wait = t.maxWait
		}
		select {
		case <-req.Context().Done():
			return nil, req.Context().Err()
		default:
		}
		t.sleep(wait)
		backoff *= 2
	}
}

// retryAfter decides whether a response is worth retrying and how long to wait first.
func (t *retryTransport) retryAfter(resp *http.Response, backoff time.Duration) (time.Duration, bool) {
	h := resp.Header
	rateLimited := resp.StatusCode == http.StatusTooManyRequests ||
		resp.StatusCode == http.StatusForbidden && (h.Get("X-RateLimit-Remaining") == "0" || h.Get("Retry-After") != "")
	switch {
	case rateLimited:
		if s, err := strconv.Atoi(h.Get("Retry-After")); err == nil {
			return time.Duration(s) * time.Second, true
		}
		if reset, err := strconv.ParseInt(h.Get("X-RateLimit-Reset"), 10, 64); err == nil {
			if d := time.Unix(reset, 0).Sub(t.now()); d > 0 {
				return d, true
			}
		}
		return backoff, true
	case resp.StatusCode >= 500:
		return backoff, true
	}
	return 0, false
}

// dryRunTransport sends reads and prints writes instead of sending them, answering them with
// what GitHub would return for an empty object.
type dryRunTransport struct {
	base http.RoundTripper
	out  io.Writer
	mu   sync.Mutex
	id   int64
}

func (t *dryRunTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodGet {
		return t.base.RoundTrip(req)
	}
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		req.Body.Close()
	}
	t.mu.Lock()
	t.id++
	id := t.id
	fmt.Fprintf(t.out, "%s %s\n%s\n\n", req.Method, req.URL.String(), bytes.TrimSpace(body))
	t.mu.Unlock()
	return &http.Response{StatusCode: http.StatusOK, Status: "200 OK", Request: req,
		Header: http.Header{"Content-Type": []string{"application/json"}},
		Body:   io.NopCloser(bytes.NewReader([]byte(fmt.Sprintf(`{"id": %d}`, id))))}, nil
}

package llm

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
)

// Retry is an http.RoundTripper that tries a request again when the service answers 429 or a
// 5xx, or the connection fails before an answer: after the delay the answer asks for
// (retry-after-ms, then Retry-After in seconds or as a date), else after a doubling backoff
// with jitter. No provider retries by itself, so every provider retries the same way.
type Retry struct {
	Base        http.RoundTripper // nil: http.DefaultTransport
	MaxAttempts int               // tries in all; <= 1 never retries
	Backoff     time.Duration     // first delay without Retry-After; default 500 ms
	MaxDelay    time.Duration     // cap on any one delay; default 60 s
	// Sleep waits d or until ctx ends; tests replace it to record delays without waiting.
	Sleep func(ctx context.Context, d time.Duration) error
}

// RoundTrip sends req, retrying as described on Retry. The body is read once and replayed.
func (t *Retry) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	var body []byte
	if req.Body != nil {
		var err error
		if body, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
		req.Body.Close()
	}
	attempts := max(t.MaxAttempts, 1)
	for i := 1; ; i++ {
		r := req.Clone(req.Context())
		if body != nil {
			r.Body = io.NopCloser(bytes.NewReader(body))
			r.ContentLength = int64(len(body))
			r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		}
		res, err := base.RoundTrip(r)
		if i >= attempts || req.Context().Err() != nil {
			return res, err
		}
		if err == nil && !retryable(res.StatusCode) {
			return res, nil
		}
		d := t.delay(i, res)
		if res != nil {
			io.Copy(io.Discard, io.LimitReader(res.Body, 1<<16))
			res.Body.Close()
		}
		sleep := t.Sleep
		if sleep == nil {
			sleep = sleepCtx
		}
		if err := sleep(req.Context(), d); err != nil {
			return nil, err
		}
	}
}

func retryable(status int) bool {
	return status == http.StatusTooManyRequests || status == http.StatusRequestTimeout || status >= 500
}

// delay is how long to wait before attempt i+1.
func (t *Retry) delay(i int, res *http.Response) time.Duration {
	maxDelay := t.MaxDelay
	if maxDelay <= 0 {
		maxDelay = time.Minute
	}
	if d, ok := RetryAfter(res); ok {
		return min(d, maxDelay)
	}
	b := t.Backoff
	if b <= 0 {
		b = 500 * time.Millisecond
	}
	d := b << (i - 1)
	d += time.Duration(rand.Int64N(int64(d)/4 + 1))
	return min(d, maxDelay)
}

// RetryAfter reads the delay an answer asks for: retry-after-ms (OpenAI, Anthropic), then
// Retry-After as seconds or an HTTP date.
func RetryAfter(res *http.Response) (time.Duration, bool) {
	if res == nil {
		return 0, false
	}
	if v := res.Header.Get("Retry-After-Ms"); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms >= 0 {
			return time.Duration(ms * float64(time.Millisecond)), true
		}
	}
	v := res.Header.Get("Retry-After")
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil && s >= 0 {
		return time.Duration(s * float64(time.Second)), true
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(time.Until(at), 0), true
	}
	return 0, false
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

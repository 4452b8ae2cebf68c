package remote

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
)

// Transport is an http.RoundTripper that bounds each attempt in time and retries what a
// service asks to be retried: 429 and 5xx answers (but 501 and 505, which will not change)
// and failures to connect or to get an answer. It waits what a Retry-After header says (in
// seconds or as an HTTP date) or else backs off exponentially with jitter. A request whose
// body cannot be replayed (no GetBody) is sent once.
//
// Retries suit our calls because every one is idempotent: upserts by ID, deletes by filter,
// queries.
type Transport struct {
	Base           http.RoundTripper // nil: http.DefaultTransport
	AttemptTimeout time.Duration     // per attempt, until the body is closed; 0: 30 s
	MaxRetries     int               // after the first attempt; 0: 4, negative: none
	MinBackoff     time.Duration     // 0: 250 ms
	MaxBackoff     time.Duration     // 0: 8 s
	// MaxRetryAfter caps how long a Retry-After may make us wait; a longer demand ends the
	// retries and returns the answer. 0: 30 s.
	MaxRetryAfter time.Duration
	// Sleep waits d or until ctx is done; nil: a timer. Tests replace it to record waits.
	Sleep func(ctx context.Context, d time.Duration) error
}

func (t *Transport) base() http.RoundTripper {
	if t.Base != nil {
		return t.Base
	}
	return http.DefaultTransport
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

func (t *Transport) maxRetries() int {
	switch {
	case t.MaxRetries < 0:
		return 0
	case t.MaxRetries == 0:
		return 4
	}
	return t.MaxRetries
}

// RoundTrip sends req, retrying as the type's comment says.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	retries := t.maxRetries()
	if req.Body != nil && req.Body != http.NoBody && req.GetBody == nil {
		retries = 0
	}
	for attempt := 0; ; attempt++ {
		r := req
		if attempt > 0 && req.GetBody != nil {
			body, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			r = req.Clone(ctx)
			r.Body = body
		}
		actx, cancel := context.WithTimeout(ctx, orDefault(t.AttemptTimeout, 30*time.Second))
		resp, err := t.base().RoundTrip(r.WithContext(actx))
		wait, retry := t.verdict(resp, err, attempt)
		if ctx.Err() != nil {
			retry = false // the caller gave up: its error, not a timeout of ours, is the answer
		}
		if !retry || attempt >= retries {
			if err != nil {
				cancel()
				if ctx.Err() == nil && actx.Err() != nil {
					err = &attemptTimeoutError{after: orDefault(t.AttemptTimeout, 30*time.Second), err: err}
				}
				return nil, err
			}
			resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
			return resp, nil
		}
		if resp != nil {
			io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
		}
		cancel()
		if err := t.sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// verdict says whether to retry an attempt's outcome and after how long; a Retry-After beyond
// MaxRetryAfter means no retry.
func (t *Transport) verdict(resp *http.Response, err error, attempt int) (time.Duration, bool) {
	if err != nil {
		return t.backoff(attempt), true
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests,
		resp.StatusCode >= 500 && resp.StatusCode != http.StatusNotImplemented && resp.StatusCode != http.StatusHTTPVersionNotSupported:
	default:
		return 0, false
	}
	if d, ok := retryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
		if d > orDefault(t.MaxRetryAfter, 30*time.Second) {
			return 0, false
		}
		return d, true
	}
	return t.backoff(attempt), true
}

func (t *Transport) backoff(attempt int) time.Duration {
	lo, hi := orDefault(t.MinBackoff, 250*time.Millisecond), orDefault(t.MaxBackoff, 8*time.Second)
	d := lo << min(attempt, 20)
	if d > hi || d <= 0 {
		d = hi
	}
	// Full jitter on the upper half keeps many clients from retrying in step.
	return d/2 + rand.N(d/2+1)
}

// retryAfter parses a Retry-After value: delay-seconds or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second, true
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(at.Sub(now), 0), true
	}
	return 0, false
}

func (t *Transport) sleep(ctx context.Context, d time.Duration) error {
	if t.Sleep != nil {
		return t.Sleep(ctx, d)
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c *cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}

type attemptTimeoutError struct {
	after time.Duration
	err   error
}

func (e *attemptTimeoutError) Error() string {
	return "no answer within " + e.after.String() + ": " + e.err.Error()
}
func (e *attemptTimeoutError) Unwrap() error { return e.err }

// IsTimeout reports whether err is an attempt that got no answer in time.
func IsTimeout(err error) bool {
	var te *attemptTimeoutError
	return errors.As(err, &te)
}

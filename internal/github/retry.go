package github

import (
	"net/http"
	"time"
)

// RetryTransport wraps base with the publisher's retries: rate limits (primary and secondary,
// honouring Retry-After and X-RateLimit-Reset up to a minute) and 5xx answers, with doubling
// backoff, at most five attempts. sleep nil means time.Sleep.
func RetryTransport(base http.RoundTripper, sleep func(time.Duration)) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	if sleep == nil {
		sleep = time.Sleep
	}
	return &retryTransport{base: base, attempts: 5, maxWait: 60 * time.Second, sleep: sleep, now: time.Now}
}

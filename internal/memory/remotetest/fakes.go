package remotetest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"sync"
	"time"

	"github.com/dataops-dev/dataops/internal/memory/remote"
)

// DecodeStrict decodes a request's JSON body into v, refusing unknown fields and trailing
// data as the services' typed request parsers do, and checks the Content-Type.
func DecodeStrict(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "application/json" && ct != "application/json; charset=utf-8" {
		return fmt.Errorf("Content-Type %q, want application/json", ct)
	}
	data, err := io.ReadAll(r.Body)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("body %s: %w", data, err)
	}
	if dec.More() {
		return fmt.Errorf("trailing data after the JSON body")
	}
	return nil
}

// WriteJSON answers with status and v as JSON.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// Cosine is the cosine similarity of a and b (0 when either is zero).
func Cosine(a, b []float32) float64 {
	var dot, na, nb float64
	for i := range a {
		dot += float64(a[i]) * float64(b[i])
		na += float64(a[i]) * float64(a[i])
		nb += float64(b[i]) * float64(b[i])
	}
	if na == 0 || nb == 0 {
		return 0
	}
	return dot / math.Sqrt(na*nb)
}

// Faults makes a fake fail its next requests on purpose.
type Faults struct {
	mu         sync.Mutex
	left       int
	status     int
	retryAfter string
}

// Inject makes the next n requests answer status, with Retry-After when retryAfter is set.
func (f *Faults) Inject(n, status int, retryAfter string) {
	f.mu.Lock()
	f.left, f.status, f.retryAfter = n, status, retryAfter
	f.mu.Unlock()
}

// Serve answers a request with the injected fault and reports whether it did.
func (f *Faults) Serve(w http.ResponseWriter) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.left == 0 {
		return false
	}
	f.left--
	if f.retryAfter != "" {
		w.Header().Set("Retry-After", f.retryAfter)
	}
	WriteJSON(w, f.status, map[string]any{"error": "injected fault"})
	return true
}

// Sleeps records the waits of a Transport instead of waiting.
type Sleeps struct {
	mu    sync.Mutex
	Waits []time.Duration
}

// Transport returns a retrying transport that records its waits here.
func (s *Sleeps) Transport() *remote.Transport {
	return &remote.Transport{AttemptTimeout: 10 * time.Second, Sleep: func(ctx context.Context, d time.Duration) error {
		s.mu.Lock()
		s.Waits = append(s.Waits, d)
		s.mu.Unlock()
		return ctx.Err()
	}}
}

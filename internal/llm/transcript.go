package llm

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
)

// Exchange is one HTTP request to a provider and its answer, without headers that carry
// credentials: what a replay server needs to answer the same request the same way.
type Exchange struct {
	Method string `json:"method"`
	// Path is the request's path below the endpoint's base path (chat/completions,
	// v1/messages, model/<id>/converse).
	Path    string          `json:"path"`
	Request json.RawMessage `json:"request"`
	Status  int             `json:"status"`
	// Headers keeps the answer's content type and retry hints.
	Headers  map[string]string `json:"headers,omitempty"`
	Response string            `json:"response"`
}

// Transcript is the exchanges of one run with one provider, in order.
type Transcript struct {
	Provider  string     `json:"provider"`
	Model     string     `json:"model"`
	Exchanges []Exchange `json:"exchanges"`
}

// ReadTranscript reads a transcript file.
func ReadTranscript(path string) (*Transcript, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var t Transcript
	if err := json.Unmarshal(data, &t); err != nil {
		return nil, err
	}
	return &t, nil
}

// JSON is the transcript as indented JSON with a final newline.
func (t *Transcript) JSON() []byte {
	b, _ := json.MarshalIndent(t, "", "  ")
	return append(b, '\n')
}

// Recorder is an http.RoundTripper that keeps every exchange it carries.
type Recorder struct {
	Base http.RoundTripper // nil: http.DefaultTransport
	// BasePath is the endpoint's path prefix, cut from recorded paths ("/v1/" for OpenAI).
	BasePath string

	mu sync.Mutex
	t  Transcript
}

// NewRecorder records exchanges with provider for model.
func NewRecorder(base http.RoundTripper, basePath, provider, model string) *Recorder {
	return &Recorder{Base: base, BasePath: basePath, t: Transcript{Provider: provider, Model: model, Exchanges: []Exchange{}}}
}

// Transcript returns what was recorded so far.
func (r *Recorder) Transcript() *Transcript {
	r.mu.Lock()
	defer r.mu.Unlock()
	t := r.t
	t.Exchanges = append([]Exchange(nil), r.t.Exchanges...)
	return &t
}

// RoundTrip sends req and records the exchange.
func (r *Recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	base := r.Base
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
		req.Body = io.NopCloser(bytes.NewReader(body))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	res, err := base.RoundTrip(req)
	if err != nil {
		return res, err
	}
	answer, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return nil, err
	}
	res.Body = io.NopCloser(bytes.NewReader(answer))
	ex := Exchange{Method: req.Method, Path: RelPath(req.URL.EscapedPath(), r.BasePath), Request: CompactJSON(body),
		Status: res.StatusCode, Response: string(answer)}
	for _, h := range []string{"Content-Type", "Retry-After", "Retry-After-Ms", "X-Amzn-Errortype"} {
		if v := res.Header.Get(h); v != "" {
			if ex.Headers == nil {
				ex.Headers = map[string]string{}
			}
			ex.Headers[h] = v
		}
	}
	r.mu.Lock()
	r.t.Exchanges = append(r.t.Exchanges, ex)
	r.mu.Unlock()
	return res, nil
}

// RelPath is p below the base path prefix, without a leading slash.
func RelPath(p, prefix string) string {
	p = strings.TrimPrefix(p, strings.TrimSuffix(prefix, "/"))
	return strings.TrimPrefix(p, "/")
}

// CompactJSON is a request body as a transcript keeps it: compact JSON, or a JSON string when
// the body is not JSON.
func CompactJSON(b []byte) json.RawMessage {
	if len(b) == 0 {
		return json.RawMessage("null")
	}
	var buf bytes.Buffer
	if json.Compact(&buf, b) != nil {
		s, _ := json.Marshal(string(b))
		return s
	}
	return buf.Bytes()
}

// CanonicalJSON re-encodes a JSON document with object keys sorted, so two encodings of the
// same value compare equal.
func CanonicalJSON(b []byte) string {
	var v any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if d.Decode(&v) != nil {
		return string(b)
	}
	out, _ := json.Marshal(v)
	return string(out)
}

// Package llmtest holds in-process servers for the provider APIs internal/llm calls: OpenAI
// chat completions (tools, JSON-schema response_format, streaming), Anthropic Messages (tools,
// tool_choice) and Bedrock Converse (SigV4 checked). Each validates every request as the
// service documents it (authentication header, required fields, message order, tool-call
// round trips, schema rules) and answers with a documented error when one is wrong. Answers
// come from a script (a queue of Replies or a function, the same for every provider), or from
// a recorded transcript replayed exchange by exchange. Tests use them; so does `dataops eval`
// when it replays recorded transcripts.
package llmtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"

	"github.com/dataops-dev/dataops/internal/llm"
)

// Seen is a request as the script sees it, the same for every provider.
type Seen struct {
	Path      string
	System    string
	Messages  []llm.Message
	Tools     []string // names, the output tool of Anthropic and Bedrock excluded
	Output    string   // the output schema's name; "" when the request has none
	Schema    json.RawMessage
	MaxTokens int
	Stream    bool
	// Raw is the request body as sent.
	Raw []byte
}

// Reply is what the server answers next: an answer, or an error when Status is set.
type Reply struct {
	Text      string // the answer's text; with an output schema, the JSON value
	ToolCalls []llm.ToolCall
	Usage     llm.Usage // zero: estimated from the request and answer sizes
	MaxTokens bool      // the answer was cut at the token limit

	Status     int    // an error status (401, 429, 500, 529, ...)
	Message    string // its message
	RetryAfter string // its Retry-After header
}

// Script answers a request.
type Script func(Seen) Reply

// Server is one provider's in-process API.
type Server struct {
	*httptest.Server
	kind string

	mu       sync.Mutex
	replies  []Reply
	script   Script
	replay   *llm.Transcript
	used     []bool
	seen     []Seen
	problems []string
	calls    int
	recorded []llm.Exchange
}

func newServer(kind string, h func(*Server, http.ResponseWriter, *http.Request, []byte)) *Server {
	s := &Server{kind: kind}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		s.mu.Lock()
		s.calls++
		s.mu.Unlock()
		rec := &capture{ResponseWriter: w, status: 200}
		h(s, rec, r, body)
		ex := llm.Exchange{Method: r.Method, Path: strings.TrimPrefix(r.URL.EscapedPath(), "/"), Request: llm.CompactJSON(body),
			Status: rec.status, Response: rec.body.String()}
		for _, k := range []string{"Content-Type", "Retry-After", "X-Amzn-Errortype"} {
			if v := rec.Header().Get(k); v != "" {
				if ex.Headers == nil {
					ex.Headers = map[string]string{}
				}
				ex.Headers[k] = v
			}
		}
		s.mu.Lock()
		s.recorded = append(s.recorded, ex)
		s.mu.Unlock()
	}))
	return s
}

// capture keeps what a handler wrote.
type capture struct {
	http.ResponseWriter
	status int
	body   strings.Builder
}

func (c *capture) WriteHeader(status int) {
	c.status = status
	c.ResponseWriter.WriteHeader(status)
}

func (c *capture) Write(b []byte) (int, error) {
	c.body.Write(b)
	return c.ResponseWriter.Write(b)
}

// Recorded is every exchange the server answered (valid or not), as a transcript a later
// run replays.
func (s *Server) Recorded(provider, model string) *llm.Transcript {
	s.mu.Lock()
	defer s.mu.Unlock()
	return &llm.Transcript{Provider: provider, Model: model, Exchanges: append([]llm.Exchange{}, s.recorded...)}
}

// Push queues replies, answered in order before the script.
func (s *Server) Push(rs ...Reply) {
	s.mu.Lock()
	s.replies = append(s.replies, rs...)
	s.mu.Unlock()
}

// Handle answers every request the queue does not.
func (s *Server) Handle(f Script) {
	s.mu.Lock()
	s.script = f
	s.mu.Unlock()
}

// Replay answers from a transcript: each request must equal (as JSON) an exchange not yet
// used with the same method and path, which is answered as recorded.
func (s *Server) Replay(t *llm.Transcript) {
	s.mu.Lock()
	s.replay = t
	s.used = make([]bool, len(t.Exchanges))
	s.mu.Unlock()
}

// Seen returns the valid requests received, in order.
func (s *Server) Seen() []Seen {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Seen(nil), s.seen...)
}

// Calls counts every request, valid or not.
func (s *Server) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// Problems lists the requests the server refused as malformed, and replayed requests that
// matched no recorded exchange; a test expects none.
func (s *Server) Problems() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.problems...)
}

// ForgetProblems keeps only the first n problems (after a test provoked the others).
func (s *Server) ForgetProblems(n int) {
	s.mu.Lock()
	s.problems = s.problems[:min(n, len(s.problems))]
	s.mu.Unlock()
}

// Unused counts the exchanges of a replayed transcript no request asked for.
func (s *Server) Unused() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, u := range s.used {
		if !u {
			n++
		}
	}
	return n
}

func (s *Server) problem(format string, args ...any) string {
	msg := fmt.Sprintf(format, args...)
	s.mu.Lock()
	s.problems = append(s.problems, s.kind+": "+msg)
	s.mu.Unlock()
	return msg
}

// next decides the answer to a valid request; replayed answers are written directly and
// reported with ok false.
func (s *Server) next(w http.ResponseWriter, r *http.Request, body []byte, seen Seen) (Reply, bool) {
	s.mu.Lock()
	s.seen = append(s.seen, seen)
	if t := s.replay; t != nil {
		want := llm.CanonicalJSON(body)
		path := strings.TrimPrefix(r.URL.EscapedPath(), "/")
		for i, ex := range t.Exchanges {
			if s.used[i] || ex.Method != r.Method || !strings.HasSuffix(path, ex.Path) || llm.CanonicalJSON(ex.Request) != want {
				continue
			}
			s.used[i] = true
			s.mu.Unlock()
			for k, v := range ex.Headers {
				w.Header().Set(k, v)
			}
			w.WriteHeader(ex.Status)
			io.WriteString(w, ex.Response)
			return Reply{}, false
		}
		s.mu.Unlock()
		msg := s.problem("no recorded exchange for %s %s", r.Method, path)
		return Reply{Status: 500, Message: msg}, true
	}
	if len(s.replies) > 0 {
		rep := s.replies[0]
		s.replies = s.replies[1:]
		s.mu.Unlock()
		return rep, true
	}
	f := s.script
	s.mu.Unlock()
	if f == nil {
		return Reply{Status: 500, Message: "the test server has no answer scripted"}, true
	}
	return f(seen), true
}

// Estimate is the token count the servers report when a reply gives none: about four bytes a
// token, as the vendors' tokenizers average on English and code.
func Estimate(s string) int { return (len(s) + 3) / 4 }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func usageOf(rep Reply, seen Seen) llm.Usage {
	if rep.Usage != (llm.Usage{}) {
		return rep.Usage
	}
	out := Estimate(rep.Text)
	for _, c := range rep.ToolCalls {
		out += Estimate(c.Name) + Estimate(string(c.Arguments))
	}
	return llm.Usage{InputTokens: Estimate(string(seen.Raw)), OutputTokens: max(out, 1)}
}

func callID(kind string, i, j int) string { return fmt.Sprintf("%s_%d_%d", kind, i, j) }

var toolName = func(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c == '_' || c == '-' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

// checkStrict enforces OpenAI's strict-mode rules on a JSON schema: every object lists all
// its properties as required and forbids others.
func checkStrict(schema map[string]any, at string) error {
	if t, _ := schema["type"].(string); t == "object" {
		props, _ := schema["properties"].(map[string]any)
		if ap, ok := schema["additionalProperties"].(bool); !ok || ap {
			return fmt.Errorf("%s: additionalProperties must be false in strict mode", at)
		}
		req := map[string]bool{}
		list, _ := schema["required"].([]any)
		for _, r := range list {
			if s, ok := r.(string); ok {
				req[s] = true
			}
		}
		for k, v := range props {
			if !req[k] {
				return fmt.Errorf("%s: property %q must be required in strict mode", at, k)
			}
			if sub, ok := v.(map[string]any); ok {
				if err := checkStrict(sub, at+"."+k); err != nil {
					return err
				}
			}
		}
	}
	if items, ok := schema["items"].(map[string]any); ok {
		return checkStrict(items, at+"[]")
	}
	return nil
}

// Package suite is the conformance suite every llm.Provider passes against its in-process
// server (internal/llm/llmtest).
package suite

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dataops-dev/dataops/internal/llm"
	. "github.com/dataops-dev/dataops/internal/llm/llmtest"
)

// Make builds the provider under test on an HTTP client; good says whether it holds the
// server's credentials.
type Make func(t *testing.T, hc *http.Client, good bool) llm.Provider

var answerSchema = json.RawMessage(`{"type":"object","properties":{"answer":{"type":"string"}},"required":["answer"],"additionalProperties":false}`)

var lookupTool = llm.Tool{Name: "model_sql", Description: "The SQL of a model.",
	Parameters: json.RawMessage(`{"type":"object","properties":{"model":{"type":"string"}},"required":["model"],"additionalProperties":false}`)}

// RunProvider is the suite every provider passes against its server: plain text, a tool-call
// round trip ending in a structured answer, retries of 429 (Retry-After honoured) and 5xx, a
// rate limit that outlasts the attempts, and a wrong credential.
func RunProvider(t *testing.T, srv *Server, make Make) {
	delays := &sleeps{}
	retry := func(attempts int) *http.Client {
		return &http.Client{Transport: &llm.Retry{MaxAttempts: attempts, Backoff: 100 * time.Millisecond, Sleep: delays.sleep}}
	}
	ctx := context.Background()
	base := llm.Request{Model: "test-model", System: "You document data models.", MaxTokens: 256,
		Messages: []llm.Message{{Role: llm.User, Text: "Describe orders."}}}

	t.Run("text", func(t *testing.T) {
		srv.Push(Reply{Text: "Orders placed by customers.", Usage: llm.Usage{InputTokens: 12, OutputTokens: 5}})
		r, err := make(t, retry(1), true).Complete(ctx, &base)
		if err != nil {
			t.Fatal(err)
		}
		if r.Text != "Orders placed by customers." || r.Usage != (llm.Usage{InputTokens: 12, OutputTokens: 5}) || len(r.ToolCalls) != 0 {
			t.Fatalf("%+v", r)
		}
		s := last(srv)
		if s.System != base.System || len(s.Messages) != 1 || s.Messages[0].Text != "Describe orders." || s.MaxTokens != 256 {
			t.Fatalf("the server saw %+v", s)
		}
	})

	t.Run("tools and structured output", func(t *testing.T) {
		p := make(t, retry(1), true)
		srv.Push(Reply{ToolCalls: []llm.ToolCall{{Name: "model_sql", Arguments: json.RawMessage(`{"model":"orders"}`)}}},
			Reply{Text: `{"answer":"Orders placed by customers."}`})
		req := base
		req.Tools = []llm.Tool{lookupTool}
		req.Output = &llm.Schema{Name: "result", Schema: answerSchema}
		r, err := p.Complete(ctx, &req)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.ToolCalls) != 1 || r.ToolCalls[0].Name != "model_sql" || llm.CanonicalJSON(r.ToolCalls[0].Arguments) != `{"model":"orders"}` || r.ToolCalls[0].ID == "" {
			t.Fatalf("tool call: %+v", r)
		}
		if s := last(srv); s.Output != "result" || strings.Join(s.Tools, ",") != "model_sql" {
			t.Fatalf("the server saw output %q tools %v", s.Output, s.Tools)
		}
		req.Messages = append(req.Messages, llm.Message{Role: llm.Assistant, ToolCalls: r.ToolCalls},
			llm.Message{Role: llm.User, ToolResults: []llm.ToolResult{{CallID: r.ToolCalls[0].ID, Name: "model_sql", Content: "select 1 as id"}}})
		r, err = p.Complete(ctx, &req)
		if err != nil {
			t.Fatal(err)
		}
		if llm.CanonicalJSON([]byte(r.Text)) != `{"answer":"Orders placed by customers."}` || len(r.ToolCalls) != 0 {
			t.Fatalf("structured answer: %+v", r)
		}
		if err := llm.Validate(answerSchema, []byte(r.Text)); err != nil {
			t.Fatal(err)
		}
		s := last(srv)
		if n := len(s.Messages); n != 3 || len(s.Messages[2].ToolResults) != 1 || s.Messages[2].ToolResults[0].Content != "select 1 as id" ||
			s.Messages[2].ToolResults[0].CallID != r0(req).ID {
			t.Fatalf("the tool result did not reach the server: %+v", s.Messages)
		}
	})

	t.Run("retries honour Retry-After", func(t *testing.T) {
		delays.reset()
		srv.Push(Reply{Status: 429, Message: "rate limited", RetryAfter: "2"}, Reply{Status: 503, Message: "unavailable"}, Reply{Text: "ok"})
		before := srv.Calls()
		r, err := make(t, retry(4), true).Complete(ctx, &base)
		if err != nil {
			t.Fatal(err)
		}
		if r.Text != "ok" || srv.Calls()-before != 3 {
			t.Fatalf("%q after %d calls", r.Text, srv.Calls()-before)
		}
		d := delays.get()
		if len(d) != 2 || d[0] != 2*time.Second || d[1] < 200*time.Millisecond || d[1] > 250*time.Millisecond {
			t.Fatalf("delays %v: want 2s (Retry-After), then the second backoff step", d)
		}
	})

	t.Run("rate limit outlasts the attempts", func(t *testing.T) {
		for range 3 {
			srv.Push(Reply{Status: 429, Message: "rate limited", RetryAfter: "1"})
		}
		_, err := make(t, retry(3), true).Complete(ctx, &base)
		var ae *llm.APIError
		if !errors.As(err, &ae) || ae.Status != 429 {
			t.Fatalf("want a 429 APIError, got %v", err)
		}
	})

	t.Run("wrong credentials", func(t *testing.T) {
		before := len(srv.Problems())
		_, err := make(t, retry(3), false).Complete(ctx, &base)
		var ae *llm.APIError
		if !errors.As(err, &ae) || ae.Status != 401 && ae.Status != 403 {
			t.Fatalf("want 401 or 403, got %v", err)
		}
		if len(srv.Problems()) != before+1 {
			t.Fatal("the server did not refuse the credentials (or a 4xx was retried)")
		}
		srv.ForgetProblems(before)
	})

	if p := srv.Problems(); len(p) > 0 {
		t.Fatalf("the server refused requests: %v", p)
	}
}

func r0(req llm.Request) llm.ToolCall { return req.Messages[1].ToolCalls[0] }

func last(s *Server) Seen {
	seen := s.Seen()
	if len(seen) == 0 {
		return Seen{}
	}
	return seen[len(seen)-1]
}

type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(_ context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return nil
}

func (s *sleeps) reset() { s.mu.Lock(); s.d = nil; s.mu.Unlock() }

func (s *sleeps) get() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

package llm_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dataops-dev/dataops/internal/llm"
	"github.com/dataops-dev/dataops/internal/llm/llmtest"
	"github.com/dataops-dev/dataops/internal/llm/openai"
)

const key = "sk-test-key"

func request(text string) llm.Request {
	return llm.Request{Messages: []llm.Message{{Role: llm.User, Text: text}}}
}

// A repeated request is answered from the cache: no call, no cost, and the account says so.
func TestCacheAndAccounting(t *testing.T) {
	srv := llmtest.NewOpenAI(key)
	defer srv.Close()
	srv.Handle(func(llmtest.Seen) llmtest.Reply {
		return llmtest.Reply{Text: "answer", Usage: llm.Usage{InputTokens: 1000, OutputTokens: 200}}
	})
	root := t.TempDir()
	meter := &llm.Meter{}
	c := &llm.Client{Provider: openai.New(openai.Config{BaseURL: srv.URL + "/v1", APIKey: key}), Endpoint: srv.URL, Model: "m",
		MaxTokens: 100, Cache: &llm.Cache{Root: root, Dir: ".dataops/llm-cache"}, Prices: llm.Prices{Input: 2, Output: 8}, Meter: meter}
	ctx := context.Background()
	for range 2 {
		r, err := c.Complete(ctx, "describe", request("same question"))
		if err != nil || r.Text != "answer" {
			t.Fatalf("%v %v", r, err)
		}
	}
	if _, err := c.Complete(ctx, "review", request("another question")); err != nil {
		t.Fatal(err)
	}
	if srv.Calls() != 2 {
		t.Fatalf("%d calls; the repeated request should come from the cache", srv.Calls())
	}
	tot := meter.Total()
	if tot.Calls != 3 || tot.Cached != 1 || tot.Usage.Total() != 2400 || tot.Cost < 0.00719 || tot.Cost > 0.00721 {
		t.Fatalf("total %+v (want 2 paid calls of 1000+200 tokens at $2/$8 per million = $0.0072)", tot)
	}
	if by := meter.ByAgent(); by["describe"].Calls != 2 || by["describe"].Cached != 1 || by["review"].Usage.Total() != 1200 {
		t.Fatalf("by agent %+v", by)
	}
	files, _ := filepath.Glob(filepath.Join(root, ".dataops/llm-cache/*/*.json"))
	if len(files) != 2 {
		t.Fatalf("cache files %v", files)
	}
	if s := srv.Seen(); s[0].MaxTokens != 100 {
		t.Fatalf("max tokens %d", s[0].MaxTokens)
	}
	// A cache file that does not decode is a miss, not an error.
	os.WriteFile(files[0], []byte("{"), 0o644)
	os.WriteFile(files[1], []byte("{"), 0o644)
	if _, err := c.Complete(ctx, "describe", request("same question")); err != nil || srv.Calls() != 3 {
		t.Fatalf("corrupt cache entry: %v, %d calls", err, srv.Calls())
	}
}

// Every text leaves through Redact: system prompt, messages, tool arguments and results.
func TestRedactEverythingSent(t *testing.T) {
	srv := llmtest.NewOpenAI(key)
	defer srv.Close()
	srv.Handle(func(llmtest.Seen) llmtest.Reply { return llmtest.Reply{Text: "ok"} })
	c := &llm.Client{Provider: openai.New(openai.Config{BaseURL: srv.URL + "/v1", APIKey: key}), Model: "m", MaxTokens: 10,
		Redact: func(s string) string { return strings.ReplaceAll(s, "hunter2", "***") }}
	req := llm.Request{System: "the password is hunter2", Tools: []llm.Tool{{Name: "t", Parameters: []byte(`{"type":"object"}`)}},
		Messages: []llm.Message{{Role: llm.User, Text: "hunter2?"},
			{Role: llm.Assistant, ToolCalls: []llm.ToolCall{{ID: "c1", Name: "t", Arguments: []byte(`{"q":"hunter2"}`)}}},
			{Role: llm.User, ToolResults: []llm.ToolResult{{CallID: "c1", Name: "t", Content: "found hunter2"}}}}}
	if _, err := c.Complete(context.Background(), "a", req); err != nil {
		t.Fatal(err)
	}
	if raw := string(srv.Seen()[0].Raw); strings.Contains(raw, "hunter2") || strings.Count(raw, "***") != 4 {
		t.Fatalf("sent %s", raw)
	}
	if req.System != "the password is hunter2" {
		t.Fatal("the caller's request was changed")
	}
}

// A recorded transcript replays through a fresh server; a request that differs is refused.
func TestRecordAndReplay(t *testing.T) {
	live := llmtest.NewOpenAI(key)
	defer live.Close()
	live.Push(llmtest.Reply{Status: 429, RetryAfter: "0"}, llmtest.Reply{Text: "first"}, llmtest.Reply{Text: "second"})
	rec := llm.NewRecorder(&llm.Retry{MaxAttempts: 3}, "/v1/", "openai", "m")
	// The recorder sits below the retries' answers it should keep, above the wire.
	hc := &http.Client{Transport: &llm.Retry{MaxAttempts: 3, Base: rec, Sleep: func(context.Context, time.Duration) error { return nil }}}
	rec.Base = nil
	c := &llm.Client{Provider: openai.New(openai.Config{BaseURL: live.URL + "/v1", APIKey: key, HTTP: hc}), Model: "m", MaxTokens: 10}
	ctx := context.Background()
	for _, q := range []string{"one", "two"} {
		if _, err := c.Complete(ctx, "a", request(q)); err != nil {
			t.Fatal(err)
		}
	}
	tr := rec.Transcript()
	if len(tr.Exchanges) != 3 || tr.Exchanges[0].Status != 429 || tr.Exchanges[0].Path != "chat/completions" {
		t.Fatalf("recorded %+v", tr.Exchanges)
	}
	path := filepath.Join(t.TempDir(), "t.json")
	os.WriteFile(path, tr.JSON(), 0o644)
	back, err := llm.ReadTranscript(path)
	if err != nil {
		t.Fatal(err)
	}
	replay := llmtest.NewOpenAI(key)
	defer replay.Close()
	replay.Replay(back)
	c.Provider = openai.New(openai.Config{BaseURL: replay.URL + "/v1", APIKey: key,
		HTTP: &http.Client{Transport: &llm.Retry{MaxAttempts: 3, Sleep: func(context.Context, time.Duration) error { return nil }}}})
	for i, q := range []string{"one", "two"} {
		r, err := c.Complete(ctx, "a", request(q))
		if err != nil || r.Text != []string{"first", "second"}[i] {
			t.Fatalf("replay %d: %v %v", i, r, err)
		}
	}
	if replay.Unused() != 0 || len(replay.Problems()) != 0 {
		t.Fatalf("unused %d problems %v", replay.Unused(), replay.Problems())
	}
	if _, err := c.Complete(ctx, "a", request("three")); err == nil || len(replay.Problems()) == 0 {
		t.Fatalf("an unrecorded request was answered: %v", err)
	}
}

func TestRetryAfterForms(t *testing.T) {
	for _, tc := range []struct {
		h    http.Header
		want time.Duration
		ok   bool
	}{
		{http.Header{"Retry-After": {"3"}}, 3 * time.Second, true},
		{http.Header{"Retry-After": {"0.5"}}, 500 * time.Millisecond, true},
		{http.Header{"Retry-After-Ms": {"250"}, "Retry-After": {"9"}}, 250 * time.Millisecond, true},
		{http.Header{"Retry-After": {time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat)}}, 0, true},
		{http.Header{"Retry-After": {"soon"}}, 0, false},
		{http.Header{}, 0, false},
	} {
		d, ok := llm.RetryAfter(&http.Response{Header: tc.h})
		if d != tc.want || ok != tc.ok {
			t.Errorf("%v: got %v %v", tc.h, d, ok)
		}
	}
}

func TestValidate(t *testing.T) {
	s := []byte(`{"type":"object","properties":{"a":{"type":"array","items":{"type":"string","maxLength":5}}},"required":["a"],"additionalProperties":false}`)
	for in, ok := range map[string]bool{`{"a":["x"]}`: true, `{"a":[1]}`: false, `{"a":["toolong"]}`: false, `{}`: false, `{"a":[],"b":1}`: false, `nope`: false} {
		if err := llm.Validate(s, []byte(in)); (err == nil) != ok {
			t.Errorf("%s: %v", in, err)
		}
	}
}

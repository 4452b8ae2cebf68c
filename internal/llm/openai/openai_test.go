package openai

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/dataops-dev/dataops/internal/llm"
	"github.com/dataops-dev/dataops/internal/llm/llmtest"
	"github.com/dataops-dev/dataops/internal/llm/llmtest/suite"
)

const key = "sk-test-0123456789abcdef"

func TestConformance(t *testing.T) {
	for _, stream := range []bool{false, true} {
		name := "plain"
		if stream {
			name = "streamed"
		}
		t.Run(name, func(t *testing.T) {
			srv := llmtest.NewOpenAI(key)
			defer srv.Close()
			suite.RunProvider(t, srv, func(t *testing.T, hc *http.Client, good bool) llm.Provider {
				k := key
				if !good {
					k = "sk-wrong"
				}
				return New(Config{BaseURL: srv.URL + "/v1", APIKey: k, HTTP: hc, Stream: stream})
			})
			for _, s := range srv.Seen() {
				if s.Stream != stream {
					t.Fatalf("stream %v sent as %v", stream, s.Stream)
				}
			}
		})
	}
}

// The schema goes out as a strict json_schema response_format, which the server checks as
// OpenAI does; a non-strict-compatible schema is refused there, not silently accepted.
func TestStrictSchemaRefused(t *testing.T) {
	srv := llmtest.NewOpenAI(key)
	defer srv.Close()
	p := New(Config{BaseURL: srv.URL + "/v1/", APIKey: key})
	req := &llm.Request{Model: "m", MaxTokens: 10, Messages: []llm.Message{{Role: llm.User, Text: "x"}},
		Output: &llm.Schema{Name: "r", Schema: json.RawMessage(`{"type":"object","properties":{"a":{"type":"string"}}}`)}}
	_, err := p.Complete(context.Background(), req)
	if err == nil || !strings.Contains(err.Error(), "HTTP 400") || !strings.Contains(err.Error(), "additionalProperties") {
		t.Fatalf("want a 400 about strict mode, got %v", err)
	}
}

func TestAzureKeyHeader(t *testing.T) {
	var got http.Header
	hc := &http.Client{Transport: roundTrip(func(r *http.Request) (*http.Response, error) {
		got = r.Header.Clone()
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}}, Request: r,
			Body: http.NoBody}, nil
	})}
	p := New(Config{BaseURL: "https://example.openai.azure.com/openai/v1", APIKey: key, HTTP: hc})
	p.Complete(context.Background(), &llm.Request{Model: "m", Messages: []llm.Message{{Role: llm.User, Text: "x"}}})
	if got.Get("Api-Key") != key || got.Get("Authorization") != "" {
		t.Fatalf("azure wants api-key and no bearer token: %v", got)
	}
}

type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// respond answers every request with status, content type and body, keeping the request and
// noting whether the body was closed.
type respond struct {
	status int
	ctype  string
	body   io.Reader
	got    *http.Request
	sent   []byte
	closed bool
}

func (r *respond) client() *http.Client {
	return &http.Client{Transport: roundTrip(func(req *http.Request) (*http.Response, error) {
		r.got = req
		r.sent, _ = io.ReadAll(req.Body)
		h := http.Header{}
		if r.ctype != "" {
			h.Set("Content-Type", r.ctype)
		}
		return &http.Response{StatusCode: r.status, Header: h, Request: req, Body: &closer{Reader: r.body, closed: &r.closed}}, nil
	})}
}

type closer struct {
	io.Reader
	closed *bool
}

func (c *closer) Close() error { *c.closed = true; return nil }

func minimal() *llm.Request {
	return &llm.Request{Model: "m", Messages: []llm.Message{{Role: llm.User, Text: "x"}}}
}

const okBody = `{"id":"c","object":"chat.completion","model":"gpt-real","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7}}`

// The body is the documented chat completion request; these are the bytes openai-go sent for
// the same request, so recorded transcripts and caches keep matching.
func TestRequestOnTheWire(t *testing.T) {
	params := json.RawMessage(`{"type":"object","properties":{"model":{"type":"string","maxLength":400}},"required":["model"],"additionalProperties":false}`)
	req := &llm.Request{Model: "gpt-x", System: "sys <data> & \"q\"", MaxTokens: 77,
		Messages: []llm.Message{
			{Role: llm.User, Text: "hello <b>&amp;</b>"},
			{Role: llm.Assistant, Text: "thinking", ToolCalls: []llm.ToolCall{{ID: "c1", Name: "t1", Arguments: json.RawMessage(`{"model": "orders"}`)}, {ID: "c2", Name: "t2"}}},
			{Role: llm.User, Text: "and text", ToolResults: []llm.ToolResult{{CallID: "c1", Name: "t1", Content: "res1"}, {CallID: "c2", Name: "t2", Content: "boom", IsError: true}}},
			{Role: llm.Assistant, ToolCalls: []llm.ToolCall{{ID: "c3", Name: "t1", Arguments: json.RawMessage(`{}`)}}},
			{Role: llm.User, ToolResults: []llm.ToolResult{{CallID: "c3"}}},
		},
		Tools:  []llm.Tool{{Name: "t1", Description: "d1", Parameters: params}, {Name: "t2", Parameters: json.RawMessage(`{"type":"object"}`)}},
		Output: &llm.Schema{Name: "out", Description: "desc", Schema: params}}
	want := `{"messages":[{"content":"sys <data> & \"q\"","role":"system"},{"content":"hello <b>&amp;</b>","role":"user"},` +
		`{"content":"thinking","tool_calls":[{"id":"c1","function":{"arguments":"{\"model\": \"orders\"}","name":"t1"},"type":"function"},{"id":"c2","function":{"arguments":"","name":"t2"},"type":"function"}],"role":"assistant"},` +
		`{"content":"res1","tool_call_id":"c1","role":"tool"},{"content":"error: boom","tool_call_id":"c2","role":"tool"},{"content":"and text","role":"user"},` +
		`{"tool_calls":[{"id":"c3","function":{"arguments":"{}","name":"t1"},"type":"function"}],"role":"assistant"},{"content":"","tool_call_id":"c3","role":"tool"}],` +
		`"model":"gpt-x","max_completion_tokens":77,` +
		`"response_format":{"json_schema":{"name":"out","strict":true,"description":"desc","schema":{"additionalProperties":false,"properties":{"model":{"maxLength":400,"type":"string"}},"required":["model"],"type":"object"}},"type":"json_schema"},` +
		`"tools":[{"function":{"name":"t1","description":"d1","parameters":{"additionalProperties":false,"properties":{"model":{"maxLength":400,"type":"string"}},"required":["model"],"type":"object"}},"type":"function"},{"function":{"name":"t2","description":"","parameters":{"type":"object"}},"type":"function"}]}`
	for _, stream := range []bool{false, true} {
		r := &respond{status: 200, ctype: "application/json", body: strings.NewReader(okBody)}
		p := New(Config{BaseURL: "https://gw.example/v1", APIKey: key, Organization: "org-1", Project: "proj-1", Stream: stream, HTTP: r.client()})
		if _, err := p.Complete(context.Background(), req); err != nil {
			t.Fatal(err)
		}
		w := want
		if stream {
			w = strings.TrimSuffix(w, "}") + `,"stream_options":{"include_usage":true},"stream":true}`
		}
		if llm.CanonicalJSON(r.sent) != llm.CanonicalJSON([]byte(w)) {
			t.Fatalf("stream %v sent\n%s\nwant\n%s", stream, r.sent, w)
		}
		h := r.got.Header
		if r.got.Method != "POST" || r.got.URL.String() != "https://gw.example/v1/chat/completions" || h.Get("Authorization") != "Bearer "+key ||
			h.Get("Content-Type") != "application/json" || h.Get("OpenAI-Organization") != "org-1" || h.Get("OpenAI-Project") != "proj-1" || h.Get("Api-Key") != "" {
			t.Fatalf("%s %s %v", r.got.Method, r.got.URL, h)
		}
		if !r.closed {
			t.Fatal("the answer's body was not closed")
		}
	}
}

func TestEndpoint(t *testing.T) {
	for base, want := range map[string]string{
		"":             "https://api.openai.com/v1/chat/completions",
		"http://h:1":   "http://h:1/chat/completions",
		"http://h/v1/": "http://h/v1/chat/completions",
		"https://x.openai.azure.com/openai/v1?api-version=preview": "https://x.openai.azure.com/openai/v1/chat/completions",
	} {
		r := &respond{status: 200, body: strings.NewReader(okBody)}
		if _, err := New(Config{BaseURL: base, HTTP: r.client()}).Complete(context.Background(), minimal()); err != nil {
			t.Fatal(err)
		}
		if r.got.URL.String() != want {
			t.Errorf("%q: %s, want %s", base, r.got.URL, want)
		}
		if r.got.Header.Get("Authorization") != "" {
			t.Errorf("no key, yet %q", r.got.Header.Get("Authorization"))
		}
	}
	_, err := New(Config{BaseURL: "http://user:s3cret@h/%zz"}).Complete(context.Background(), minimal())
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("a bad base URL: %v", err)
	}
}

func sse(events ...string) string { return strings.Join(events, "\n\n") + "\n\n" }

// A streamed answer is assembled: text deltas appended, tool calls by index (id and name
// first, arguments in pieces, interleaved), the finish reason and the usage of the last chunk.
func TestStreamAssembled(t *testing.T) {
	body := sse(
		`data: {"id":"1","model":"gpt-s","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}`,
		`: keep-alive`,
		"event: message\ndata: {\"model\":\"gpt-s\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}]}",
		`data:{"model":"gpt-s","choices":[{"index":0,"delta":{"content":"lo"}}]}`,
		`data: {"model":"gpt-s","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"c0","type":"function","function":{"name":"f","arguments":""}}]}}]}`,
		`data: {"model":"gpt-s","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"c1","type":"function","function":{"name":"g","arguments":"{\"a\""}}]}}]}`,
		`data: {"model":"gpt-s","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"x\":"}}]}}]}`,
		"data: {\"model\":\"gpt-s\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"1}\"}},\n"+
			"data: {\"index\":1,\"function\":{\"arguments\":\":2}\"}}]}}]}",
		`data: {"model":"gpt-s","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}`,
		`data: {"model":"gpt-s","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":8,"total_tokens":17}}`,
		`data: [DONE]`,
		`data: {"model":"after-done","choices":[{"index":0,"delta":{"content":"!"}}]}`)
	for _, crlf := range []bool{false, true} {
		b := body
		if crlf {
			b = strings.ReplaceAll(b, "\n", "\r\n")
		}
		r := &respond{status: 200, ctype: "text/event-stream; charset=utf-8", body: strings.NewReader(b)}
		got, err := New(Config{APIKey: key, Stream: true, HTTP: r.client()}).Complete(context.Background(), minimal())
		if err != nil {
			t.Fatal(err)
		}
		want := &llm.Response{Text: "Hello", Model: "gpt-s", StopReason: "tool_use", Usage: llm.Usage{InputTokens: 9, OutputTokens: 8},
			ToolCalls: []llm.ToolCall{{ID: "c0", Name: "f", Arguments: json.RawMessage(`{"x":1}`)}, {ID: "c1", Name: "g", Arguments: json.RawMessage(`{"a":2}`)}}}
		if g, w := fmt.Sprintf("%+v", got), fmt.Sprintf("%+v", want); g != w || string(got.ToolCalls[0].Arguments) != `{"x":1}` || string(got.ToolCalls[1].Arguments) != `{"a":2}` {
			t.Fatalf("crlf %v:\n%s\nwant\n%s", crlf, g, w)
		}
		if !r.closed {
			t.Fatal("the stream was not closed")
		}
	}
}

func TestAnswers(t *testing.T) {
	for _, tc := range []struct {
		name, ctype, body string
		stream            bool
		want              string // the answer as %+v, or the error
	}{
		{"cut", "application/json", `{"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"cu"},"finish_reason":"length"}]}`, false,
			"text=cu stop=max_tokens"},
		{"tool calls", "application/json", `{"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[` +
			`{"id":"a","type":"function","function":{"name":"f","arguments":"{\"x\":1}"}},{"id":"b","type":"custom","custom":{"name":"g","input":"z"}},` +
			`{"id":"c","function":{"name":"h","arguments":""}}]},"finish_reason":"tool_calls"}]}`, false,
			`text= stop=tool_use calls=a:f:{"x":1},c:h:{}`},
		{"refusal", "application/json", `{"choices":[{"index":0,"message":{"role":"assistant","content":null,"refusal":"no way"},"finish_reason":"stop"}]}`, false,
			"openai: the model refused: no way"},
		{"no choices", "application/json", `{"choices":[]}`, false, "openai: the answer has no choices"},
		{"not json", "application/json", `<html>`, false, "openai: the answer is not a chat completion"},
		{"streamed refusal", "text/event-stream", sse(`data: {"choices":[{"index":0,"delta":{"refusal":"I can"}}]}`,
			`data: {"choices":[{"index":0,"delta":{"refusal":"not"},"finish_reason":"stop"}]}`, `data: [DONE]`), true,
			"openai: the model refused: I cannot"},
		{"streamed error", "text/event-stream", sse(`data: {"choices":[{"index":0,"delta":{"content":"a"}}]}`,
			`data: {"error":{"message":"overloaded","type":"server_error"}}`, `data: [DONE]`), true,
			"openai: received error while streaming: overloaded"},
		{"streamed garbage", "text/event-stream", sse(`data: {"model":`), true, "openai: a streamed chunk is not JSON"},
		{"stream of nothing", "text/event-stream", sse(`data: [DONE]`), true, "openai: the answer has no choices"},
		{"stream not streamed", "application/json", okBody, true, "text=hi stop=stop"},
		{"other choices ignored", "text/event-stream", sse(`data: {"choices":[{"index":1,"delta":{"content":"no"}},{"index":0,"delta":{"content":"yes"},"finish_reason":"stop"}]}`), true,
			"text=yes stop=stop"},
	} {
		r := &respond{status: 200, ctype: tc.ctype, body: strings.NewReader(tc.body)}
		res, err := New(Config{APIKey: key, Stream: tc.stream, HTTP: r.client()}).Complete(context.Background(), minimal())
		got := ""
		if err != nil {
			got = err.Error()
			var ae *llm.APIError
			if errors.As(err, &ae) {
				t.Errorf("%s: an APIError for a 200: %v", tc.name, err)
			}
		} else {
			got = fmt.Sprintf("text=%s stop=%s", res.Text, res.StopReason)
			var calls []string
			for _, c := range res.ToolCalls {
				calls = append(calls, c.ID+":"+c.Name+":"+string(c.Arguments))
			}
			if calls != nil {
				got += " calls=" + strings.Join(calls, ",")
			}
		}
		if !strings.HasPrefix(got, tc.want) {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
		if !r.closed {
			t.Errorf("%s: the body was not closed", tc.name)
		}
	}
}

// Error answers are *llm.APIError with the status and the server's message, the key masked.
func TestErrorAnswers(t *testing.T) {
	for _, tc := range []struct {
		status int
		body   string
		want   string
	}{
		{400, `{"error":{"message":"bad thing","type":"invalid_request_error","param":null,"code":null}}`, "bad thing"},
		{401, `{"error":{"message":"Incorrect API key provided: ` + key + `"}}`, "Incorrect API key provided: ***"},
		{404, `{"error":"model not found"}`, "model not found"},
		{401, `{"error":{"message":""}}`, "Unauthorized"},
		{502, `<html>bad gateway</html>`, "Bad Gateway"},
		{503, ``, "Service Unavailable"},
	} {
		for _, stream := range []bool{false, true} {
			r := &respond{status: tc.status, ctype: "application/json", body: strings.NewReader(tc.body)}
			_, err := New(Config{APIKey: key, Stream: stream, HTTP: r.client()}).Complete(context.Background(), minimal())
			var ae *llm.APIError
			if !errors.As(err, &ae) || ae.Status != tc.status || ae.Message != tc.want || ae.Provider != "openai" {
				t.Errorf("%d %s: %#v", tc.status, tc.body, err)
			}
			if err != nil && strings.Contains(err.Error(), key) {
				t.Errorf("the key in %v", err)
			}
			if !r.closed {
				t.Errorf("%d: the body was not closed", tc.status)
			}
		}
	}
}

// endless is a body that never ends.
type endless string

func (e endless) Read(b []byte) (int, error) {
	for i := range b {
		b[i] = e[i%len(e)]
	}
	return len(b), nil
}

func TestAnswerBounded(t *testing.T) {
	for _, tc := range []struct {
		ctype  string
		body   io.Reader
		stream bool
	}{
		{"application/json", io.MultiReader(strings.NewReader(`{"choices":[{"message":{"content":"`), endless("x")), false},
		{"text/event-stream", endless(": keep-alive\n"), true},
		{"text/event-stream", io.MultiReader(strings.NewReader(`data: {"choices":[{"index":0,"delta":{"content":"`), endless("x")), true},
	} {
		r := &respond{status: 200, ctype: tc.ctype, body: tc.body}
		_, err := New(Config{Stream: tc.stream, HTTP: r.client()}).Complete(context.Background(), minimal())
		if err == nil || !strings.Contains(err.Error(), "larger than 32 MiB") && !strings.Contains(err.Error(), "too long") {
			t.Fatalf("%s: %v", tc.ctype, err)
		}
		if !r.closed {
			t.Fatal("the body was not closed")
		}
	}
}

// Redirects are followed within the base's origin only: the key never reaches another host.
func TestRedirectStaysHome(t *testing.T) {
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("another origin was called with %v", r.Header)
	}))
	defer other.Close()
	home := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/chat/completions" {
			http.Redirect(w, r, "/v2/chat/completions", http.StatusTemporaryRedirect)
			return
		}
		if r.URL.Path == "/v2/chat/completions" {
			http.Redirect(w, r, other.URL+"/steal", http.StatusTemporaryRedirect)
		}
	}))
	defer home.Close()
	_, err := New(Config{BaseURL: home.URL + "/v1", APIKey: key}).Complete(context.Background(), minimal())
	if err == nil || !strings.Contains(err.Error(), "another origin") {
		t.Fatalf("want the redirect refused, got %v", err)
	}
}

// Cancelling the context ends a stream in the middle, with the context's error.
func TestCancelMidStream(t *testing.T) {
	started := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, sse(`data: {"choices":[{"index":0,"delta":{"content":"a"}}]}`))
		w.(http.Flusher).Flush()
		close(started)
		<-r.Context().Done()
	}))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-started; cancel() }()
	_, err := New(Config{BaseURL: srv.URL, Stream: true}).Complete(ctx, minimal())
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("want context.Canceled, got %v", err)
	}
}

package openai

import (
	"context"
	"encoding/json"
	"net/http"
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

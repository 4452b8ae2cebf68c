package anthropic

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/dataops-dev/dataops/internal/llm"
	"github.com/dataops-dev/dataops/internal/llm/llmtest"
	"github.com/dataops-dev/dataops/internal/llm/llmtest/suite"
)

func TestConformance(t *testing.T) {
	const key = "sk-ant-test-0123456789"
	srv := llmtest.NewAnthropic(key)
	defer srv.Close()
	suite.RunProvider(t, srv, func(t *testing.T, hc *http.Client, good bool) llm.Provider {
		k := key
		if !good {
			k = "sk-ant-wrong"
		}
		return New(Config{BaseURL: srv.URL, APIKey: k, HTTP: hc})
	})
}

func TestNoKeyAndErrorBodies(t *testing.T) {
	calls := 0
	status, body := 0, ""
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	defer srv.Close()
	req := &llm.Request{Model: "claude-test", MaxTokens: 10, Messages: []llm.Message{{Role: llm.User, Text: "hi"}}}
	if _, err := New(Config{BaseURL: srv.URL}).Complete(context.Background(), req); err == nil || calls != 0 {
		t.Fatalf("no key: %v after %d calls", err, calls)
	}
	p := New(Config{BaseURL: srv.URL, APIKey: "sk-ant-secret-value"})
	for _, c := range []struct {
		status  int
		body    string
		message string
	}{
		{529, `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`, "overloaded_error: Overloaded"},
		{500, `upstream failed`, "Internal Server Error"},
		{400, `{"type":"error","error":{"type":"invalid_request_error"}}`, "Bad Request"},
	} {
		status, body = c.status, c.body
		_, err := p.Complete(context.Background(), req)
		var ae *llm.APIError
		if !errors.As(err, &ae) || ae.Status != c.status || ae.Message != c.message || strings.Contains(err.Error(), "sk-ant-secret-value") {
			t.Errorf("%d %s: %v", c.status, c.body, err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := p.Complete(ctx, req); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
}

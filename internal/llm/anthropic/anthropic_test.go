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
		{401, `{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key sk-ant-secret-value"}}`, "authentication_error: invalid x-api-key ***"},
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

// Redirects are followed within the base's origin only: net/http would carry x-api-key to
// any host.
func TestRedirectStaysHome(t *testing.T) {
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("another origin was called with %v", r.Header)
	}))
	defer other.Close()
	home := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/steal", http.StatusTemporaryRedirect)
	}))
	defer home.Close()
	req := &llm.Request{Model: "claude-test", MaxTokens: 10, Messages: []llm.Message{{Role: llm.User, Text: "hi"}}}
	_, err := New(Config{BaseURL: home.URL, APIKey: "sk-ant-secret-value"}).Complete(context.Background(), req)
	if err == nil || !strings.Contains(err.Error(), "another origin") {
		t.Fatalf("want the redirect refused, got %v", err)
	}
}

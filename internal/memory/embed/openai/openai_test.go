package openai

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/dataops-dev/dataops/internal/memory/remotetest"
)

// server is an in-process OpenAI-compatible embeddings endpoint that validates each request
// as OpenAI does: method, path, auth, a strict JSON body (model, input as a non-empty list
// of non-empty strings up to 2048, encoding_format, dimensions only for models that take it).
type server struct {
	t         *testing.T
	path      string
	auth      func(*http.Request) bool
	native    int // the model's own dimension
	wrongDim  bool
	faults    remotetest.Faults
	mu        sync.Mutex
	batches   [][]string
	dimsAsked []int
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.faults.Serve(w) {
		return
	}
	if !s.auth(r) {
		remotetest.WriteJSON(w, 401, map[string]any{"error": map[string]any{"message": "Incorrect API key provided", "type": "invalid_request_error", "code": "invalid_api_key"}})
		return
	}
	if r.Method != "POST" || r.URL.Path != s.path {
		remotetest.WriteJSON(w, 404, map[string]any{"error": map[string]any{"message": "Invalid URL (" + r.Method + " " + r.URL.Path + ")"}})
		return
	}
	var req struct {
		Model          string          `json:"model"`
		Input          json.RawMessage `json:"input"`
		EncodingFormat string          `json:"encoding_format"`
		Dimensions     *int            `json:"dimensions"`
		User           string          `json:"user"`
	}
	fail := func(msg string) {
		remotetest.WriteJSON(w, 400, map[string]any{"error": map[string]any{"message": msg, "type": "invalid_request_error"}})
	}
	if err := remotetest.DecodeStrict(r, &req); err != nil {
		fail(err.Error())
		return
	}
	var input []string
	if err := json.Unmarshal(req.Input, &input); err != nil || len(input) == 0 || len(input) > 2048 || slices.Contains(input, "") {
		fail("'$.input' is invalid")
		return
	}
	if req.Model == "" || (req.EncodingFormat != "float" && req.EncodingFormat != "base64" && req.EncodingFormat != "") {
		fail("model and a valid encoding_format are required")
		return
	}
	dim := s.native
	if req.Dimensions != nil {
		if !strings.HasPrefix(req.Model, "text-embedding-3") || *req.Dimensions < 1 || *req.Dimensions > s.native {
			fail("This model does not support specifying dimensions.")
			return
		}
		dim = *req.Dimensions
	}
	s.mu.Lock()
	s.batches = append(s.batches, input)
	if req.Dimensions != nil {
		s.dimsAsked = append(s.dimsAsked, *req.Dimensions)
	}
	s.mu.Unlock()
	var data []any
	// Answer in reverse order: clients must place vectors by index.
	for i := len(input) - 1; i >= 0; i-- {
		v := remotetest.Embed(input[i], dim)
		if s.wrongDim && i == 1 {
			v = v[:dim-1]
		}
		data = append(data, map[string]any{"object": "embedding", "index": i, "embedding": v})
	}
	remotetest.WriteJSON(w, 200, map[string]any{"object": "list", "data": data, "model": req.Model, "usage": map[string]int{"prompt_tokens": 1, "total_tokens": 1}})
}

func bearer(key string) func(*http.Request) bool {
	return func(r *http.Request) bool { return r.Header.Get("Authorization") == "Bearer "+key }
}

func TestOpenAIBatchesAndOrder(t *testing.T) {
	s := &server{t: t, path: "/v1/embeddings", auth: bearer("sk-test-123456"), native: 1536}
	srv := httptest.NewServer(s)
	defer srv.Close()
	t.Setenv("OPENAI_BASE_URL", srv.URL+"/v1")
	t.Setenv("OPENAI_API_KEY", "sk-test-123456")
	ctx := context.Background()
	e, err := New(ctx, Config{Model: "text-embedding-3-small", Dimensions: 64, BatchSize: 3}.FromEnv())
	if err != nil {
		t.Fatal(err)
	}
	if e.Dimension() != 64 || e.Name() != "openai:text-embedding-3-small:64" {
		t.Fatalf("dimension %d name %s", e.Dimension(), e.Name())
	}
	texts := []string{"a", "customer_id", "", "order total", "e", "f", "g"}
	vs, err := e.Embed(ctx, texts)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.batches) != 3 || len(s.batches[0]) != 3 || len(s.batches[2]) != 1 {
		t.Fatalf("batches %v, want 3+3+1", s.batches)
	}
	if !slices.Equal(s.dimsAsked, []int{64, 64, 64}) {
		t.Fatalf("dimensions asked %v", s.dimsAsked)
	}
	for i, text := range texts {
		if text == "" {
			text = " "
		}
		if !slices.Equal(vs[i], remotetest.Embed(text, 64)) {
			t.Fatalf("vector %d is not text %q's", i, texts[i])
		}
	}
}

func TestNativeDimensionAndProbe(t *testing.T) {
	s := &server{t: t, path: "/v1/embeddings", auth: func(*http.Request) bool { return true }, native: 768}
	srv := httptest.NewServer(s)
	defer srv.Close()
	ctx := context.Background()
	// An Ollama-like server: no key, a model OpenAI does not list; the dimension is probed.
	e, err := New(ctx, Config{BaseURL: srv.URL + "/v1", Model: "nomic-embed-text"})
	if err != nil {
		t.Fatal(err)
	}
	if e.Dimension() != 768 || len(s.batches) != 1 || len(s.dimsAsked) != 0 {
		t.Fatalf("probe: dimension %d after %d requests, dimensions sent %v", e.Dimension(), len(s.batches), s.dimsAsked)
	}
	// A known OpenAI model needs no probe.
	e, err = New(ctx, Config{BaseURL: srv.URL + "/v1", Model: "text-embedding-3-large"})
	if err != nil || e.Dimension() != 3072 || len(s.batches) != 1 {
		t.Fatalf("known model: %v, %d, %d requests", err, e.Dimension(), len(s.batches))
	}
}

func TestWrongDimensionRefused(t *testing.T) {
	s := &server{t: t, path: "/v1/embeddings", auth: func(*http.Request) bool { return true }, native: 16, wrongDim: true}
	srv := httptest.NewServer(s)
	defer srv.Close()
	e, err := New(context.Background(), Config{BaseURL: srv.URL + "/v1", Model: "m", Dimensions: 0})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Embed(context.Background(), []string{"a", "b"}); err == nil || !strings.Contains(err.Error(), "returned 15 dimensions for text 1, want 16") {
		t.Fatalf("err = %v", err)
	}
}

func TestAzure(t *testing.T) {
	s := &server{t: t, path: "/openai/deployments/emb/embeddings", native: 1536, auth: func(r *http.Request) bool {
		return r.Header.Get("api-key") == "azure-key-7890" && r.Header.Get("Authorization") == "" && r.URL.Query().Get("api-version") == "2024-10-21"
	}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	e, err := New(context.Background(), Config{BaseURL: srv.URL + "/openai/deployments/emb", APIKey: "azure-key-7890", Model: "text-embedding-3-small", AzureAPIVersion: "2024-10-21"})
	if err != nil {
		t.Fatal(err)
	}
	if vs, err := e.Embed(context.Background(), []string{"x"}); err != nil || len(vs[0]) != 1536 {
		t.Fatalf("azure embed: %v", err)
	}
}

func TestRetryAndMaskedErrors(t *testing.T) {
	s := &server{t: t, path: "/v1/embeddings", auth: bearer("sk-right-key-000"), native: 1536}
	srv := httptest.NewServer(s)
	defer srv.Close()
	sleeps := &remotetest.Sleeps{}
	e, err := New(context.Background(), Config{BaseURL: srv.URL + "/v1", APIKey: "sk-right-key-000", Model: "text-embedding-3-small", Transport: sleeps.Transport()})
	if err != nil {
		t.Fatal(err)
	}
	s.faults.Inject(1, http.StatusTooManyRequests, "7")
	if _, err := e.Embed(context.Background(), []string{"x"}); err != nil || len(sleeps.Waits) != 1 || sleeps.Waits[0].Seconds() != 7 {
		t.Fatalf("429 with Retry-After 7: %v, waits %v", err, sleeps.Waits)
	}
	bad, _ := New(context.Background(), Config{BaseURL: srv.URL + "/v1", APIKey: "sk-wrong-key-999", Model: "text-embedding-3-small"})
	_, err = bad.Embed(context.Background(), []string{"x"})
	if err == nil || strings.Contains(err.Error(), "sk-wrong-key-999") || !strings.Contains(err.Error(), srv.URL+"/v1/embeddings: 401") {
		t.Fatalf("wrong key: %v", err)
	}
}

// Package openai is a memory.Embedder for any server of the OpenAI embeddings API,
// POST {base}/embeddings: OpenAI itself, Azure OpenAI (an api-key header and an api-version
// query parameter on a deployment URL), and local servers that speak the same API (Ollama at
// http://localhost:11434/v1, vLLM at http://localhost:8000/v1, LM Studio at
// http://localhost:1234/v1). Texts go in batches; every vector's dimension is checked.
package openai

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"

	"github.com/dataops-dev/dataops/internal/memory"
	"github.com/dataops-dev/dataops/internal/memory/remote"
)

// DefaultBaseURL is OpenAI's API.
const DefaultBaseURL = "https://api.openai.com/v1"

// Config says which server and model embed.
type Config struct {
	// BaseURL is the API root that /embeddings is appended to; for Azure OpenAI, the
	// deployment URL https://RESOURCE.openai.azure.com/openai/deployments/DEPLOYMENT.
	BaseURL string
	APIKey  string // Bearer token (OpenAI, vLLM --api-key), or Azure's api-key; empty for Ollama or LM Studio
	Model   string // e.g. text-embedding-3-small, nomic-embed-text
	// Dimensions asks models that can shorten their vectors (text-embedding-3-*) for this
	// many; 0 takes the model's own, known for OpenAI's models and otherwise asked of the
	// server once by embedding a probe text.
	Dimensions int
	// AzureAPIVersion, when set, switches to Azure OpenAI: api-key header and
	// ?api-version=AzureAPIVersion (e.g. 2024-10-21).
	AzureAPIVersion string
	BatchSize       int               // texts per request; default 256 (OpenAI takes up to 2048)
	Transport       *remote.Transport // nil: defaults (30 s per attempt, 4 retries)
}

// FromEnv fills BaseURL and APIKey from OPENAI_BASE_URL and OPENAI_API_KEY where they are
// empty, as OpenAI's own clients do.
func (c Config) FromEnv() Config {
	if c.BaseURL == "" {
		c.BaseURL = os.Getenv("OPENAI_BASE_URL")
	}
	if c.APIKey == "" {
		c.APIKey = os.Getenv("OPENAI_API_KEY")
	}
	return c
}

// nativeDimensions are the output sizes of OpenAI's embedding models.
var nativeDimensions = map[string]int{
	"text-embedding-3-small": 1536,
	"text-embedding-3-large": 3072,
	"text-embedding-ada-002": 1536,
}

// Embedder embeds through an OpenAI-compatible server.
type Embedder struct {
	c         *remote.Client
	cfg       Config
	dim       int
	sendDims  bool
	batchSize int
}

var _ memory.Embedder = (*Embedder)(nil)

// New returns an embedder for cfg. When the dimension is neither configured nor known for
// the model, it embeds one probe text to learn it, so New may call the server.
func New(ctx context.Context, cfg Config) (*Embedder, error) {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	if cfg.Model == "" {
		return nil, fmt.Errorf("openai embeddings at %s: a model is required", remote.MaskURL(cfg.BaseURL))
	}
	h := http.Header{}
	if cfg.APIKey != "" {
		if cfg.AzureAPIVersion != "" {
			h.Set("api-key", cfg.APIKey)
		} else {
			h.Set("Authorization", "Bearer "+cfg.APIKey)
		}
	}
	base := cfg.BaseURL
	if cfg.AzureAPIVersion != "" {
		u, err := url.Parse(base)
		if err == nil {
			q := u.Query()
			q.Set("api-version", cfg.AzureAPIVersion)
			u.RawQuery = q.Encode()
			base = u.String()
		}
	}
	c, err := remote.New("openai embeddings", base, remote.Options{Header: h, Secrets: []string{cfg.APIKey}, Transport: cfg.Transport})
	if err != nil {
		return nil, err
	}
	e := &Embedder{c: c, cfg: cfg, batchSize: cfg.BatchSize}
	if e.batchSize <= 0 {
		e.batchSize = 256
	}
	switch {
	case cfg.Dimensions > 0:
		e.dim, e.sendDims = cfg.Dimensions, true
	case nativeDimensions[cfg.Model] > 0:
		e.dim = nativeDimensions[cfg.Model]
	default:
		vs, err := e.request(ctx, []string{"dimension probe"})
		if err != nil {
			return nil, err
		}
		e.dim = len(vs[0])
		if e.dim == 0 {
			return nil, fmt.Errorf("openai embeddings at %s: model %s returned an empty vector", c.URL(), cfg.Model)
		}
	}
	return e, nil
}

// Name identifies the model and dimension; vectors of two names are never mixed.
func (e *Embedder) Name() string { return "openai:" + e.cfg.Model + ":" + strconv.Itoa(e.dim) }

// Dimension is the length of every vector.
func (e *Embedder) Dimension() int { return e.dim }

// Embed returns one vector per text, in order.
func (e *Embedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, 0, len(texts))
	for start := 0; start < len(texts); start += e.batchSize {
		vs, err := e.request(ctx, texts[start:min(start+e.batchSize, len(texts))])
		if err != nil {
			return nil, err
		}
		for i, v := range vs {
			if len(v) != e.dim {
				return nil, fmt.Errorf("openai embeddings at %s: model %s returned %d dimensions for text %d, want %d", e.c.URL(), e.cfg.Model, len(v), start+i, e.dim)
			}
		}
		out = append(out, vs...)
	}
	return out, nil
}

func (e *Embedder) request(ctx context.Context, texts []string) ([][]float32, error) {
	input := make([]string, len(texts))
	for i, t := range texts {
		if t == "" {
			t = " " // the API rejects empty strings; a blank embeds as nothing in particular
		}
		input[i] = t
	}
	body := map[string]any{"model": e.cfg.Model, "input": input, "encoding_format": "float"}
	if e.sendDims {
		body["dimensions"] = e.dim
	}
	var res struct {
		Data []struct {
			Index     int       `json:"index"`
			Embedding []float32 `json:"embedding"`
		} `json:"data"`
	}
	if err := e.c.JSON(ctx, "POST", "/embeddings", nil, body, &res); err != nil {
		return nil, err
	}
	if len(res.Data) != len(texts) {
		return nil, fmt.Errorf("openai embeddings at %s: %d vectors for %d texts", e.c.URL(), len(res.Data), len(texts))
	}
	out := make([][]float32, len(texts))
	for _, d := range res.Data {
		if d.Index < 0 || d.Index >= len(texts) || out[d.Index] != nil {
			return nil, fmt.Errorf("openai embeddings at %s: bad or repeated index %d in the answer", e.c.URL(), d.Index)
		}
		out[d.Index] = d.Embedding
	}
	return out, nil
}

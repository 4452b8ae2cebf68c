// Package bedrock is a memory.Embedder on Amazon Titan Text Embeddings V2 through the
// bedrock-runtime InvokeModel API (POST /model/{modelId}/invoke, SigV4-signed), spoken
// directly on net/http through internal/awsbedrock rather than the SDK's bedrockruntime
// client, whose initialisation every command of the binary paid for. Titan embeds one text
// per call, so texts go out a few calls at a time.
//
// Credentials and region come from the usual AWS chain (environment, shared config and
// profiles, SSO, instance roles) unless Config gives them. Point it at a real account by
// granting bedrock:InvokeModel on the model and enabling the model in the region; Endpoint
// is only for VPC endpoints and tests.
package bedrock

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"golang.org/x/sync/errgroup"

	"github.com/dataops-dev/dataops/internal/awsbedrock"
	"github.com/dataops-dev/dataops/internal/memory"
	"github.com/dataops-dev/dataops/internal/memory/remote"
	"github.com/dataops-dev/dataops/internal/memory/terms"
)

// TitanV2 is the model ID of Amazon Titan Text Embeddings V2.
const TitanV2 = "amazon.titan-embed-text-v2:0"

// maxChars is Titan V2's input limit in characters (it also stops at 8,192 tokens).
const maxChars = 50000

// Config says which model, where and as whom.
type Config struct {
	Region      string                  // e.g. us-east-1; empty: from the AWS config chain
	Model       string                  // default TitanV2
	Dimensions  int                     // 256, 512 or 1024 (default)
	Endpoint    string                  // a custom bedrock-runtime endpoint (VPC endpoint, tests)
	Credentials aws.CredentialsProvider // nil: the AWS default chain
	Concurrency int                     // InvokeModel calls in flight; default 4
	Timeout     time.Duration           // per attempt; default 30 s
	MaxAttempts int                     // tries of a call answered 429 or 5xx (or not at all); default 5
}

// Embedder embeds with Titan on Bedrock.
type Embedder struct {
	client *awsbedrock.Client
	cfg    Config
	where  string // region and endpoint, for messages
}

var _ memory.Embedder = (*Embedder)(nil)

// New returns an embedder; it loads the AWS configuration but calls nothing.
func New(ctx context.Context, cfg Config) (*Embedder, error) {
	if cfg.Model == "" {
		cfg.Model = TitanV2
	}
	if cfg.Dimensions == 0 {
		cfg.Dimensions = 1024
	}
	if cfg.Dimensions != 256 && cfg.Dimensions != 512 && cfg.Dimensions != 1024 {
		return nil, fmt.Errorf("bedrock %s: dimensions must be 256, 512 or 1024, not %d", cfg.Model, cfg.Dimensions)
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 4
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 5
	}
	// Each attempt is bounded in time; throttling and 5xx answers are tried again.
	retries := cfg.MaxAttempts - 1
	if retries == 0 {
		retries = -1 // remote.Transport reads 0 as its default
	}
	hc := &http.Client{Transport: &remote.Transport{AttemptTimeout: cfg.Timeout, MaxRetries: retries}}
	client, err := awsbedrock.New(ctx, awsbedrock.Options{Region: cfg.Region, Endpoint: cfg.Endpoint, Credentials: cfg.Credentials, HTTP: hc})
	switch {
	case errors.Is(err, awsbedrock.ErrNoRegion):
		return nil, fmt.Errorf("bedrock %s: no AWS region (set AWS_REGION or the region option)", cfg.Model)
	case err != nil:
		return nil, fmt.Errorf("bedrock %s: AWS configuration: %w", cfg.Model, err)
	}
	e := &Embedder{client: client, cfg: cfg, where: "region " + client.Region()}
	if cfg.Endpoint != "" {
		e.where += " endpoint " + cfg.Endpoint
	}
	return e, nil
}

// Name identifies the model and dimension.
func (e *Embedder) Name() string {
	return "bedrock:" + e.cfg.Model + ":" + strconv.Itoa(e.cfg.Dimensions)
}

// Dimension is the length of every vector.
func (e *Embedder) Dimension() int { return e.cfg.Dimensions }

// Embed returns one normalised vector per text, in order; a text beyond Titan's 50,000
// characters is cut there.
func (e *Embedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(e.cfg.Concurrency)
	for i, t := range texts {
		g.Go(func() error {
			v, err := e.one(gctx, t)
			if err != nil {
				return fmt.Errorf("bedrock %s (%s): text %d: %w", e.cfg.Model, e.where, i, err)
			}
			out[i] = v
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return out, nil
}

func (e *Embedder) one(ctx context.Context, text string) ([]float32, error) {
	if text == "" {
		text = " " // Titan rejects an empty inputText
	}
	body, err := json.Marshal(map[string]any{"inputText": terms.Truncate(text, maxChars), "dimensions": e.cfg.Dimensions, "normalize": true})
	if err != nil {
		return nil, err
	}
	data, err := e.client.Post(ctx, e.cfg.Model, "invoke", body, "application/json")
	if err != nil {
		var ae *awsbedrock.Error
		if errors.As(err, &ae) {
			msg := fmt.Sprintf("InvokeModel: HTTP %d: %s: %s", ae.Status, ae.Code, ae.Message)
			if ae.RequestID != "" {
				msg += " (request ID " + ae.RequestID + ")"
			}
			return nil, errors.New(msg)
		}
		// *url.Error repeats the URL, which the caller's message already names.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("InvokeModel: %w", err)
	}
	var out struct {
		Embedding []float32 `json:"embedding"`
	}
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("unexpected answer: %w", err)
	}
	if len(out.Embedding) != e.cfg.Dimensions {
		return nil, fmt.Errorf("the model returned %d dimensions, want %d", len(out.Embedding), e.cfg.Dimensions)
	}
	return out.Embedding, nil
}

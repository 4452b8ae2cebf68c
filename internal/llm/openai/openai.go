// Package openai is the llm.Provider for OpenAI's chat completions API and the servers that
// speak it (Azure OpenAI's v1 API, Ollama, vLLM, LM Studio, OpenRouter), on the official
// openai-go SDK: POST {base}/chat/completions with tools and a strict JSON-schema
// response_format, optionally streamed.
package openai

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/shared"

	"github.com/dataops-dev/dataops/internal/llm"
)

// DefaultBaseURL is OpenAI's API root.
const DefaultBaseURL = "https://api.openai.com/v1/"

// Config says where and as whom.
type Config struct {
	BaseURL string // "" is DefaultBaseURL
	APIKey  string
	// Stream asks for the answer as server-sent events, assembled before it is returned.
	Stream bool
	// HTTP carries the requests (retries, recording); nil is http.DefaultClient.
	HTTP *http.Client
}

// Provider calls a chat completions endpoint.
type Provider struct {
	client openai.Client
	stream bool
}

// New returns a provider; it calls nothing.
func New(cfg Config) *Provider {
	base := cfg.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	if !strings.HasSuffix(base, "/") {
		base += "/"
	}
	hc := cfg.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	opts := []option.RequestOption{option.WithBaseURL(base), option.WithHTTPClient(hc), option.WithMaxRetries(0)}
	if strings.Contains(base, ".openai.azure.com") {
		// Azure OpenAI takes its key in api-key, not as a bearer token.
		opts = append(opts, option.WithAPIKey(""), option.WithHeader("api-key", cfg.APIKey))
	} else {
		opts = append(opts, option.WithAPIKey(cfg.APIKey))
	}
	return &Provider{client: openai.NewClient(opts...), stream: cfg.Stream}
}

// Name is "openai".
func (p *Provider) Name() string { return "openai" }

// Complete sends one chat completion.
func (p *Provider) Complete(ctx context.Context, req *llm.Request) (*llm.Response, error) {
	params, err := Params(req)
	if err != nil {
		return nil, err
	}
	var cc *openai.ChatCompletion
	if p.stream {
		params.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
		s := p.client.Chat.Completions.NewStreaming(ctx, params)
		acc := openai.ChatCompletionAccumulator{}
		for s.Next() {
			acc.AddChunk(s.Current())
		}
		if err := s.Err(); err != nil {
			return nil, apiError(err)
		}
		s.Close()
		cc = &acc.ChatCompletion
	} else if cc, err = p.client.Chat.Completions.New(ctx, params); err != nil {
		return nil, apiError(err)
	}
	return answer(cc)
}

// Params is the chat completion request for req.
func Params(req *llm.Request) (openai.ChatCompletionNewParams, error) {
	p := openai.ChatCompletionNewParams{Model: shared.ChatModel(req.Model)}
	if req.MaxTokens > 0 {
		p.MaxCompletionTokens = openai.Int(int64(req.MaxTokens))
	}
	if req.System != "" {
		p.Messages = append(p.Messages, openai.SystemMessage(req.System))
	}
	for _, m := range req.Messages {
		switch m.Role {
		case llm.User:
			for _, r := range m.ToolResults {
				content := r.Content
				if r.IsError {
					content = "error: " + content
				}
				p.Messages = append(p.Messages, openai.ToolMessage(content, r.CallID))
			}
			if m.Text != "" {
				p.Messages = append(p.Messages, openai.UserMessage(m.Text))
			}
		case llm.Assistant:
			a := openai.ChatCompletionAssistantMessageParam{}
			if m.Text != "" {
				a.Content.OfString = openai.String(m.Text)
			}
			for _, c := range m.ToolCalls {
				a.ToolCalls = append(a.ToolCalls, openai.ChatCompletionMessageToolCallUnionParam{
					OfFunction: &openai.ChatCompletionMessageFunctionToolCallParam{ID: c.ID,
						Function: openai.ChatCompletionMessageFunctionToolCallFunctionParam{Name: c.Name, Arguments: string(c.Arguments)}}})
			}
			p.Messages = append(p.Messages, openai.ChatCompletionMessageParamUnion{OfAssistant: &a})
		default:
			return p, fmt.Errorf("openai: unknown role %q", m.Role)
		}
	}
	for _, t := range req.Tools {
		var params map[string]any
		if err := json.Unmarshal(t.Parameters, &params); err != nil {
			return p, fmt.Errorf("openai: tool %s: %w", t.Name, err)
		}
		p.Tools = append(p.Tools, openai.ChatCompletionFunctionTool(shared.FunctionDefinitionParam{
			Name: t.Name, Description: openai.String(t.Description), Parameters: shared.FunctionParameters(params)}))
	}
	if o := req.Output; o != nil {
		var schema map[string]any
		if err := json.Unmarshal(o.Schema, &schema); err != nil {
			return p, fmt.Errorf("openai: output schema %s: %w", o.Name, err)
		}
		js := shared.ResponseFormatJSONSchemaJSONSchemaParam{Name: o.Name, Strict: openai.Bool(true), Schema: schema}
		if o.Description != "" {
			js.Description = openai.String(o.Description)
		}
		p.ResponseFormat = openai.ChatCompletionNewParamsResponseFormatUnion{OfJSONSchema: &shared.ResponseFormatJSONSchemaParam{JSONSchema: js}}
	}
	return p, nil
}

func answer(cc *openai.ChatCompletion) (*llm.Response, error) {
	if len(cc.Choices) == 0 {
		return nil, errors.New("openai: the answer has no choices")
	}
	c := cc.Choices[0]
	r := &llm.Response{Text: c.Message.Content, Model: cc.Model, StopReason: c.FinishReason,
		Usage: llm.Usage{InputTokens: int(cc.Usage.PromptTokens), OutputTokens: int(cc.Usage.CompletionTokens)}}
	if c.Message.Refusal != "" {
		return nil, fmt.Errorf("openai: the model refused: %s", c.Message.Refusal)
	}
	for _, tc := range c.Message.ToolCalls {
		if tc.Type != "" && tc.Type != "function" {
			continue
		}
		args := json.RawMessage(tc.Function.Arguments)
		if len(args) == 0 {
			args = json.RawMessage("{}")
		}
		r.ToolCalls = append(r.ToolCalls, llm.ToolCall{ID: tc.ID, Name: tc.Function.Name, Arguments: args})
	}
	switch c.FinishReason {
	case "length":
		r.StopReason = "max_tokens"
	case "tool_calls":
		r.StopReason = "tool_use"
	}
	return r, nil
}

func apiError(err error) error {
	var e *openai.Error
	if errors.As(err, &e) {
		msg := e.Message
		if msg == "" {
			msg = http.StatusText(e.StatusCode)
		}
		return &llm.APIError{Provider: "openai", Status: e.StatusCode, Message: msg}
	}
	return fmt.Errorf("openai: %w", err)
}

// Package anthropic is the llm.Provider for Anthropic's Messages API (POST {base}/v1/messages
// with tools), on the official anthropic-sdk-go. A request's Output schema becomes a tool the
// model must end with, which every Claude model supports.
package anthropic

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/anthropics/anthropic-sdk-go"
	"github.com/anthropics/anthropic-sdk-go/option"

	"github.com/dataops-dev/dataops/internal/llm"
)

// DefaultBaseURL is Anthropic's API root.
const DefaultBaseURL = "https://api.anthropic.com/"

// Config says where and as whom.
type Config struct {
	BaseURL string // "" is DefaultBaseURL
	APIKey  string
	HTTP    *http.Client // nil is http.DefaultClient
}

// Provider calls the Messages API.
type Provider struct {
	client anthropic.Client
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
	return &Provider{client: anthropic.NewClient(option.WithBaseURL(base), option.WithAPIKey(cfg.APIKey),
		option.WithHTTPClient(hc), option.WithMaxRetries(0))}
}

// Name is "anthropic".
func (p *Provider) Name() string { return "anthropic" }

// Complete sends one message request.
func (p *Provider) Complete(ctx context.Context, req *llm.Request) (*llm.Response, error) {
	params, err := Params(req)
	if err != nil {
		return nil, err
	}
	m, err := p.client.Messages.New(ctx, params)
	if err != nil {
		return nil, apiError(err)
	}
	return answer(req, m), nil
}

// Params is the Messages request for req.
func Params(req *llm.Request) (anthropic.MessageNewParams, error) {
	p := anthropic.MessageNewParams{Model: anthropic.Model(req.Model), MaxTokens: int64(req.MaxTokens)}
	if req.System != "" {
		p.System = []anthropic.TextBlockParam{{Text: req.System}}
	}
	for _, m := range req.Messages {
		var blocks []anthropic.ContentBlockParamUnion
		for _, r := range m.ToolResults {
			blocks = append(blocks, anthropic.NewToolResultBlock(r.CallID, r.Content, r.IsError))
		}
		if m.Text != "" {
			blocks = append(blocks, anthropic.NewTextBlock(m.Text))
		}
		for _, c := range m.ToolCalls {
			blocks = append(blocks, anthropic.NewToolUseBlock(c.ID, c.Arguments, c.Name))
		}
		switch m.Role {
		case llm.User:
			p.Messages = append(p.Messages, anthropic.NewUserMessage(blocks...))
		case llm.Assistant:
			p.Messages = append(p.Messages, anthropic.NewAssistantMessage(blocks...))
		default:
			return p, fmt.Errorf("anthropic: unknown role %q", m.Role)
		}
	}
	tools := req.Tools
	if o := req.Output; o != nil {
		tools = append(append([]llm.Tool(nil), tools...), llm.Tool{Name: o.Name, Description: outputDescription(o), Parameters: o.Schema})
	}
	for _, t := range tools {
		var s struct {
			Properties any      `json:"properties"`
			Required   []string `json:"required"`
		}
		var extra map[string]any
		if err := json.Unmarshal(t.Parameters, &s); err != nil {
			return p, fmt.Errorf("anthropic: tool %s: %w", t.Name, err)
		}
		_ = json.Unmarshal(t.Parameters, &extra)
		delete(extra, "properties")
		delete(extra, "required")
		delete(extra, "type")
		tp := anthropic.ToolParam{Name: t.Name, InputSchema: anthropic.ToolInputSchemaParam{Properties: s.Properties, Required: s.Required, ExtraFields: extra}}
		if t.Description != "" {
			tp.Description = anthropic.String(t.Description)
		}
		p.Tools = append(p.Tools, anthropic.ToolUnionParam{OfTool: &tp})
	}
	if req.Output != nil {
		if len(req.Tools) == 0 {
			p.ToolChoice = anthropic.ToolChoiceParamOfTool(req.Output.Name)
		} else {
			p.ToolChoice = anthropic.ToolChoiceUnionParam{OfAny: &anthropic.ToolChoiceAnyParam{}}
		}
	}
	return p, nil
}

func outputDescription(o *llm.Schema) string {
	if o.Description != "" {
		return o.Description
	}
	return "Give your final answer by calling this tool."
}

// answer maps the message back; a call of the Output tool is the answer's text.
func answer(req *llm.Request, m *anthropic.Message) *llm.Response {
	r := &llm.Response{Model: string(m.Model), StopReason: string(m.StopReason),
		Usage: llm.Usage{InputTokens: int(m.Usage.InputTokens), OutputTokens: int(m.Usage.OutputTokens)}}
	var text []string
	for _, b := range m.Content {
		switch b.Type {
		case "text":
			text = append(text, b.Text)
		case "tool_use":
			args := b.Input
			if len(args) == 0 {
				args = json.RawMessage("{}")
			}
			if req.Output != nil && b.Name == req.Output.Name {
				r.Text = string(args)
				continue
			}
			r.ToolCalls = append(r.ToolCalls, llm.ToolCall{ID: b.ID, Name: b.Name, Arguments: args})
		}
	}
	if r.Text == "" {
		r.Text = strings.Join(text, "")
	}
	return r
}

func apiError(err error) error {
	var e *anthropic.Error
	if errors.As(err, &e) {
		msg := http.StatusText(e.StatusCode)
		var body struct {
			Error struct {
				Type    string `json:"type"`
				Message string `json:"message"`
			} `json:"error"`
		}
		if json.Unmarshal([]byte(e.RawJSON()), &body) == nil && body.Error.Message != "" {
			msg = body.Error.Type + ": " + body.Error.Message
		}
		return &llm.APIError{Provider: "anthropic", Status: e.StatusCode, Message: msg}
	}
	return fmt.Errorf("anthropic: %w", err)
}

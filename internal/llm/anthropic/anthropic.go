// Package anthropic is the llm.Provider for Anthropic's Messages API (POST {base}/v1/messages
// with tools), spoken directly on net/http and encoding/json: the official SDK linked about
// 6 MB of code and 1.6 ms of package initialisation into every command of the binary for the
// one endpoint used here. A request's Output schema becomes a tool the model must end with,
// which every Claude model supports.
package anthropic

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/dataops-dev/dataops/internal/llm"
)

// DefaultBaseURL is Anthropic's API root.
const DefaultBaseURL = "https://api.anthropic.com/"

// APIVersion is the anthropic-version header every request carries.
const APIVersion = "2023-06-01"

// Config says where and as whom.
type Config struct {
	BaseURL string // "" is DefaultBaseURL
	APIKey  string
	HTTP    *http.Client // nil is http.DefaultClient
}

// Provider calls the Messages API. It does not retry: its HTTP client's transport does.
type Provider struct {
	url string // {base}/v1/messages
	key string
	hc  *http.Client
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
	return &Provider{url: base + "v1/messages", key: cfg.APIKey, hc: llm.KeepOrigin(cfg.HTTP)}
}

// Name is "anthropic".
func (p *Provider) Name() string { return "anthropic" }

// Complete sends one message request.
func (p *Provider) Complete(ctx context.Context, req *llm.Request) (*llm.Response, error) {
	params, err := Params(req)
	if err != nil {
		return nil, err
	}
	if p.key == "" {
		return nil, errors.New("anthropic: no API key (set ANTHROPIC_API_KEY, or the variable llm.api_key_env names)")
	}
	body, err := json.Marshal(params)
	if err != nil {
		return nil, fmt.Errorf("anthropic: %w", err)
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, p.url, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("anthropic: %w", err)
	}
	hr.Header.Set("Content-Type", "application/json")
	hr.Header.Set("Accept", "application/json")
	hr.Header.Set("X-Api-Key", p.key)
	hr.Header.Set("Anthropic-Version", APIVersion)
	res, err := p.hc.Do(hr)
	if err != nil {
		if ctx.Err() != nil {
			err = ctx.Err() // not the *url.Error that repeats the URL
		}
		return nil, fmt.Errorf("anthropic: %w", err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(llm.CapAnswer(res.Body))
	if errors.Is(err, llm.ErrAnswerTooLarge) {
		return nil, fmt.Errorf("anthropic: %w", err)
	}
	if err != nil {
		return nil, fmt.Errorf("anthropic: reading the answer: %w", err)
	}
	if res.StatusCode/100 != 2 {
		return nil, apiError(res.StatusCode, data, p.key)
	}
	var m message
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("anthropic: decoding the answer: %w", err)
	}
	return answer(req, &m), nil
}

// MessagesRequest is the body of a Messages request.
type MessagesRequest struct {
	Model      string         `json:"model"`
	MaxTokens  int            `json:"max_tokens"`
	System     []TextBlock    `json:"system,omitempty"`
	Messages   []MessageParam `json:"messages"`
	Tools      []Tool         `json:"tools,omitempty"`
	ToolChoice *ToolChoice    `json:"tool_choice,omitempty"`
}

// MessageParam is one turn; each block is a TextBlock, ToolUseBlock or ToolResultBlock.
type MessageParam struct {
	Role    string `json:"role"`
	Content []any  `json:"content,omitempty"`
}

// TextBlock is text.
type TextBlock struct {
	Type string `json:"type"` // text
	Text string `json:"text"`
}

// ToolUseBlock is the assistant calling a tool.
type ToolUseBlock struct {
	Type  string          `json:"type"` // tool_use
	ID    string          `json:"id"`
	Name  string          `json:"name"`
	Input json.RawMessage `json:"input"`
}

// ToolResultBlock answers a ToolUseBlock.
type ToolResultBlock struct {
	Type      string      `json:"type"` // tool_result
	ToolUseID string      `json:"tool_use_id"`
	Content   []TextBlock `json:"content"`
	IsError   bool        `json:"is_error"`
}

// Tool is a tool the model may call; InputSchema is a JSON schema of an object.
type Tool struct {
	Name        string                     `json:"name"`
	Description string                     `json:"description,omitempty"`
	InputSchema map[string]json.RawMessage `json:"input_schema"`
}

// ToolChoice makes the model call a tool: Type "tool" with Name, or "any".
type ToolChoice struct {
	Type string `json:"type"`
	Name string `json:"name,omitempty"`
}

// Params is the Messages request for req.
func Params(req *llm.Request) (*MessagesRequest, error) {
	p := &MessagesRequest{Model: req.Model, MaxTokens: req.MaxTokens, Messages: []MessageParam{}}
	if req.System != "" {
		p.System = []TextBlock{{Type: "text", Text: req.System}}
	}
	for _, m := range req.Messages {
		var blocks []any
		for _, r := range m.ToolResults {
			blocks = append(blocks, ToolResultBlock{Type: "tool_result", ToolUseID: r.CallID,
				Content: []TextBlock{{Type: "text", Text: r.Content}}, IsError: r.IsError})
		}
		if m.Text != "" {
			blocks = append(blocks, TextBlock{Type: "text", Text: m.Text})
		}
		for _, c := range m.ToolCalls {
			blocks = append(blocks, ToolUseBlock{Type: "tool_use", ID: c.ID, Name: c.Name, Input: c.Arguments})
		}
		switch m.Role {
		case llm.User, llm.Assistant:
			p.Messages = append(p.Messages, MessageParam{Role: string(m.Role), Content: blocks})
		default:
			return nil, fmt.Errorf("anthropic: unknown role %q", m.Role)
		}
	}
	tools := req.Tools
	if o := req.Output; o != nil {
		tools = append(append([]llm.Tool(nil), tools...), llm.Tool{Name: o.Name, Description: outputDescription(o), Parameters: o.Schema})
	}
	for _, t := range tools {
		schema, err := inputSchema(t.Parameters)
		if err != nil {
			return nil, fmt.Errorf("anthropic: tool %s: %w", t.Name, err)
		}
		p.Tools = append(p.Tools, Tool{Name: t.Name, Description: t.Description, InputSchema: schema})
	}
	if req.Output != nil {
		if len(req.Tools) == 0 {
			p.ToolChoice = &ToolChoice{Type: "tool", Name: req.Output.Name}
		} else {
			p.ToolChoice = &ToolChoice{Type: "any"}
		}
	}
	return p, nil
}

// inputSchema is a tool's parameters as the API takes them: an object schema whose type is
// object; null properties or required are left out.
func inputSchema(params json.RawMessage) (map[string]json.RawMessage, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(params, &fields); err != nil {
		return nil, err
	}
	schema := map[string]json.RawMessage{"type": json.RawMessage(`"object"`)}
	for k, v := range fields {
		switch k {
		case "type":
			continue
		case "properties", "required":
			if string(bytes.TrimSpace(v)) == "null" {
				continue
			}
		}
		schema[k] = v
	}
	if r, ok := schema["required"]; ok {
		var names []string
		if err := json.Unmarshal(r, &names); err != nil {
			return nil, fmt.Errorf("required: %w", err)
		}
	}
	return schema, nil
}

func outputDescription(o *llm.Schema) string {
	if o.Description != "" {
		return o.Description
	}
	return "Give your final answer by calling this tool."
}

// message is the part of a Messages answer read here.
type message struct {
	Model      string `json:"model"`
	StopReason string `json:"stop_reason"`
	Content    []struct {
		Type  string          `json:"type"`
		Text  string          `json:"text"`
		ID    string          `json:"id"`
		Name  string          `json:"name"`
		Input json.RawMessage `json:"input"`
	} `json:"content"`
	Usage struct {
		InputTokens  int `json:"input_tokens"`
		OutputTokens int `json:"output_tokens"`
	} `json:"usage"`
}

// answer maps the message back; a call of the Output tool is the answer's text.
func answer(req *llm.Request, m *message) *llm.Response {
	r := &llm.Response{Model: m.Model, StopReason: m.StopReason,
		Usage: llm.Usage{InputTokens: m.Usage.InputTokens, OutputTokens: m.Usage.OutputTokens}}
	var text []string
	for _, b := range m.Content {
		switch b.Type {
		case "text":
			text = append(text, b.Text)
		case "tool_use":
			args := b.Input
			if len(args) == 0 || string(args) == "null" {
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

// apiError is an error answer: {"type":"error","error":{"type":...,"message":...}}, or the
// status text when the body holds no message; key never in it.
func apiError(status int, data []byte, key string) error {
	msg := http.StatusText(status)
	var body struct {
		Error struct {
			Type    string `json:"type"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(data, &body) == nil && body.Error.Message != "" {
		msg = body.Error.Type + ": " + body.Error.Message
	}
	return &llm.APIError{Provider: "anthropic", Status: status, Message: llm.Mask(msg, key)}
}

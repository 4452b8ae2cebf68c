// Package bedrock is the llm.Provider for Amazon Bedrock's Converse API
// (POST /model/{modelId}/converse, SigV4-signed), spoken directly on net/http and
// encoding/json through internal/awsbedrock rather than the SDK's bedrockruntime client,
// whose initialisation every command of the binary paid for. Tools become a toolConfig; a
// request's Output schema becomes a tool the model must end with.
//
// Credentials and region come from the usual AWS chain (environment, shared config and
// profiles, SSO, instance roles) unless Config gives them; the caller needs
// bedrock:InvokeModel on the model.
package bedrock

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/dataops-dev/dataops/internal/awsbedrock"
	"github.com/dataops-dev/dataops/internal/llm"
)

// Config says which region, where and as whom: the Bedrock client's options.
type Config = awsbedrock.Options

// Provider calls Converse.
type Provider struct {
	client *awsbedrock.Client
}

// New loads the AWS configuration (it calls nothing) and returns a provider. Retries are the
// HTTP client's transport's, as for every provider.
func New(ctx context.Context, cfg Config) (*Provider, error) {
	c, err := awsbedrock.New(ctx, cfg)
	switch {
	case errors.Is(err, awsbedrock.ErrNoRegion):
		return nil, errors.New("bedrock: no AWS region (set llm.region or AWS_REGION)")
	case err != nil:
		return nil, fmt.Errorf("bedrock: AWS configuration: %w", err)
	}
	return &Provider{client: c}, nil
}

// Name is "bedrock".
func (p *Provider) Name() string { return "bedrock" }

// Complete sends one Converse request.
func (p *Provider) Complete(ctx context.Context, req *llm.Request) (*llm.Response, error) {
	in, err := Input(req)
	if err != nil {
		return nil, err
	}
	// <, > and & go unescaped, as the AWS SDKs send them: prompts of SQL are full of them.
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(in); err != nil {
		return nil, fmt.Errorf("bedrock: %w", err)
	}
	body := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	data, err := p.client.Post(ctx, in.ModelID, "converse", body, "")
	if err != nil {
		var ae *awsbedrock.Error
		if errors.As(err, &ae) {
			return nil, &llm.APIError{Provider: "bedrock", Status: ae.Status, Message: ae.Code + ": " + ae.Message}
		}
		return nil, fmt.Errorf("bedrock: %w", err)
	}
	return answer(req, data)
}

// ConverseInput is the body of a Converse request; ModelID goes in the path.
type ConverseInput struct {
	ModelID         string           `json:"-"`
	Messages        []Message        `json:"messages"`
	System          []SystemBlock    `json:"system,omitempty"`
	InferenceConfig *InferenceConfig `json:"inferenceConfig,omitempty"`
	ToolConfig      *ToolConfig      `json:"toolConfig,omitempty"`
}

// Message is one turn of the conversation.
type Message struct {
	Role    string         `json:"role"`
	Content []ContentBlock `json:"content"`
}

// ContentBlock is a union: exactly one member is set. Members the answer may hold that this
// package does not read (reasoning, images) are ignored.
type ContentBlock struct {
	Text       *string     `json:"text,omitempty"`
	ToolUse    *ToolUse    `json:"toolUse,omitempty"`
	ToolResult *ToolResult `json:"toolResult,omitempty"`
}

// ToolUse is the model calling a tool.
type ToolUse struct {
	ToolUseID string          `json:"toolUseId"`
	Name      string          `json:"name"`
	Input     json.RawMessage `json:"input"`
}

// ToolResult answers a ToolUse.
type ToolResult struct {
	ToolUseID string              `json:"toolUseId"`
	Content   []ToolResultContent `json:"content"`
	Status    string              `json:"status"` // success or error
}

// ToolResultContent is one part of a tool's result; only text is sent.
type ToolResultContent struct {
	Text string `json:"text"`
}

// SystemBlock is one part of the system prompt.
type SystemBlock struct {
	Text string `json:"text"`
}

// InferenceConfig bounds the answer.
type InferenceConfig struct {
	MaxTokens int `json:"maxTokens"`
}

// ToolConfig offers tools and, with ToolChoice, requires one.
type ToolConfig struct {
	Tools      []Tool      `json:"tools"`
	ToolChoice *ToolChoice `json:"toolChoice,omitempty"`
}

// Tool is a tool's specification.
type Tool struct {
	ToolSpec ToolSpec `json:"toolSpec"`
}

// ToolSpec names a tool and its input's JSON schema.
type ToolSpec struct {
	Name        string      `json:"name"`
	Description string      `json:"description,omitempty"`
	InputSchema InputSchema `json:"inputSchema"`
}

// InputSchema holds the JSON schema of a tool's input.
type InputSchema struct {
	JSON map[string]any `json:"json"`
}

// ToolChoice is a union: Any (some tool) or Tool (this one).
type ToolChoice struct {
	Any  *struct{}  `json:"any,omitempty"`
	Tool *NamedTool `json:"tool,omitempty"`
}

// NamedTool is the tool a ToolChoice requires.
type NamedTool struct {
	Name string `json:"name"`
}

// Input is the Converse request for req.
func Input(req *llm.Request) (*ConverseInput, error) {
	if req.Model == "" {
		return nil, errors.New("bedrock: no model ID")
	}
	in := &ConverseInput{ModelID: req.Model, Messages: []Message{}}
	if req.MaxTokens > 0 {
		in.InferenceConfig = &InferenceConfig{MaxTokens: req.MaxTokens}
	}
	if req.System != "" {
		in.System = []SystemBlock{{Text: req.System}}
	}
	for i, m := range req.Messages {
		var blocks []ContentBlock
		for _, r := range m.ToolResults {
			status := "success"
			if r.IsError {
				status = "error"
			}
			blocks = append(blocks, ContentBlock{ToolResult: &ToolResult{ToolUseID: r.CallID, Status: status,
				Content: []ToolResultContent{{Text: r.Content}}}})
		}
		if m.Text != "" {
			blocks = append(blocks, ContentBlock{Text: &m.Text})
		}
		for _, c := range m.ToolCalls {
			// The input is a JSON document; arguments that are not JSON go as an empty object.
			var args any
			if err := json.Unmarshal(c.Arguments, &args); err != nil {
				args = map[string]any{}
			}
			input, err := json.Marshal(args)
			if err != nil {
				return nil, fmt.Errorf("bedrock: tool call %s: %w", c.ID, err)
			}
			blocks = append(blocks, ContentBlock{ToolUse: &ToolUse{ToolUseID: c.ID, Name: c.Name, Input: input}})
		}
		if m.Role != llm.User && m.Role != llm.Assistant {
			return nil, fmt.Errorf("bedrock: unknown role %q", m.Role)
		}
		if len(blocks) == 0 {
			return nil, fmt.Errorf("bedrock: message %d has no content", i)
		}
		in.Messages = append(in.Messages, Message{Role: string(m.Role), Content: blocks})
	}
	tools := req.Tools
	if o := req.Output; o != nil {
		desc := o.Description
		if desc == "" {
			desc = "Give your final answer by calling this tool."
		}
		tools = append(append([]llm.Tool(nil), tools...), llm.Tool{Name: o.Name, Description: desc, Parameters: o.Schema})
	}
	if len(tools) > 0 {
		tc := &ToolConfig{}
		for _, t := range tools {
			var schema map[string]any
			if err := json.Unmarshal(t.Parameters, &schema); err != nil {
				return nil, fmt.Errorf("bedrock: tool %s: %w", t.Name, err)
			}
			tc.Tools = append(tc.Tools, Tool{ToolSpec: ToolSpec{Name: t.Name, Description: t.Description, InputSchema: InputSchema{JSON: schema}}})
		}
		if req.Output != nil {
			if len(req.Tools) == 0 {
				tc.ToolChoice = &ToolChoice{Tool: &NamedTool{Name: req.Output.Name}}
			} else {
				tc.ToolChoice = &ToolChoice{Any: &struct{}{}}
			}
		}
		in.ToolConfig = tc
	}
	return in, nil
}

// converseOutput is the part of a Converse answer read here.
type converseOutput struct {
	Output struct {
		Message *Message `json:"message"`
	} `json:"output"`
	StopReason string `json:"stopReason"`
	Usage      struct {
		InputTokens  int `json:"inputTokens"`
		OutputTokens int `json:"outputTokens"`
	} `json:"usage"`
}

// answer maps the Converse answer back; a call of the Output tool is the answer's text.
func answer(req *llm.Request, data []byte) (*llm.Response, error) {
	var out converseOutput
	if len(bytes.TrimSpace(data)) > 0 {
		if err := json.Unmarshal(data, &out); err != nil {
			return nil, fmt.Errorf("bedrock: decoding the answer: %w", err)
		}
	}
	if out.Output.Message == nil {
		return nil, errors.New("bedrock: the answer holds no message")
	}
	r := &llm.Response{Model: req.Model, StopReason: out.StopReason,
		Usage: llm.Usage{InputTokens: out.Usage.InputTokens, OutputTokens: out.Usage.OutputTokens}}
	var text string
	for _, b := range out.Output.Message.Content {
		switch {
		case b.Text != nil:
			text += *b.Text
		case b.ToolUse != nil:
			args, err := arguments(b.ToolUse.Input)
			if err != nil {
				return nil, fmt.Errorf("bedrock: tool input: %w", err)
			}
			if req.Output != nil && b.ToolUse.Name == req.Output.Name {
				r.Text = string(args)
				continue
			}
			r.ToolCalls = append(r.ToolCalls, llm.ToolCall{ID: b.ToolUse.ToolUseID, Name: b.ToolUse.Name, Arguments: args})
		}
	}
	if r.Text == "" {
		r.Text = text
	}
	return r, nil
}

// arguments is a tool input as compact JSON with its object keys sorted, numbers kept as
// written; a missing or null input is an empty object.
func arguments(raw json.RawMessage) (json.RawMessage, error) {
	var v any
	if len(raw) > 0 {
		d := json.NewDecoder(bytes.NewReader(raw))
		d.UseNumber()
		if err := d.Decode(&v); err != nil {
			return nil, err
		}
	}
	if v == nil {
		return json.RawMessage("{}"), nil
	}
	return json.Marshal(v)
}

// Package llm talks to language models: one provider-neutral request and answer (messages,
// tool calls, a JSON schema the answer must follow), the providers behind it (one
// sub-package each, speaking the vendor's HTTP API directly), and what every call shares: retries of 429 and
// 5xx answers honouring Retry-After, a timeout, token and cost accounting, a response cache on
// disk keyed by the exact request, and transcripts of the HTTP exchanges for replay in tests.
//
// It never decides what to ask or whether to believe an answer: internal/agent does, with the
// engine's facts. It never reads a project and never writes outside the cache directory it is
// given.
package llm

import (
	"context"
	"encoding/json"
	"errors"
)

// Role is who speaks in a message.
type Role string

const (
	User      Role = "user"
	Assistant Role = "assistant"
)

// Message is one turn. A user turn carries text or the results of the tools the assistant
// called; an assistant turn carries text and/or tool calls.
type Message struct {
	Role        Role         `json:"role"`
	Text        string       `json:"text,omitempty"`
	ToolCalls   []ToolCall   `json:"tool_calls,omitempty"`
	ToolResults []ToolResult `json:"tool_results,omitempty"`
}

// ToolCall is the model asking for a tool with JSON arguments.
type ToolCall struct {
	ID        string          `json:"id"`
	Name      string          `json:"name"`
	Arguments json.RawMessage `json:"arguments"`
}

// ToolResult answers one ToolCall.
type ToolResult struct {
	CallID  string `json:"call_id"`
	Name    string `json:"name"`
	Content string `json:"content"`
	IsError bool   `json:"is_error,omitempty"`
}

// Tool is a function the model may call; Parameters is a JSON schema of an object.
type Tool struct {
	Name        string          `json:"name"`
	Description string          `json:"description"`
	Parameters  json.RawMessage `json:"parameters"`
}

// Schema asks for a final answer that is one JSON value following Schema (an object schema
// written for strict mode: every property required, no additional properties). Providers
// with native structured output use it; the others get it as a tool the model must call.
type Schema struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Schema      json.RawMessage `json:"schema"`
}

// Request is one call. Model and MaxTokens are filled by the Client from the settings.
type Request struct {
	Model     string    `json:"model"`
	System    string    `json:"system,omitempty"`
	Messages  []Message `json:"messages"`
	Tools     []Tool    `json:"tools,omitempty"`
	Output    *Schema   `json:"output,omitempty"`
	MaxTokens int       `json:"max_tokens"`
}

// Usage counts the tokens of one call.
type Usage struct {
	InputTokens  int `json:"input_tokens"`
	OutputTokens int `json:"output_tokens"`
}

// Total is prompt plus answer.
func (u Usage) Total() int { return u.InputTokens + u.OutputTokens }

// Response is the model's answer: text (the JSON value when the request had an Output schema
// and the model answered it) and tool calls.
type Response struct {
	Text       string     `json:"text,omitempty"`
	ToolCalls  []ToolCall `json:"tool_calls,omitempty"`
	Usage      Usage      `json:"usage"`
	Model      string     `json:"model,omitempty"`
	StopReason string     `json:"stop_reason,omitempty"`
	// Cached says the answer came from the cache: it cost nothing this time.
	Cached bool `json:"-"`
}

// Provider sends one request to one vendor's API.
type Provider interface {
	// Name is the provider's kind: openai, anthropic, bedrock.
	Name() string
	// Complete sends req and returns the answer. Errors from the service are *APIError.
	Complete(ctx context.Context, req *Request) (*Response, error)
}

// APIError is an answer the service gave with an error status.
type APIError struct {
	Provider string
	Status   int
	Message  string
}

func (e *APIError) Error() string {
	return e.Provider + ": HTTP " + itoa(e.Status) + ": " + e.Message
}

// ErrTruncated is an answer cut at the token limit before it was complete.
var ErrTruncated = errors.New("the answer was cut at max_tokens")

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

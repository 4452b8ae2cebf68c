package llmtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/dataops-dev/dataops/internal/llm"
)

// NewOpenAI serves POST /v1/chat/completions for bearer token key. Point a client at
// URL()+"/v1/".
func NewOpenAI(key string) *Server {
	return newServer("openai", func(s *Server, w http.ResponseWriter, r *http.Request, body []byte) {
		fail := func(status int, typ, code, msg string) {
			writeJSON(w, status, map[string]any{"error": map[string]any{"message": msg, "type": typ, "param": nil, "code": code}})
		}
		if r.Header.Get("Authorization") != "Bearer "+key {
			fail(401, "invalid_request_error", "invalid_api_key", s.problem("Incorrect API key provided"))
			return
		}
		if r.Method != "POST" || r.URL.Path != "/v1/chat/completions" {
			fail(404, "invalid_request_error", "unknown_url", s.problem("Unknown request URL: %s %s", r.Method, r.URL.Path))
			return
		}
		if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			fail(400, "invalid_request_error", "", s.problem("Content-Type must be application/json"))
			return
		}
		seen, err := openaiSeen(body)
		if err != nil {
			fail(400, "invalid_request_error", "", s.problem("%v", err))
			return
		}
		seen.Path = r.URL.Path
		rep, ok := s.next(w, r, body, seen)
		if !ok {
			return
		}
		if rep.Status != 0 {
			if rep.RetryAfter != "" {
				w.Header().Set("Retry-After", rep.RetryAfter)
			}
			typ := "server_error"
			if rep.Status == 429 {
				typ = "rate_limit_exceeded"
			}
			fail(rep.Status, typ, typ, rep.Message)
			return
		}
		var model struct {
			Model string `json:"model"`
		}
		json.Unmarshal(body, &model)
		u := usageOf(rep, seen)
		finish := "stop"
		if len(rep.ToolCalls) > 0 {
			finish = "tool_calls"
		}
		if rep.MaxTokens {
			finish = "length"
		}
		n := len(s.Seen())
		var calls []map[string]any
		for j, c := range rep.ToolCalls {
			id := c.ID
			if id == "" {
				id = callID("call", n, j)
			}
			calls = append(calls, map[string]any{"id": id, "type": "function", "function": map[string]any{"name": c.Name, "arguments": string(c.Arguments)}})
		}
		usage := map[string]any{"prompt_tokens": u.InputTokens, "completion_tokens": u.OutputTokens, "total_tokens": u.Total()}
		id := fmt.Sprintf("chatcmpl-%d", n)
		if seen.Stream {
			w.Header().Set("Content-Type", "text/event-stream")
			chunk := func(choices []any, usage any) {
				b, _ := json.Marshal(map[string]any{"id": id, "object": "chat.completion.chunk", "created": 1700000000, "model": model.Model, "choices": choices, "usage": usage})
				fmt.Fprintf(w, "data: %s\n\n", b)
			}
			delta := func(d map[string]any, finish any) []any {
				return []any{map[string]any{"index": 0, "delta": d, "finish_reason": finish, "logprobs": nil}}
			}
			chunk(delta(map[string]any{"role": "assistant", "content": ""}, nil), nil)
			// The text in two pieces, tool calls name first then arguments, as the service streams them.
			half := len(rep.Text) / 2
			for _, part := range []string{rep.Text[:half], rep.Text[half:]} {
				if part != "" {
					chunk(delta(map[string]any{"content": part}, nil), nil)
				}
			}
			for j, c := range calls {
				fn := c["function"].(map[string]any)
				chunk(delta(map[string]any{"tool_calls": []any{map[string]any{"index": j, "id": c["id"], "type": "function", "function": map[string]any{"name": fn["name"], "arguments": ""}}}}, nil), nil)
				chunk(delta(map[string]any{"tool_calls": []any{map[string]any{"index": j, "function": map[string]any{"arguments": fn["arguments"]}}}}, nil), nil)
			}
			chunk(delta(map[string]any{}, finish), nil)
			chunk([]any{}, usage)
			fmt.Fprint(w, "data: [DONE]\n\n")
			return
		}
		msg := map[string]any{"role": "assistant", "content": nil, "refusal": nil}
		if rep.Text != "" || len(calls) == 0 {
			msg["content"] = rep.Text
		}
		if len(calls) > 0 {
			msg["tool_calls"] = calls
		}
		writeJSON(w, 200, map[string]any{"id": id, "object": "chat.completion", "created": 1700000000, "model": model.Model,
			"choices": []any{map[string]any{"index": 0, "message": msg, "finish_reason": finish, "logprobs": nil}}, "usage": usage})
	})
}

// openaiSeen validates a chat completion request as the service does and reads it.
func openaiSeen(body []byte) (Seen, error) {
	seen := Seen{Raw: body}
	var req struct {
		Model    *string `json:"model"`
		Messages []struct {
			Role       string          `json:"role"`
			Content    json.RawMessage `json:"content"`
			ToolCallID string          `json:"tool_call_id"`
			ToolCalls  []struct {
				ID       string `json:"id"`
				Type     string `json:"type"`
				Function struct {
					Name      string `json:"name"`
					Arguments string `json:"arguments"`
				} `json:"function"`
			} `json:"tool_calls"`
		} `json:"messages"`
		Tools []struct {
			Type     string `json:"type"`
			Function struct {
				Name       string         `json:"name"`
				Parameters map[string]any `json:"parameters"`
			} `json:"function"`
		} `json:"tools"`
		ResponseFormat *struct {
			Type       string `json:"type"`
			JSONSchema *struct {
				Name   string          `json:"name"`
				Strict bool            `json:"strict"`
				Schema json.RawMessage `json:"schema"`
			} `json:"json_schema"`
		} `json:"response_format"`
		MaxCompletionTokens *int `json:"max_completion_tokens"`
		MaxTokens           *int `json:"max_tokens"`
		Stream              bool `json:"stream"`
		StreamOptions       *struct {
			IncludeUsage bool `json:"include_usage"`
		} `json:"stream_options"`
	}
	d := json.NewDecoder(strings.NewReader(string(body)))
	if err := d.Decode(&req); err != nil {
		return seen, fmt.Errorf("We could not parse the JSON body of your request: %v", err)
	}
	if req.Model == nil || *req.Model == "" {
		return seen, fmt.Errorf("you must provide a model parameter")
	}
	if len(req.Messages) == 0 {
		return seen, fmt.Errorf("[] is too short - 'messages'")
	}
	if req.MaxTokens != nil && req.MaxCompletionTokens != nil {
		return seen, fmt.Errorf("max_tokens and max_completion_tokens cannot both be set")
	}
	for _, m := range []*int{req.MaxCompletionTokens, req.MaxTokens} {
		if m != nil {
			if *m < 1 {
				return seen, fmt.Errorf("Invalid 'max_completion_tokens': integer below minimum value")
			}
			seen.MaxTokens = *m
		}
	}
	if req.StreamOptions != nil && !req.Stream {
		return seen, fmt.Errorf("The 'stream_options' parameter is only allowed when 'stream' is enabled.")
	}
	seen.Stream = req.Stream
	tools := map[string]bool{}
	for i, t := range req.Tools {
		if t.Type != "function" || !toolName(t.Function.Name) {
			return seen, fmt.Errorf("Invalid 'tools[%d]': type must be function and function.name must match ^[a-zA-Z0-9_-]{1,64}$", i)
		}
		if typ, _ := t.Function.Parameters["type"].(string); typ != "object" {
			return seen, fmt.Errorf("Invalid schema for function '%s': schema must be a JSON Schema of 'type: \"object\"'", t.Function.Name)
		}
		tools[t.Function.Name] = true
		seen.Tools = append(seen.Tools, t.Function.Name)
	}
	if rf := req.ResponseFormat; rf != nil {
		switch rf.Type {
		case "json_schema":
			if rf.JSONSchema == nil || !toolName(rf.JSONSchema.Name) {
				return seen, fmt.Errorf("Invalid 'response_format.json_schema': a name matching ^[a-zA-Z0-9_-]{1,64}$ is required")
			}
			var schema map[string]any
			if err := json.Unmarshal(rf.JSONSchema.Schema, &schema); err != nil {
				return seen, fmt.Errorf("Invalid schema for response_format '%s': %v", rf.JSONSchema.Name, err)
			}
			if rf.JSONSchema.Strict {
				if err := checkStrict(schema, "schema"); err != nil {
					return seen, fmt.Errorf("Invalid schema for response_format '%s': %v", rf.JSONSchema.Name, err)
				}
			}
			seen.Output, seen.Schema = rf.JSONSchema.Name, rf.JSONSchema.Schema
		case "text", "json_object":
		default:
			return seen, fmt.Errorf("Invalid value: '%s'. Supported values are: 'json_object', 'json_schema', and 'text'.", rf.Type)
		}
	}
	pending := map[string]bool{}
	for i, m := range req.Messages {
		text, err := contentText(m.Content)
		if err != nil {
			return seen, fmt.Errorf("Invalid 'messages[%d].content': %v", i, err)
		}
		switch m.Role {
		case "system", "developer":
			if i != 0 {
				// Accepted by the service; our client only ever sends one, first.
				return seen, fmt.Errorf("messages[%d]: a %s message after the first", i, m.Role)
			}
			seen.System = text
		case "user":
			if len(pending) > 0 {
				return seen, fmt.Errorf("An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'.")
			}
			seen.Messages = append(seen.Messages, llm.Message{Role: llm.User, Text: text})
		case "assistant":
			if len(pending) > 0 {
				return seen, fmt.Errorf("An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'.")
			}
			am := llm.Message{Role: llm.Assistant, Text: text}
			for _, c := range m.ToolCalls {
				if c.ID == "" || c.Type != "function" || !tools[c.Function.Name] {
					return seen, fmt.Errorf("Invalid 'messages[%d].tool_calls': id, type function and a declared function name are required", i)
				}
				if !json.Valid([]byte(c.Function.Arguments)) {
					return seen, fmt.Errorf("Invalid 'messages[%d].tool_calls': arguments must be a JSON string", i)
				}
				pending[c.ID] = true
				am.ToolCalls = append(am.ToolCalls, llm.ToolCall{ID: c.ID, Name: c.Function.Name, Arguments: json.RawMessage(c.Function.Arguments)})
			}
			if text == "" && len(am.ToolCalls) == 0 {
				return seen, fmt.Errorf("Invalid 'messages[%d]': an assistant message needs content or tool_calls", i)
			}
			seen.Messages = append(seen.Messages, am)
		case "tool":
			if !pending[m.ToolCallID] {
				return seen, fmt.Errorf("Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.")
			}
			delete(pending, m.ToolCallID)
			res := llm.ToolResult{CallID: m.ToolCallID, Content: text}
			last := &seen.Messages[len(seen.Messages)-1]
			if last.Role != llm.User || last.Text != "" {
				seen.Messages = append(seen.Messages, llm.Message{Role: llm.User})
				last = &seen.Messages[len(seen.Messages)-1]
			}
			last.ToolResults = append(last.ToolResults, res)
		default:
			return seen, fmt.Errorf("Invalid value: '%s'. Supported values are: 'system', 'assistant', 'user', 'tool', 'developer'.", m.Role)
		}
	}
	if len(pending) > 0 {
		return seen, fmt.Errorf("An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'.")
	}
	return seen, nil
}

// contentText reads a message content: a string, null, or an array of text parts.
func contentText(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, nil
	}
	var parts []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	if err := json.Unmarshal(raw, &parts); err != nil {
		return "", fmt.Errorf("must be a string or an array of content parts")
	}
	var b strings.Builder
	for _, p := range parts {
		if p.Type != "text" {
			return "", fmt.Errorf("unsupported content part %q", p.Type)
		}
		b.WriteString(p.Text)
	}
	return b.String(), nil
}

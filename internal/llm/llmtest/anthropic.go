package llmtest

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/dataops-dev/dataops/internal/llm"
)

// AnthropicVersion is the API version header the Messages API requires.
const AnthropicVersion = "2023-06-01"

// NewAnthropic serves POST /v1/messages for x-api-key key. Point a client at URL()+"/".
// An output schema is the tool tool_choice names (or, with tool_choice any, the last tool):
// a Reply's Text is answered as a call of that tool.
func NewAnthropic(key string) *Server {
	return newServer("anthropic", func(s *Server, w http.ResponseWriter, r *http.Request, body []byte) {
		fail := func(status int, typ, msg string) {
			w.Header().Set("request-id", "req_test")
			writeJSON(w, status, map[string]any{"type": "error", "error": map[string]any{"type": typ, "message": msg}})
		}
		if r.Header.Get("X-Api-Key") != key {
			fail(401, "authentication_error", s.problem("invalid x-api-key"))
			return
		}
		if v := r.Header.Get("Anthropic-Version"); v != AnthropicVersion {
			fail(400, "invalid_request_error", s.problem("anthropic-version: %q is not a supported version", v))
			return
		}
		if r.Method != "POST" || r.URL.Path != "/v1/messages" {
			fail(404, "not_found_error", s.problem("Not found: %s %s", r.Method, r.URL.Path))
			return
		}
		seen, err := anthropicSeen(body)
		if err != nil {
			fail(400, "invalid_request_error", s.problem("%v", err))
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
			typ := map[int]string{429: "rate_limit_error", 529: "overloaded_error", 401: "authentication_error", 400: "invalid_request_error"}[rep.Status]
			if typ == "" {
				typ = "api_error"
			}
			fail(rep.Status, typ, rep.Message)
			return
		}
		var model struct {
			Model string `json:"model"`
		}
		json.Unmarshal(body, &model)
		n := len(s.Seen())
		var content []any
		calls := rep.ToolCalls
		text := rep.Text
		if seen.Output != "" && text != "" {
			calls = append(append([]llm.ToolCall(nil), calls...), llm.ToolCall{Name: seen.Output, Arguments: json.RawMessage(text)})
			text = ""
		}
		if text != "" {
			content = append(content, map[string]any{"type": "text", "text": text})
		}
		for j, c := range calls {
			id := c.ID
			if id == "" {
				id = callID("toolu", n, j)
			}
			var input any
			if err := json.Unmarshal(c.Arguments, &input); err != nil {
				input = map[string]any{}
			}
			content = append(content, map[string]any{"type": "tool_use", "id": id, "name": c.Name, "input": input})
		}
		stop := "end_turn"
		if len(calls) > 0 {
			stop = "tool_use"
		}
		if rep.MaxTokens {
			stop = "max_tokens"
		}
		u := usageOf(rep, seen)
		writeJSON(w, 200, map[string]any{"id": fmt.Sprintf("msg_%d", n), "type": "message", "role": "assistant", "model": model.Model,
			"content": content, "stop_reason": stop, "stop_sequence": nil,
			"usage": map[string]any{"input_tokens": u.InputTokens, "output_tokens": u.OutputTokens}})
	})
}

type anthropicBlock struct {
	Type      string          `json:"type"`
	Text      string          `json:"text"`
	ID        string          `json:"id"`
	Name      string          `json:"name"`
	Input     json.RawMessage `json:"input"`
	ToolUseID string          `json:"tool_use_id"`
	Content   json.RawMessage `json:"content"`
	IsError   bool            `json:"is_error"`
}

// anthropicSeen validates a Messages request as the service does and reads it.
func anthropicSeen(body []byte) (Seen, error) {
	seen := Seen{Raw: body}
	var req struct {
		Model     string          `json:"model"`
		MaxTokens *int            `json:"max_tokens"`
		System    json.RawMessage `json:"system"`
		Messages  []struct {
			Role    string          `json:"role"`
			Content json.RawMessage `json:"content"`
		} `json:"messages"`
		Tools []struct {
			Name        string         `json:"name"`
			InputSchema map[string]any `json:"input_schema"`
		} `json:"tools"`
		ToolChoice *struct {
			Type string `json:"type"`
			Name string `json:"name"`
		} `json:"tool_choice"`
		Stream bool `json:"stream"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return seen, fmt.Errorf("invalid JSON body: %v", err)
	}
	if req.Model == "" {
		return seen, fmt.Errorf("model: Field required")
	}
	if req.MaxTokens == nil || *req.MaxTokens < 1 {
		return seen, fmt.Errorf("max_tokens: Field required (an integer of at least 1)")
	}
	if req.Stream {
		return seen, fmt.Errorf("stream: this test server does not stream")
	}
	seen.MaxTokens = *req.MaxTokens
	if len(req.System) > 0 {
		var blocks []anthropicBlock
		if err := json.Unmarshal(req.System, &blocks); err != nil {
			if err := json.Unmarshal(req.System, &seen.System); err != nil {
				return seen, fmt.Errorf("system: Input should be a valid string or list of text blocks")
			}
		}
		for _, b := range blocks {
			if b.Type != "text" {
				return seen, fmt.Errorf("system: only text blocks are allowed")
			}
			seen.System += b.Text
		}
	}
	tools := map[string]bool{}
	var names []string
	for i, t := range req.Tools {
		if !toolName(t.Name) {
			return seen, fmt.Errorf("tools.%d.name: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'", i)
		}
		if typ, _ := t.InputSchema["type"].(string); typ != "object" {
			return seen, fmt.Errorf("tools.%d.input_schema.type: Input should be 'object'", i)
		}
		if tools[t.Name] {
			return seen, fmt.Errorf("tools: Tool names must be unique.")
		}
		tools[t.Name] = true
		names = append(names, t.Name)
	}
	if tc := req.ToolChoice; tc != nil {
		switch tc.Type {
		case "auto", "none":
		case "any":
			if len(names) == 0 {
				return seen, fmt.Errorf("tool_choice: any needs tools")
			}
			seen.Output = names[len(names)-1]
		case "tool":
			if !tools[tc.Name] {
				return seen, fmt.Errorf("tool_choice: tool %q not found in tools", tc.Name)
			}
			seen.Output = tc.Name
		default:
			return seen, fmt.Errorf("tool_choice.type: Input tag '%s' found does not match any of the expected tags", tc.Type)
		}
	}
	for _, n := range names {
		if n != seen.Output {
			seen.Tools = append(seen.Tools, n)
		}
	}
	if len(req.Messages) == 0 {
		return seen, fmt.Errorf("messages: at least one message is required")
	}
	var pending map[string]bool
	for i, m := range req.Messages {
		if i == 0 && m.Role != "user" {
			return seen, fmt.Errorf("messages: first message must use the \"user\" role")
		}
		var blocks []anthropicBlock
		if err := json.Unmarshal(m.Content, &blocks); err != nil {
			var s string
			if json.Unmarshal(m.Content, &s) != nil {
				return seen, fmt.Errorf("messages.%d.content: Input should be a valid list", i)
			}
			blocks = []anthropicBlock{{Type: "text", Text: s}}
		}
		if len(blocks) == 0 {
			return seen, fmt.Errorf("messages.%d: all messages must have non-empty content", i)
		}
		msg := llm.Message{}
		switch m.Role {
		case "user":
			msg.Role = llm.User
			results := 0
			for j, b := range blocks {
				switch b.Type {
				case "text":
					msg.Text += b.Text
				case "tool_result":
					if !pending[b.ToolUseID] || j != results {
						return seen, fmt.Errorf("messages.%d.content.%d: unexpected `tool_use_id` found in `tool_result` blocks: %s. Each `tool_result` block must have a corresponding `tool_use` block in the previous message.", i, j, b.ToolUseID)
					}
					results++
					delete(pending, b.ToolUseID)
					text, err := resultText(b.Content)
					if err != nil {
						return seen, fmt.Errorf("messages.%d.content.%d.content: %v", i, j, err)
					}
					msg.ToolResults = append(msg.ToolResults, llm.ToolResult{CallID: b.ToolUseID, Content: text, IsError: b.IsError})
				default:
					return seen, fmt.Errorf("messages.%d.content.%d.type: %q is not allowed in a user message here", i, j, b.Type)
				}
			}
			if len(pending) > 0 {
				return seen, fmt.Errorf("messages.%d: `tool_use` ids were found without `tool_result` blocks immediately after", i-1)
			}
			pending = nil
		case "assistant":
			if len(pending) > 0 {
				return seen, fmt.Errorf("messages.%d: `tool_use` ids were found without `tool_result` blocks immediately after", i-1)
			}
			msg.Role = llm.Assistant
			pending = map[string]bool{}
			for j, b := range blocks {
				switch b.Type {
				case "text":
					msg.Text += b.Text
				case "tool_use":
					if b.ID == "" || !tools[b.Name] {
						return seen, fmt.Errorf("messages.%d.content.%d: tool_use needs an id and a declared tool name", i, j)
					}
					var obj map[string]any
					if json.Unmarshal(b.Input, &obj) != nil {
						return seen, fmt.Errorf("messages.%d.content.%d.input: Input should be a valid dictionary", i, j)
					}
					pending[b.ID] = true
					msg.ToolCalls = append(msg.ToolCalls, llm.ToolCall{ID: b.ID, Name: b.Name, Arguments: b.Input})
				default:
					return seen, fmt.Errorf("messages.%d.content.%d.type: %q is not allowed in an assistant message here", i, j, b.Type)
				}
			}
		default:
			return seen, fmt.Errorf("messages.%d.role: Input should be 'user' or 'assistant'", i)
		}
		seen.Messages = append(seen.Messages, msg)
	}
	if len(pending) > 0 {
		return seen, fmt.Errorf("the last message holds `tool_use` blocks without results")
	}
	return seen, nil
}

func resultText(raw json.RawMessage) (string, error) {
	if len(raw) == 0 {
		return "", nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, nil
	}
	var blocks []anthropicBlock
	if err := json.Unmarshal(raw, &blocks); err != nil {
		return "", fmt.Errorf("Input should be a valid string or list")
	}
	out := ""
	for _, b := range blocks {
		if b.Type != "text" {
			return "", fmt.Errorf("unsupported block %q", b.Type)
		}
		out += b.Text
	}
	return out, nil
}

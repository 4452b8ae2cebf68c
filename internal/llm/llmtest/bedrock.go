package llmtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/dataops-dev/dataops/internal/lazyregexp"
	"github.com/dataops-dev/dataops/internal/llm"
)

var sigv4 = lazyregexp.New(`^AWS4-HMAC-SHA256 Credential=([A-Z0-9]+)/(\d{8})/([a-z0-9-]+)/bedrock/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$`)

// NewBedrock serves POST /model/{modelId}/converse for requests SigV4-signed with these
// credentials in region: the Authorization header's shape, its date against X-Amz-Date and
// the signature itself (recomputed over the signed headers and the body) are checked as AWS
// does. Point a client's endpoint at URL(). An output schema is read and answered as for
// NewAnthropic.
func NewBedrock(accessKey, secretKey, region string) *Server {
	return newServer("bedrock", func(s *Server, w http.ResponseWriter, r *http.Request, body []byte) {
		fail := func(status int, typ, msg string) {
			w.Header().Set("X-Amzn-ErrorType", typ+":http://internal.amazon.com/coral/com.amazon.bedrock/")
			writeJSON(w, status, map[string]string{"message": msg})
		}
		m := sigv4.FindStringSubmatch(r.Header.Get("Authorization"))
		date := r.Header.Get("X-Amz-Date")
		if m == nil || m[1] != accessKey || m[3] != region || !strings.HasPrefix(date, m[2]) {
			fail(403, "UnrecognizedClientException", s.problem("The security token included in the request is invalid."))
			return
		}
		signed := strings.Split(m[4], ";")
		if !slices.Contains(signed, "host") || !slices.Contains(signed, "x-amz-date") || !signatureOK(r, body, signed, date, accessKey, secretKey, region, m[5]) {
			fail(403, "InvalidSignatureException", s.problem("The request signature we calculated does not match the signature you provided."))
			return
		}
		model, ok := strings.CutPrefix(r.URL.EscapedPath(), "/model/")
		model, ok2 := strings.CutSuffix(model, "/converse")
		if r.Method != "POST" || !ok || !ok2 || model == "" || strings.Contains(model, "/") {
			fail(404, "UnknownOperationException", s.problem("no route %s %s", r.Method, r.URL.EscapedPath()))
			return
		}
		if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			fail(400, "ValidationException", s.problem("Content-Type must be application/json"))
			return
		}
		seen, err := bedrockSeen(body)
		if err != nil {
			fail(400, "ValidationException", s.problem("%v", err))
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
			typ := map[int]string{429: "ThrottlingException", 400: "ValidationException", 403: "AccessDeniedException", 503: "ServiceUnavailableException"}[rep.Status]
			if typ == "" {
				typ = "InternalServerException"
			}
			fail(rep.Status, typ, rep.Message)
			return
		}
		n := len(s.Seen())
		calls := rep.ToolCalls
		text := rep.Text
		if seen.Output != "" && text != "" {
			calls = append(append([]llm.ToolCall(nil), calls...), llm.ToolCall{Name: seen.Output, Arguments: json.RawMessage(text)})
			text = ""
		}
		var content []any
		if text != "" {
			content = append(content, map[string]any{"text": text})
		}
		for j, c := range calls {
			id := c.ID
			if id == "" {
				id = callID("tooluse", n, j)
			}
			var input any
			if err := json.Unmarshal(c.Arguments, &input); err != nil {
				input = map[string]any{}
			}
			content = append(content, map[string]any{"toolUse": map[string]any{"toolUseId": id, "name": c.Name, "input": input}})
		}
		stop := "end_turn"
		if len(calls) > 0 {
			stop = "tool_use"
		}
		if rep.MaxTokens {
			stop = "max_tokens"
		}
		u := usageOf(rep, seen)
		writeJSON(w, 200, map[string]any{"output": map[string]any{"message": map[string]any{"role": "assistant", "content": content}},
			"stopReason": stop, "usage": map[string]any{"inputTokens": u.InputTokens, "outputTokens": u.OutputTokens, "totalTokens": u.Total()},
			"metrics": map[string]any{"latencyMs": 1}})
	})
}

func signatureOK(r *http.Request, body []byte, signed []string, date, accessKey, secretKey, region, got string) bool {
	at, err := time.Parse("20060102T150405Z", date)
	if err != nil {
		return false
	}
	c, _ := http.NewRequest(r.Method, "http://"+r.Host+r.URL.RequestURI(), bytes.NewReader(body))
	c.Header = http.Header{}
	for _, h := range signed {
		if h != "host" {
			c.Header.Set(h, r.Header.Get(h))
		}
	}
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: accessKey, SecretAccessKey: secretKey}, c,
		hex.EncodeToString(sum[:]), "bedrock", region, at); err != nil {
		return false
	}
	m := sigv4.FindStringSubmatch(c.Header.Get("Authorization"))
	return m != nil && m[5] == got
}

type bedrockBlock struct {
	Text    *string `json:"text"`
	ToolUse *struct {
		ToolUseID string          `json:"toolUseId"`
		Name      string          `json:"name"`
		Input     json.RawMessage `json:"input"`
	} `json:"toolUse"`
	ToolResult *struct {
		ToolUseID string `json:"toolUseId"`
		Content   []struct {
			Text *string `json:"text"`
		} `json:"content"`
		Status string `json:"status"`
	} `json:"toolResult"`
}

func (b bedrockBlock) members() int {
	n := 0
	for _, set := range []bool{b.Text != nil, b.ToolUse != nil, b.ToolResult != nil} {
		if set {
			n++
		}
	}
	return n
}

// bedrockSeen validates a Converse request as the service does and reads it.
func bedrockSeen(body []byte) (Seen, error) {
	seen := Seen{Raw: body}
	var req struct {
		Messages []struct {
			Role    string         `json:"role"`
			Content []bedrockBlock `json:"content"`
		} `json:"messages"`
		System []struct {
			Text *string `json:"text"`
		} `json:"system"`
		InferenceConfig *struct {
			MaxTokens *int `json:"maxTokens"`
		} `json:"inferenceConfig"`
		ToolConfig *struct {
			Tools []struct {
				ToolSpec *struct {
					Name        string `json:"name"`
					InputSchema struct {
						JSON map[string]any `json:"json"`
					} `json:"inputSchema"`
				} `json:"toolSpec"`
			} `json:"tools"`
			ToolChoice map[string]struct {
				Name string `json:"name"`
			} `json:"toolChoice"`
		} `json:"toolConfig"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return seen, fmt.Errorf("Malformed input request: %v", err)
	}
	for _, s := range req.System {
		if s.Text == nil {
			return seen, fmt.Errorf("system: only text blocks are supported")
		}
		seen.System += *s.Text
	}
	if ic := req.InferenceConfig; ic != nil && ic.MaxTokens != nil {
		if *ic.MaxTokens < 1 {
			return seen, fmt.Errorf("inferenceConfig.maxTokens: must be at least 1")
		}
		seen.MaxTokens = *ic.MaxTokens
	}
	tools := map[string]bool{}
	var names []string
	if tc := req.ToolConfig; tc != nil {
		if len(tc.Tools) == 0 {
			return seen, fmt.Errorf("toolConfig.tools: must hold at least one tool")
		}
		for i, t := range tc.Tools {
			if t.ToolSpec == nil || !toolName(t.ToolSpec.Name) {
				return seen, fmt.Errorf("toolConfig.tools.%d.toolSpec.name: must match ^[a-zA-Z0-9_-]{1,64}$", i)
			}
			if typ, _ := t.ToolSpec.InputSchema.JSON["type"].(string); typ != "object" {
				return seen, fmt.Errorf("toolConfig.tools.%d.toolSpec.inputSchema.json: the schema must be of type object", i)
			}
			tools[t.ToolSpec.Name] = true
			names = append(names, t.ToolSpec.Name)
		}
		if len(tc.ToolChoice) > 1 {
			return seen, fmt.Errorf("toolConfig.toolChoice: exactly one of auto, any, tool")
		}
		for k, v := range tc.ToolChoice {
			switch k {
			case "auto":
			case "any":
				seen.Output = names[len(names)-1]
			case "tool":
				if !tools[v.Name] {
					return seen, fmt.Errorf("toolConfig.toolChoice.tool.name: %q is not a tool of the request", v.Name)
				}
				seen.Output = v.Name
			default:
				return seen, fmt.Errorf("toolConfig.toolChoice: unknown member %q", k)
			}
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
	pending := map[string]bool{}
	for i, m := range req.Messages {
		if i == 0 && m.Role != "user" {
			return seen, fmt.Errorf("A conversation must start with a user message.")
		}
		if i > 0 && m.Role == req.Messages[i-1].Role {
			return seen, fmt.Errorf("A conversation must alternate between user and assistant roles.")
		}
		if len(m.Content) == 0 {
			return seen, fmt.Errorf("messages.%d.content: must not be empty", i)
		}
		msg := llm.Message{Role: llm.Role(m.Role)}
		if m.Role != "user" && m.Role != "assistant" {
			return seen, fmt.Errorf("messages.%d.role: must be user or assistant", i)
		}
		if m.Role == "assistant" && len(pending) > 0 {
			return seen, fmt.Errorf("messages.%d: the toolUse blocks of the previous turn have no toolResult", i)
		}
		for j, b := range m.Content {
			if b.members() != 1 {
				return seen, fmt.Errorf("messages.%d.content.%d: a content block must set exactly one member", i, j)
			}
			switch {
			case b.Text != nil:
				msg.Text += *b.Text
			case b.ToolUse != nil:
				if m.Role != "assistant" || !tools[b.ToolUse.Name] || b.ToolUse.ToolUseID == "" {
					return seen, fmt.Errorf("messages.%d.content.%d.toolUse: only an assistant may call a declared tool, with an id", i, j)
				}
				pending[b.ToolUse.ToolUseID] = true
				msg.ToolCalls = append(msg.ToolCalls, llm.ToolCall{ID: b.ToolUse.ToolUseID, Name: b.ToolUse.Name, Arguments: b.ToolUse.Input})
			case b.ToolResult != nil:
				if m.Role != "user" || !pending[b.ToolResult.ToolUseID] {
					return seen, fmt.Errorf("messages.%d.content.%d.toolResult: toolUseId %q matches no toolUse of the previous turn", i, j, b.ToolResult.ToolUseID)
				}
				delete(pending, b.ToolResult.ToolUseID)
				text := ""
				for _, c := range b.ToolResult.Content {
					if c.Text != nil {
						text += *c.Text
					}
				}
				msg.ToolResults = append(msg.ToolResults, llm.ToolResult{CallID: b.ToolResult.ToolUseID, Content: text, IsError: b.ToolResult.Status == "error"})
			}
		}
		if m.Role == "user" && len(pending) > 0 {
			return seen, fmt.Errorf("messages.%d: the toolUse blocks of the previous turn have no toolResult", i)
		}
		seen.Messages = append(seen.Messages, msg)
	}
	return seen, nil
}

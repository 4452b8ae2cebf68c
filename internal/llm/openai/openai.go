// Package openai is the llm.Provider for OpenAI's chat completions API and the servers that
// speak it (Azure OpenAI's v1 API, Ollama, vLLM, LM Studio, OpenRouter): POST
// {base}/chat/completions with tools and a strict JSON-schema response_format, optionally
// streamed as server-sent events.
//
// It speaks the documented API directly on net/http and encoding/json rather than through
// the official SDK: every command of the binary, a warm `dataops parse` included, pays at
// start-up for the initialisation and page faults of each package linked in, and the SDK
// (about 13 MB of code, some 5 ms of initialisation) would be all of that for one endpoint.
package openai

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/dataops-dev/dataops/internal/llm"
)

// DefaultBaseURL is OpenAI's API root.
const DefaultBaseURL = "https://api.openai.com/v1/"

// Config says where and as whom.
type Config struct {
	BaseURL string // "" is DefaultBaseURL
	APIKey  string
	// Organization and Project, when set, go out as the OpenAI-Organization and
	// OpenAI-Project headers (OPENAI_ORG_ID and OPENAI_PROJECT_ID in OpenAI's own clients).
	Organization string
	Project      string
	// Stream asks for the answer as server-sent events, assembled before it is returned.
	Stream bool
	// HTTP carries the requests (retries, recording); nil is http.DefaultClient.
	HTTP *http.Client
}

// Provider calls a chat completions endpoint.
type Provider struct {
	endpoint string
	badBase  error // the base URL did not parse; reported by Complete, as New returns none
	header   http.Header
	key      string
	hc       *http.Client
	stream   bool
}

// New returns a provider; it calls nothing.
func New(cfg Config) *Provider {
	base := cfg.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	p := &Provider{key: cfg.APIKey, stream: cfg.Stream}
	if u, err := url.Parse(base); err != nil {
		// The parse error quotes the URL, which may hold credentials: keep only the reason.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		p.badBase = fmt.Errorf("openai: the base URL does not parse: %v", err)
	} else {
		// The endpoint is resolved against the base as a directory; the base's query goes.
		if !strings.HasSuffix(u.Path, "/") {
			u.Path += "/"
			if u.RawPath != "" {
				u.RawPath += "/"
			}
		}
		p.endpoint = u.ResolveReference(&url.URL{Path: "chat/completions"}).String()
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("Accept", "application/json")
	h.Set("User-Agent", "dataops")
	if strings.Contains(base, ".openai.azure.com") {
		// Azure OpenAI takes its key in api-key, not as a bearer token.
		h.Set("Api-Key", cfg.APIKey)
	} else if cfg.APIKey != "" {
		h.Set("Authorization", "Bearer "+cfg.APIKey)
	}
	if cfg.Organization != "" {
		h.Set("OpenAI-Organization", cfg.Organization)
	}
	if cfg.Project != "" {
		h.Set("OpenAI-Project", cfg.Project)
	}
	p.header = h
	p.hc = llm.KeepOrigin(cfg.HTTP)
	return p
}

// Name is "openai".
func (p *Provider) Name() string { return "openai" }

// Complete sends one chat completion. The client itself never retries: the HTTP client's
// transport (llm.Retry) does, the same way for every provider.
func (p *Provider) Complete(ctx context.Context, req *llm.Request) (*llm.Response, error) {
	if p.badBase != nil {
		return nil, p.badBase
	}
	body, err := newRequest(req)
	if err != nil {
		return nil, err
	}
	if p.stream {
		body.Stream = true
		body.StreamOptions = &streamOptions{IncludeUsage: true}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // prompts are full of <data> and &: send them as written
	if err := enc.Encode(body); err != nil {
		return nil, fmt.Errorf("openai: %w", err)
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, p.endpoint, bytes.NewReader(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))))
	if err != nil {
		return nil, fmt.Errorf("openai: %w", err)
	}
	hreq.Header = p.header.Clone()
	res, err := p.hc.Do(hreq)
	if err != nil {
		return nil, p.failed(ctx, err)
	}
	defer res.Body.Close()
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return nil, p.apiError(res)
	}
	var cc *completion
	if p.stream && !isJSON(res.Header.Get("Content-Type")) {
		cc, err = readStream(res.Body)
	} else {
		// A server that ignores stream: true answers in one piece; read it as such.
		cc, err = readCompletion(res.Body)
	}
	if err != nil {
		return nil, p.failed(ctx, err)
	}
	return answer(cc)
}

// failed wraps an error of the exchange, preferring the context's when it ended.
func (p *Provider) failed(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("openai: %w", ctx.Err())
	}
	if msg := err.Error(); p.mask(msg) != msg {
		return fmt.Errorf("openai: %s", p.mask(msg))
	}
	return fmt.Errorf("openai: %w", err)
}

func isJSON(contentType string) bool {
	mt, _, _ := mime.ParseMediaType(contentType)
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

// chatRequest is the request body, as https://platform.openai.com/docs/api-reference/chat/create
// documents it; the fields are in the order openai-go wrote them, so recorded bodies read alike.
type chatRequest struct {
	Messages            []message       `json:"messages,omitempty"`
	Model               string          `json:"model,omitempty"`
	MaxCompletionTokens int             `json:"max_completion_tokens,omitempty"`
	StreamOptions       *streamOptions  `json:"stream_options,omitempty"`
	ResponseFormat      *responseFormat `json:"response_format,omitempty"`
	Tools               []tool          `json:"tools,omitempty"`
	Stream              bool            `json:"stream,omitempty"`
}

type message struct {
	Content    *string    `json:"content,omitempty"`
	ToolCalls  []toolCall `json:"tool_calls,omitempty"`
	ToolCallID *string    `json:"tool_call_id,omitempty"`
	Role       string     `json:"role"`
}

type toolCall struct {
	ID       string   `json:"id"`
	Function function `json:"function"`
	Type     string   `json:"type"`
}

type function struct {
	Arguments string `json:"arguments"`
	Name      string `json:"name"`
}

type tool struct {
	Function functionDef `json:"function"`
	Type     string      `json:"type"`
}

type functionDef struct {
	Name        string         `json:"name"`
	Description string         `json:"description"`
	Parameters  map[string]any `json:"parameters,omitzero"`
}

type responseFormat struct {
	JSONSchema jsonSchema `json:"json_schema"`
	Type       string     `json:"type"`
}

type jsonSchema struct {
	Name        string         `json:"name"`
	Strict      bool           `json:"strict"`
	Description string         `json:"description,omitempty"`
	Schema      map[string]any `json:"schema"`
}

type streamOptions struct {
	IncludeUsage bool `json:"include_usage"`
}

// newRequest is the chat completion request for req. Schemas are decoded and encoded again,
// which checks that each is an object and sends it in one canonical form.
func newRequest(req *llm.Request) (*chatRequest, error) {
	p := &chatRequest{Model: req.Model}
	if req.MaxTokens > 0 {
		p.MaxCompletionTokens = req.MaxTokens
	}
	if req.System != "" {
		p.Messages = append(p.Messages, message{Role: "system", Content: &req.System})
	}
	for _, m := range req.Messages {
		switch m.Role {
		case llm.User:
			for _, r := range m.ToolResults {
				content := r.Content
				if r.IsError {
					content = "error: " + content
				}
				p.Messages = append(p.Messages, message{Role: "tool", Content: &content, ToolCallID: &r.CallID})
			}
			if m.Text != "" {
				p.Messages = append(p.Messages, message{Role: "user", Content: &m.Text})
			}
		case llm.Assistant:
			a := message{Role: "assistant"}
			if m.Text != "" {
				a.Content = &m.Text
			}
			for _, c := range m.ToolCalls {
				a.ToolCalls = append(a.ToolCalls, toolCall{ID: c.ID, Type: "function", Function: function{Name: c.Name, Arguments: string(c.Arguments)}})
			}
			p.Messages = append(p.Messages, a)
		default:
			return nil, fmt.Errorf("openai: unknown role %q", m.Role)
		}
	}
	for _, t := range req.Tools {
		var params map[string]any
		if err := json.Unmarshal(t.Parameters, &params); err != nil {
			return nil, fmt.Errorf("openai: tool %s: %w", t.Name, err)
		}
		p.Tools = append(p.Tools, tool{Type: "function", Function: functionDef{Name: t.Name, Description: t.Description, Parameters: params}})
	}
	if o := req.Output; o != nil {
		var schema map[string]any
		if err := json.Unmarshal(o.Schema, &schema); err != nil {
			return nil, fmt.Errorf("openai: output schema %s: %w", o.Name, err)
		}
		p.ResponseFormat = &responseFormat{Type: "json_schema",
			JSONSchema: jsonSchema{Name: o.Name, Strict: true, Description: o.Description, Schema: schema}}
	}
	return p, nil
}

// completion is the part of a chat completion read; a streamed answer is assembled into one.
type completion struct {
	Model   string   `json:"model"`
	Choices []choice `json:"choices"`
	Usage   usage    `json:"usage"`
}

type choice struct {
	Message struct {
		Content   string     `json:"content"`
		Refusal   string     `json:"refusal"`
		ToolCalls []toolCall `json:"tool_calls"`
	} `json:"message"`
	FinishReason string `json:"finish_reason"`
}

type usage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
}

func readCompletion(body io.Reader) (*completion, error) {
	data, err := io.ReadAll(llm.CapAnswer(body))
	if err != nil {
		return nil, err
	}
	var cc completion
	if err := json.Unmarshal(data, &cc); err != nil {
		return nil, fmt.Errorf("the answer is not a chat completion: %v", err)
	}
	return &cc, nil
}

// chunk is one event of a streamed answer. Only the first choice is kept, as answer reads
// only that one.
type chunk struct {
	Model   string `json:"model"`
	Choices []struct {
		Index int `json:"index"`
		Delta struct {
			Content   string `json:"content"`
			Refusal   string `json:"refusal"`
			ToolCalls []struct {
				Index    int      `json:"index"`
				ID       string   `json:"id"`
				Type     string   `json:"type"`
				Function function `json:"function"`
			} `json:"tool_calls"`
		} `json:"delta"`
		FinishReason string `json:"finish_reason"`
	} `json:"choices"`
	Usage *usage          `json:"usage"`
	Error json.RawMessage `json:"error"`
}

// readStream assembles a streamed answer from its server-sent events: each event's data
// lines form one chunk, until data: [DONE] or the end of the body. Text and refusal deltas
// are appended; a tool call is keyed by its index, its id, type and name arrive first and its
// arguments are appended; the finish reason and the usage come with the last chunks. An
// error event ends the stream with that error.
func readStream(body io.Reader) (*completion, error) {
	sc := bufio.NewScanner(llm.CapAnswer(body))
	sc.Buffer(make([]byte, 0, 64<<10), llm.MaxAnswer)
	var (
		text, refusal strings.Builder
		finish, model string
		u             usage
		calls         []*toolCall // by index; nil where no delta came
		data          []byte
		pending       bool
	)
	add := func(data []byte) (done bool, err error) {
		if bytes.HasPrefix(data, []byte("[DONE]")) {
			return true, nil
		}
		var c chunk
		if err := json.Unmarshal(data, &c); err != nil {
			return false, fmt.Errorf("a streamed chunk is not JSON: %v", err)
		}
		if len(c.Error) > 0 && string(c.Error) != "null" {
			msg := errorMessage(c.Error)
			if msg == "" {
				msg = string(c.Error)
			}
			return false, fmt.Errorf("received error while streaming: %s", msg)
		}
		if c.Model != "" {
			model = c.Model
		}
		if c.Usage != nil {
			u = *c.Usage
		}
		for _, ch := range c.Choices {
			if ch.Index != 0 {
				continue
			}
			text.WriteString(ch.Delta.Content)
			refusal.WriteString(ch.Delta.Refusal)
			if ch.FinishReason != "" {
				finish = ch.FinishReason
			}
			for _, d := range ch.Delta.ToolCalls {
				if d.Index < 0 || d.Index > 1024 {
					return false, fmt.Errorf("a streamed tool call has index %d", d.Index)
				}
				for len(calls) <= d.Index {
					calls = append(calls, nil)
				}
				tc := calls[d.Index]
				if tc == nil {
					tc = &toolCall{}
					calls[d.Index] = tc
				}
				if d.ID != "" {
					tc.ID = d.ID
				}
				if d.Type != "" {
					tc.Type = d.Type
				}
				if d.Function.Name != "" {
					tc.Function.Name = d.Function.Name
				}
				tc.Function.Arguments += d.Function.Arguments
			}
		}
		return false, nil
	}
	done := false
	for !done && sc.Scan() {
		line := sc.Bytes()
		if len(line) == 0 {
			// A blank line ends an event.
			if pending {
				var err error
				if done, err = add(data); err != nil {
					return nil, err
				}
			}
			data, pending = data[:0], false
			continue
		}
		field, value, _ := bytes.Cut(line, []byte(":"))
		if string(field) != "data" {
			continue // comments (": keep-alive"), event:, id:, retry:
		}
		if pending {
			data = append(data, '\n')
		}
		data = append(data, bytes.TrimPrefix(value, []byte(" "))...)
		pending = true
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	// An event not ended by a blank line is dropped, as server-sent events specify.
	cc := &completion{Model: model, Usage: u}
	if text.Len() == 0 && refusal.Len() == 0 && finish == "" && len(calls) == 0 {
		return cc, nil // no choice streamed
	}
	var c choice
	c.Message.Content, c.Message.Refusal, c.FinishReason = text.String(), refusal.String(), finish
	for _, tc := range calls {
		if tc != nil {
			c.Message.ToolCalls = append(c.Message.ToolCalls, *tc)
		}
	}
	cc.Choices = []choice{c}
	return cc, nil
}

func answer(cc *completion) (*llm.Response, error) {
	if len(cc.Choices) == 0 {
		return nil, errors.New("openai: the answer has no choices")
	}
	c := cc.Choices[0]
	r := &llm.Response{Text: c.Message.Content, Model: cc.Model, StopReason: c.FinishReason,
		Usage: llm.Usage{InputTokens: cc.Usage.PromptTokens, OutputTokens: cc.Usage.CompletionTokens}}
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

// apiError reads an error answer: {"error": {"message": ...}} as OpenAI sends it, or
// {"error": "..."} as some compatible servers do; else the status's text.
func (p *Provider) apiError(res *http.Response) error {
	data, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	var e struct {
		Error json.RawMessage `json:"error"`
	}
	msg := ""
	if json.Unmarshal(data, &e) == nil {
		msg = errorMessage(e.Error)
	}
	if msg == "" {
		msg = http.StatusText(res.StatusCode)
	}
	if msg == "" {
		msg = "no message"
	}
	return &llm.APIError{Provider: "openai", Status: res.StatusCode, Message: p.mask(msg)}
}

// errorMessage is the message of an error object, or the error when it is a string.
func errorMessage(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var o struct {
		Message string `json:"message"`
	}
	json.Unmarshal(raw, &o)
	return o.Message
}

// mask keeps the key out of messages: a server may echo what it was sent.
func (p *Provider) mask(s string) string { return llm.Mask(s, p.key) }

// Package agent runs the language agents of a review on the engine's facts: a tool-calling
// loop with step, token and time budgets whose tools are the engine's own functions (a model's
// SQL and columns, column lineage, the change set, a read-only sample of a column, memory
// search); the guardrails every answer passes (a schema with one repair, a second check
// grounded in the engine's facts with a threshold, untrusted text quoted as data, secrets and
// credential-shaped values redacted); the agents themselves (column descriptions for the
// Schema Synthesizer, business-rule tests read in documents for the Test Enhancer, a summary
// and logic risks for the review); and the orchestrator that decides which run for a change.
//
// Agents only ever return text for property-file descriptions, property-file tests and review
// comments: no tool writes a file, runs SQL that is not a bounded read, commits or posts. Any
// failure is an error the caller turns into the deterministic result with a note.
package agent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/dataops-dev/dataops/internal/llm"
)

// Tool is an engine function the model may call. Run gets the model's JSON arguments and
// returns text for the model; its error is shown to the model, not raised.
type Tool struct {
	Name        string
	Description string
	Parameters  json.RawMessage
	Run         func(ctx context.Context, args json.RawMessage) (string, error)
}

// Budget is the token allowance of one run, shared by every agent. Safe for concurrent use.
type Budget struct {
	mu    sync.Mutex
	limit int
	spent int
}

// NewBudget allows limit tokens (prompt and answer) in all.
func NewBudget(limit int) *Budget { return &Budget{limit: limit} }

// Spend counts tokens used.
func (b *Budget) Spend(n int) {
	b.mu.Lock()
	b.spent += n
	b.mu.Unlock()
}

// Remaining is what is left, never below zero.
func (b *Budget) Remaining() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return max(b.limit-b.spent, 0)
}

// Spent is what was used.
func (b *Budget) Spent() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.spent
}

// Errors that stop a task; the caller falls back to the deterministic result and says which.
var (
	ErrBudget  = errors.New("the run's token budget is spent")
	ErrSteps   = errors.New("the task used all its steps without a final answer")
	ErrTime    = errors.New("the task ran out of time")
	ErrInvalid = errors.New("the answer did not follow its schema, even after one repair")
)

// Task is one job for one agent.
type Task struct {
	Agent  string
	System string
	Input  string
	Tools  []Tool
	Output llm.Schema
}

// Result is a task's validated answer and what it cost.
type Result struct {
	Output   json.RawMessage
	Steps    int
	Usage    llm.Usage
	Repaired bool
}

// Runtime runs tasks.
type Runtime struct {
	Client *llm.Client
	Budget *Budget // nil: unbounded
	// Steps caps the calls of one task; Time its duration.
	Steps int
	Time  time.Duration
	// ToolOutput caps the characters of one tool answer shown to the model.
	ToolOutput int
}

// Run loops: the model answers or calls tools, the tools run and their results go back, until
// a final answer that follows the task's schema (one repair request when it does not) or a
// budget runs out.
func (rt *Runtime) Run(ctx context.Context, task Task) (*Result, error) {
	if rt.Time > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, rt.Time)
		defer cancel()
	}
	steps := rt.Steps
	if steps <= 0 {
		steps = 6
	}
	tools := map[string]Tool{}
	var specs []llm.Tool
	for _, t := range task.Tools {
		tools[t.Name] = t
		specs = append(specs, llm.Tool{Name: t.Name, Description: t.Description, Parameters: t.Parameters})
	}
	out := task.Output
	res := &Result{}
	msgs := []llm.Message{{Role: llm.User, Text: task.Input}}
	repaired := false
	for res.Steps < steps {
		if rt.Budget != nil && rt.Budget.Remaining() <= 0 {
			return res, ErrBudget
		}
		req := llm.Request{System: task.System, Messages: msgs, Tools: specs, Output: &out}
		if rt.Budget != nil {
			// The prompt alone must fit what is left, with room for an answer.
			est := Estimate(&req)
			if est >= rt.Budget.Remaining() {
				return res, ErrBudget
			}
			req.MaxTokens = min(rt.Client.MaxTokens, rt.Budget.Remaining()-est)
		}
		res.Steps++
		r, err := rt.Client.Complete(ctx, task.Agent, req)
		if err != nil {
			if ctx.Err() == context.DeadlineExceeded {
				return res, ErrTime
			}
			return res, err
		}
		if !r.Cached {
			res.Usage.InputTokens += r.Usage.InputTokens
			res.Usage.OutputTokens += r.Usage.OutputTokens
			if rt.Budget != nil {
				rt.Budget.Spend(r.Usage.Total())
			}
		}
		if len(r.ToolCalls) > 0 {
			// A call of a tool the task does not offer is not echoed back as a call (the
			// services refuse a history naming undeclared tools): the model is told instead.
			var known []llm.ToolCall
			var unknown []string
			for _, c := range r.ToolCalls {
				if _, ok := tools[c.Name]; ok {
					known = append(known, c)
				} else {
					unknown = append(unknown, c.Name)
				}
			}
			asked := llm.Message{Role: llm.Assistant, Text: r.Text, ToolCalls: known}
			if asked.Text == "" && len(known) == 0 {
				asked.Text = "(asked for " + strings.Join(unknown, ", ") + ")"
			}
			reply := llm.Message{Role: llm.User}
			for _, c := range known {
				reply.ToolResults = append(reply.ToolResults, rt.call(ctx, tools, c))
			}
			if len(unknown) > 0 {
				reply.Text = "There is no tool named " + strings.Join(unknown, ", ") + ". Use only the tools offered, then answer with the JSON value."
			}
			msgs = append(msgs, asked, reply)
			continue
		}
		if r.StopReason == "max_tokens" && rt.Budget != nil && rt.Budget.Remaining() <= 0 {
			return res, ErrBudget
		}
		text := strings.TrimSpace(stripFence(r.Text))
		verr := llm.Validate(out.Schema, []byte(text))
		if verr == nil {
			res.Output, res.Repaired = json.RawMessage(text), repaired
			return res, nil
		}
		if repaired {
			return res, fmt.Errorf("%w: %v", ErrInvalid, verr)
		}
		repaired = true
		answer := r.Text
		if answer == "" {
			answer = "(no answer)"
		}
		msgs = append(msgs, llm.Message{Role: llm.Assistant, Text: answer},
			llm.Message{Role: llm.User, Text: "That answer does not follow the schema " + out.Name + ": " + verr.Error() +
				". Answer again with only the JSON value."})
	}
	return res, ErrSteps
}

// Estimate is a request's prompt in tokens, at about four bytes a token (what the vendors'
// tokenizers average on English and code), before it is sent.
func Estimate(req *llm.Request) int {
	b, _ := json.Marshal(req)
	return (len(b) + 3) / 4
}

// call runs one tool; unknown tools and failures become error results the model can read.
func (rt *Runtime) call(ctx context.Context, tools map[string]Tool, c llm.ToolCall) llm.ToolResult {
	res := llm.ToolResult{CallID: c.ID, Name: c.Name}
	t, ok := tools[c.Name]
	if !ok {
		res.Content, res.IsError = "there is no tool named "+c.Name, true
		return res
	}
	text, err := t.Run(ctx, c.Arguments)
	if err != nil {
		res.Content, res.IsError = err.Error(), true
		return res
	}
	limit := rt.ToolOutput
	if limit <= 0 {
		limit = 6000
	}
	if len(text) > limit {
		text = text[:limit] + "\n[cut at " + fmt.Sprint(limit) + " characters]"
	}
	res.Content = text
	return res
}

// stripFence takes a JSON answer out of a Markdown code fence, which some models add.
func stripFence(s string) string {
	t := strings.TrimSpace(s)
	if !strings.HasPrefix(t, "```") {
		return s
	}
	t = strings.TrimPrefix(t, "```")
	if i := strings.IndexByte(t, '\n'); i >= 0 {
		t = t[i+1:]
	}
	return strings.TrimSuffix(strings.TrimSpace(t), "```")
}

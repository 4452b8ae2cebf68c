package llm

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Client is what the agents call: a provider with the run's settings, its cache, its account
// and the redaction every text passes before it leaves the process.
type Client struct {
	Provider Provider
	// Endpoint names where the provider sends (its base URL); part of the cache key.
	Endpoint  string
	Model     string
	MaxTokens int
	// Timeout bounds one call (retries included); 0 means none beyond the caller's context.
	Timeout time.Duration
	Cache   *Cache // nil: no cache
	Prices  Prices
	Meter   *Meter // nil: calls are not accounted
	// Redact rewrites every text sent (system prompt, messages, tool results and arguments);
	// nil sends texts as they are.
	Redact func(string) string
	// Now is the clock of latencies; nil is time.Now.
	Now func() time.Time
}

// Complete sends req for agent, or answers it from the cache. The request's Model and
// MaxTokens default to the client's.
func (c *Client) Complete(ctx context.Context, agent string, req Request) (*Response, error) {
	if c == nil || c.Provider == nil {
		return nil, errors.New("no language model configured")
	}
	if req.Model == "" {
		req.Model = c.Model
	}
	if req.MaxTokens <= 0 || c.MaxTokens > 0 && req.MaxTokens > c.MaxTokens {
		req.MaxTokens = c.MaxTokens
	}
	if c.Redact != nil {
		req = redact(req, c.Redact)
	}
	now := c.Now
	if now == nil {
		now = time.Now
	}
	t0 := now()
	key := ""
	if c.Cache != nil {
		key = Key(c.Provider.Name(), c.Endpoint, &req)
		if r, ok := c.Cache.Get(key); ok {
			c.account(Call{Agent: agent, Model: req.Model, Usage: r.Usage, Cached: true, Latency: now().Sub(t0)})
			r.Cached = true
			return r, nil
		}
	}
	cctx := ctx
	if c.Timeout > 0 {
		var cancel context.CancelFunc
		cctx, cancel = context.WithTimeout(ctx, c.Timeout)
		defer cancel()
	}
	r, err := c.Provider.Complete(cctx, &req)
	call := Call{Agent: agent, Model: req.Model, Latency: now().Sub(t0)}
	if err != nil {
		if cctx.Err() != nil && ctx.Err() == nil {
			err = fmt.Errorf("%s: no answer within %s: %w", c.Provider.Name(), c.Timeout, err)
		}
		call.Err = err.Error()
		c.account(call)
		return nil, err
	}
	call.Usage = r.Usage
	call.Cost = c.Prices.Cost(r.Usage)
	c.account(call)
	if c.Cache != nil && r.StopReason != "max_tokens" {
		// A cache that cannot be written only costs the next run a call.
		_ = c.Cache.Put(key, r)
	}
	return r, nil
}

func (c *Client) account(call Call) {
	if c.Meter != nil {
		c.Meter.Add(call)
	}
}

// redact returns a copy of req with every text rewritten.
func redact(req Request, f func(string) string) Request {
	req.System = f(req.System)
	msgs := make([]Message, len(req.Messages))
	for i, m := range req.Messages {
		m.Text = f(m.Text)
		if len(m.ToolCalls) > 0 {
			calls := make([]ToolCall, len(m.ToolCalls))
			for j, tc := range m.ToolCalls {
				tc.Arguments = []byte(f(string(tc.Arguments)))
				calls[j] = tc
			}
			m.ToolCalls = calls
		}
		if len(m.ToolResults) > 0 {
			res := make([]ToolResult, len(m.ToolResults))
			for j, tr := range m.ToolResults {
				tr.Content = f(tr.Content)
				res[j] = tr
			}
			m.ToolResults = res
		}
		msgs[i] = m
	}
	req.Messages = msgs
	return req
}

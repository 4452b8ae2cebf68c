package llm

import (
	"sort"
	"sync"
	"time"
)

// Prices are USD per million tokens.
type Prices struct {
	Input  float64 `json:"input"`
	Output float64 `json:"output"`
}

// Cost of a usage at these prices.
func (p Prices) Cost(u Usage) float64 {
	return (float64(u.InputTokens)*p.Input + float64(u.OutputTokens)*p.Output) / 1e6
}

// Call is the account of one call: who asked, what it cost, how long it took. A call answered
// from the cache costs nothing; its Usage is what the original call used.
type Call struct {
	Agent   string        `json:"agent"`
	Model   string        `json:"model"`
	Usage   Usage         `json:"usage"`
	Cost    float64       `json:"cost_usd"`
	Latency time.Duration `json:"latency_ns"`
	Cached  bool          `json:"cached,omitempty"`
	Err     string        `json:"error,omitempty"`
}

// Meter keeps the account of every call of a run. Safe for concurrent use.
type Meter struct {
	mu    sync.Mutex
	calls []Call
}

// Add records a call.
func (m *Meter) Add(c Call) {
	m.mu.Lock()
	m.calls = append(m.calls, c)
	m.mu.Unlock()
}

// Calls returns a copy of the calls recorded so far, in order.
func (m *Meter) Calls() []Call {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Call(nil), m.calls...)
}

// Total is the sum over calls; tokens of cached calls are not spent and not counted.
type Total struct {
	Calls   int           `json:"calls"`
	Cached  int           `json:"cached"`
	Failed  int           `json:"failed"`
	Usage   Usage         `json:"usage"`
	Cost    float64       `json:"cost_usd"`
	Latency time.Duration `json:"latency_ns"`
}

func (t *Total) add(c Call) {
	t.Calls++
	t.Latency += c.Latency
	if c.Err != "" {
		t.Failed++
	}
	if c.Cached {
		t.Cached++
		return
	}
	t.Usage.InputTokens += c.Usage.InputTokens
	t.Usage.OutputTokens += c.Usage.OutputTokens
	t.Cost += c.Cost
}

// Total sums every call.
func (m *Meter) Total() Total {
	var t Total
	for _, c := range m.Calls() {
		t.add(c)
	}
	return t
}

// ByAgent sums the calls of each agent.
func (m *Meter) ByAgent() map[string]Total {
	out := map[string]Total{}
	for _, c := range m.Calls() {
		t := out[c.Agent]
		t.add(c)
		out[c.Agent] = t
	}
	return out
}

// Agents lists the agents that made calls, sorted.
func (m *Meter) Agents() []string {
	var out []string
	for a := range m.ByAgent() {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}

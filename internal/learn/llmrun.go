package learn

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/dataops-dev/dataops/internal/memory"
)

// KindLLMRun is the record of one language agent's part in one command run: what it cost and
// how it ended. It is an account, never retrieved as knowledge.
const KindLLMRun memory.Kind = "llm_run"

// Run is one language agent's part in one command run.
type Run struct {
	Repository string
	PR         string
	Head       string
	Project    string
	Command    string // review, schema, tests
	Agent      string // describe, review, rules
	Provider   string
	Model      string
	Calls      int
	Cached     int
	Failed     int // calls the provider failed
	Input      int // tokens
	Output     int
	Cost       float64 // USD, at the configured prices
	Latency    time.Duration
	// Tasks ended ok, stopped by the run's token budget, or fell back to the deterministic
	// result for another reason; Kept and Dropped count the answers the guardrails let through
	// and dropped.
	OK, BudgetSpent, Fallback int
	Kept, Dropped             int
	Time                      time.Time
}

func (r *Run) source() string {
	p := Proposal{Repository: r.Repository, PR: r.PR, Head: r.Head}
	return p.Source()
}

func (r *Run) record() memory.Record {
	n := strconv.Itoa
	extra := map[string]string{"repository": r.Repository, "pr": r.PR, "head": r.Head, "command": r.Command, "agent": r.Agent,
		"provider": r.Provider, "model": r.Model, "calls": n(r.Calls), "cached": n(r.Cached), "failed": n(r.Failed),
		"input_tokens": n(r.Input), "output_tokens": n(r.Output), "cost_usd": strconv.FormatFloat(r.Cost, 'f', -1, 64),
		"latency_ms": strconv.FormatInt(r.Latency.Milliseconds(), 10), "ok": n(r.OK), "budget_spent": n(r.BudgetSpent),
		"fallback": n(r.Fallback), "kept": n(r.Kept), "dropped": n(r.Dropped)}
	for k, v := range extra {
		if v == "" {
			delete(extra, k)
		}
	}
	h := sha256.Sum256(fmt.Appendf(nil, "%s\x00%s\x00%s\x00%s\x00%s\x00%d", r.source(), r.Project, r.Command, r.Agent, r.Model, r.Time.UnixNano()))
	return memory.Record{ID: "llm_run:" + hex.EncodeToString(h[:12]), Kind: KindLLMRun,
		Text:     fmt.Sprintf("llm run: %s %s with %s, %d call(s), %d tokens", r.Command, r.Agent, r.Model, r.Calls, r.Input+r.Output),
		Metadata: memory.Metadata{Project: r.Project, Source: r.source(), Commit: r.Head, Time: r.Time, Extra: extra}}
}

func runOf(rec *memory.Record) Run {
	x := rec.Metadata.Extra
	n := func(k string) int { v, _ := strconv.Atoi(x[k]); return v }
	cost, _ := strconv.ParseFloat(x["cost_usd"], 64)
	ms, _ := strconv.ParseInt(x["latency_ms"], 10, 64)
	return Run{Repository: x["repository"], PR: x["pr"], Head: x["head"], Project: rec.Metadata.Project, Command: x["command"],
		Agent: x["agent"], Provider: x["provider"], Model: x["model"], Calls: n("calls"), Cached: n("cached"), Failed: n("failed"),
		Input: n("input_tokens"), Output: n("output_tokens"), Cost: cost, Latency: time.Duration(ms) * time.Millisecond,
		OK: n("ok"), BudgetSpent: n("budget_spent"), Fallback: n("fallback"), Kept: n("kept"), Dropped: n("dropped"), Time: rec.Metadata.Time}
}

// RecordRuns stores the language agents' runs of one command.
func RecordRuns(ctx context.Context, s memory.Store, runs []Run) error {
	if len(runs) == 0 {
		return nil
	}
	recs := make([]memory.Record, len(runs))
	for i := range runs {
		recs[i] = runs[i].record()
	}
	return s.Upsert(ctx, recs)
}

// Runs lists the recorded language agent runs of a project ("" for all).
func Runs(ctx context.Context, s memory.Store, project string) ([]Run, error) {
	recs, err := list(ctx, s, KindLLMRun, memory.Filter{Project: project})
	if err != nil {
		return nil, err
	}
	out := make([]Run, len(recs))
	for i := range recs {
		out[i] = runOf(&recs[i])
	}
	return out, nil
}

// AgentUsage is what `dataops memory stats` shows of one language agent: its runs, what they
// cost, how they ended, and what the team did with what it proposed.
type AgentUsage struct {
	Agent           string  `json:"agent"`
	Runs            int     `json:"runs"`
	Calls           int     `json:"calls"`
	InputTokens     int     `json:"input_tokens"`
	OutputTokens    int     `json:"output_tokens"`
	Cost            float64 `json:"cost_usd"`
	MedianLatencyMS int64   `json:"median_latency_ms"`
	OK              int     `json:"ok"`
	BudgetSpent     int     `json:"budget_spent"`
	Failed          int     `json:"failed"`
	Kept            int     `json:"kept"`
	Dropped         int     `json:"dropped"`
	// Proposals are the recorded proposals the agent wrote, with their outcomes.
	Proposals Count `json:"proposals"`
}

// TallyLLM sums the runs by agent and counts the proposals each language agent wrote.
func TallyLLM(runs []Run, ps []Proposal) []AgentUsage {
	by := map[string]*AgentUsage{}
	lat := map[string][]time.Duration{}
	get := func(a string) *AgentUsage {
		if by[a] == nil {
			by[a] = &AgentUsage{Agent: a}
		}
		return by[a]
	}
	for _, r := range runs {
		u := get(r.Agent)
		u.Runs++
		u.Calls += r.Calls
		u.InputTokens += r.Input
		u.OutputTokens += r.Output
		u.Cost += r.Cost
		u.OK += r.OK
		u.BudgetSpent += r.BudgetSpent
		u.Failed += r.Fallback
		u.Kept += r.Kept
		u.Dropped += r.Dropped
		lat[r.Agent] = append(lat[r.Agent], r.Latency)
	}
	for _, p := range ps {
		if p.LLM != "" {
			get(p.LLM).Proposals.add(p.State)
		}
	}
	out := make([]AgentUsage, 0, len(by))
	for a, u := range by {
		if l := lat[a]; len(l) > 0 {
			sort.Slice(l, func(i, j int) bool { return l[i] < l[j] })
			m := l[len(l)/2]
			if len(l)%2 == 0 {
				m = (l[len(l)/2-1] + l[len(l)/2]) / 2
			}
			u.MedianLatencyMS = m.Milliseconds()
		}
		out = append(out, *u)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Agent < out[j].Agent })
	return out
}

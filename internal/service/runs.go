package service

import (
	"context"
	"encoding/json"
	"sort"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Run states.
const (
	StateQueued     = "queued"
	StateRunning    = "running"
	StateDone       = "done"
	StateRetrying   = "retrying"
	StateDead       = "dead"
	StateSuperseded = "superseded"
	StateDuplicate  = "duplicate"
	StateRefused    = "refused"
	StateDropped    = "dropped" // its installation was deleted or suspended
)

// Run is one job's record for the dashboard.
type Run struct {
	Job      string        `json:"job"`
	Kind     string        `json:"kind"`
	Repo     string        `json:"repo"` // owner/name
	PR       int           `json:"pr"`
	Head     string        `json:"head"`
	State    string        `json:"state"`
	Attempts int64         `json:"attempts"`
	Started  time.Time     `json:"started"`
	Duration time.Duration `json:"duration"`
	Findings int           `json:"findings"`
	// LLMTokens and LLMCostUSD are the run's language-model account (0 without an llm section).
	LLMTokens  int64   `json:"llm_tokens,omitempty"`
	LLMCostUSD float64 `json:"llm_cost_usd,omitempty"`
	Error      string  `json:"error,omitempty"`
}

// Finding counts one agent's rule in a run.
type Finding struct{ Agent, Rule string }

// recentRuns caps the run list.
const recentRuns = 500

// SaveRun records a run's newest state; the list keeps each job once, newest first.
func (q *Queue) SaveRun(ctx context.Context, r Run) error {
	b, _ := json.Marshal(r)
	_, err := q.R.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, q.k("runs"), r.Job, string(b))
		p.ZAdd(ctx, q.k("runs", "order"), redis.Z{Score: float64(r.Started.UnixMilli()), Member: r.Job})
		return nil
	})
	if err != nil {
		return err
	}
	// Trim the oldest beyond the cap.
	if n, _ := q.R.ZCard(ctx, q.k("runs", "order")).Result(); n > recentRuns {
		old, _ := q.R.ZRange(ctx, q.k("runs", "order"), 0, n-recentRuns-1).Result()
		if len(old) > 0 {
			q.R.HDel(ctx, q.k("runs"), old...)
			q.R.ZRem(ctx, q.k("runs", "order"), anys(old)...)
		}
	}
	return nil
}

func anys(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// Runs returns the newest n runs.
func (q *Queue) Runs(ctx context.Context, n int64) ([]Run, error) {
	ids, err := q.R.ZRevRange(ctx, q.k("runs", "order"), 0, n-1).Result()
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	vals, err := q.R.HMGet(ctx, q.k("runs"), ids...).Result()
	if err != nil {
		return nil, err
	}
	var out []Run
	for _, v := range vals {
		s, ok := v.(string)
		if !ok {
			continue
		}
		var r Run
		if json.Unmarshal([]byte(s), &r) == nil {
			out = append(out, r)
		}
	}
	return out, nil
}

// CountFindings adds a review's findings to the per agent and rule totals.
func (q *Queue) CountFindings(ctx context.Context, fs []Finding) error {
	if len(fs) == 0 {
		return nil
	}
	_, err := q.R.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, f := range fs {
			p.HIncrBy(ctx, q.k("findings"), f.Agent+"/"+f.Rule, 1)
		}
		return nil
	})
	return err
}

// RuleCount is a total of findings.
type RuleCount struct {
	Agent, Rule string
	Count       int64
}

// FindingTotals returns the totals, largest first.
func (q *Queue) FindingTotals(ctx context.Context) ([]RuleCount, error) {
	m, err := q.R.HGetAll(ctx, q.k("findings")).Result()
	if err != nil {
		return nil, err
	}
	var out []RuleCount
	for k, v := range m {
		n, _ := strconv.ParseInt(v, 10, 64)
		agent, rule := k, ""
		for i := 0; i < len(k); i++ {
			if k[i] == '/' {
				agent, rule = k[:i], k[i+1:]
				break
			}
		}
		out = append(out, RuleCount{Agent: agent, Rule: rule, Count: n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Agent+out[i].Rule < out[j].Agent+out[j].Rule
	})
	return out, nil
}

// Proposals records, for a day, edits proposed by reviews and edits accepted by apply.
func (q *Queue) Proposals(ctx context.Context, day time.Time, proposed, accepted int) error {
	d := day.UTC().Format("2006-01-02")
	_, err := q.R.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HIncrBy(ctx, q.k("proposals"), d+":proposed", int64(proposed))
		p.HIncrBy(ctx, q.k("proposals"), d+":accepted", int64(accepted))
		return nil
	})
	return err
}

// DayAcceptance is one day's proposals.
type DayAcceptance struct {
	Day                time.Time
	Proposed, Accepted int64
}

// Acceptance returns the days with proposals, oldest first.
func (q *Queue) Acceptance(ctx context.Context) ([]DayAcceptance, error) {
	m, err := q.R.HGetAll(ctx, q.k("proposals")).Result()
	if err != nil {
		return nil, err
	}
	days := map[string]*DayAcceptance{}
	for k, v := range m {
		if len(k) < 11 {
			continue
		}
		d, what := k[:10], k[11:]
		t, err := time.Parse("2006-01-02", d)
		if err != nil {
			continue
		}
		if days[d] == nil {
			days[d] = &DayAcceptance{Day: t}
		}
		n, _ := strconv.ParseInt(v, 10, 64)
		if what == "proposed" {
			days[d].Proposed = n
		} else {
			days[d].Accepted = n
		}
	}
	var out []DayAcceptance
	for _, d := range days {
		out = append(out, *d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Day.Before(out[j].Day) })
	return out, nil
}

// AddLLM adds a run's language-model use to the totals.
func (q *Queue) AddLLM(ctx context.Context, tokens int64, costUSD float64) error {
	if tokens == 0 && costUSD == 0 {
		return nil
	}
	_, err := q.R.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HIncrBy(ctx, q.k("llm"), "tokens", tokens)
		p.HIncrByFloat(ctx, q.k("llm"), "cost_usd", costUSD)
		return nil
	})
	return err
}

// LLM returns the totals.
func (q *Queue) LLM(ctx context.Context) (tokens int64, costUSD float64, err error) {
	m, err := q.R.HGetAll(ctx, q.k("llm")).Result()
	if err != nil {
		return 0, 0, err
	}
	tokens, _ = strconv.ParseInt(m["tokens"], 10, 64)
	costUSD, _ = strconv.ParseFloat(m["cost_usd"], 64)
	return tokens, costUSD, nil
}

// Reviewed records the head a review was posted for; apply expects the branch there.
func (q *Queue) Reviewed(ctx context.Context, prKey, sha string) error {
	return q.R.HSet(ctx, q.k("reviewed"), prKey, sha).Err()
}

// ReviewedHead is the head of the pull request's last posted review ("" if none).
func (q *Queue) ReviewedHead(ctx context.Context, prKey string) (string, error) {
	v, err := q.R.HGet(ctx, q.k("reviewed"), prKey).Result()
	if err == redis.Nil {
		return "", nil
	}
	return v, err
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

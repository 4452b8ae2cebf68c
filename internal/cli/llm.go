package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"

	"github.com/dataops-dev/dataops/internal/agent"
	"github.com/dataops-dev/dataops/internal/change"
	"github.com/dataops-dev/dataops/internal/config"
	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/llm"
	"github.com/dataops-dev/dataops/internal/llm/anthropic"
	"github.com/dataops-dev/dataops/internal/llm/bedrock"
	"github.com/dataops-dev/dataops/internal/llm/openai"
	"github.com/dataops-dev/dataops/internal/memory"
	"github.com/dataops-dev/dataops/internal/memory/stm"
	"github.com/dataops-dev/dataops/internal/review"
	"github.com/dataops-dev/dataops/internal/schema"
	"github.com/dataops-dev/dataops/internal/warehouse"
	"github.com/dataops-dev/dataops/internal/warehouse/runner"
)

// llmRun is the language side of one command: the client, the run's budget and account, and
// the orchestrator with the engine's facts. A nil *llmRun (no llm section) does nothing, so
// every command runs exactly as it does without one.
type llmRun struct {
	env     *Env
	cfg     config.LLM
	client  *llm.Client
	meter   *llm.Meter
	budget  *agent.Budget
	orch    *agent.Orchestrator
	plan    agent.Plan
	closers []func()
}

// llmHooks let eval record or replay the provider's exchanges and read each run's account.
type llmHooks struct {
	transport http.RoundTripper
	baseURL   string // replaces the settings' base_url (a replay server)
	report    func(*llm.Meter, []agent.Outcome)
}

// llmOptions are what a command knows when it opens the language side.
type llmOptions struct {
	project *dbt.Project
	columns map[string]*change.ModelColumns
	change  *change.ChangeSet
	changed map[string]map[int]bool
	pf      *projectFlags
	prText  string
	// transport, when set, carries the requests (eval's recorder and replays).
	transport http.RoundTripper
}

// openLLM builds the run from the trusted settings, or returns nil when no provider is set.
// A provider that cannot be set up is a warning and the command goes on without it.
func openLLM(env *Env, settings *config.Config, o llmOptions) *llmRun {
	if settings == nil || !settings.LLM.Enabled() {
		return nil
	}
	c := settings.LLM
	r := &llmRun{env: env, cfg: c, meter: &llm.Meter{}, budget: agent.NewBudget(c.BudgetTokens)}
	if h := env.llmHooks; h != nil && o.transport == nil {
		o.transport = h.transport
	}
	provider, endpoint, err := r.provider(o.transport)
	if err != nil {
		fmt.Fprintf(env.Stderr, "dataops: warning: llm: %v; the review is the deterministic one\n", err)
		return nil
	}
	redact := agent.NewRedactor(env.Secrets)
	r.client = &llm.Client{Provider: provider, Endpoint: endpoint, Model: c.Model, MaxTokens: c.MaxTokens, Timeout: c.Timeout,
		Prices: llm.Prices{Input: c.PriceInput, Output: c.PriceOutput}, Meter: r.meter, Redact: redact}
	if c.Cache && o.project != nil {
		r.client.Cache = &llm.Cache{Root: o.project.Root, Dir: c.CacheDir}
	}
	facts := &agent.Facts{Project: o.project, Columns: o.columns, Change: o.change, Changed: o.changed, SampleRows: c.SampleRows}
	if o.pf != nil && o.project != nil && builtDuckDB(env, o.pf, o.project) {
		if wh, target, err := openWarehouse(env, o.pf, o.project); err == nil {
			facts.Sampler = &sampler{wh: wh, p: o.project, target: target}
			r.closers = append(r.closers, func() { wh.Close() })
		}
	}
	if o.project != nil {
		if k, err := openKnowledge(env, &settings.Memory, o.project.Root, false); err == nil && k != nil {
			facts.Memory = &searcher{k: k}
			r.closers = append(r.closers, func() { k.Close() })
		}
	}
	var state stm.Store
	if s, err := openWorkflowState(env, &settings.Memory); err == nil {
		state = s
		r.closers = append(r.closers, func() { s.Close() })
	}
	run := "llm"
	if o.change != nil {
		run += ":" + o.change.BaseRef + ".." + o.change.HeadRef
	}
	r.orch = &agent.Orchestrator{Runtime: &agent.Runtime{Client: r.client, Budget: r.budget, Steps: c.MaxSteps, Time: c.AgentTime},
		Facts: facts, State: state, Run: run, MinScore: c.MinScore, By: c.Model, Redact: redact, PRText: o.prText, On: c.AgentOn}
	r.plan = r.orch.Plan(env.Ctx)
	return r
}

// provider makes the configured provider on an HTTP client that retries 429 and 5xx.
func (r *llmRun) provider(transport http.RoundTripper) (llm.Provider, string, error) {
	c, env := r.cfg, r.env
	hc := &http.Client{Transport: &llm.Retry{Base: transport, MaxAttempts: c.MaxAttempts}}
	key := func(def string) string {
		name := c.APIKeyEnv
		if name == "" {
			name = def
		}
		return secretFromEnv(env, name)
	}
	if h := env.llmHooks; h != nil && h.baseURL != "" {
		c.BaseURL = h.baseURL
	}
	base := func(def string) string {
		if c.BaseURL != "" {
			return c.BaseURL
		}
		if v := env.Getenv(def); v != "" {
			return v
		}
		return ""
	}
	switch c.Provider {
	case "openai":
		u := base("OPENAI_BASE_URL")
		if u == "" {
			u = openai.DefaultBaseURL
		}
		return openai.New(openai.Config{BaseURL: u, APIKey: key("OPENAI_API_KEY"), Stream: c.Stream, HTTP: hc}), u, nil
	case "anthropic":
		u := base("ANTHROPIC_BASE_URL")
		if u == "" {
			u = anthropic.DefaultBaseURL
		}
		return anthropic.New(anthropic.Config{BaseURL: u, APIKey: key("ANTHROPIC_API_KEY"), HTTP: hc}), u, nil
	case "bedrock":
		p, err := bedrock.New(env.Ctx, bedrock.Config{Region: c.Region, Endpoint: c.BaseURL, HTTP: hc})
		return p, "bedrock:" + c.Region + ":" + c.BaseURL, err
	}
	return nil, "", fmt.Errorf("unknown provider %q", c.Provider)
}

// describer is the Schema Synthesizer's agent, nil when it has nothing to do.
func (r *llmRun) describer() schema.Describer {
	if r == nil {
		return nil
	}
	return r.orch.Describer(r.plan)
}

// narrate adds the summary and risks to a review.
func (r *llmRun) narrate(rv *review.Review, changed map[string]map[int]bool) {
	if r == nil {
		return
	}
	review.Narrate(r.env.Ctx, rv, r.orch.Narrator(r.plan), changed)
}

// close reports the run's account on stderr and releases what the run opened.
func (r *llmRun) close() {
	if r == nil {
		return
	}
	for _, f := range r.closers {
		f()
	}
	r.orch.Close(context.Background())
	spent := false
	for _, oc := range r.orch.Outcomes() {
		spent = spent || oc.Error == agent.ErrBudget.Error()
	}
	defer func() {
		if spent {
			fmt.Fprintf(r.env.Stderr, "dataops: llm: the run's token budget (llm.budget_tokens %d) is spent: the agents stopped there\n", r.cfg.BudgetTokens)
		}
	}()
	if h := r.env.llmHooks; h != nil && h.report != nil {
		h.report(r.meter, r.orch.Outcomes())
	}
	tot := r.meter.Total()
	if tot.Calls == 0 {
		return
	}
	var parts []string
	for _, a := range r.meter.Agents() {
		t := r.meter.ByAgent()[a]
		parts = append(parts, fmt.Sprintf("%s %d call(s) %d tokens", a, t.Calls, t.Usage.Total()))
	}
	msg := fmt.Sprintf("llm: %s, %d call(s) (%d cached, %d failed), %d tokens", r.cfg.Model, tot.Calls, tot.Cached, tot.Failed, tot.Usage.Total())
	if r.cfg.PriceInput > 0 || r.cfg.PriceOutput > 0 {
		msg += fmt.Sprintf(", $%.4f", tot.Cost)
	}
	fmt.Fprintf(r.env.Stderr, "dataops: %s; %s\n", msg, strings.Join(parts, "; "))
}

// sampler reads a few distinct values of a column on the warehouse, read-only.
type sampler struct {
	wh     warehouse.Warehouse
	p      *dbt.Project
	target *warehouse.Target
}

func (s *sampler) Sample(ctx context.Context, id, column string, limit int) ([]string, error) {
	n := s.p.Nodes[id]
	if n == nil {
		return nil, fmt.Errorf("%s is not built on the warehouse", id)
	}
	col := s.wh.Quote(column)
	q := fmt.Sprintf("select distinct %s from %s where %s is not null limit %d", col, s.wh.Render(runner.Relation(s.p, s.target, n)), col, limit)
	rows, err := s.wh.Query(ctx, q, limit)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, row := range rows.Values {
		if len(row) > 0 {
			out = append(out, fmt.Sprint(row[0]))
		}
	}
	return out, nil
}

// searcher retrieves from the long-term memory.
type searcher struct{ k *knowledge }

func (s *searcher) Search(ctx context.Context, query, model, column string, limit int) ([]string, error) {
	q := memory.Query{Text: query, Limit: limit}
	if vs, err := s.k.Embedder.Embed(ctx, []string{query}); err == nil && len(vs) == 1 {
		q.Vector = vs[0]
	}
	hits, err := s.k.Store.Query(ctx, q)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, h := range hits {
		out = append(out, h.Text)
	}
	return out, nil
}

// prText is the pull request's title and description inside GitHub Actions (untrusted text
// the narrator reads as data), or "".
func prText(env *Env) string {
	path := env.Getenv("GITHUB_EVENT_PATH")
	if env.Getenv("GITHUB_ACTIONS") != "true" || path == "" {
		return ""
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	var ev struct {
		PullRequest *struct {
			Title string `json:"title"`
			Body  string `json:"body"`
		} `json:"pull_request"`
	}
	if json.Unmarshal(data, &ev) != nil || ev.PullRequest == nil {
		return ""
	}
	return ev.PullRequest.Title + "\n\n" + ev.PullRequest.Body
}

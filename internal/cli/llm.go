package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/dataops-dev/dataops/internal/agent"
	"github.com/dataops-dev/dataops/internal/change"
	"github.com/dataops-dev/dataops/internal/config"
	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/fsconfine"
	"github.com/dataops-dev/dataops/internal/lazyregexp"
	"github.com/dataops-dev/dataops/internal/learn"
	"github.com/dataops-dev/dataops/internal/llm"
	"github.com/dataops-dev/dataops/internal/llm/anthropic"
	"github.com/dataops-dev/dataops/internal/llm/bedrock"
	"github.com/dataops-dev/dataops/internal/llm/openai"
	"github.com/dataops-dev/dataops/internal/memory"
	"github.com/dataops-dev/dataops/internal/memory/stm"
	"github.com/dataops-dev/dataops/internal/review"
	"github.com/dataops-dev/dataops/internal/schema"
	"github.com/dataops-dev/dataops/internal/testgen"
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
	// runs, when the project has a memory store, receives each agent's account at close.
	runs memory.Store
	// wh is the warehouse the describer samples, shared with the command: DuckDB takes one
	// connection per process.
	wh      warehouse.Warehouse
	target  *warehouse.Target
	project *dbt.Project
	dir     string // the project's folder (git runs there)
	command string
	scope   learn.Proposal // repository, pull request and head of the run, where known
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
	// command names the run in the accounts kept in memory (review, schema, tests).
	command string
	// repository, pr and head name the pull request the run reviews, when the command knows
	// it (a review posting to GitHub); else the accounts read them from git.
	repository, pr, head string
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
			r.wh, r.target = wh, target
			r.closers = append(r.closers, func() { wh.Close() })
		}
	}
	if o.project != nil {
		if k, err := openKnowledge(env, &settings.Memory, o.project.Root, false); err == nil && k != nil {
			facts.Memory = &searcher{k: k}
			r.runs, r.project, r.command = k.Store, o.project, o.command
			r.scope = learn.Proposal{Repository: o.repository, PR: o.pr, Head: o.head}
			if o.pf != nil {
				r.dir = o.pf.Project
			}
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

// warehouse is the warehouse the run holds open (nil when none): the command uses it rather
// than opening a second connection.
func (r *llmRun) warehouse() (warehouse.Warehouse, *warehouse.Target) {
	if r == nil {
		return nil, nil
	}
	return r.wh, r.target
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
		return openai.New(openai.Config{BaseURL: u, APIKey: key("OPENAI_API_KEY"), Stream: c.Stream, HTTP: hc,
			Organization: env.Getenv("OPENAI_ORG_ID"), Project: env.Getenv("OPENAI_PROJECT_ID")}), u, nil
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

// ruleTests adds to res the business-rule tests the documents state about the models in
// scope (scopeColumns narrows a model to the columns a change touched), as unverified
// suggestions marked as the language model's: the caller's confirmation runs them on data
// like any other. Each passed the rules agent's checks: the model and column exist, the cited
// sentence holds the values and names, the test compiles.
func (r *llmRun) ruleTests(p *dbt.Project, res *testgen.Result, scope map[string]bool, scopeColumns map[string]map[string]bool) {
	if r == nil {
		return
	}
	has := func(id, column, test string) bool {
		name := learn.TestName(test)
		for _, s := range res.Suggestions {
			if s.UniqueID == id && strings.EqualFold(s.Column, column) && learn.TestName(s.Test) == name {
				return true
			}
		}
		n := p.Nodes[id]
		if n == nil {
			return false
		}
		for _, t := range p.Nodes {
			if tm := t.TestMeta; tm != nil && tm.AttachedNode == id && strings.EqualFold(tm.ColumnName, column) && learn.TestName(tm.Name) == name {
				return true
			}
		}
		for _, c := range n.Columns {
			if !strings.EqualFold(c.Name, column) {
				continue
			}
			for _, t := range c.Tests {
				if learn.TestName(t.Name) == name {
					return true
				}
			}
		}
		return false
	}
	compile := func(t agent.RuleTest) error {
		_, err := runner.CompileTest(p, nil, ruleSpec(t.UniqueID, t.Column, t.Test, t.Arguments))
		return err
	}
	ruler := r.orch.Ruler(r.plan, declaresDbtUtils(p), compile, has)
	if ruler == nil {
		return
	}
	var models []agent.RuleModel
	for id := range scope {
		if n := p.Nodes[id]; n != nil && n.ResourceType == dbt.Model {
			models = append(models, agent.RuleModel{UniqueID: id, Columns: scopeColumns[id]})
		}
	}
	if len(scope) == 0 {
		for id, n := range p.Nodes {
			if n.ResourceType == dbt.Model && n.Package == p.Name {
				models = append(models, agent.RuleModel{UniqueID: id})
			}
		}
	}
	got, notes := ruler.Propose(r.env.Ctx, models)
	for _, n := range notes {
		fmt.Fprintf(r.env.Stderr, "dataops: llm: %s\n", n)
	}
	for _, t := range got {
		s := &testgen.Suggestion{Model: t.Model, UniqueID: t.UniqueID, Column: t.Column, Test: t.Test, Arguments: t.Arguments,
			Confidence: 0.6, Status: testgen.Unverified, Source: testgen.SourceLLM,
			Reasons: []string{fmt.Sprintf("%s states it: %q (read by the language model %s)", t.Source, clipQuote(t.Quote, 200), r.cfg.Model)}}
		// Where the column is declared, else selected, else the model's file.
		if c := r.orch.Facts.Columns[t.UniqueID].Find(t.Column); c != nil && c.Pos.Path != "" {
			s.Pos = c.Pos
		}
		if n := p.Nodes[t.UniqueID]; n != nil {
			for _, c := range n.Columns {
				if strings.EqualFold(c.Name, t.Column) && c.Pos.Path != "" {
					s.Pos = c.Pos
				}
			}
			if s.Pos.Path == "" {
				s.Pos = dbt.Pos{Path: n.OriginalFilePath, Line: 1, Column: 1}
			}
		}
		res.Suggestions = append(res.Suggestions, s)
	}
}

// ruleSpec is a proposed test as the runner takes it.
func ruleSpec(id, column, test string, args map[string]any) runner.TestSpec {
	spec := runner.TestSpec{Name: test, Attached: id, Column: column, Kwargs: map[string]any{}}
	for k, v := range args {
		spec.Kwargs[k] = v
	}
	if column != "" {
		spec.Kwargs["column_name"] = column
	}
	return spec
}

// declaresDbtUtils reports whether the project has dbt_utils installed or declared in
// packages.yml (or dependencies.yml): only then are ranges and conditions tests it can run.
func declaresDbtUtils(p *dbt.Project) bool {
	for _, pk := range p.Packages {
		if pk.Name == "dbt_utils" {
			return true
		}
	}
	for _, f := range []string{"packages.yml", "dependencies.yml"} {
		if data, err := fsconfine.ReadFile(p.Root, f); err == nil && dbtUtilsPackage.Match(data) {
			return true
		}
	}
	return false
}

var dbtUtilsPackage = lazyregexp.New(`(?m)^\s*-?\s*(package|git|local)\s*:\s*["']?[^\n]*dbt[-_]utils`)

func clipQuote(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
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
	r.recordRuns()
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

// recordRuns keeps in memory, per agent that ran, the run's calls, tokens, cost, latency and
// how its tasks ended, for `dataops memory stats`. A failure to record costs only the record.
func (r *llmRun) recordRuns() {
	if r.runs == nil {
		return
	}
	by := r.meter.ByAgent()
	runs := map[string]*learn.Run{}
	get := func(a string) *learn.Run {
		if runs[a] == nil {
			runs[a] = &learn.Run{Command: r.command, Agent: a, Provider: r.cfg.Provider, Model: r.cfg.Model}
		}
		return runs[a]
	}
	for a, t := range by {
		run := get(a)
		run.Calls, run.Cached, run.Failed = t.Calls, t.Cached, t.Failed
		run.Input, run.Output, run.Cost, run.Latency = t.Usage.InputTokens, t.Usage.OutputTokens, t.Cost, t.Latency
	}
	for _, oc := range r.orch.Outcomes() {
		if oc.Steps == 0 && by[oc.Agent].Calls == 0 {
			continue // the agent had nothing to ask
		}
		run := get(oc.Agent)
		switch {
		case oc.Status != "fallback":
			run.OK++
		case oc.Error == agent.ErrBudget.Error():
			run.BudgetSpent++
		default:
			run.Fallback++
		}
		run.Kept += oc.Kept
		run.Dropped += oc.Dropped
	}
	if len(runs) == 0 {
		return
	}
	ctx := r.env.Ctx
	repo, head := r.scope.Repository, r.scope.Head
	if repo == "" {
		repo = learn.RepositoryName(ctx, r.dir)
	}
	if head == "" {
		head = learn.Commit(ctx, r.dir, "HEAD")
	}
	now := time.Now().UTC()
	var out []learn.Run
	for _, a := range slices.Sorted(maps.Keys(runs)) {
		run := runs[a]
		run.Repository, run.PR, run.Head, run.Project, run.Time = repo, r.scope.PR, head, rootPackageName(r.project), now
		out = append(out, *run)
	}
	if err := learn.RecordRuns(ctx, r.runs, out); err != nil {
		fmt.Fprintf(r.env.Stderr, "dataops: warning: memory: recording the language model's runs: %v\n", err)
	}
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

// Passages retrieves the documents, playbook rules and descriptions a rule may be stated in,
// each with the file and line it was ingested from.
func (s *searcher) Passages(ctx context.Context, query string, limit int) ([]agent.Passage, error) {
	q := memory.Query{Text: query, Limit: limit, Filter: memory.Filter{Kinds: []memory.Kind{memory.KindDocChunk,
		memory.KindPlaybookRule, memory.KindColumnDoc, memory.KindModelDoc}}}
	if vs, err := s.k.Embedder.Embed(ctx, []string{query}); err == nil && len(vs) == 1 {
		q.Vector = vs[0]
	}
	hits, err := s.k.Store.Query(ctx, q)
	if err != nil {
		return nil, err
	}
	var out []agent.Passage
	for _, h := range hits {
		src := h.Metadata.Source
		if h.Metadata.Line > 0 {
			src = fmt.Sprintf("%s:%d", src, h.Metadata.Line)
		}
		out = append(out, agent.Passage{Source: src, Text: h.Text})
	}
	return out, nil
}

func (s *searcher) Search(ctx context.Context, query, model, column string, limit int) ([]string, error) {
	// Every kind of knowledge, not the accounts of earlier runs.
	q := memory.Query{Text: query, Limit: limit, Filter: memory.Filter{Kinds: []memory.Kind{memory.KindDocChunk, memory.KindModelDoc,
		memory.KindColumnDoc, memory.KindTest, memory.KindReviewComment, memory.KindPlaybookRule, memory.KindProposal, memory.KindOutcome}}}
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

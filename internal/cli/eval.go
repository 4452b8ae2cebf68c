package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/spf13/cobra"

	"github.com/dataops-dev/dataops/internal/agent"
	"github.com/dataops-dev/dataops/internal/config"
	"github.com/dataops-dev/dataops/internal/llm"
	"github.com/dataops-dev/dataops/internal/llm/llmtest"
	"github.com/dataops-dev/dataops/internal/review"
)

func init() { register(newEvalCmd) }

type evalFlags struct {
	cases    string
	record   bool
	replay   bool
	stub     bool
	format   string
	provider string
	model    string
	baseURL  string
}

func newEvalCmd(env *Env) *cobra.Command {
	ef := &evalFlags{}
	cmd := &cobra.Command{
		Use:   "eval --cases DIR [--record | --replay]",
		Short: "Measure the language agents on changes a team already reviewed: description F1, risks on the lines humans commented, acceptance, tokens, latency, cost",
		Long: `eval runs the review, with its language agents, on each case of DIR: a folder with a case.json
naming the change (base and project directories, relative to the case) and what the humans did
(the descriptions they wrote, the review comments they left). It prints, per case and in total:
the token F1 of the model's descriptions against the humans' words, how many risks the model
proposed and how many passed the guardrails, how many of those sit on lines a human commented,
the share of proposals the humans' own work confirms (accepted), and tokens, latency and cost.

The provider and model are the cases' own llm settings unless --provider, --model and
--base-url say otherwise (keys come from the vendors' usual environment variables). --record
saves each case's HTTP exchanges as transcript.json; --replay answers them from that file
through an in-process server that checks every request as the provider's API does (no
network, no key): what CI runs.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runEval(env, ef) },
	}
	f := cmd.Flags()
	f.StringVar(&ef.cases, "cases", "", "directory of eval cases (each a folder with case.json)")
	f.BoolVar(&ef.record, "record", false, "save each case's provider exchanges as transcript.json")
	f.BoolVar(&ef.replay, "replay", false, "answer from each case's transcript.json through an in-process server, offline")
	f.BoolVar(&ef.stub, "stub", false, "answer with the built-in stub model through an in-process server (a baseline; measures overhead without a provider)")
	f.StringVar(&ef.format, "format", "text", "output format: text or json")
	f.StringVar(&ef.provider, "provider", "", "provider to evaluate (openai, anthropic, bedrock) instead of the cases' settings")
	f.StringVar(&ef.model, "model", "", "model to evaluate instead of the cases' settings")
	f.StringVar(&ef.baseURL, "base-url", "", "API root of the provider (an OpenAI-compatible server, a proxy)")
	return cmd
}

// evalCase is case.json.
type evalCase struct {
	Base    string `json:"base"`
	Project string `json:"project"`
	// Settings, when given, is the .dataops.yml both sides get (the llm section to evaluate).
	Settings string `json:"settings"`
	// Descriptions are the humans' words, by "model.column".
	Descriptions map[string]string `json:"descriptions"`
	// Comments are the humans' review comments.
	Comments []struct {
		Path string `json:"path"`
		Line int    `json:"line"`
		Body string `json:"body"`
	} `json:"comments"`
}

// evalResult is one case's measures.
type evalResult struct {
	Case              string  `json:"case"`
	DescriptionsAsked int     `json:"descriptions_asked"`
	DescriptionsKept  int     `json:"descriptions_kept"`
	DescriptionF1     float64 `json:"description_f1"`
	RisksProposed     int     `json:"risks_proposed"`
	RisksKept         int     `json:"risks_kept"`
	RisksOnHumanLines int     `json:"risks_on_human_lines"`
	Proposals         int     `json:"proposals"`
	Accepted          int     `json:"accepted"`
	Calls             int     `json:"calls"`
	Tokens            int     `json:"tokens"`
	CostUSD           float64 `json:"cost_usd"`
	LatencyMS         int64   `json:"latency_ms"`
	ChangedModels     int     `json:"changed_models"`
	Error             string  `json:"error,omitempty"`
}

func runEval(env *Env, ef *evalFlags) error {
	if ef.cases == "" {
		return usageError("eval needs --cases DIR")
	}
	if ef.record && ef.replay || ef.stub && ef.replay {
		return usageError("--replay goes with neither --record nor --stub")
	}
	if ef.format != "text" && ef.format != "json" {
		return usageError("--format: want text or json, got %q", ef.format)
	}
	entries, err := os.ReadDir(ef.cases)
	if err != nil {
		return usageError("--cases: %v", err)
	}
	var names []string
	for _, e := range entries {
		if _, err := os.Stat(filepath.Join(ef.cases, e.Name(), "case.json")); e.IsDir() && err == nil {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	if len(names) == 0 {
		return usageError("--cases %s: no folder with a case.json", ef.cases)
	}
	var results []evalResult
	for _, name := range names {
		r, err := evalOne(env, ef, filepath.Join(ef.cases, name))
		r.Case = name
		if err != nil {
			r.Error = err.Error()
		}
		results = append(results, r)
	}
	if err := printEval(env.Stdout, ef.format, results); err != nil {
		return err
	}
	for _, r := range results {
		if r.Error != "" {
			return silentExit(ExitFindings)
		}
	}
	return nil
}

func evalOne(env *Env, ef *evalFlags, dir string) (evalResult, error) {
	var res evalResult
	data, err := os.ReadFile(filepath.Join(dir, "case.json"))
	if err != nil {
		return res, err
	}
	var c evalCase
	if err := json.Unmarshal(data, &c); err != nil {
		return res, fmt.Errorf("case.json: %v", err)
	}
	work, err := os.MkdirTemp("", "dataops-eval-")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(work)
	base, project := filepath.Join(work, "base"), filepath.Join(work, "project")
	for _, side := range []struct{ from, to string }{{c.Base, base}, {c.Project, project}} {
		if err := copyCase(filepath.Join(dir, side.from), side.to); err != nil {
			return res, err
		}
	}
	if c.Settings != "" {
		for _, d := range []string{base, project} {
			if err := os.WriteFile(filepath.Join(d, config.FileName), []byte(c.Settings), 0o644); err != nil {
				return res, err
			}
		}
	}
	settings, err := config.Load(config.Options{Dir: project, Getenv: func(string) (string, bool) { return "", false }})
	if err != nil {
		return res, err
	}
	overrides := map[string]string{}
	for k, v := range map[string]string{"DATAOPS_LLM_PROVIDER": ef.provider, "DATAOPS_LLM_MODEL": ef.model, "DATAOPS_LLM_BASE_URL": ef.baseURL} {
		if v != "" {
			overrides[k] = v
		}
	}
	provider, model := settings.LLM.Provider, settings.LLM.Model
	if ef.provider != "" {
		provider = ef.provider
	}
	if ef.model != "" {
		model = ef.model
	}
	hooks := &llmHooks{}
	var account struct {
		meter    *llm.Meter
		outcomes []agent.Outcome
	}
	hooks.report = func(m *llm.Meter, o []agent.Outcome) { account.meter, account.outcomes = m, o }
	var recorder *llm.Recorder
	switch {
	case ef.replay:
		tr, err := llm.ReadTranscript(filepath.Join(dir, "transcript.json"))
		if err != nil {
			return res, fmt.Errorf("--replay: %v", err)
		}
		const key = "replay-key"
		var srv *llmtest.Server
		switch tr.Provider {
		case "openai":
			srv = llmtest.NewOpenAI(key)
			hooks.baseURL = srv.URL + "/v1"
			overrides["OPENAI_API_KEY"] = key
		case "anthropic":
			srv = llmtest.NewAnthropic(key)
			hooks.baseURL = srv.URL
			overrides["ANTHROPIC_API_KEY"] = key
		default:
			return res, fmt.Errorf("--replay: transcripts of %q are replayed in tests only", tr.Provider)
		}
		defer srv.Close()
		srv.Replay(tr)
		overrides["DATAOPS_LLM_PROVIDER"], overrides["DATAOPS_LLM_MODEL"] = tr.Provider, tr.Model
		provider, model = tr.Provider, tr.Model
		defer func() {
			if p := srv.Problems(); len(p) > 0 {
				res.Error = "replay: " + strings.Join(p, "; ")
			}
		}()
	case ef.stub:
		const key = "stub-key"
		srv := llmtest.NewOpenAI(key)
		defer srv.Close()
		srv.Handle(llmtest.Stub)
		hooks.baseURL = srv.URL + "/v1"
		overrides["OPENAI_API_KEY"] = key
		overrides["DATAOPS_LLM_PROVIDER"] = "openai"
		provider = "openai"
		if ef.record {
			recorder = llm.NewRecorder(nil, "/v1/", provider, model)
			hooks.transport = recorder
		}
	case ef.record:
		basePath := "/v1/"
		if provider != "openai" {
			basePath = "/"
		}
		recorder = llm.NewRecorder(nil, basePath, provider, model)
		hooks.transport = recorder
	}
	var out, errb bytes.Buffer
	child := &Env{Ctx: env.Ctx, Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Secrets: env.Secrets, llmHooks: hooks,
		Getenv: func(k string) string {
			if v, ok := overrides[k]; ok {
				return v
			}
			return env.Getenv(k)
		}}
	code := RunEnv(child, []string{"review", "--format", "json", "--no-history", "--fail-on", "never", "--project", project, "--base-dir", base})
	if recorder != nil {
		if err := writeAtomic(filepath.Join(dir, "transcript.json"), recorder.Transcript().JSON()); err != nil {
			return res, err
		}
	}
	if code != 0 {
		return res, fmt.Errorf("review exited %d: %s", code, strings.TrimSpace(errb.String()))
	}
	var rv review.Review
	if err := json.Unmarshal(out.Bytes(), &rv); err != nil {
		return res, fmt.Errorf("review output: %v", err)
	}
	res.ChangedModels = len(rv.Changes)
	if account.meter != nil {
		t := account.meter.Total()
		res.Calls, res.Tokens, res.CostUSD, res.LatencyMS = t.Calls, t.Usage.Total(), t.Cost, t.Latency.Milliseconds()
	}
	scoreEval(&res, &c, &rv, account.outcomes, project)
	return res, nil
}

// scoreEval compares what the agents proposed with what the humans did.
func scoreEval(res *evalResult, c *evalCase, rv *review.Review, outcomes []agent.Outcome, project string) {
	for _, o := range outcomes {
		switch o.Agent {
		case agent.AgentDescribe:
			res.DescriptionsKept += o.Kept
		case agent.AgentReview:
			res.RisksProposed += o.Kept + o.Dropped
		}
	}
	// The model's descriptions, as the edits write them.
	proposed := map[string]string{}
	for _, e := range rv.Edits {
		var doc struct {
			Models []struct {
				Name    string `yaml:"name"`
				Columns []struct {
					Name        string            `yaml:"name"`
					Description string            `yaml:"description"`
					Meta        map[string]string `yaml:"meta"`
				} `yaml:"columns"`
			} `yaml:"models"`
		}
		if yaml.Unmarshal([]byte(editNew(e, project)), &doc) != nil {
			continue
		}
		for _, m := range doc.Models {
			for _, col := range m.Columns {
				if col.Meta["description_from"] == "llm" {
					proposed[strings.ToLower(m.Name+"."+col.Name)] = col.Description
				}
			}
		}
	}
	res.DescriptionsAsked = len(c.Descriptions)
	var f1 float64
	// In a fixed order: a float sum depends on it, and the pinned measures must not.
	for _, key := range slices.Sorted(maps.Keys(c.Descriptions)) {
		human := c.Descriptions[key]
		got, ok := proposed[strings.ToLower(key)]
		if !ok {
			continue
		}
		s := tokenF1(got, human)
		f1 += s
		res.Proposals++
		if s >= 0.5 {
			res.Accepted++
		}
	}
	if res.DescriptionsAsked > 0 {
		res.DescriptionF1 = f1 / float64(res.DescriptionsAsked)
	}
	for _, f := range rv.Findings {
		if f.Rule != review.RuleLogicRisk {
			continue
		}
		res.RisksKept++
		res.Proposals++
		for _, h := range c.Comments {
			if h.Path == f.Path && abs(h.Line-f.Line) <= 2 {
				res.RisksOnHumanLines++
				res.Accepted++
				break
			}
		}
	}
}

// editNew is an edit's new content (the review's JSON does not carry it: read the diff).
func editNew(e review.Edit, project string) string {
	old, _ := os.ReadFile(filepath.Join(project, e.Path))
	return applyDiff(string(old), e.Diff)
}

// applyDiff applies a unified diff of the kind yamledit.Diff writes.
func applyDiff(old, diff string) string {
	oldLines := strings.SplitAfter(old, "\n")
	var out strings.Builder
	i := 0
	for _, l := range strings.SplitAfter(diff, "\n") {
		switch {
		case strings.HasPrefix(l, "---"), strings.HasPrefix(l, "+++"), l == "":
		case strings.HasPrefix(l, "@@"):
			var a int
			fmt.Sscanf(l, "@@ -%d", &a)
			for i < a-1 && i < len(oldLines) {
				out.WriteString(oldLines[i])
				i++
			}
		case l[0] == '+':
			out.WriteString(l[1:])
		case l[0] == '-':
			i++
		case l[0] == ' ':
			out.WriteString(l[1:])
			i++
		}
	}
	for ; i < len(oldLines); i++ {
		out.WriteString(oldLines[i])
	}
	return out.String()
}

// tokenF1 compares the words of two descriptions (stopwords dropped, identifiers split).
func tokenF1(got, want string) float64 {
	g, w := agent.Words(got), agent.Words(want)
	if len(g) == 0 || len(w) == 0 {
		return 0
	}
	count := map[string]int{}
	for _, x := range w {
		count[x]++
	}
	common := 0
	for _, x := range g {
		if count[x] > 0 {
			count[x]--
			common++
		}
	}
	if common == 0 {
		return 0
	}
	p, r := float64(common)/float64(len(g)), float64(common)/float64(len(w))
	return 2 * p * r / (p + r)
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

func printEval(w io.Writer, format string, rs []evalResult) error {
	var tot evalResult
	tot.Case = "total"
	f1 := 0.0
	for _, r := range rs {
		tot.DescriptionsAsked += r.DescriptionsAsked
		tot.DescriptionsKept += r.DescriptionsKept
		f1 += r.DescriptionF1 * float64(r.DescriptionsAsked)
		tot.RisksProposed += r.RisksProposed
		tot.RisksKept += r.RisksKept
		tot.RisksOnHumanLines += r.RisksOnHumanLines
		tot.Proposals += r.Proposals
		tot.Accepted += r.Accepted
		tot.Calls += r.Calls
		tot.Tokens += r.Tokens
		tot.CostUSD += r.CostUSD
		tot.LatencyMS += r.LatencyMS
		tot.ChangedModels += r.ChangedModels
	}
	if tot.DescriptionsAsked > 0 {
		tot.DescriptionF1 = f1 / float64(tot.DescriptionsAsked)
	}
	if format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"cases": rs, "total": tot})
	}
	fmt.Fprintf(w, "%-28s %8s %10s %10s %12s %9s %6s %8s %9s %8s %9s\n", "case", "descr F1", "descr kept", "risks kept", "risks@human", "accepted", "calls", "tokens", "tok/model", "llm ms", "cost")
	for _, r := range append(rs, tot) {
		acc := "-"
		if r.Proposals > 0 {
			acc = fmt.Sprintf("%d/%d", r.Accepted, r.Proposals)
		}
		perModel := 0
		if r.ChangedModels > 0 {
			perModel = r.Tokens / r.ChangedModels
		}
		fmt.Fprintf(w, "%-28s %8.2f %10s %10s %12d %9s %6d %8d %9d %8d %9s\n", r.Case, r.DescriptionF1,
			fmt.Sprintf("%d/%d", r.DescriptionsKept, r.DescriptionsAsked), fmt.Sprintf("%d/%d", r.RisksKept, r.RisksProposed),
			r.RisksOnHumanLines, acc, r.Calls, r.Tokens, perModel, r.LatencyMS, fmt.Sprintf("$%.4f", r.CostUSD))
		if r.Error != "" {
			fmt.Fprintf(w, "  error: %s\n", r.Error)
		}
	}
	return nil
}

// copyCase copies a directory tree (a case's base or project) into dst.
func copyCase(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
}

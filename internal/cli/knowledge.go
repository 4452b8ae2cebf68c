package cli

import (
	"bytes"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/dataops-dev/dataops/internal/agent"
	"github.com/dataops-dev/dataops/internal/change"
	"github.com/dataops-dev/dataops/internal/columns"
	"github.com/dataops-dev/dataops/internal/config"
	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/fsconfine"
	"github.com/dataops-dev/dataops/internal/learn"
	"github.com/dataops-dev/dataops/internal/memory/stm"
	"github.com/dataops-dev/dataops/internal/review"
	"github.com/dataops-dev/dataops/internal/schema"
	"github.com/dataops-dev/dataops/internal/testgen"
)

// agentMemory is what one run of schema, tests or review reads from and records in the
// team's memory. A nil *agentMemory (a project without memory) does nothing, so every command
// runs as it does without memory.
type agentMemory struct {
	env     *Env
	k       *knowledge
	project string
	// Who proposals belong to: the repository, the pull request ("" for a local run) and
	// the head commit proposed on.
	repository, pr, head string
	dir                  string // the project's folder in the work tree (git runs there)
	recall               *learn.Recall
	failed               bool
}

// openAgentMemory opens the project's memory for an agent run, or returns nil when the
// project has none. A store that cannot be opened fails the command (exit 2, naming it).
func openAgentMemory(env *Env, m *config.Memory, projectDir string, p *dbt.Project, headRef string) (*agentMemory, error) {
	return startOpeningMemory(env, m, projectDir, headRef).agentMemory(env, p)
}

// openingMemory is the project's memory being opened while the command loads the project:
// opening a large embedded store reads every segment, and the two need not wait for each other.
type openingMemory struct {
	done       chan struct{}
	k          *knowledge
	err        error
	dir        string
	repository string
	head       string
	stderr     bytes.Buffer // what opening said, written when it is waited for
	taken      bool
}

// startOpeningMemory starts opening the memory the settings name, with the repository and
// head commit proposals will be recorded under.
func startOpeningMemory(env *Env, m *config.Memory, projectDir, headRef string) *openingMemory {
	o := &openingMemory{done: make(chan struct{}), dir: projectDir}
	quiet := *env
	quiet.Stderr = &o.stderr
	if headRef == "" {
		headRef = "HEAD"
	}
	go func() {
		defer close(o.done)
		t0 := time.Now()
		if o.k, o.err = openKnowledge(&quiet, m, projectDir, false); o.k == nil {
			return
		}
		o.repository = learn.RepositoryName(env.Ctx, projectDir)
		o.head = learn.Commit(env.Ctx, projectDir, headRef)
		debugTiming(&quiet, "memory-open", t0)
	}()
	return o
}

// agentMemory waits for the memory; nil when the project has none.
func (o *openingMemory) agentMemory(env *Env, p *dbt.Project) (*agentMemory, error) {
	<-o.done
	o.taken = true
	env.Stderr.Write(o.stderr.Bytes())
	if o.err != nil || o.k == nil {
		return nil, o.err
	}
	am := &agentMemory{env: env, k: o.k, project: rootPackageName(p), dir: o.dir, repository: o.repository, head: o.head}
	am.recall = learn.NewRecall(env.Ctx, o.k.Store, am.project)
	return am, nil
}

// discard closes a memory that was opened but never taken (the command failed before).
func (o *openingMemory) discard() {
	if o == nil {
		return
	}
	<-o.done
	if !o.taken && o.k != nil {
		o.k.Close()
	}
}

func rootPackageName(p *dbt.Project) string {
	for _, pk := range p.Packages {
		if pk.IsRoot {
			return pk.Name
		}
	}
	return p.Name
}

// close releases the store.
func (am *agentMemory) close() {
	if am != nil {
		am.k.Close()
	}
}

// warn reports a memory failure once; the run goes on without what it could not read or
// record (a review is not lost to its memory).
func (am *agentMemory) warn(what string, err error) {
	if am == nil || err == nil {
		return
	}
	am.failed = true
	fmt.Fprintf(am.env.Stderr, "dataops: warning: memory %s: %s: %v\n", am.k.Where, what, err)
}

// schema gives the Schema Synthesizer what memory knows: earlier and retrieved descriptions,
// and the order of description sources the team's outcomes taught.
func (am *agentMemory) schema(in *schema.Input) {
	if am == nil {
		return
	}
	defer debugTiming(am.env, "memory-schema", time.Now())
	in.Knowledge = am.recall
	order, err := learn.SourceOrder(am.env.Ctx, am.k.Store, am.project)
	if err != nil {
		am.warn("description sources", err)
		return
	}
	if order != nil {
		in.Config.SourceOrder = order
	}
}

// afterSchema reports a recall that failed while the Synthesizer ran.
func (am *agentMemory) afterSchema() {
	if am != nil && am.recall.Err != nil {
		am.warn("descriptions", am.recall.Err)
	}
}

// tests gives the Test Enhancer the outcomes of its past proposals and the history of the
// columns in scope.
func (am *agentMemory) tests(opts *testgen.Options, columns []string) {
	if am == nil {
		return
	}
	defer debugTiming(am.env, "memory-tests", time.Now())
	tm, err := learn.LoadTestMemory(am.env.Ctx, am.k.Store, am.project, columns)
	if err != nil {
		am.warn("tests", err)
		return
	}
	opts.Memory = tm
}

// record stores proposals as open, to be resolved when the change is reviewed again or merged.
func (am *agentMemory) record(ps []learn.Proposal) {
	if am == nil || len(ps) == 0 {
		return
	}
	now := time.Now().UTC()
	for i := range ps {
		ps[i].Repository, ps[i].PR, ps[i].Head, ps[i].Project, ps[i].Time = am.repository, am.pr, am.head, am.project, now
	}
	am.warn("recording proposals", learn.Record(am.env.Ctx, am.k.Store, ps))
}

// schemaProposals lists what a plan proposes: each new column entry and its description.
func schemaProposals(plan *schema.Plan) []learn.Proposal {
	var out []learn.Proposal
	add := func(file, model string, c schema.ColumnSpec) {
		out = append(out, learn.Proposal{Agent: learn.AgentSchema, Kind: learn.KindColumn, Rule: "add-column",
			Model: model, Column: c.Name, File: file, Value: c.Name})
		if c.Description != "" && c.DescriptionFrom != "" {
			src, _, _ := strings.Cut(c.DescriptionFrom, ":")
			p := learn.Proposal{Agent: learn.AgentSchema, Kind: learn.KindDescription, Rule: src,
				Model: model, Column: c.Name, File: file, Value: c.Description}
			if src == schema.DescriptionFromLLM {
				p.LLM = agent.AgentDescribe
			}
			out = append(out, p)
		}
	}
	for _, op := range plan.Ops {
		switch op.Kind {
		case schema.OpAddColumn:
			add(op.File, op.Model, op.Column)
		case schema.OpAddModel:
			if op.Entry != nil {
				for _, c := range op.Entry.Columns {
					add(op.File, op.Model, c)
				}
			}
		}
	}
	return out
}

// testProposals lists the tests proposed (not those the data contradicts); added holds the
// columns the change added ("unique id\x00folded column"; a whole model as "unique id\x00").
func testProposals(p *dbt.Project, res *testgen.Result, added map[string]bool) []learn.Proposal {
	var out []learn.Proposal
	for _, s := range res.Suggestions {
		if s.Status == testgen.Failed {
			continue
		}
		file := ""
		if n := p.Nodes[s.UniqueID]; n != nil && n.Patch != nil {
			file = n.Patch.File
		}
		isNew := added[s.UniqueID+"\x00"] || s.Column != "" && added[s.UniqueID+"\x00"+strings.ToLower(s.Column)]
		pr := learn.Proposal{Agent: learn.AgentTests, Kind: learn.KindTest, Rule: learn.TestName(s.Test),
			Model: s.Model, Column: s.Column, File: file, Line: s.Pos.Line, Value: learn.TestValue(s.Test, s.Arguments), New: isNew}
		if s.Source == testgen.SourceLLM {
			pr.LLM = agent.AgentRules
		}
		out = append(out, pr)
	}
	return out
}

// addedColumns lists what a change added: every column of an added model (as the model's id
// followed by \x00) and the columns added or renamed in the others.
func addedColumns(cs *change.ChangeSet) map[string]bool {
	out := map[string]bool{}
	for _, m := range cs.Models {
		if m.Change == change.Added {
			out[m.UniqueID+"\x00"] = true
			continue
		}
		for _, c := range m.Columns {
			switch c.Change {
			case change.Added:
				out[m.UniqueID+"\x00"+strings.ToLower(c.Name)] = true
			case change.Renamed:
				out[m.UniqueID+"\x00"+strings.ToLower(c.To)] = true
			}
		}
	}
	return out
}

// suggestionColumns lists the columns the Test Enhancer may propose on: those of the models in
// scope, as the project documents or the SQL outputs them.
func suggestionColumns(p *dbt.Project, cols map[string]*change.ModelColumns, ids []string) []string {
	var out []string
	for _, id := range ids {
		if n := p.Nodes[id]; n != nil {
			for _, c := range n.Columns {
				out = append(out, c.Name)
			}
		}
		if mc := cols[id]; mc != nil {
			for _, c := range mc.Columns {
				out = append(out, c.Name)
			}
		}
	}
	return out
}

// projectState reads the property files of a loaded project, for resolving the proposals
// made on an earlier head of the same pull request.
func projectState(p *dbt.Project) *learn.State {
	files := map[string][]byte{}
	for _, n := range p.Nodes {
		if n.Patch == nil || n.Patch.File == "" || strings.Contains(n.Patch.File, "dbt_packages/") {
			continue
		}
		if _, done := files[n.Patch.File]; done {
			continue
		}
		if data, err := fsconfine.ReadFile(p.Root, n.Patch.File); err == nil {
			files[n.Patch.File] = data
		}
	}
	return learn.NewState(files)
}

// reviewMemory is a review run's memory: its short-term workflow state (always, in the
// process or in Redis) and the team's long-term memory (when the project has one).
type reviewMemory struct {
	*agentMemory
	env   *Env
	state stm.Store
	flow  *learn.Workflow
	added map[string]bool // the columns the change added (addedColumns)
}

// agentResult is what an agent leaves in the workflow state: how much it did and the
// proposals to record once the review completes.
type agentResult struct {
	Counts    map[string]int   `json:"counts"`
	Proposals []learn.Proposal `json:"proposals,omitempty"`
}

// startReviewMemory opens both memories for a review and stores the plan and the change's
// summary in the workflow state.
func startReviewMemory(env *Env, rf *reviewFlags, pf *projectFlags, cf *changeFlags, cs *change.ChangeSet, gh *githubTarget) (*reviewMemory, error) {
	opening := rf.memoryOpening
	if opening == nil {
		opening = startOpeningMemory(env, &rf.settings.Memory, pf.Project, cf.Head)
	}
	am, err := opening.agentMemory(env, cs.Head)
	if err != nil {
		return nil, err
	}
	rm := &reviewMemory{agentMemory: am, env: env, added: addedColumns(cs)}
	repo, pr, head := "", "", ""
	if am != nil {
		repo, head = am.repository, am.head
	}
	if gh != nil {
		repo, pr = gh.opts.Owner+"/"+gh.opts.Repo, fmt.Sprint(gh.opts.PR)
		if gh.opts.HeadSHA != "" {
			head = gh.opts.HeadSHA
		}
	}
	if am != nil {
		am.repository, am.pr, am.head = repo, pr, head
	}
	st, err := openWorkflowState(env, &rf.settings.Memory)
	if err != nil {
		am.close()
		return nil, err
	}
	rm.state = st
	if head == "" {
		head = learn.Commit(env.Ctx, pf.Project, "HEAD")
	}
	plan := []string{"schema", "tests", "lint", "impact"}
	if am != nil {
		plan = append(plan, "memory")
	}
	if rm.flow, err = learn.StartWorkflow(env.Ctx, st, repo, pr, head, plan); err != nil {
		st.Close()
		am.close()
		return nil, usageError("short-term memory: %v", err)
	}
	summary := map[string]int{"models": len(cs.Models), "property_files": len(cs.PropertyFiles)}
	for _, m := range cs.Models {
		summary[string(m.Change)]++
		summary["columns"] += len(m.Columns)
	}
	if err := rm.flow.Put(env.Ctx, "changeset", summary); err != nil {
		rm.finish()
		return nil, usageError("short-term memory: %v", err)
	}
	return rm, nil
}

// step stores an agent's result in the workflow state.
func (rm *reviewMemory) step(agent string, result agentResult) {
	if err := rm.flow.Agent(rm.env.Ctx, agent, "done", result); err != nil {
		fmt.Fprintf(rm.env.Stderr, "dataops: warning: %v\n", err)
	}
}

// schemaDone leaves the Synthesizer's proposals in the workflow state.
func (rm *reviewMemory) schemaDone(plan *schema.Plan) {
	if rm == nil {
		return
	}
	rm.agentMemory.afterSchema()
	ps := schemaProposals(plan)
	rm.step("schema", agentResult{Counts: map[string]int{"ops": len(plan.Ops), "proposals": len(ps)}, Proposals: ps})
}

// testsDone leaves the Enhancer's proposals in the workflow state.
func (rm *reviewMemory) testsDone(p *dbt.Project, res *testgen.Result) {
	if rm == nil {
		return
	}
	ps := testProposals(p, res, rm.added)
	rm.step("tests", agentResult{Counts: map[string]int{"proposals": len(ps)}, Proposals: ps})
}

// complete brings the team's knowledge into the review, resolves the proposals this review
// can judge (those of earlier heads of the same pull request, and of changes merged into the
// base since), and records this head's proposals once.
func (rm *reviewMemory) complete(cs *change.ChangeSet, rv *review.Review, baseRef string) {
	if rm == nil || rm.agentMemory == nil {
		return
	}
	am := rm.agentMemory
	ctx := am.env.Ctx
	t0 := time.Now()
	k, err := learn.ForReview(ctx, am.k.Store, am.project, changedModels(cs, rv))
	debugTiming(am.env, "memory-review-knowledge", t0)
	if err != nil {
		am.warn("playbook and comments", err)
	} else if len(k.Rules)+len(k.Comments) > 0 {
		rv.Knowledge = k
	}
	var res learn.Resolution
	if am.pr != "" {
		r, err := learn.Resolve(ctx, am.k.Store, projectState(cs.Head), learn.Scope{Project: am.project,
			Repository: am.repository, PR: am.pr, Commit: am.head, Time: time.Now().UTC()})
		am.warn("resolving this pull request's earlier proposals", err)
		res = r
	}
	if baseRef != "" {
		r, err := learn.ResolveHistory(ctx, am.k.Store, am.dir, am.project, am.repository, baseRef)
		am.warn("resolving merged proposals", err)
		res.Accepted, res.Edited, res.Rejected = res.Accepted+r.Accepted, res.Edited+r.Edited, res.Rejected+r.Rejected
	}
	debugTiming(am.env, "memory-resolve", t0)
	t0 = time.Now()
	defer debugTiming(am.env, "memory-record", t0)
	rules, comments := 0, 0
	if rv.Knowledge != nil {
		rules, comments = len(rv.Knowledge.Rules), len(rv.Knowledge.Comments)
	}
	rm.step("memory", agentResult{Counts: map[string]int{"rules": rules, "comments": comments,
		"accepted": res.Accepted, "edited": res.Edited, "rejected": res.Rejected}})
	// The proposals come back from the workflow state the agents left them in; a second
	// review of the same head records nothing.
	first, err := rm.flow.FirstRecord(ctx)
	if err != nil {
		am.warn("recording proposals", err)
		return
	}
	if !first {
		return
	}
	var ps []learn.Proposal
	for _, agent := range []string{"schema", "tests"} {
		var r agentResult
		ok, err := rm.flow.AgentResult(ctx, agent, &r)
		if err != nil {
			am.warn("workflow state", err)
			return
		}
		if ok {
			ps = append(ps, r.Proposals...)
		}
	}
	am.record(ps)
}

// finish clears the run's workflow state and closes both memories.
func (rm *reviewMemory) finish() {
	if rm == nil {
		return
	}
	if rm.flow != nil {
		if err := rm.flow.Finish(rm.env.Ctx); err != nil {
			fmt.Fprintf(rm.env.Stderr, "dataops: warning: short-term memory: %v\n", err)
		}
	}
	rm.state.Close()
	rm.agentMemory.close()
}

// changedModels describes the review's changed models for the playbook and comment recall.
func changedModels(cs *change.ChangeSet, rv *review.Review) []learn.ChangedModel {
	class := map[string]string{}
	for _, c := range rv.Changes {
		class[c.UniqueID] = c.Classification
	}
	var out []learn.ChangedModel
	for _, m := range cs.Models {
		name := dbt.ShortID(m.UniqueID)
		cm := learn.ChangedModel{Name: name, Path: m.Path, Change: string(m.Change), Classification: class[m.UniqueID]}
		if n := cs.Head.Nodes[m.UniqueID]; n != nil {
			cm.Name = n.Name
			if n.Patch != nil {
				cm.Files = append(cm.Files, n.Patch.File)
			}
		}
		kinds := map[string]bool{}
		for _, c := range m.Columns {
			cm.Columns = append(cm.Columns, c.Name)
			kinds[string(c.Change)] = true
		}
		for k := range kinds {
			cm.ColumnChanges = append(cm.ColumnChanges, k)
		}
		sort.Strings(cm.ColumnChanges)
		out = append(out, cm)
	}
	return out
}

// schemaInput gives the Synthesizer what memory knows (see agentMemory.schema).
func (rm *reviewMemory) schemaInput(in *schema.Input) {
	if rm != nil {
		rm.agentMemory.schema(in)
	}
}

// testsInput gives the Enhancer what memory knows (see agentMemory.tests).
func (rm *reviewMemory) testsInput(opts *testgen.Options, p *dbt.Project, cols map[string]*change.ModelColumns, ids []string) {
	if rm != nil && rm.agentMemory != nil {
		rm.agentMemory.tests(opts, suggestionColumns(p, cols, ids))
	}
}

// memorySettings reads the memory section from the side the run trusts (the base's settings
// under --trust base, so a pull request cannot point the memory elsewhere).
func memorySettings(env *Env, pf *projectFlags) (*config.Memory, error) {
	c, err := trustedSettings(env, pf)
	if err != nil {
		return nil, err
	}
	return &c.Memory, nil
}

// trustedSettings reads the settings from the side the run trusts (see memorySettings).
func trustedSettings(env *Env, pf *projectFlags) (*config.Config, error) {
	if pf.trust != nil {
		return pf.trust.config(env, pf)
	}
	c, err := config.Load(config.Options{Dir: pf.Project, Getenv: func(k string) (string, bool) {
		v := env.Getenv(k)
		return v, v != ""
	}})
	if err != nil {
		return nil, usageError("%v", err)
	}
	return c, nil
}

// openTestsMemory opens the memory of a `dataops tests` run and gives the Enhancer what it
// holds about the columns in scope (every model's when scope is empty).
func openTestsMemory(env *Env, pf *projectFlags, headRef string, p *dbt.Project, inf *columns.Result, opts *testgen.Options) (*agentMemory, error) {
	m, err := memorySettings(env, pf)
	if err != nil {
		return nil, err
	}
	am, err := openAgentMemory(env, m, pf.Project, p, headRef)
	if err != nil || am == nil {
		return nil, err
	}
	var ids []string
	for id, n := range p.Nodes {
		if n.ResourceType == dbt.Model && (len(opts.Models) == 0 || opts.Models[id]) {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	cols := suggestionColumns(p, nil, ids)
	for _, id := range ids {
		if n := inf.Node(id); n != nil {
			for _, c := range n.Columns {
				cols = append(cols, c.Name)
			}
		}
	}
	am.tests(opts, cols)
	return am, nil
}

// schemaDone records a schema run's proposals.
func (am *agentMemory) schemaDone(plan *schema.Plan) {
	if am == nil {
		return
	}
	am.afterSchema()
	am.record(schemaProposals(plan))
}

// printDescribed says, after the diffs, where each written description came from.
func printDescribed(w io.Writer, described []schema.Described) {
	for _, d := range described {
		src := ""
		if d.Source != "" {
			src = " (" + d.Source + ")"
		}
		fmt.Fprintf(w, "%s: description of %s.%s from %s%s\n", d.File, d.Model, d.Column, d.From, src)
	}
}

// pullRequest is the repository, pull request and head the review's memory records its
// proposals under ("" where unknown).
func (rm *reviewMemory) pullRequest() (repo, pr, head string) {
	if rm == nil || rm.agentMemory == nil {
		return "", "", ""
	}
	return rm.repository, rm.pr, rm.head
}

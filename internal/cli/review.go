package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/dataops-dev/dataops/internal/change"
	"github.com/dataops-dev/dataops/internal/columns"
	"github.com/dataops-dev/dataops/internal/config"
	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/fsconfine"
	"github.com/dataops-dev/dataops/internal/jinja"
	"github.com/dataops-dev/dataops/internal/lint"
	"github.com/dataops-dev/dataops/internal/lint/rules"
	"github.com/dataops-dev/dataops/internal/lint/templating"
	"github.com/dataops-dev/dataops/internal/openmetadata"
	"github.com/dataops-dev/dataops/internal/review"
	"github.com/dataops-dev/dataops/internal/schema"
	"github.com/dataops-dev/dataops/internal/testgen"
	"github.com/dataops-dev/dataops/internal/yamledit"
)

func init() { register(newReviewCmd) }

type reviewFlags struct {
	format    string
	failOn    string
	allLines  bool
	fix       bool
	noHistory bool
	noLint    bool
	report    string
	omService string
	perRule   int
	// maxComments caps inline comments on GitHub (review.max_comments).
	maxComments int
	github      githubFlags
	// failOnSet: --fail-on was given, so .dataops.yml's review.fail_on does not apply.
	failOnSet bool
	// settings and trust are resolved once the base is known (trust.go).
	settings *config.Config
	trust    *trust

	// fixUnverified: proposed tests not confirmed on data are edits too, so --fix writes them.
	fixUnverified bool
	// memory is the run's workflow state and the team's memory (knowledge.go), opened while
	// the change is detected.
	memory        *reviewMemory
	memoryOpening *openingMemory
	// target is the pull request the review is posted to (nil when it is not posted).
	target *githubTarget
}

func newReviewCmd(env *Env) *cobra.Command {
	var pf projectFlags
	var cf changeFlags
	rf := &reviewFlags{}
	cmd := &cobra.Command{
		Use:   "review --base REF [--head REF]",
		Short: "Review a change: schema edits, proposed tests, lint on changed lines, classification and downstream impact",
		Long: `review compares the project at --base with the work tree (or --head) and assembles one review:
the Schema Synthesizer's property-file edits and convention findings, the Test Enhancer's
proposed tests for changed models (checked on data when the embedded DuckDB has been built),
lint violations on the changed lines of changed models (--all-lines for whole files), and the
impact of each changed model, classified as non-breaking, partial (a removed, renamed or
retyped column is read downstream) or breaking (grain or filter logic changed).

With --github-repo and --github-pr (or inside GitHub Actions on a pull_request event) the
review is posted to the pull request. Exit 1 when a finding is at or above --fail-on.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			rf.failOnSet = cmd.Flags().Changed("fail-on")
			return runReview(env, &pf, &cf, rf)
		},
	}
	pf.bind(cmd)
	cf.bind(cmd)
	f := cmd.Flags()
	f.StringVar(&rf.format, "format", "text", "output format: "+strings.Join(review.Formats, ", "))
	f.StringVar(&rf.failOn, "fail-on", "error", "lowest severity that makes the command exit 1: error, warning, info or never")
	f.BoolVar(&rf.allLines, "all-lines", false, "report lint violations on every line of changed models, not only changed lines")
	f.BoolVar(&rf.fix, "fix", false, "write every safe edit (schema and tests) to the property files, atomically")
	f.BoolVar(&rf.fixUnverified, "fix-unverified", false, "also propose tests not confirmed on data as edits, so --fix writes them")
	f.BoolVar(&rf.noHistory, "no-history", false, "do not learn test habits from the git history of property files")
	f.BoolVar(&rf.noLint, "no-lint", false, "skip linting")
	f.StringVar(&rf.omService, "openmetadata-service", "", "with OPENMETADATA_URL and OPENMETADATA_TOKEN: the catalog's database service, to compare its lineage of changed models with dbt's (default: OPENMETADATA_SERVICE)")
	f.StringVar(&rf.report, "report", "", "also write the full review as Markdown to this file (the Action uploads it)")
	f.IntVar(&rf.perRule, "max-per-rule", review.DefaultPerRule, "list at most this many findings of one rule in text and Markdown (0: all); JSON and SARIF list every one")
	rf.github.bind(cmd)
	return cmd
}

func runReview(env *Env, pf *projectFlags, cf *changeFlags, rf *reviewFlags) error {
	known := false
	for _, x := range review.Formats {
		known = known || x == rf.format
	}
	if !known {
		return usageError("--format: want one of %s, got %q", strings.Join(review.Formats, ", "), rf.format)
	}
	gh, err := rf.github.resolve(env, cf)
	if err != nil {
		return err
	}
	rf.target = gh
	var rv *review.Review
	var root string
	defer func() { rf.trust.close() }()
	if err := assembleReview(env, pf, cf, rf, &rv, &root); err != nil {
		return err
	}
	if err := review.Write(env.Stdout, rf.format, rv); err != nil {
		return &ExitError{Code: ExitInternal, Err: err}
	}
	if rf.report != "" {
		report, _ := env.fileContent(rf.report, nil, []byte(review.Markdown(rv, review.MarkdownOptions{PathPrefix: rv.Prefix})))
		if err := writeAtomic(rf.report, report); err != nil {
			return &ExitError{Code: ExitInternal, Err: fmt.Errorf("--report: %w", err)}
		}
	}
	if rf.fix {
		if err := writeSafeEdits(env, root, rv.Edits); err != nil {
			return err
		}
	}
	if gh != nil {
		gh.opts.MaxComments = rf.maxComments
		if err := publishGitHub(env, gh, rv, rf.failOn); err != nil {
			return err
		}
	}
	if rv.Exceeds(rf.failOn) {
		return silentExit(ExitFindings)
	}
	return nil
}

// assembleReview compares the change and runs the agents on it into rv, writing nothing; root
// is the project directory the edits are relative to. The caller closes rf.trust.
func assembleReview(env *Env, pf *projectFlags, cf *changeFlags, rf *reviewFlags, rvp **review.Review, root *string) error {
	var err error
	if !cf.set() {
		return usageError("review needs --base REF (or --base-dir DIR)")
	}
	// The base is known now (a pull request's comes from its event): settings and profiles
	// come from the side --trust believes, and .dataops.yml's review section applies where
	// the flags are not given.
	if rf.trust, err = resolveTrust(env, pf, cf); err != nil {
		return err
	}
	if rf.settings, err = rf.trust.config(env, pf); err != nil {
		return err
	}
	if !rf.failOnSet {
		rf.failOn = rf.settings.Review.FailOn
	}
	env.useRenderTime(rf.settings.Limits.RenderTime)
	rf.maxComments = rf.settings.Review.MaxComments
	switch rf.failOn {
	case "error", "warning", "info", "never":
	default:
		return usageError("--fail-on: want error, warning, info or never, got %q", rf.failOn)
	}
	if rf.fix && cf.Head != "" {
		return usageError("--fix edits the work tree: it does not go with --head")
	}
	t0 := time.Now()
	rf.memoryOpening = startOpeningMemory(env, &rf.settings.Memory, pf.Project, cf.Head)
	defer rf.memoryOpening.discard()
	cs, err := detectChange(env, pf, cf)
	if err != nil {
		return err
	}
	defer cs.Close()
	for _, w := range cs.Warnings {
		fmt.Fprintf(env.Stderr, "dataops: warning: %s\n", w)
	}
	debugTiming(env, "review-change", t0)
	if rf.memory, err = startReviewMemory(env, rf, pf, cf, cs, rf.target); err != nil {
		return err
	}
	defer rf.memory.finish()
	rv, err := buildReview(env, pf, cs, rf)
	if err != nil {
		return err
	}
	touched := map[string]bool{}
	for _, m := range cs.Models {
		touched[m.Path] = true
	}
	rv.Findings = append(rv.Findings, errorFindings(cs.Head, touched)...)
	rv.Findings = append(rv.Findings, rf.trust.sortedNotes()...)
	// Only git refs are named: a --base-dir path says nothing to a reader of the review.
	rv.Base, rv.Head = cf.Base, cf.Head
	rv.Prefix = repoPrefix(env, pf.Project, rf.trust)
	rv.PerRule = rf.perRule
	rf.memory.complete(cs, rv, cf.Base)
	rv.Finish()
	*rvp, *root = rv, cs.Head.Root
	return nil
}

// buildReview runs the agents on the change set and assembles their output.
func buildReview(env *Env, pf *projectFlags, cs *change.ChangeSet, rf *reviewFlags) (*review.Review, error) {
	p := cs.Head
	rv := &review.Review{}
	t0 := time.Now()

	// A render cut short by a limit (time, size, interruption) or a file skipped for its size:
	// what the review says of that model is incomplete, and it says so where it happened.
	for _, d := range p.Diagnostics {
		if d.Kind == "resource-limit" {
			rv.Findings = append(rv.Findings, review.Finding{Agent: "render", Rule: "resource-limit", Severity: review.SeverityWarning,
				Path: d.Pos.Path, Line: d.Pos.Line, Column: d.Pos.Column, Message: d.Message})
		}
	}

	// Schema Synthesizer: edits to property files and convention findings.
	cfg := schemaConfig(rf.settings, pf.Project, rf.trust)
	var err error
	in := schema.Input{Project: p, Columns: cs.HeadColumns, Change: cs, Config: cfg, Types: catalogTypes(p.Root),
		ReadFile: func(rel string) ([]byte, error) { return fsconfine.ReadFile(p.Root, rel) }}
	if cfg.Dictionary != "" && rf.trust.base() {
		// The base's dictionary file, as the base has it (trust.go).
		if in.Dictionary, err = rf.trust.dictionary(cfg.Dictionary); err != nil {
			return nil, err
		}
	} else if in.Dictionary, err = cfg.ReadDictionary(p.Root); err != nil {
		return nil, usageError("%v", err)
	}
	version, source := schema.DbtVersion(cfg.DbtVersion, p.RequireDbtVersion, p.Root)
	forms := schema.ProjectForms(p, version, source)
	rf.memory.schemaInput(&in)
	plan := schema.Synthesize(in)
	plan.KeepTouched(in.Change)
	lr := openLLM(env, rf.settings, llmOptions{project: p, columns: cs.HeadColumns, change: cs, pf: pf, prText: prText(env), command: "review"})
	defer lr.close()
	schema.Describe(env.Ctx, plan, lr.describer())
	rf.memory.schemaDone(plan)
	rv.Descriptions = describedOf(plan)
	sedits, applyNotes := schema.Apply(p.Root, plan.Ops, forms)
	notes := append(append([]schema.Note{}, plan.Notes...), applyNotes...)
	if len(sedits) > 0 {
		load := func(ctx context.Context, dir string, roots []string) (*dbt.Project, error) {
			opts, err := pf.options(env, false)
			if err != nil {
				return nil, err
			}
			opts.Dir, opts.Roots = dir, append(opts.Roots, roots...)
			return dbt.Load(ctx, opts)
		}
		_, vnotes, err := schema.CheckEdits(env.Ctx, p, sedits, plan.Ops, load)
		if err != nil {
			return nil, &ExitError{Code: ExitInternal, Err: err}
		}
		notes = append(notes, vnotes...)
	}
	debugTiming(env, "review-schema-synth", t0)
	schemaSafe := !hasErrors(notes)
	for _, n := range notes {
		rv.Findings = append(rv.Findings, fromSchema(n.Finding()))
	}
	for _, f := range schema.ConventionFindings(schema.ProjectConventions(p, cs.HeadColumns, cfg.Naming), p, plan, sedits, cs.HeadColumns) {
		rv.Findings = append(rv.Findings, fromSchema(f))
	}
	debugTiming(env, "review-schema", t0)
	t0 = time.Now()

	// Test Enhancer on what the change touched: new models whole, the changed columns of others.
	scope, scopeColumns := testgen.ChangeScope(cs)
	var ids []string
	untouched := untouchedModels(cs, rf.trust)
	for _, m := range cs.Models {
		n := p.Nodes[m.UniqueID]
		if m.Change == change.Removed || n == nil || untouched[m.UniqueID] {
			delete(scope, m.UniqueID)
			continue
		}
		ids = append(ids, m.UniqueID)
		// The change set loads without compiling (the whole project would be rendered twice);
		// the Test Enhancer reads grain and literals from SQL, which the parse render already
		// has with placeholder relations.
		if n.CompiledCode == "" && n.Render != nil && n.Render.Err == nil {
			n.CompiledCode = n.Render.Output
		}
	}
	var tedits []review.Edit
	if len(ids) > 0 {
		copts := columns.Options{Ctx: env.Ctx, Dialect: pf.Dialect, Models: ids}
		if cat := projectFile(p.Root, "target/catalog.json"); cat != "" {
			if c, err := columns.ReadCatalog(cat); err == nil {
				copts.Catalog = c
			}
		}
		inf := columns.Infer(p, copts)
		debugTiming(env, "review-tests-infer", t0)
		opts := testgen.Options{Models: scope, Columns: scopeColumns, NewColumns: true, Threshold: rf.settings.Tests.MinConfidence}
		if !rf.noHistory {
			opts.History = testgen.MineHistory(env.Ctx, p.Root, 400)
		}
		rf.memory.testsInput(&opts, p, cs.HeadColumns, ids)
		res := testgen.Suggest(p, inf, opts)
		lr.ruleTests(p, res, scope, scopeColumns)
		debugTiming(env, "review-tests-suggest", t0)
		if wh, target := lr.warehouse(); wh != nil {
			testgen.Confirm(env.Ctx, p, wh, target, res)
		} else if builtDuckDB(env, pf, p) {
			if wh, target, err := openWarehouse(env, pf, p); err == nil {
				testgen.Confirm(env.Ctx, p, wh, target, res)
				wh.Close()
			} else {
				fmt.Fprintf(env.Stderr, "dataops: warning: tests not checked on data: %v\n", err)
			}
		}
		for _, s := range res.Suggestions {
			// A suggestion is located where its column is declared or selected; fall back to
			// the model's file so every finding has a place in a file the user wrote.
			if n := p.Nodes[s.UniqueID]; s.Pos.Path == "" && n != nil {
				s.Pos = dbt.Pos{Path: n.RelPath, Line: 1 + n.Template.Line, Column: 1}
			}
		}
		rf.memory.testsDone(p, res)
		rv.Findings = append(rv.Findings, testFindings(res, forms, rf.fixUnverified)...)
		tedits = testEdits(p, res, sedits, plan, forms, rf.fixUnverified)
	}
	rv.Edits = mergeEdits(sedits, schemaSafe, tedits)
	debugTiming(env, "review-tests", t0)
	t0 = time.Now()

	// Lint on changed lines, impact and classification.
	changed := changedLines(cs)
	if !rf.noLint {
		rv.Findings = append(rv.Findings, lintChanged(env, p, cs, changed, rf.allLines, pf.Dialect, rf.trust.lintReader(p.Root))...)
	}
	debugTiming(env, "review-lint", t0)
	classify(cs, rv, dialectOf(pf, p))
	lr.narrate(rv, changed)
	if err := catalogLineage(env, rf, cs, rv, ids); err != nil {
		return nil, err
	}
	return rv, nil
}

// untouchedModels are the models a change lists as modified but did not touch: the change
// edits neither their SQL file nor what their property entry says, and no configuration of
// theirs changed (a model listed only because a file reads differently on the two sides). The
// review proposes nothing for them: a pull request's review never edits what it did not touch.
// Which files the change touches comes from git (or the two directories of --base-dir); with
// neither, every listed model counts as touched.
func untouchedModels(cs *change.ChangeSet, t *trust) map[string]bool {
	out := map[string]bool{}
	if cs.Base == nil || t == nil || t.repo == nil && t.baseDir == "" {
		return out
	}
	for _, m := range cs.Models {
		if m.Change != change.Modified || len(m.Config) > 0 || m.Path == "" || t.changes(m.Path) {
			continue
		}
		h, b := cs.Head.Nodes[m.UniqueID], cs.Base.Nodes[m.UniqueID]
		if h == nil || b == nil || h.RawCode != b.RawCode {
			continue
		}
		if h.Patch != nil && h.Patch.File != "" && t.changes(h.Patch.File) && entryText(cs.Head, h) != entryText(cs.Base, b) {
			continue
		}
		out[m.UniqueID] = true
	}
	return out
}

// entryText is what a node's property entry says as written in its file (description,
// columns with their descriptions, types and tests, entry tests); "" when it has none, and
// "\x00" when the file cannot be read, so that counts as a difference.
func entryText(p *dbt.Project, n *dbt.Node) string {
	if n.Patch == nil || n.Patch.File == "" {
		return ""
	}
	data, err := fsconfine.ReadFile(p.Root, n.Patch.File)
	if err != nil {
		return "\x00"
	}
	f, err := yamledit.Load(n.Patch.File, data)
	if err != nil {
		return "\x00"
	}
	e := f.Model(n.Name)
	if e == nil {
		return ""
	}
	var b strings.Builder
	tests := func(ts []*yamledit.TestEntry) {
		for _, t := range ts {
			b.WriteString(" " + t.Key + ":" + t.Name)
		}
	}
	fmt.Fprintf(&b, "%q", e.Description)
	tests(e.Tests)
	for _, c := range e.Columns {
		fmt.Fprintf(&b, "\n%s %q %q", c.Name, c.Description, c.DataType)
		tests(c.Tests)
	}
	return b.String()
}

// catalogLineage compares OpenMetadata's lineage of the changed models with dbt's graph when
// a catalog is configured. A catalog that cannot be reached is a warning, not a failed review.
func catalogLineage(env *Env, rf *reviewFlags, cs *change.ChangeSet, rv *review.Review, ids []string) error {
	c, svc, err := openMetadataClient(env, rf.omService)
	if err != nil || c == nil {
		return err
	}
	diffs, missing, err := openmetadata.Verify(env.Ctx, c, cs.Head, svc, ids)
	if err != nil {
		fmt.Fprintf(env.Stderr, "dataops: warning: OpenMetadata lineage not compared: %v\n", err)
		return nil
	}
	path := func(id string) string {
		if m := cs.Model(id); m != nil {
			return m.Path
		}
		return ""
	}
	for _, id := range missing {
		if cs.Model(id).Change == change.Added {
			continue // a new model reaches the catalog once it is built and ingested
		}
		rv.Findings = append(rv.Findings, review.Finding{Agent: "lineage", Rule: "catalog-missing-table", Severity: review.SeverityInfo,
			Path: path(id), Line: 1, Message: fmt.Sprintf("%s is not in the OpenMetadata catalog (service %s)", shortID(id), svc),
			Suggestion: "dataops lineage push --select " + shortID(id)})
	}
	for _, d := range diffs {
		msg := fmt.Sprintf("dbt has the edge %s -> %s; the OpenMetadata catalog does not", d.From, d.To)
		sug := "dataops lineage push --select " + shortID(d.Node)
		if !d.InDbt {
			msg = fmt.Sprintf("the OpenMetadata catalog has the edge %s -> %s; dbt does not (stale, or lineage from outside dbt)", d.From, d.To)
			sug = ""
		}
		rv.Findings = append(rv.Findings, review.Finding{Agent: "lineage", Rule: "catalog-lineage", Severity: review.SeverityInfo,
			Path: path(d.Node), Line: 1, Message: msg, Suggestion: sug})
	}
	return nil
}

func dialectOf(pf *projectFlags, p *dbt.Project) string {
	if pf.Dialect != "" {
		return pf.Dialect
	}
	return p.Adapter
}

func fromSchema(f schema.Finding) review.Finding {
	return review.Finding{Agent: review.AgentSchema, Rule: f.Rule, Severity: f.Severity, Path: f.Path, Line: f.Line,
		Column: f.Column, Message: f.Message, Suggestion: f.Suggestion}
}

// testFindings reports each proposed test where its column is declared or selected; tests the
// data contradicts are not proposed. A test not checked on data says that --fix leaves it out
// unless --fix-unverified is given.
func testFindings(res *testgen.Result, forms schema.Forms, writeUnverified bool) []review.Finding {
	var out []review.Finding
	for _, s := range res.Suggestions {
		if s.Status == testgen.Failed {
			continue
		}
		target := s.Model
		if s.Column != "" {
			target += "." + s.Column
		}
		status := "not checked on data, so --fix leaves it out"
		switch {
		case s.Status == testgen.Confirmed:
			status = "confirmed on data"
		case writeUnverified:
			status = "not checked on data"
		}
		why := ""
		if len(s.Reasons) > 0 {
			why = ": " + s.Reasons[0]
		}
		line := s.Pos.Line
		if line < 1 {
			line = 1
		}
		out = append(out, review.Finding{Agent: review.AgentTests, Rule: review.RuleMissingTest, Severity: review.SeverityInfo,
			Path: s.Pos.Path, Line: line, Column: s.Pos.Column,
			Message:    fmt.Sprintf("%s has no %s test (confidence %.2f, %s)%s", target, s.Test, s.Confidence, status, why),
			Suggestion: testYAML(s, forms.TestArguments)})
	}
	return out
}

// testYAML shows a proposed test as the project writes tests: arguments under `arguments:` or
// inline (dbt before 1.10.5, or a project that keeps that habit).
func testYAML(s *testgen.Suggestion, nested bool) string {
	if len(s.Arguments) == 0 {
		return "- " + s.Test + "\n"
	}
	keys := make([]string, 0, len(s.Arguments))
	for k := range s.Arguments {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	indent := "    "
	if nested {
		fmt.Fprintf(&b, "- %s:\n    arguments:\n", s.Test)
		indent = "      "
	} else {
		fmt.Fprintf(&b, "- %s:\n", s.Test)
	}
	for _, k := range keys {
		fmt.Fprintf(&b, "%s%s: %s\n", indent, k, showValue(s.Arguments[k]))
	}
	return b.String()
}

// testEdits places the proposed tests in the property files as the schema edits leave them,
// so a test on a column (or model) the Synthesizer adds lands in the same edit. Only tests
// confirmed on data are edits, unless writeUnverified: a guess is shown as a finding, never
// written by --fix behind the reviewer's back.
func testEdits(p *dbt.Project, res *testgen.Result, sedits []schema.FileEdit, plan *schema.Plan, forms schema.Forms, writeUnverified bool) []review.Edit {
	current := map[string][]byte{}
	for _, e := range sedits {
		current[e.Path] = e.New
	}
	newEntry := map[string]string{}
	for _, op := range plan.Ops {
		if op.Kind == schema.OpAddModel {
			newEntry[op.Model] = op.File
		}
	}
	byFile := map[string][]*testgen.Suggestion{}
	for _, s := range res.Suggestions {
		if s.Status == testgen.Failed || s.Status == testgen.Unverified && !writeUnverified {
			continue
		}
		n := p.Nodes[s.UniqueID]
		file := ""
		switch {
		case n != nil && n.Patch != nil && n.Patch.File != "":
			file = n.Patch.File
		case newEntry[s.Model] != "":
			file = newEntry[s.Model]
		default:
			continue
		}
		byFile[file] = append(byFile[file], s)
	}
	var out []review.Edit
	for file, ss := range byFile {
		old, err := fsconfine.ReadFile(p.Root, file)
		if err != nil && current[file] == nil {
			continue
		}
		src := old
		if c, ok := current[file]; ok {
			src = c
		}
		f, err := yamledit.Load(file, src)
		if err != nil {
			continue
		}
		yp := f.Plan()
		yp.Style = yp.Style.Settle(forms.TestsKey, forms.TestArguments)
		for _, s := range ss {
			_ = yp.AddTest(yamledit.ModelRef(s.Model), s.Column, toYAMLTest(s))
		}
		if yp.Len() == 0 {
			continue
		}
		data, err := yp.Apply()
		if err != nil {
			continue
		}
		out = append(out, review.Edit{Path: file, Agents: []string{review.AgentTests}, Old: old, New: data, Safe: true})
	}
	return out
}

// toYAMLTest writes a suggestion as a property-file test, arguments in the order dbt's docs
// write them.
func toYAMLTest(s *testgen.Suggestion) yamledit.Test {
	t := yamledit.Test{Name: s.Test}
	keys := make([]string, 0, len(s.Arguments))
	for k := range s.Arguments {
		keys = append(keys, k)
	}
	rank := func(k string) int {
		switch k {
		case "values", "to", "combination_of_columns":
			return 0
		case "field":
			return 1
		}
		return 2
	}
	sort.Slice(keys, func(i, j int) bool {
		return rank(keys[i]) < rank(keys[j]) || rank(keys[i]) == rank(keys[j]) && keys[i] < keys[j]
	})
	for _, k := range keys {
		t.Args = append(t.Args, yamledit.KV{Key: k, Value: s.Arguments[k]})
	}
	return t
}

// mergeEdits joins the schema edits and the test edits (which already build on the schema
// edits of the same file) into one edit per file.
func mergeEdits(sedits []schema.FileEdit, schemaSafe bool, tedits []review.Edit) []review.Edit {
	by := map[string]*review.Edit{}
	for _, e := range sedits {
		by[e.Path] = &review.Edit{Path: e.Path, Agents: []string{review.AgentSchema}, Old: e.Old, New: e.New, Safe: schemaSafe}
	}
	for _, t := range tedits {
		if e, ok := by[t.Path]; ok {
			e.New = t.New
			e.Agents = append(e.Agents, review.AgentTests)
			continue
		}
		tc := t
		by[t.Path] = &tc
	}
	out := make([]review.Edit, 0, len(by))
	for _, e := range by {
		e.Diff = yamledit.Diff(e.Path, string(e.Old), string(e.New))
		out = append(out, *e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// changedLines maps each changed model's file (relative to the project) to the lines the
// change added or modified, from a diff of the base and head contents.
func changedLines(cs *change.ChangeSet) map[string]map[int]bool {
	out := map[string]map[int]bool{}
	for _, m := range cs.Models {
		if m.Change == change.Removed || m.Path == "" {
			continue
		}
		head, err := os.ReadFile(filepath.Join(cs.Head.Root, filepath.FromSlash(m.Path)))
		if err != nil {
			continue
		}
		var base []byte
		if m.Change != change.Added && cs.Base != nil {
			from := m.Path
			if m.FromPath != "" {
				from = m.FromPath
			}
			base, _ = os.ReadFile(filepath.Join(cs.Base.Root, filepath.FromSlash(from)))
		}
		out[m.Path] = review.ChangedLines(string(base), string(head))
	}
	return out
}

// lintChanged lints the changed models of the head and keeps violations on changed lines.
func lintChanged(env *Env, p *dbt.Project, cs *change.ChangeSet, changed map[string]map[int]bool, all bool, dialectFlag string, readConfig func(string) ([]byte, error)) []review.Finding {
	l := &lint.Linter{Rules: rules.All(), Dialect: dialectFlag, DefaultDialect: "ansi", Templater: templating.New()}
	if p.Adapter != "" {
		l.DefaultDialect = p.Adapter
	}
	l.Loader = lintLoader(p.Root, readConfig)
	defer printConfigNotes(env, "dataops", l.Loader)
	var files []lint.File
	var paths []string
	for _, m := range cs.Models {
		n := p.Nodes[m.UniqueID]
		if m.Change == change.Removed || n == nil || n.Language == "python" || m.Path == "" || len(changed[m.Path]) == 0 {
			continue
		}
		node, shown := n, m.Path
		files = append(files, lint.File{Path: shown, AbsPath: n.FilePath, Source: n.RawCode,
			Render: func(cfg *lint.Config) lint.Rendered {
				if p.Jinja == nil {
					return lint.RawTemplater{}.Render(shown, node.RawCode, cfg)
				}
				in := jinja.Input{Path: shown, Source: node.RawCode, Package: node.Package, Name: node.Name,
					ResourceType: node.ResourceType, Config: node.Config, Resolver: templating.Builtins{},
					This: templating.This, Incremental: true}
				return templating.Render(p.Jinja, in, nil)
			}})
		paths = append(paths, m.Path)
	}
	var out []review.Finding
	for i, r := range l.LintFiles(files) {
		lines := changed[paths[i]]
		for _, v := range r.Violations {
			if !all && !lines[v.Line] {
				continue
			}
			sev := review.SeverityWarning
			if v.Warning {
				sev = review.SeverityInfo
			}
			sug := ""
			if v.Fixable {
				sug = "dataops lint --fix " + paths[i]
			}
			out = append(out, review.Finding{Agent: review.AgentLint, Rule: v.Code, Severity: sev, Path: paths[i],
				Line: v.Line, Column: v.Col, Message: v.Description + " (" + v.Name + ")", Suggestion: sug})
		}
	}
	return out
}

// classify fills the review's changes (classification, reasons, impact), the impact findings
// and the lineage edges among changed and downstream nodes.
func classify(cs *change.ChangeSet, rv *review.Review, dialectName string) {
	nodes := map[string]bool{}
	for _, m := range cs.Models {
		var added, removed []review.Clause
		head := cs.Head.Nodes[m.UniqueID]
		if m.Change == change.Modified || m.Change == change.Renamed {
			baseID := m.UniqueID
			if m.From != "" {
				baseID = m.From
			}
			if base := cs.Base.Nodes[baseID]; base != nil && head != nil && m.SQLChanged {
				bc, okb := review.GrainClauses(renderedSQL(base), dialectName)
				hc, okh := review.GrainClauses(renderedSQL(head), dialectName)
				if okb && okh {
					added, removed = review.GrainDiff(bc, hc)
				}
			}
		}
		class, reasons := review.Classify(m, added, removed)
		name := shortID(m.UniqueID)
		if head != nil {
			name = head.Name
		}
		c := review.Change{UniqueID: m.UniqueID, Name: name, Path: m.Path, Change: string(m.Change), From: m.From,
			Classification: class, Reasons: reasons, Columns: m.Columns, Impact: m.Impact, ColumnImpact: m.ColImpact}
		if c.Columns == nil {
			c.Columns = []change.ColumnChange{}
		}
		if c.Impact == nil {
			c.Impact = []string{}
		}
		rv.Changes = append(rv.Changes, c)
		nodes[m.UniqueID] = true
		for _, id := range m.Impact {
			nodes[id] = true
		}
		for _, cl := range added {
			line := clauseLine(head, cl.Offset)
			msg := fmt.Sprintf("%s changes which rows %s returns (%s); every downstream node (%d) sees it", firstWord(cl.Text), name, clipText(cl.Text), len(m.Impact))
			if cl.Lookup != "" {
				msg = fmt.Sprintf("%s of the lookup %s changes which of its rows match (%s); %s keeps its rows, but what it takes from %s may change for its downstream nodes (%d)",
					firstWord(cl.Text), cl.Lookup, clipText(cl.Text), name, cl.Lookup, len(m.Impact))
			}
			rv.Findings = append(rv.Findings, review.Finding{Agent: review.AgentImpact, Rule: review.RuleGrainChange,
				Severity: review.SeverityWarning, Path: m.Path, Line: line, Message: msg})
		}
		if len(added) == 0 && len(removed) > 0 {
			var rows, lookups []string
			for _, cl := range removed {
				if cl.Lookup != "" {
					lookups = append(lookups, cl.Text+" (lookup "+cl.Lookup+")")
				} else {
					rows = append(rows, cl.Text)
				}
			}
			msg := fmt.Sprintf("%s no longer has %s; every downstream node (%d) sees other rows", name, clipText(strings.Join(rows, "; ")), len(m.Impact))
			if len(rows) == 0 {
				msg = fmt.Sprintf("%s no longer has %s; it keeps its rows, but what it takes from the lookup may change for its downstream nodes (%d)", name, clipText(strings.Join(lookups, "; ")), len(m.Impact))
			}
			rv.Findings = append(rv.Findings, review.Finding{Agent: review.AgentImpact, Rule: review.RuleGrainChange,
				Severity: review.SeverityWarning, Path: m.Path, Line: 1, Message: msg})
		}
		rv.Findings = append(rv.Findings, downstreamFindings(cs, m)...)
	}
	// Edges among the nodes drawn, from the head graph.
	for id := range nodes {
		var deps []string
		if n := cs.Head.Nodes[id]; n != nil {
			deps = n.DependsOn.Nodes
		} else if e := cs.Head.Exposures[id]; e != nil {
			deps = e.DependsOn.Nodes
		}
		for _, up := range deps {
			if nodes[up] {
				rv.Lineage = append(rv.Lineage, review.Edge{From: up, To: id})
			}
		}
	}
	sort.Slice(rv.Lineage, func(i, j int) bool {
		a, b := rv.Lineage[i], rv.Lineage[j]
		return a.From < b.From || a.From == b.From && a.To < b.To
	})
}

func firstWord(s string) string {
	if i := strings.Index(s, " "); i > 0 && strings.HasPrefix(s, "DISTINCT") {
		return "DISTINCT"
	}
	for _, kw := range []string{"WHERE", "GROUP BY", "HAVING", "QUALIFY", "DISTINCT"} {
		if strings.HasPrefix(s, kw) {
			return "the " + kw + " clause"
		}
	}
	return "a join"
}

func clipText(s string) string {
	if len(s) > 100 {
		return s[:100] + "…"
	}
	return s
}

// renderedSQL is the model's SQL with Jinja rendered (compiled when available).
func renderedSQL(n *dbt.Node) string {
	if n.CompiledCode != "" {
		return n.CompiledCode
	}
	if n.Render != nil && n.Render.Err == nil {
		return n.Render.Output
	}
	return n.RawCode
}

// clauseLine maps an offset of the rendered SQL back to a line of the model's file.
func clauseLine(n *dbt.Node, off int) int {
	if n == nil {
		return 1
	}
	if n.Render != nil && n.Render.Map != nil && renderedSQL(n) == n.Render.Output {
		return n.RenderPosition(off).Line
	}
	return 1 + n.Template.Line
}

// downstreamFindings locates each downstream reader of a removed, renamed or retyped column
// at the first line of its file naming the column.
func downstreamFindings(cs *change.ChangeSet, m *change.ModelChange) []review.Finding {
	var out []review.Finding
	for _, ci := range m.ColImpact {
		n := cs.Head.Nodes[ci.Node]
		if n == nil || n.RelPath == "" {
			continue
		}
		kind := "changed"
		sev := review.SeverityError
		for _, c := range m.Columns {
			if strings.EqualFold(c.Name, ci.Column) || strings.EqualFold(c.From, ci.Column) {
				kind = string(c.Change)
				if c.Change == change.Retyped {
					sev = review.SeverityWarning
					kind = fmt.Sprintf("retyped from %s to %s", c.From, c.To)
				}
			}
		}
		line := wordLine(n, ci.Column)
		out = append(out, review.Finding{Agent: review.AgentImpact, Rule: review.RuleDownstreamColumn, Severity: sev,
			Path: n.RelPath, Line: line,
			Message: fmt.Sprintf("%s.%s reads %s.%s, which this change %s", n.Name, ci.NodeColumn, shortID(m.UniqueID), ci.Column, kind)})
	}
	return out
}

func wordLine(n *dbt.Node, word string) int {
	off := 0
	if re, err := regexp.Compile(`(?i)\b` + regexp.QuoteMeta(word) + `\b`); err == nil {
		if loc := re.FindStringIndex(n.RawCode); loc != nil {
			off = loc[0]
		}
	}
	return n.Source().Position(off).Line
}

// repoPrefix is the project's folder inside its git repository, slash-terminated ("" at the
// top or outside git): GitHub names files from the repository's top.
func repoPrefix(env *Env, project string, t *trust) string {
	repo := (*change.Repo)(nil)
	if t != nil && t.repo != nil {
		repo = t.repo
	} else if r, err := change.FindRepo(env.Ctx, project); err == nil {
		repo = r
	}
	if repo == nil || repo.Prefix == "" {
		return ""
	}
	return repo.Prefix + "/"
}

// writeSafeEdits writes every safe edit inside the project at root, all or none (see
// fsconfine.WriteFiles): a path leading outside the project is refused.
func writeSafeEdits(env *Env, root string, edits []review.Edit) error {
	var files []fsconfine.File
	for _, e := range edits {
		if !e.Safe {
			fmt.Fprintf(env.Stderr, "dataops: %s not written: validation failed\n", e.Path)
			continue
		}
		data, ok := env.fileContent(e.Path, e.Old, e.New)
		if !ok {
			continue
		}
		files = append(files, fsconfine.File{Name: e.Path, Data: data})
	}
	if err := fsconfine.WriteFiles(root, files); err != nil {
		return &ExitError{Code: ExitInternal, Err: err}
	}
	for _, f := range files {
		fmt.Fprintf(env.Stderr, "wrote %s\n", f.Name)
	}
	return nil
}

package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/dataops-dev/dataops/internal/change"
	"github.com/dataops-dev/dataops/internal/config"
	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/fsconfine"
	"github.com/dataops-dev/dataops/internal/pipeline"
	"github.com/dataops-dev/dataops/internal/review"
	"github.com/dataops-dev/dataops/internal/warehouse"
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
	t0 := time.Now()
	if err := review.Write(env.Stdout, rf.format, rv); err != nil {
		return &ExitError{Code: ExitInternal, Err: err}
	}
	debugTiming(env, "review-write", t0)
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
	warnChange(env, cs)
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

// buildReview runs the agents on the change set (pipeline.Run) with the run's settings,
// trust and collaborators.
func buildReview(env *Env, pf *projectFlags, cs *change.ChangeSet, rf *reviewFlags) (*review.Review, error) {
	p := cs.Head
	cfg := schemaConfig(rf.settings, pf.Project, rf.trust)
	dict, err := schemaDictionary(rf.trust, cfg, p.Root)
	if err != nil {
		return nil, err
	}
	catalog := projectCatalog(p.Root)
	repo, pr, head := rf.memory.pullRequest()
	lr := openLLM(env, rf.settings, llmOptions{project: p, columns: cs.HeadColumns, change: cs, pf: pf, prText: prText(env), command: "review",
		repository: repo, pr: pr, head: head})
	defer lr.close()
	in := pipeline.Inputs{
		Change: cs,
		Schema: pipeline.SchemaInputs{Config: cfg, Dictionary: dict, Types: catalogTypesOf(catalog),
			Describer: lr.describer(), Reload: reloader(env, pf)},
		Memory:        reviewMemoryOf{rf.memory},
		Narrator:      lr.narrator(),
		Dialect:       pf.Dialect,
		Catalog:       catalog,
		ColumnsCache:  pf.open(env, pf.Project),
		Progress:      pf.progressLine(env),
		MinConfidence: rf.settings.Tests.MinConfidence,
		History:       !rf.noHistory,
		FixUnverified: rf.fixUnverified,
		RuleTests:     lr.ruleTests,
		Warehouse: func() (warehouse.Warehouse, *warehouse.Target, error) {
			if wh, target := lr.warehouse(); wh != nil {
				// The language model's run shares its warehouse; it closes it itself.
				return keepOpen{wh}, target, nil
			}
			if !builtDuckDB(env, pf, p) {
				return nil, nil, nil
			}
			return openWarehouse(env, pf, p)
		},
		AllLines: rf.allLines,
		Warn:     func(msg string) { fmt.Fprintf(env.Stderr, "dataops: warning: %s\n", msg) },
		Timing:   func(phase string, since time.Time) { debugTiming(env, phase, since) },
	}
	if t := rf.trust; t != nil && (t.repo != nil || t.baseDir != "") {
		in.Touches = t.changes
	}
	if !rf.noLint {
		in.Lint = lintLoader(p.Root, rf.trust.lintReader(p.Root))
	}
	if in.OpenMetadata, in.OpenMetadataService, err = openMetadataClient(env, rf.omService); err != nil {
		return nil, err
	}
	rv, err := pipeline.Run(env.Ctx, in)
	if err != nil {
		return nil, pipelineError(err)
	}
	return rv, nil
}

func dialectOf(pf *projectFlags, p *dbt.Project) string {
	if pf.Dialect != "" {
		return pf.Dialect
	}
	return p.Adapter
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

// keepOpen lends a warehouse another owner closes.
type keepOpen struct{ warehouse.Warehouse }

func (keepOpen) Close() error { return nil }

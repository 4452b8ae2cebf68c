package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/spf13/cobra"

	"github.com/dataops-dev/dataops/internal/columns"
	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/fsconfine"
	"github.com/dataops-dev/dataops/internal/lint"
	"github.com/dataops-dev/dataops/internal/lint/rules"
	"github.com/dataops-dev/dataops/internal/lint/templating"
	"github.com/dataops-dev/dataops/internal/mcp"
	"github.com/dataops-dev/dataops/internal/memory"
	"github.com/dataops-dev/dataops/internal/pipeline"
	"github.com/dataops-dev/dataops/internal/review"
	"github.com/dataops-dev/dataops/internal/testgen"
	"github.com/dataops-dev/dataops/internal/warehouse"
	"github.com/dataops-dev/dataops/internal/warehouse/runner"
)

func init() { register(newMCPCmd) }

// mcpTokenVar names the variable holding the bearer token HTTP clients must present: a flag
// would show it to every user of the machine in the process list.
const mcpTokenVar = "DATAOPS_MCP_TOKEN"

type mcpFlags struct {
	http       string
	base       string
	allowWrite bool
	walkFiles  bool
}

func newMCPCmd(env *Env) *cobra.Command {
	var pf projectFlags
	var mf mcpFlags
	cmd := &cobra.Command{
		Use:   "mcp",
		Short: "Serve the project's lineage, impact, schema and test edits, lint, review and memory to AI editors over MCP",
		Long: `mcp serves the project (--project) over the Model Context Protocol, on stdio by default or over
streamable HTTP with --http ADDR (clients send the bearer token in ` + mcpTokenVar + `). The project is
loaded once, its columns inferred in the background, and loaded again when its files change.

Tools answer what the commands answer: get_project_summary, list_models, get_node_details,
get_lineage, get_column_lineage, compile, impact_analysis, schema_diff, lineage_diff,
plan_schema, suggest_tests, lint, review_change, show and run_tests (read-only, on the embedded
DuckDB), memory_search and memory_ingest. With --allow-write, apply_schema_edits, apply_tests
and apply_lint_fixes write property files and lint fixes inside the project; each previews
unless called with dry_run false. See docs/mcp.md.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runMCP(env, &pf, &mf) },
	}
	pf.bind(cmd)
	cmd.Flags().StringVar(&mf.http, "http", "", "serve streamable HTTP on this address (host:port) at /mcp instead of stdio; clients present $"+mcpTokenVar+" as a bearer token")
	cmd.Flags().StringVar(&mf.base, "base", "main", "git ref a change is compared with when a call names none")
	cmd.Flags().BoolVar(&mf.allowWrite, "allow-write", false, "turn on the apply tools, which write property files and lint fixes inside the project")
	cmd.Flags().BoolVar(&mf.walkFiles, "walk-files", false, "see edits by walking the project's files before each call instead of watching them (for network file systems)")
	return cmd
}

func runMCP(env *Env, pf *projectFlags, mf *mcpFlags) error {
	if _, err := os.Stat(filepath.Join(pf.Project, "dbt_project.yml")); err != nil {
		return usageError("%s: no dbt_project.yml (give the project directory with --project)", pf.Project)
	}
	abs, err := filepath.Abs(pf.Project)
	if err != nil {
		return usageError("%v", err)
	}
	pf.Project = abs
	token := ""
	if mf.http != "" {
		if token = env.Getenv(mcpTokenVar); len(token) < 16 {
			return usageError("--http needs a bearer token of at least 16 characters in $%s (e.g. export %s=$(openssl rand -hex 32))", mcpTokenVar, mcpTokenVar)
		}
		env.Secrets.Add(token)
	}
	logger := slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv := mcp.New(env.Ctx, &mcpEngine{env: env, pf: *pf}, mcp.Options{Dir: pf.Project, Base: mf.base,
		AllowWrite: mf.allowWrite, Mask: env.Secrets.Mask, Logger: logger, WalkFiles: mf.walkFiles})
	defer srv.Close()
	if mf.http == "" {
		err := srv.Run(env.Ctx, &sdk.IOTransport{Reader: io.NopCloser(env.Stdin), Writer: nopWriteCloser{env.Stdout}})
		if err != nil && env.Ctx.Err() == nil && !errors.Is(err, io.EOF) {
			return &ExitError{Code: ExitInternal, Err: err}
		}
		return nil
	}
	ln, err := net.Listen("tcp", mf.http)
	if err != nil {
		return usageError("--http: %v", err)
	}
	hs := &http.Server{Handler: srv.HTTPHandler(token), ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(env.Stderr, "dataops mcp: serving %s on http://%s/mcp\n", pf.Project, ln.Addr())
	done := make(chan error, 1)
	go func() { done <- hs.Serve(ln) }()
	select {
	case err := <-done:
		return &ExitError{Code: ExitInternal, Err: err}
	case <-env.Ctx.Done():
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = hs.Shutdown(ctx)
		return nil
	}
}

type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }

// mcpEngine runs the commands' pipelines for the MCP server. Each call gets its own Env: its
// context, and fresh settings and render-budget caches (a server running for days must not
// spend one command's budget); what commands print goes to stderr, never to stdout, which
// carries the protocol on stdio.
type mcpEngine struct {
	env *Env
	pf  projectFlags
}

func (e *mcpEngine) fork(ctx context.Context) (*Env, *projectFlags) {
	pf := e.pf
	return &Env{Ctx: ctx, Stdin: strings.NewReader(""), Stdout: e.env.Stderr, Stderr: e.env.Stderr,
		Getenv: e.env.Getenv, Secrets: e.env.Secrets}, &pf
}

// engineError turns a command's error into one for an MCP client: the message the CLI prints.
func engineError(err error) error {
	var ee *ExitError
	if errors.As(err, &ee) && ee.Err == nil {
		return fmt.Errorf("failed (exit %d)", ee.Code)
	}
	return err
}

func (e *mcpEngine) Load(ctx context.Context) (*mcp.Loaded, error) {
	env, pf := e.fork(ctx)
	opts, err := pf.options(env, true)
	if err != nil {
		return nil, engineError(err)
	}
	p, err := pf.load(env, true)
	if err != nil {
		return nil, engineError(err)
	}
	return &mcp.Loaded{Project: p, Budget: opts.Budget}, nil
}

func (e *mcpEngine) Infer(ctx context.Context, p *dbt.Project, ids []string) *columns.Result {
	opts := columns.Options{Ctx: ctx, Dialect: e.pf.Dialect, Models: ids, Cache: e.pf.cache}
	if cat := projectFile(p.Root, "target/catalog.json"); cat != "" {
		if c, err := columns.ReadCatalog(cat); err == nil {
			opts.Catalog = c
		}
	}
	return columns.Infer(p, opts)
}

func (e *mcpEngine) Impact(ctx context.Context, base string) (*mcp.Impact, error) {
	env, pf := e.fork(ctx)
	cf := &changeFlags{Base: base}
	tr, err := resolveTrust(env, pf, cf)
	if err != nil {
		return nil, engineError(err)
	}
	defer tr.close()
	cs, err := detectChange(env, pf, cf)
	if err != nil {
		return nil, engineError(err)
	}
	defer cs.Close()
	rv := &review.Review{}
	pipeline.Classify(cs, rv, dialectOf(pf, cs.Head))
	touched := map[string]bool{}
	for _, m := range cs.Models {
		touched[m.Path] = true
	}
	rv.Findings = append(rv.Findings, errorFindings(cs.Head, touched)...)
	rv.Finish()
	return &mcp.Impact{Review: rv, Models: cs.Models, PropertyFiles: cs.PropertyFiles, Warnings: cs.Warnings}, nil
}

func (e *mcpEngine) Review(ctx context.Context, base string) (*review.Review, error) {
	env, pf := e.fork(ctx)
	rf := &reviewFlags{format: "json"}
	defer func() { rf.trust.close() }()
	var rv *review.Review
	var root string
	if err := assembleReview(env, pf, &changeFlags{Base: base}, rf, &rv, &root); err != nil {
		return nil, engineError(err)
	}
	return rv, nil
}

func (e *mcpEngine) SchemaPlan(ctx context.Context, req mcp.SchemaRequest) (*mcp.SchemaPlan, error) {
	env, pf := e.fork(ctx)
	var sp schemaPlan
	if err := planSchema(env, pf, &changeFlags{Base: req.Base}, &schemaFlags{selects: req.Selects}, &sp); err != nil {
		return nil, engineError(err)
	}
	return &mcp.SchemaPlan{Root: sp.root, Edits: sp.edits, Findings: sp.findings, Invalid: sp.invalid}, nil
}

func (e *mcpEngine) Tests(ctx context.Context, p *dbt.Project, inf *columns.Result, req mcp.TestsRequest) (*mcp.TestsPlan, error) {
	env, pf := e.fork(ctx)
	opts := testgen.Options{Threshold: req.Threshold}
	if opts.Threshold == 0 {
		opts.Threshold = 0.5
	}
	var tr *trust
	var added map[string]bool
	if req.Base != "" {
		cf := &changeFlags{Base: req.Base}
		var err error
		if tr, err = resolveTrust(env, pf, cf); err != nil {
			return nil, engineError(err)
		}
		defer tr.close()
		cs, err := detectChange(env, pf, cf)
		if err != nil {
			return nil, engineError(err)
		}
		// The scope `dataops tests --base` takes.
		opts.Models, opts.Columns = testgen.ChangeScope(cs)
		added = addedColumns(cs)
		cs.Close()
		opts.NewColumns = true
		if len(opts.Models) == 0 {
			return &mcp.TestsPlan{Result: &testgen.Result{}}, nil
		}
	}
	if len(req.Models) > 0 {
		picked := map[string]bool{}
		for _, id := range req.Models {
			if opts.Models == nil || opts.Models[id] {
				picked[id] = true
			}
		}
		opts.Models = picked
	}
	res, err := suggestTests(env, pf, tr, "", p, inf, opts, added, false, false, nil)
	if err != nil {
		return nil, engineError(err)
	}
	edits, notes := proposedTestEdits(p, res)
	plan := &mcp.TestsPlan{Result: res, Notes: notes}
	for _, ed := range edits {
		plan.Edits = append(plan.Edits, mcp.FileEdit{Path: ed.Path, Old: ed.Old, New: ed.New})
	}
	return plan, nil
}

func (e *mcpEngine) Lint(ctx context.Context, p *dbt.Project, req mcp.LintRequest) (*mcp.LintResult, error) {
	_, pf := e.fork(ctx)
	dialect := req.Dialect
	if dialect == "" {
		dialect = pf.Dialect
	}
	l := &lint.Linter{Rules: rules.All(), Dialect: dialect, DefaultDialect: "ansi", Fix: req.Fix, Templater: templating.New()}
	if p.Adapter != "" {
		l.DefaultDialect = p.Adapter
	}
	l.Loader = lint.NewConfigLoader(p.Root, nil)
	l.Loader.UseRules(l.Rules)
	var f lint.File
	if req.SQL != "" {
		f = lint.File{Path: "inline.sql", AbsPath: filepath.Join(p.Root, "inline.sql"), Source: req.SQL}
	} else {
		rel := filepath.ToSlash(filepath.Clean(filepath.FromSlash(req.Path)))
		if !fsconfine.Local(rel) {
			return nil, fmt.Errorf("%s: %w", req.Path, fsconfine.ErrOutside)
		}
		data, err := fsconfine.ReadFile(p.Root, rel)
		if err != nil {
			return nil, err
		}
		f = lint.File{Path: rel, AbsPath: filepath.Join(p.Root, filepath.FromSlash(rel)), Source: string(data)}
		for _, n := range p.Nodes {
			// A model of the project renders with the project's macros, as `dataops lint` does.
			if n.RelPath == rel && n.ResourceType == dbt.Model && n.Language != "python" && n.RawCode == f.Source {
				f.Render = modelRender(p, n, rel)
				break
			}
		}
	}
	if err := checkConfigs(l, []lint.File{f}); err != nil {
		return nil, engineError(err)
	}
	res := l.LintFile(f)
	return &mcp.LintResult{FileResult: res, Source: f.Source}, nil
}

// embeddedDuckDB opens the project's DuckDB read-only: queries read relations and nothing
// else, and no file.
func (e *mcpEngine) embeddedDuckDB(env *Env, pf *projectFlags, p *dbt.Project) (warehouse.Warehouse, *warehouse.Target, error) {
	if !builtDuckDB(env, pf, p) {
		return nil, nil, fmt.Errorf("no embedded DuckDB to run on: the profile's target is not a DuckDB file that exists (run `dataops build` first)")
	}
	wh, t, err := openWarehouse(env, pf, p)
	if err != nil {
		return nil, nil, engineError(err)
	}
	return wh, t, nil
}

func (e *mcpEngine) Query(ctx context.Context, p *dbt.Project, sql string, limit int) (*warehouse.Rows, error) {
	env, pf := e.fork(ctx)
	wh, _, err := e.embeddedDuckDB(env, pf, p)
	if err != nil {
		return nil, err
	}
	defer wh.Close()
	return wh.Query(ctx, sql, limit)
}

func (e *mcpEngine) RunTests(ctx context.Context, p *dbt.Project, selectors, excludes []string) ([]runner.Result, error) {
	env, pf := e.fork(ctx)
	if !builtDuckDB(env, pf, p) {
		return nil, fmt.Errorf("no embedded DuckDB to run on: the profile's target is not a DuckDB file that exists (run `dataops build` first)")
	}
	rf := &runFlags{pf: *pf, selects: selectors, excludes: excludes, sample: 5}
	results, _, err := runSelected(env, rf, p, []string{dbt.Test}, nil)
	if err != nil {
		return nil, engineError(err)
	}
	return results, nil
}

// knowledge opens the memory the project's settings name.
func (e *mcpEngine) knowledge(env *Env, pf *projectFlags, create bool) (*knowledge, error) {
	var tr *trust
	cfg, err := tr.config(env, pf)
	if err != nil {
		return nil, engineError(err)
	}
	k, err := openKnowledge(env, &cfg.Memory, pf.Project, create)
	if err != nil {
		return nil, engineError(err)
	}
	return k, nil
}

func (e *mcpEngine) MemorySearch(ctx context.Context, q memory.Query) ([]memory.Hit, error) {
	env, pf := e.fork(ctx)
	k, err := e.knowledge(env, pf, false)
	if err != nil || k == nil {
		return nil, err
	}
	defer k.Close()
	vs, err := k.Embedder.Embed(ctx, []string{q.Text})
	if err != nil {
		return nil, err
	}
	q.Vector = vs[0]
	return k.Store.Query(ctx, q)
}

func (e *mcpEngine) MemoryIngest(ctx context.Context, recs []memory.Record) error {
	env, pf := e.fork(ctx)
	k, err := e.knowledge(env, pf, true)
	if err != nil {
		return err
	}
	if k == nil {
		return fmt.Errorf("memory is off (memory.store: none in .dataops.yml)")
	}
	defer k.Close()
	texts := make([]string, len(recs))
	for i, r := range recs {
		texts[i] = r.Text
	}
	vs, err := k.Embedder.Embed(ctx, texts)
	if err != nil {
		return err
	}
	for i := range recs {
		recs[i].Vector = vs[i]
	}
	return k.Store.Upsert(ctx, recs)
}

func (e *mcpEngine) WriteFiles(ctx context.Context, root string, edits []mcp.FileEdit) ([]string, error) {
	env, _ := e.fork(ctx)
	var files []fsconfine.File
	for _, ed := range edits {
		if data, ok := env.fileContent(ed.Path, ed.Old, ed.New); ok {
			files = append(files, fsconfine.File{Name: ed.Path, Data: data})
		}
	}
	if err := fsconfine.WriteFiles(root, files); err != nil {
		return nil, err
	}
	written := make([]string, len(files))
	for i, f := range files {
		written[i] = f.Name
		fmt.Fprintf(env.Stderr, "dataops mcp: wrote %s\n", f.Name)
	}
	return written, nil
}

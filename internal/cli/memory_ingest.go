package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/dataops-dev/dataops/internal/change"
	"github.com/dataops-dev/dataops/internal/config"
	"github.com/dataops-dev/dataops/internal/fsconfine"
	"github.com/dataops-dev/dataops/internal/github"
	"github.com/dataops-dev/dataops/internal/ingest"
	"github.com/dataops-dev/dataops/internal/learn"
	"github.com/dataops-dev/dataops/internal/memory"
	"github.com/dataops-dev/dataops/internal/memory/embedded"
	"github.com/dataops-dev/dataops/internal/yamllimit"
)

func init() { registerMemory(newMemoryIngestCmd) }

type memoryIngestFlags struct {
	project   string
	noHistory bool
	github    string
}

func newMemoryIngestCmd(env *Env) *cobra.Command {
	f := &memoryIngestFlags{}
	cmd := &cobra.Command{
		Use:   "ingest [PATH...]",
		Short: "Read the project's knowledge into memory (property files, docs, dictionaries, playbooks, dbt artifacts, git history, review comments)",
		Long: `Reads into the memory store: the property files (model and column descriptions, tests, docs
blocks); markdown, reStructuredText and text documents and READMEs; data dictionaries (CSV, YAML,
JSON: files named like *dictionary* or *glossary*, schema.dictionary, and memory.paths);
review playbooks (markdown named like *playbook*, and memory.playbooks), one rule per list item
or paragraph; target/manifest.json and target/catalog.json when present; the git history (the
columns each commit added, with the descriptions and tests written for them; memory.history,
memory.history_commits); and with --github (or GITHUB_REPOSITORY in GitHub Actions) and
GITHUB_TOKEN, the pull requests' review comments.

PATHs are more files or folders to read (documents; .csv, .json and non-dbt .yml are
dictionaries). Only what changed since the last ingest is read again: a second run on an
unchanged project embeds and writes nothing. Ingested text is data: it is never rendered or
run, and the run's secret values are masked in it.`,
		RunE: func(cmd *cobra.Command, args []string) error { return runMemoryIngest(env, f, args) },
	}
	cmd.Flags().StringVar(&f.project, "project", ".", "directory of the dbt project")
	cmd.Flags().BoolVar(&f.noHistory, "no-history", false, "do not read the git history")
	cmd.Flags().StringVar(&f.github, "github", "", "read the review comments of this repository (owner/name); GITHUB_TOKEN authenticates")
	return cmd
}

// memoryCommandSettings reads .dataops.yml of the project for the memory commands.
func memoryCommandSettings(env *Env, project string) (*config.Config, error) {
	cfg, err := config.Load(config.Options{Dir: project, Getenv: func(k string) (string, bool) {
		v := env.Getenv(k)
		return v, v != ""
	}})
	if err != nil {
		return nil, usageError("%v", err)
	}
	if _, err := env.security(project); err != nil {
		return nil, usageError("%v", err)
	}
	return cfg, nil
}

// ingestStateName is ingestion's state file in the embedded store's directory.
const ingestStateName = "INGEST"

// statePath is where ingestion keeps what it saw: in the embedded store's directory, or for a
// server store in the project's .dataops folder, one file per store and collection.
func statePath(m *config.Memory, projectDir string) string {
	if dir := knowledgeDir(m, projectDir); dir != "" {
		return filepath.Join(dir, ingestStateName)
	}
	h := sha256.Sum256([]byte(m.Store + "\x00" + m.URL + "\x00" + m.Collection))
	return filepath.Join(projectDir, ".dataops", "ingest-"+m.Store+"-"+hex.EncodeToString(h[:6])+".json")
}

// dbtProjectFile is what ingestion needs of dbt_project.yml.
type dbtProjectFile struct {
	Name       string `yaml:"name"`
	TargetPath string `yaml:"target-path"`
}

func readDbtProject(dir string) dbtProjectFile {
	var p dbtProjectFile
	for _, n := range []string{"dbt_project.yml", "dbt_project.yaml"} {
		data, err := fsconfine.ReadFile(dir, n)
		if err != nil {
			continue
		}
		var raw map[string]any
		if yamllimit.Unmarshal(data, &raw) == nil {
			p.Name, _ = raw["name"].(string)
			p.TargetPath, _ = raw["target-path"].(string)
		}
		break
	}
	return p
}

// ingestOptions are the ingest options the settings and flags give.
func ingestOptions(env *Env, cfg *config.Config, project string) (ingest.Options, error) {
	abs, err := filepath.Abs(project)
	if err != nil {
		return ingest.Options{}, &ExitError{Code: ExitInternal, Err: err}
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	dp := readDbtProject(abs)
	m := &cfg.Memory
	o := ingest.Options{Dir: abs, Project: dp.Name, TargetPath: dp.TargetPath, Dictionary: cfg.Schema.Dictionary,
		Paths: m.Paths, Playbooks: m.Playbooks, History: m.History, HistoryCommits: m.HistoryCommits,
		StatePath: statePath(m, abs), Mask: env.Secrets.MaskString}
	if dir := knowledgeDir(m, abs); dir != "" {
		o.Skip = []string{dir}
	}
	if repo, err := change.FindRepo(env.Ctx, abs); err == nil {
		o.Repo, o.RepoTop = repo, repo.Top
	}
	return o, nil
}

func runMemoryIngest(env *Env, f *memoryIngestFlags, args []string) error {
	cfg, err := memoryCommandSettings(env, f.project)
	if err != nil {
		return err
	}
	if cfg.Memory.Store == "none" {
		return usageError("memory.store is none in %s: there is no memory to ingest into", settingsName(cfg))
	}
	for _, a := range args {
		if _, err := os.Stat(a); err != nil {
			return usageError("%s: %v", a, errors.Unwrap(err))
		}
	}
	comments, err := githubComments(env, f.github)
	if err != nil {
		return err
	}
	o, err := ingestOptions(env, cfg, f.project)
	if err != nil {
		return err
	}
	o.Args = args
	o.History = o.History && !f.noHistory
	// The store is opened only when something is to be written: a second ingest of an
	// unchanged project does not load it. An embedded store is still checked (checksums, no
	// decoding): a corrupt one is opened now, which empties it, and everything is ingested.
	var k *knowledge
	defer func() { k.Close() }()
	open := func() error {
		if k != nil {
			return nil
		}
		var err error
		k, err = openKnowledge(env, &cfg.Memory, f.project, true)
		return err
	}
	if dir := knowledgeDir(&cfg.Memory, o.Dir); dir != "" {
		if _, err := os.Stat(filepath.Join(dir, "MANIFEST")); err != nil {
			// No store there (never made, or its files removed by hand): whatever the state
			// says was written is not.
			os.Remove(o.StatePath)
		} else if err := embedded.Verify(env.Ctx, dir); errors.Is(err, memory.ErrCorrupt) {
			if err := open(); err != nil {
				return err
			}
		}
	}
	target := func(context.Context) (memory.Store, memory.Embedder, bool, error) {
		if err := open(); err != nil {
			return nil, nil, false, err
		}
		return k.Store, k.Embedder, k.Rebuilt, nil
	}
	if comments != nil {
		o.Comments = comments
	}
	o.Warn = func(msg string) { fmt.Fprintf(env.Stderr, "dataops: warning: %s\n", msg) }
	var prog *progressLine
	if env.Terminal {
		prog = &progressLine{w: env.Stderr}
		o.Progress = prog.show
	}
	if o.History && o.Repo == nil {
		fmt.Fprintf(env.Stderr, "dataops: %s is not in a git repository: no history to read\n", f.project)
	}
	res, err := ingest.Run(env.Ctx, target, o)
	prog.clear()
	if err != nil {
		return ingestError(err, k)
	}
	if k != nil && k.Rebuilt {
		fmt.Fprintf(env.Stderr, "dataops: memory store %s rebuilt from its sources\n", k.Where)
	}
	fmt.Fprintf(env.Stdout, "memory: %d sources (%d changed), records: %d added, %d updated, %d removed; %d skipped; %s%s%.1f s\n",
		res.Sources, res.Changed, res.Added, res.Updated, res.Removed, res.Skipped,
		countOf(res.Commits, "commit", o.History && o.Repo != nil), countOf(res.Comments, "review comment", comments != nil), res.Elapsed.Seconds())
	if o.History && o.Repo != nil && res.Commits > 0 {
		// New commits may be the merges of pull requests dataops proposed edits to: what
		// became of each proposal is read from the commit where it landed. Without new
		// commits nothing can have merged since the last ingest, and the store stays closed.
		if err := open(); err != nil {
			return ingestError(err, k)
		}
		r, err := learn.ResolveHistory(env.Ctx, k.Store, o.Dir, o.Project, "", "")
		if err != nil {
			fmt.Fprintf(env.Stderr, "dataops: warning: resolving merged proposals: %v\n", err)
		} else if r.Accepted+r.Edited+r.Rejected > 0 {
			fmt.Fprintf(env.Stdout, "proposals resolved from history: %d accepted, %d edited, %d rejected\n", r.Accepted, r.Edited, r.Rejected)
		}
	}
	return nil
}

func countOf(n int, what string, show bool) string {
	if !show {
		return ""
	}
	if n != 1 {
		what += "s"
	}
	return fmt.Sprintf("%d %s; ", n, what)
}

func settingsName(cfg *config.Config) string {
	if cfg.Path != "" {
		return filepath.Base(cfg.Path)
	}
	return "the settings"
}

// ingestError maps a failed ingest to its exit code: a server that does not answer or refuses
// is bad input (2), with the server named; anything else is ours (3).
func ingestError(err error, k *knowledge) error {
	var ee *ExitError
	if errors.As(err, &ee) {
		return err
	}
	var se *ingest.ServerError
	if errors.As(err, &se) {
		if se.Service == "memory store" && k != nil {
			return usageError("memory store %s: %v", k.Where, se.Err)
		}
		return usageError("%v", err)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return &ExitError{Code: ExitInternal, Err: err}
	}
	return &ExitError{Code: ExitInternal, Err: err}
}

// githubComments is the review comments reader the flag (or GitHub Actions) names; nil when
// none.
func githubComments(env *Env, repo string) (ingest.Comments, error) {
	token := env.Getenv("GITHUB_TOKEN")
	if repo == "" {
		if token == "" || env.Getenv("GITHUB_ACTIONS") != "true" {
			return nil, nil
		}
		repo = env.Getenv("GITHUB_REPOSITORY")
		if repo == "" {
			return nil, nil
		}
	}
	owner, name, ok := strings.Cut(repo, "/")
	if !ok || owner == "" || name == "" || strings.Contains(name, "/") {
		return nil, usageError("--github: want owner/name, got %q", repo)
	}
	if token == "" {
		return nil, usageError("--github %s: reading review comments needs GITHUB_TOKEN", repo)
	}
	env.Secrets.Add(token)
	return &githubReader{opts: github.RepoOptions{Owner: owner, Repo: name, Token: token, APIURL: env.Getenv("GITHUB_API_URL")}}, nil
}

// githubReader adapts the GitHub client to what ingestion asks.
type githubReader struct {
	opts github.RepoOptions
}

func (g *githubReader) Repo() string { return g.opts.Owner + "/" + g.opts.Repo }

func (g *githubReader) ReviewComments(ctx context.Context, since time.Time) ([]ingest.ReviewComment, error) {
	list, err := github.ListReviewComments(ctx, g.opts, since)
	if err != nil {
		return nil, err
	}
	out := make([]ingest.ReviewComment, len(list))
	for i, c := range list {
		out[i] = ingest.ReviewComment{ID: c.ID, PR: c.PR, Path: c.Path, Line: c.Line, Body: c.Body, Author: c.Author, Bot: c.Bot,
			Commit: c.CommitID, Created: c.Created, Updated: c.Updated}
	}
	return out, nil
}

// progressLine shows an ingest's progress on one terminal line, at most ten times a second.
type progressLine struct {
	w     io.Writer
	mu    sync.Mutex
	last  time.Time
	phase string
	shown bool
}

func (p *progressLine) show(pr ingest.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if pr.Phase == p.phase && now.Sub(p.last) < 100*time.Millisecond && pr.Done != pr.Total {
		return
	}
	p.phase, p.last, p.shown = pr.Phase, now, true
	if pr.Total > 0 {
		fmt.Fprintf(p.w, "\r\033[Kmemory: %s %d/%d", pr.Phase, pr.Done, pr.Total)
	} else {
		fmt.Fprintf(p.w, "\r\033[Kmemory: %s", pr.Phase)
	}
}

func (p *progressLine) clear() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

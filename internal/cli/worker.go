package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/dataops-dev/dataops/internal/agent"
	"github.com/dataops-dev/dataops/internal/config"
	"github.com/dataops-dev/dataops/internal/githubapp"
	"github.com/dataops-dev/dataops/internal/llm"
	"github.com/dataops-dev/dataops/internal/review"
	"github.com/dataops-dev/dataops/internal/service"
	"github.com/dataops-dev/dataops/internal/service/gitcache"
)

func init() { register(newWorkerCmd) }

// serviceFlags are shared by serve and worker.
type serviceFlags struct {
	config   string
	cacheDir string
	workers  int
}

func (s *serviceFlags) bind(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&s.config, "config", "", "settings file with a service section (app_id, private_key_path, webhook_secret, api_url, redis_url)")
	f.StringVar(&s.cacheDir, "cache-dir", filepath.Join(os.TempDir(), "dataops-service"), "folder for the bare clone cache and the jobs' scratch worktrees")
}

// serviceSetup is what serve and worker build from the settings.
type serviceSetup struct {
	settings *config.Service
	app      *githubapp.App
	queue    *service.Queue
	metrics  *service.Metrics
	log      *slog.Logger
	runner   *reviewRunner
}

func setupService(env *Env, sf *serviceFlags) (*serviceSetup, error) {
	getenv := func(k string) (string, bool) {
		v := env.Getenv(k)
		return v, v != ""
	}
	cfg, err := config.Load(config.Options{Path: sf.config, Dir: ".", Getenv: getenv})
	if err != nil {
		return nil, usageError("%v", err)
	}
	s := &cfg.Service
	key := []byte(s.PrivateKey)
	if len(key) == 0 && s.PrivateKeyPath != "" {
		if key, err = os.ReadFile(s.PrivateKeyPath); err != nil {
			return nil, usageError("the App's private key: %v", err)
		}
	}
	env.Secrets.Add(string(key))
	env.Secrets.Add(s.WebhookSecret)
	if s.RedisURL == "" {
		return nil, usageError("the service needs Redis: set DATAOPS_REDIS_URL or service.redis_url")
	}
	log := slog.New(slog.NewJSONHandler(env.Stderr, nil))
	q, err := service.NewQueue(env.Ctx, s.RedisURL)
	if err != nil {
		return nil, &ExitError{Code: ExitInternal, Err: fmt.Errorf("redis: %v", err)}
	}
	m := service.NewMetrics(q)
	app, err := githubapp.New(githubapp.Options{ID: s.AppID, Key: key, APIURL: s.APIURL, Transport: m.Transport(nil)})
	if err != nil {
		q.Close()
		return nil, usageError("%v", err)
	}
	r := &reviewRunner{env: env, app: app, cache: &gitcache.Cache{Dir: filepath.Join(sf.cacheDir, "repos")}, scratch: filepath.Join(sf.cacheDir, "jobs"), project: s.Project}
	return &serviceSetup{settings: s, app: app, queue: q, metrics: m, log: log, runner: r}, nil
}

// startWorkers runs n workers until ctx ends.
func (s *serviceSetup) startWorkers(ctx context.Context, n int) chan struct{} {
	host, _ := os.Hostname()
	done := make(chan struct{})
	for i := range n {
		w := &service.Worker{Name: fmt.Sprintf("%s-%d-%d", host, os.Getpid(), i), Queue: s.queue, Runner: s.runner, GitHub: s.app, Metrics: s.metrics, Log: s.log}
		go func() { w.Run(ctx); done <- struct{}{} }()
	}
	return done
}

func newWorkerCmd(env *Env) *cobra.Command {
	sf := &serviceFlags{}
	cmd := &cobra.Command{
		Use:   "worker",
		Short: "Run review workers on the service's Redis queue (any number, on any machine)",
		Long: `worker takes jobs from the Redis queue that dataops serve fills: it checks out each pull
request's base and head, reviews it with the settings of the base, posts the review as the
GitHub App, and runs /dataops apply. Workers on many machines share one Redis; a job of a
worker that dies is taken over by another. Settings as for serve.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := setupService(env, sf)
			if err != nil {
				return err
			}
			defer s.queue.Close()
			done := s.startWorkers(env.Ctx, max(sf.workers, 1))
			for range max(sf.workers, 1) {
				<-done
			}
			return nil
		},
	}
	sf.bind(cmd)
	cmd.Flags().IntVar(&sf.workers, "concurrency", 1, "jobs this process runs at once")
	return cmd
}

// reviewRunner runs the review command in-process on a job's checkout.
type reviewRunner struct {
	env     *Env
	app     *githubapp.App
	cache   *gitcache.Cache
	scratch string
	// project is service.project: the dbt project's folder in repositories holding several.
	project string
}

// skipDirs are folders that never hold the repository's own dbt project.
var skipDirs = map[string]bool{".git": true, "dbt_packages": true, "dbt_modules": true, "target": true, "node_modules": true, "logs": true}

// findProject returns the dbt project's folder in a checkout, repository-relative ("." at the
// top): the configured one when set, else the only folder holding a dbt_project.yml. A
// repository that has none, or several and no service.project, is refused: trying the same
// commit again cannot find another answer.
func findProject(root, configured string) (string, error) {
	refuse := func(format string, args ...any) (string, error) {
		return "", &service.Refusal{Reason: fmt.Sprintf(format, args...)}
	}
	if configured != "" {
		rel := filepath.ToSlash(filepath.Clean(configured))
		if !filepath.IsLocal(rel) {
			return refuse("service.project %q is not a folder inside the repository", configured)
		}
		if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(rel), "dbt_project.yml")); err != nil {
			return refuse("service.project %q: the repository has no %s/dbt_project.yml at this commit", configured, rel)
		}
		return rel, nil
	}
	var found []string
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && p != root && (skipDirs[d.Name()] || strings.HasPrefix(d.Name(), ".")) {
			return filepath.SkipDir
		}
		if !d.IsDir() && d.Name() == "dbt_project.yml" {
			rel, _ := filepath.Rel(root, filepath.Dir(p))
			found = append(found, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	switch len(found) {
	case 0:
		return refuse("the repository has no dbt_project.yml")
	case 1:
		return found[0], nil
	}
	return refuse("the repository holds %d dbt projects (%s): set service.project to the one to review", len(found), strings.Join(found, ", "))
}

func (r *reviewRunner) checkout(ctx context.Context, j *service.Job, token string) (string, func(), error) {
	if err := os.MkdirAll(r.scratch, 0o755); err != nil {
		return "", nil, err
	}
	dir := filepath.Join(r.scratch, fmt.Sprintf("%s-%d-%d", j.ID, j.PR, time.Now().UnixNano()))
	return r.cache.Checkout(ctx, j.Owner, j.Repo, j.CloneURL, token, dir, j.HeadSHA, j.BaseSHA)
}

// runReview runs `dataops review` with the installation's token; GitHub Actions' variables
// are cleared so nothing of the service's own environment is taken for an event.
// account, when set, receives the run's language-model account.
func (r *reviewRunner) runReview(ctx context.Context, token string, account func(*llm.Meter), args ...string) ([]byte, string, error) {
	var out, errb bytes.Buffer
	api := strings.TrimRight(r.app.APIURL(), "/")
	getenv := func(k string) string {
		switch k {
		case "GITHUB_TOKEN":
			return token
		case "GITHUB_API_URL":
			return api
		case "GITHUB_ACTIONS", "GITHUB_EVENT_PATH", "CI", "GH_TOKEN", "GITHUB_APP_PRIVATE_KEY", "GITHUB_WEBHOOK_SECRET":
			return ""
		}
		return r.env.Getenv(k)
	}
	sub := &Env{Ctx: ctx, Stdout: &out, Stderr: &errb, Getenv: getenv, Secrets: r.env.Secrets}
	if account != nil {
		sub.llmHooks = &llmHooks{report: func(m *llm.Meter, _ []agent.Outcome) { account(m) }}
	}
	code := RunEnv(sub, args)
	if code != ExitOK && code != ExitFindings {
		return nil, "", fmt.Errorf("review exited %d: %s", code, r.app.MaskString(lastLines(errb.String(), 5)))
	}
	return out.Bytes(), errb.String(), nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func (r *reviewRunner) Review(ctx context.Context, j *service.Job) (*service.Result, error) {
	token, err := r.app.Token(ctx, j.Installation)
	if err != nil {
		return nil, err
	}
	dir, done, err := r.checkout(ctx, j, token)
	if err != nil {
		return nil, err
	}
	defer done()
	proj, err := findProject(dir, r.project)
	if err != nil {
		return nil, err
	}
	var account llm.Total
	out, _, err := r.runReview(ctx, token, func(m *llm.Meter) { account = m.Total() }, "review", "--project", filepath.Join(dir, proj), "--base", j.BaseSHA, "--trust", "base", "--format", "json", "--fail-on", "never",
		"--github-repo", j.Owner+"/"+j.Repo, "--github-pr", fmt.Sprint(j.PR))
	if err != nil {
		return nil, err
	}
	var rv review.Review
	if err := json.Unmarshal(out, &rv); err != nil {
		return nil, fmt.Errorf("reading the review: %v", err)
	}
	res := &service.Result{LLMTokens: int64(account.Usage.Total()), LLMCostUSD: account.Cost}
	for _, f := range rv.Findings {
		res.Findings = append(res.Findings, service.Finding{Agent: f.Agent, Rule: f.Rule})
	}
	for _, e := range rv.Edits {
		if e.Safe {
			res.Proposed++
		}
	}
	return res, nil
}

func (r *reviewRunner) Fix(ctx context.Context, j *service.Job) (map[string][]byte, error) {
	token, err := r.app.Token(ctx, j.Installation)
	if err != nil {
		return nil, err
	}
	dir, done, err := r.checkout(ctx, j, token)
	if err != nil {
		return nil, err
	}
	defer done()
	proj, err := findProject(dir, r.project)
	if err != nil {
		return nil, err
	}
	if _, _, err := r.runReview(ctx, token, nil, "review", "--project", filepath.Join(dir, proj), "--base", j.BaseSHA, "--trust", "base", "--format", "json", "--fail-on", "never", "--fix"); err != nil {
		return nil, err
	}
	st, err := exec.CommandContext(ctx, "git", "-C", dir, "status", "--porcelain", "--untracked-files=all", "-z").Output()
	if err != nil {
		return nil, fmt.Errorf("git status: %v", err)
	}
	files := map[string][]byte{}
	for _, rec := range strings.Split(string(st), "\x00") {
		if len(rec) < 4 || rec[1] == 'D' || rec[0] == 'D' {
			continue
		}
		p := rec[3:]
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(p)))
		if err != nil {
			return nil, err
		}
		files[p] = b
	}
	return files, nil
}

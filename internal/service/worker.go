package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path"
	"strings"
	"time"

	"github.com/dataops-dev/dataops/internal/githubapp"
)

// Result is what a review run reports.
type Result struct {
	Findings   []Finding
	Proposed   int // safe edits proposed
	LLMTokens  int64
	LLMCostUSD float64
}

// Runner reviews a job's pull request at job.HeadSHA against job.BaseSHA with the base's
// settings and posts the review.
type Runner interface {
	Review(ctx context.Context, job *Job) (*Result, error)
	// Fix returns the review's safe edits at job.HeadSHA: repository path → new content.
	Fix(ctx context.Context, job *Job) (map[string][]byte, error)
}

// GitHub is what the workers ask GitHub (internal/githubapp.App implements it).
type GitHub interface {
	Permission(ctx context.Context, inst int64, owner, repo, user string) (string, error)
	PullRequest(ctx context.Context, inst int64, owner, repo string, n int) (*githubapp.PullRequest, error)
	Comment(ctx context.Context, inst int64, owner, repo string, n int, body string) error
	CommitFiles(ctx context.Context, inst int64, owner, repo, branch, expected, message string, files map[string][]byte) (string, error)
}

// Worker takes jobs from the queue and runs them.
type Worker struct {
	Name    string // consumer name, unique per worker
	Queue   *Queue
	Runner  Runner
	GitHub  GitHub
	Metrics *Metrics
	Log     *slog.Logger
	// MaxAttempts starts of a job before it goes to the dead-letter stream (default 5).
	MaxAttempts int64
	// ClaimIdle is how long a job may sit unrefreshed before another worker takes it over
	// (default 60s); a live worker refreshes its job every ClaimIdle/4.
	ClaimIdle time.Duration
	// Backoff is the first retry's wait, doubled per attempt (default 5s).
	Backoff time.Duration
	// Block is how long one read waits for a job (default 2s).
	Block time.Duration
}

func (w *Worker) defaults() {
	if w.MaxAttempts <= 0 {
		w.MaxAttempts = 5
	}
	if w.ClaimIdle <= 0 {
		w.ClaimIdle = 60 * time.Second
	}
	if w.Backoff <= 0 {
		w.Backoff = 5 * time.Second
	}
	if w.Block <= 0 {
		w.Block = 2 * time.Second
	}
	if w.Log == nil {
		w.Log = slog.New(slog.DiscardHandler)
	}
}

// Run works until ctx ends. Redis errors are logged and waited out: the client reconnects.
func (w *Worker) Run(ctx context.Context) error {
	w.defaults()
	wait := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := w.Once(ctx)
		if err == nil {
			wait = 100 * time.Millisecond
			continue
		}
		if ctx.Err() != nil {
			break
		}
		w.Log.Warn("queue unavailable", "worker", w.Name, "error", err.Error())
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
		wait = min(wait*2, 5*time.Second)
		// A restarted Redis without its data has lost the group; recreate it.
		w.Queue.Init(ctx)
	}
	return nil
}

// Once moves due retries, takes over abandoned jobs, then reads new ones, and runs what it got.
func (w *Worker) Once(ctx context.Context) error {
	w.defaults()
	if _, err := w.Queue.MoveDue(ctx); err != nil {
		return err
	}
	msgs, err := w.Queue.Claim(ctx, w.Name, w.ClaimIdle, 1)
	if err != nil {
		return err
	}
	for _, m := range msgs {
		w.Log.Info("took over", "worker", w.Name, "job", m.Job.ID, "entry", m.ID)
	}
	if len(msgs) == 0 {
		if msgs, err = w.Queue.Read(ctx, w.Name, 1, w.Block); err != nil {
			return err
		}
	}
	for _, m := range msgs {
		w.handle(ctx, m)
	}
	return nil
}

// errSuperseded cancels a job whose pull request got a newer head.
var errSuperseded = errors.New("superseded by a newer push")

func (w *Worker) handle(ctx context.Context, m Message) {
	j := &m.Job
	log := w.Log.With("worker", w.Name, "job", j.ID, "delivery", j.Delivery, "kind", j.Kind, "pr", j.PRKey())
	run := Run{Job: j.ID, Kind: j.Kind, Repo: j.Owner + "/" + j.Repo, PR: j.PR, Head: j.HeadSHA, State: StateRunning, Started: time.Now()}
	if j.Kind != KindReview && j.Kind != KindApply {
		w.Queue.DeadLetter(ctx, m, "unknown job")
		w.Metrics.Jobs.WithLabelValues(StateDead).Inc()
		return
	}
	if gone, err := w.Queue.InstallationGone(ctx, j.Installation); err != nil {
		log.Warn("installation not checked", "error", err.Error())
		return // left pending: taken over once Redis answers
	} else if gone {
		w.finish(ctx, m, &run, StateDropped, nil, log)
		return
	}
	n, err := w.Queue.Attempt(ctx, j.ID)
	if err != nil {
		log.Warn("attempt not counted", "error", err.Error())
		return // left pending: taken over once Redis answers
	}
	run.Attempts = n
	if n > w.MaxAttempts {
		w.finish(ctx, m, &run, StateDead, fmt.Errorf("gave up after %d attempts", n-1), log)
		return
	}
	w.Queue.SaveRun(ctx, run)
	jctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	go w.watch(jctx, cancel, m)
	var res *Result
	switch j.Kind {
	case KindReview:
		res, err = w.review(jctx, j, log)
	case KindApply:
		err = w.apply(jctx, j, log)
	}
	run.Head = j.HeadSHA
	run.Duration = time.Since(run.Started)
	w.Metrics.JobDuration.WithLabelValues(j.Kind).Update(run.Duration.Seconds())
	// A job that finished (its review posted) before the newer head was noticed is done, not
	// superseded: the cancel came too late to stop anything.
	if cause := context.Cause(jctx); errors.Is(err, errSuperseded) || err != nil && errors.Is(cause, errSuperseded) {
		w.finish(ctx, m, &run, StateSuperseded, nil, log)
		return
	}
	var refused *Refusal
	switch {
	case errors.As(err, &refused):
		w.finish(ctx, m, &run, StateRefused, err, log)
	case errors.Is(err, errAlreadyDone):
		w.finish(ctx, m, &run, StateDuplicate, nil, log)
	case err != nil && ctx.Err() != nil:
		// Shutting down: leave the job pending for whoever comes next.
		log.Info("stopped mid-job")
	case err != nil && n >= w.MaxAttempts:
		w.finish(ctx, m, &run, StateDead, err, log)
	case err != nil:
		wait := w.Backoff << (n - 1)
		run.State, run.Error = StateRetrying, err.Error()
		w.Queue.SaveRun(ctx, run)
		if rerr := w.Queue.Retry(ctx, m, wait); rerr != nil {
			log.Warn("retry not scheduled", "error", rerr.Error())
		}
		w.Metrics.Jobs.WithLabelValues(StateRetrying).Inc()
		log.Warn("job failed, will retry", "error", err.Error(), "attempt", n, "wait", wait.String())
	default:
		if res != nil {
			run.Findings = len(res.Findings)
			run.LLMTokens, run.LLMCostUSD = res.LLMTokens, res.LLMCostUSD
			w.Queue.CountFindings(ctx, res.Findings)
			w.Queue.Proposals(ctx, time.Now(), res.Proposed, 0)
			w.Queue.AddLLM(ctx, res.LLMTokens, res.LLMCostUSD)
			if res.LLMTokens > 0 {
				w.Metrics.LLMTokens.Add(int(res.LLMTokens))
			}
			w.Metrics.LLMCost.Add(res.LLMCostUSD)
		}
		w.finish(ctx, m, &run, StateDone, nil, log)
	}
}

func (w *Worker) finish(ctx context.Context, m Message, run *Run, state string, err error, log *slog.Logger) {
	run.State = state
	if err != nil {
		run.Error = err.Error()
	}
	if run.Duration == 0 {
		run.Duration = time.Since(run.Started)
	}
	w.Queue.SaveRun(ctx, *run)
	if state == StateDead {
		w.Queue.DeadLetter(ctx, m, run.Error)
		log.Error("dead letter", "error", run.Error)
	} else {
		w.Queue.Ack(ctx, m.ID)
		log.Info("job finished", "state", state, "ms", run.Duration.Milliseconds())
	}
	w.Metrics.Jobs.WithLabelValues(state).Inc()
}

// watch keeps the job claimed while it runs and cancels it when a newer head arrives.
func (w *Worker) watch(ctx context.Context, cancel context.CancelCauseFunc, m Message) {
	t := time.NewTicker(min(w.ClaimIdle/4, time.Second))
	defer t.Stop()
	touched := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if time.Since(touched) >= w.ClaimIdle/4 {
			if w.Queue.Touch(ctx, w.Name, m.ID) == nil {
				touched = time.Now()
			}
		}
		if m.Job.Kind == KindReview && m.Job.HeadSHA != "" {
			if head, err := w.Queue.Head(ctx, m.Job.PRKey()); err == nil && head != "" && head != m.Job.HeadSHA {
				cancel(errSuperseded)
				return
			}
		}
	}
}

var errAlreadyDone = errors.New("already reviewed")

func (w *Worker) review(ctx context.Context, j *Job, log *slog.Logger) (*Result, error) {
	if j.HeadSHA == "" || j.BaseSHA == "" || j.CloneURL == "" {
		pr, err := w.GitHub.PullRequest(ctx, j.Installation, j.Owner, j.Repo, j.PR)
		if err != nil {
			return nil, err
		}
		if j.HeadSHA == "" {
			j.HeadSHA = pr.HeadSHA
			w.Queue.SetHead(ctx, j.PRKey(), pr.HeadSHA)
		}
		if j.BaseSHA == "" {
			j.BaseSHA = pr.BaseSHA
		}
		if j.CloneURL == "" {
			j.CloneURL = pr.CloneURL
		}
	}
	if head, err := w.Queue.Head(ctx, j.PRKey()); err != nil {
		return nil, err
	} else if head != "" && head != j.HeadSHA {
		return nil, errSuperseded
	}
	key := j.PRKey() + "@" + j.HeadSHA
	if !j.Force {
		if done, err := w.Queue.IsDone(ctx, key); err != nil {
			return nil, err
		} else if done {
			return nil, errAlreadyDone
		}
	}
	res, err := w.Runner.Review(ctx, j)
	if err != nil {
		return nil, err
	}
	// Recorded before the ack: a worker that dies between the two leaves a job whose taker
	// sees it done and posts nothing.
	if err := w.Queue.Done(ctx, key); err != nil {
		log.Warn("done not recorded", "error", err.Error())
	}
	w.Queue.Reviewed(ctx, j.PRKey(), j.HeadSHA)
	return res, nil
}

// Refusal is an apply the service declined; the reason was posted in the pull request.
type Refusal struct{ Reason string }

func (r *Refusal) Error() string { return "refused: " + r.Reason }

// PropertyFile says a path is a property file apply may write: YAML only, never SQL or
// anything else.
func PropertyFile(p string) bool {
	switch strings.ToLower(path.Ext(p)) {
	case ".yml", ".yaml":
		return !strings.HasPrefix(p, ".github/") && !strings.Contains(p, "/.github/")
	}
	return false
}

func (w *Worker) refuse(ctx context.Context, j *Job, reason string) error {
	body := fmt.Sprintf("dataops did not apply the proposed edits: %s", reason)
	if err := w.GitHub.Comment(ctx, j.Installation, j.Owner, j.Repo, j.PR, body); err != nil {
		return err
	}
	return &Refusal{Reason: reason}
}

func (w *Worker) apply(ctx context.Context, j *Job, log *slog.Logger) error {
	perm, err := w.GitHub.Permission(ctx, j.Installation, j.Owner, j.Repo, j.Actor)
	if err != nil {
		return err
	}
	switch perm {
	case "admin", "maintain", "write":
	default:
		return w.refuse(ctx, j, fmt.Sprintf("@%s needs write, maintain or admin permission on the repository (has %s).", j.Actor, perm))
	}
	pr, err := w.GitHub.PullRequest(ctx, j.Installation, j.Owner, j.Repo, j.PR)
	if err != nil {
		return err
	}
	if pr.State != "" && pr.State != "open" {
		return w.refuse(ctx, j, "the pull request is not open.")
	}
	if pr.Fork(j.Owner, j.Repo) && !pr.MaintainerCanModify {
		return w.refuse(ctx, j, "the pull request comes from a fork that does not allow edits from maintainers.")
	}
	reviewed, err := w.Queue.ReviewedHead(ctx, j.PRKey())
	if err != nil {
		return err
	}
	if reviewed == "" {
		return w.refuse(ctx, j, "there is no review of this pull request yet; comment `/dataops review` first.")
	}
	if reviewed != pr.HeadSHA {
		return w.refuse(ctx, j, fmt.Sprintf("the branch moved to %s since the review of %s; comment `/dataops review`, then apply again.", short(pr.HeadSHA), short(reviewed)))
	}
	j.HeadSHA, j.BaseSHA = pr.HeadSHA, pr.BaseSHA
	if j.CloneURL == "" {
		j.CloneURL = pr.CloneURL
	}
	edits, err := w.Runner.Fix(ctx, j)
	if err != nil {
		return err
	}
	files := map[string][]byte{}
	var skipped []string
	for p, b := range edits {
		if PropertyFile(p) {
			files[p] = b
		} else {
			skipped = append(skipped, p)
		}
	}
	if len(files) == 0 {
		return w.GitHub.Comment(ctx, j.Installation, j.Owner, j.Repo, j.PR, "dataops found no safe property-file edits to apply.")
	}
	msg := fmt.Sprintf("dataops: apply proposed property-file edits\n\nRequested by @%s in #%d.", j.Actor, j.PR)
	sha, err := w.GitHub.CommitFiles(ctx, j.Installation, pr.HeadOwner, pr.HeadRepo, pr.HeadRef, pr.HeadSHA, msg, files)
	if errors.Is(err, githubapp.ErrHeadMoved) {
		return w.refuse(ctx, j, "the branch moved while the edits were prepared; nothing was pushed.")
	}
	if err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "dataops applied the proposed edits in %s (requested by @%s):\n", short(sha), j.Actor)
	for _, p := range sortedKeys(files) {
		fmt.Fprintf(&b, "- `%s`\n", p)
	}
	if len(skipped) > 0 {
		fmt.Fprintf(&b, "\nLeft alone (not property files): %s\n", strings.Join(skipped, ", "))
	}
	w.Queue.Proposals(ctx, time.Now(), 0, len(files))
	w.Queue.SetHead(ctx, j.PRKey(), sha)
	log.Info("applied", "commit", sha, "files", len(files))
	return w.GitHub.Comment(ctx, j.Installation, j.Owner, j.Repo, j.PR, b.String())
}

func short(s string) string {
	if len(s) > 7 {
		return s[:7]
	}
	return s
}

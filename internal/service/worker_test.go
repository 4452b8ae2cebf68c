package service

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/dataops-dev/dataops/internal/github/githubtest"
)

// TestMain doubles as a worker process for TestWorkerKilledMidJob: the test binary re-executed
// with DATAOPS_SERVICE_TEST_WORKER runs one worker whose review blocks forever once started.
func TestMain(m *testing.M) {
	if os.Getenv("DATAOPS_SERVICE_TEST_WORKER") != "" {
		ctx := context.Background()
		q, err := NewQueue(ctx, os.Getenv("DATAOPS_TEST_REDIS_URL"))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		q.Prefix = os.Getenv("DATAOPS_SERVICE_TEST_WORKER")
		block := &blockingRunner{q: q}
		w := &Worker{Name: "doomed", Queue: q, Runner: block, Metrics: NewMetrics(nil), ClaimIdle: time.Hour, Block: 100 * time.Millisecond}
		w.Run(ctx)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

type blockingRunner struct{ q *Queue }

func (b *blockingRunner) Review(ctx context.Context, j *Job) (*Result, error) {
	b.q.R.Set(ctx, b.q.Prefix+"started", j.ID, 0)
	<-ctx.Done()
	return nil, ctx.Err()
}

func (b *blockingRunner) Fix(context.Context, *Job) (map[string][]byte, error) { return nil, nil }

// TestWorkerKilledMidJob: a worker process takes the job and is SIGKILLed mid-review; another
// worker takes the job over with XAUTOCLAIM and exactly one review is posted.
func TestWorkerKilledMidJob(t *testing.T) {
	url := redisURL(t)
	q := testQueue(t, url)
	fake, api, app := testApp(t)
	fake.AddPR(&githubtest.PullRequest{Owner: "acme", Repo: "shop", Number: 3, HeadSHA: sha("h"), BaseSHA: sha("b")})
	ctx := context.Background()
	if _, err := q.Enqueue(ctx, &Job{ID: "job-3", Kind: KindReview, Owner: "acme", Repo: "shop", PR: 3, HeadSHA: sha("h"), BaseSHA: sha("b"), CloneURL: "x", Installation: 77, Delivery: "d-3"}); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "DATAOPS_SERVICE_TEST_WORKER="+q.Prefix, "DATAOPS_TEST_REDIS_URL="+url)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for q.R.Get(ctx, q.Prefix+"started").Val() != "job-3" {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("the worker process never started the job")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	runner := &postingRunner{app: app, api: api.URL}
	w := &Worker{Name: "survivor", Queue: q, Runner: runner, GitHub: app, Metrics: NewMetrics(q), ClaimIdle: 300 * time.Millisecond, Block: 100 * time.Millisecond}
	for time.Now().Before(deadline) {
		if err := w.Once(ctx); err != nil {
			t.Fatal(err)
		}
		if h, _ := q.Health(ctx); h.Pending == 0 && h.Depth == 0 {
			break
		}
	}
	if got := len(fake.ReviewsOf("acme", "shop", 3)); got != 1 {
		t.Fatalf("%d reviews posted, want exactly 1", got)
	}
	runs, _ := q.Runs(ctx, 10)
	if len(runs) != 1 || runs[0].State != StateDone || runs[0].Attempts != 2 {
		t.Errorf("run record %+v, want done on its second attempt", runs)
	}
	// The job is done: a redelivered copy of the same push posts nothing more.
	q.Enqueue(ctx, &Job{ID: "job-3b", Kind: KindReview, Owner: "acme", Repo: "shop", PR: 3, HeadSHA: sha("h"), Installation: 77, Delivery: "d-3b"})
	w.Once(ctx)
	if got := len(fake.ReviewsOf("acme", "shop", 3)); got != 1 {
		t.Errorf("%d reviews after a repeated push, want 1", got)
	}
}

// TestRetriesThenDeadLetter: GitHub answering 5xx and secondary rate limits is retried by the
// transport; a job whose review keeps failing is retried with backoff, lands in the
// dead-letter stream after MaxAttempts (the dashboard's test shows it listed).
func TestRetriesThenDeadLetter(t *testing.T) {
	q := testQueue(t, redisURL(t))
	fake, api, app := testApp(t)
	fake.AddPR(&githubtest.PullRequest{Owner: "acme", Repo: "shop", Number: 1, HeadSHA: sha("ok"), BaseSHA: sha("b")})
	fake.AddPR(&githubtest.PullRequest{Owner: "acme", Repo: "shop", Number: 2, HeadSHA: sha("bad"), BaseSHA: sha("b")})
	ctx := context.Background()
	// Transient: two 5xx and two secondary rate limits, then the calls go through.
	fake.Lock()
	fake.Inject = []int{502, 503, 403, 429}
	fake.Unlock()
	runner := &postingRunner{app: app, api: api.URL}
	m := NewMetrics(q)
	w := &Worker{Name: "w", Queue: q, Runner: runner, GitHub: app, Metrics: m, MaxAttempts: 3, Backoff: 10 * time.Millisecond, Block: 50 * time.Millisecond}
	q.Enqueue(ctx, &Job{ID: "ok", Kind: KindReview, Owner: "acme", Repo: "shop", PR: 1, HeadSHA: sha("ok"), BaseSHA: sha("b"), CloneURL: "x", Installation: 77, Delivery: "d1"})
	w.Once(ctx)
	if got := len(fake.ReviewsOf("acme", "shop", 1)); got != 1 {
		t.Fatalf("after transient failures: %d reviews, want 1", got)
	}
	// Permanent: every review post of PR 2 fails.
	fake.Lock()
	fake.Fail = "POST /repos/acme/shop/pulls/2/reviews"
	fake.Unlock()
	q.Enqueue(ctx, &Job{ID: "bad", Kind: KindReview, Owner: "acme", Repo: "shop", PR: 2, HeadSHA: sha("bad"), BaseSHA: sha("b"), CloneURL: "x", Installation: 77, Delivery: "d2"})
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		w.Once(ctx)
		if h, _ := q.Health(ctx); h.Dead == 1 {
			break
		}
	}
	dl, err := q.DeadLetters(ctx, 10)
	if err != nil || len(dl) != 1 || dl[0].Job.ID != "bad" || !strings.Contains(dl[0].Error, "502") {
		t.Fatalf("dead letters %+v %v, want job bad with GitHub's 502", dl, err)
	}
	runs, _ := q.Runs(ctx, 10)
	for _, r := range runs {
		if r.Job == "bad" && (r.State != StateDead || r.Attempts != 3) {
			t.Errorf("run %+v, want dead after 3 attempts", r)
		}
	}
	if strings.Contains(dl[0].Error, fake.Token) {
		t.Error("the dead letter's error holds the installation token")
	}
}

// TestRefusalIsFinal: a job the runner refuses (a repository holding several dbt projects
// and no service.project) ends refused at its first attempt: it is neither retried nor
// dead-lettered, since nothing changes between attempts at the same commit.
func TestRefusalIsFinal(t *testing.T) {
	q := testQueue(t, redisURL(t))
	_, _, app := testApp(t)
	ctx := context.Background()
	calls := 0
	runner := &postingRunner{before: func(context.Context, *Job) error {
		calls++
		return &Refusal{Reason: "the repository holds 2 dbt projects (a, b): set service.project to the one to review"}
	}}
	w := &Worker{Name: "w", Queue: q, Runner: runner, GitHub: app, Metrics: NewMetrics(q), MaxAttempts: 3, Backoff: 10 * time.Millisecond, Block: 50 * time.Millisecond}
	q.Enqueue(ctx, &Job{ID: "two", Kind: KindReview, Owner: "acme", Repo: "mono", PR: 3, HeadSHA: sha("h"), BaseSHA: sha("b"), CloneURL: "x", Installation: 77, Delivery: "d3"})
	for range 4 {
		w.Once(ctx)
	}
	if calls != 1 {
		t.Errorf("the runner ran %d times, want 1", calls)
	}
	runs, _ := q.Runs(ctx, 10)
	if len(runs) != 1 || runs[0].State != StateRefused || runs[0].Attempts != 1 || !strings.Contains(runs[0].Error, "service.project") {
		t.Fatalf("runs %+v, want one refused at its first attempt naming service.project", runs)
	}
	if h, _ := q.Health(ctx); h.Dead != 0 {
		t.Errorf("%d dead letters, want none", h.Dead)
	}
}

// TestApplyGuards: /dataops apply by a reader, after the branch moved, or on a fork without
// maintainer edits is refused with an answer in the pull request and nothing pushed; by a
// writer it commits only the property files on top of the reviewed head, without force.
func TestApplyGuards(t *testing.T) {
	q := testQueue(t, redisURL(t))
	fake, api, app := testApp(t)
	ctx := context.Background()
	same := fake.AddPR(&githubtest.PullRequest{Owner: "acme", Repo: "shop", Number: 1, HeadSHA: sha("h1"), BaseSHA: sha("b")})
	fork := fake.AddPR(&githubtest.PullRequest{Owner: "acme", Repo: "shop", Number: 2, HeadSHA: sha("f1"), BaseSHA: sha("b"), HeadOwner: "outsider", HeadRepo: "shop"})
	fake.Lock()
	fake.Permissions["acme/shop:reader"] = "read"
	fake.Permissions["acme/shop:maint"] = "maintain"
	fake.Unlock()
	runner := &postingRunner{app: app, api: api.URL, fix: map[string][]byte{
		"models/schema.yml": []byte("version: 2\n"), "models/orders.sql": []byte("select 1\n")}}
	w := &Worker{Name: "w", Queue: q, Runner: runner, GitHub: app, Metrics: NewMetrics(q), Block: 50 * time.Millisecond}
	q.Reviewed(ctx, "acme/shop#1", sha("h1"))
	q.Reviewed(ctx, "acme/shop#2", sha("f1"))
	apply := func(id string, pr int, user string) {
		q.Enqueue(ctx, &Job{ID: id, Kind: KindApply, Owner: "acme", Repo: "shop", PR: pr, Installation: 77, Delivery: id, Actor: user, Force: true})
		if err := w.Once(ctx); err != nil {
			t.Fatal(err)
		}
	}
	lastComment := func() string {
		fake.Lock()
		defer fake.Unlock()
		if len(fake.Comments) == 0 {
			return ""
		}
		return fake.Comments[len(fake.Comments)-1].Body
	}
	branch := func(pr *githubtest.PullRequest) string {
		fake.Lock()
		defer fake.Unlock()
		return fake.Branches[pr.HeadOwner+"/"+pr.HeadRepo+":"+pr.HeadRef]
	}

	apply("a1", 1, "reader")
	if c := lastComment(); !strings.Contains(c, "needs write, maintain or admin permission") {
		t.Errorf("reader: answer %q", c)
	}
	apply("a2", 2, "maint")
	if c := lastComment(); !strings.Contains(c, "fork that does not allow edits") {
		t.Errorf("fork: answer %q", c)
	}
	fake.MoveBranch(same, sha("h2"))
	apply("a3", 1, "maint")
	if c := lastComment(); !strings.Contains(c, "the branch moved") {
		t.Errorf("moved head: answer %q", c)
	}
	if branch(same) != sha("h2") || branch(fork) != sha("f1") {
		t.Fatal("a refused apply pushed")
	}

	q.Reviewed(ctx, "acme/shop#1", sha("h2"))
	apply("a4", 1, "maint")
	head := branch(same)
	if head == sha("h2") {
		t.Fatalf("apply by a maintainer pushed nothing; answer %q", lastComment())
	}
	if p := fake.CommitParents(head); len(p) != 1 || p[0] != sha("h2") {
		t.Errorf("the commit's parents are %v, want the reviewed head", p)
	}
	files := fake.CommitFiles(head)
	if files["models/schema.yml"] != "version: 2\n" || files["models/orders.sql"] != "" {
		t.Errorf("committed %v, want the property file only", files)
	}
	if c := lastComment(); !strings.Contains(c, "models/schema.yml") || !strings.Contains(c, "models/orders.sql") {
		t.Errorf("answer %q should list the applied file and the one left alone", c)
	}
	fake.Lock()
	force := fake.ForcePushes
	fake.Unlock()
	if force != 0 {
		t.Errorf("%d force pushes", force)
	}
	// A fork that allows maintainer edits gets the commit on its own branch.
	fake.Lock()
	fork.MaintainerCanModify = true
	fake.Unlock()
	apply("a5", 2, "maint")
	if branch(fork) == sha("f1") {
		t.Errorf("fork allowing edits: nothing pushed; answer %q", lastComment())
	}
}

// TestRedisRestart: Redis (append-only, fsync always) is killed mid-run and started again on
// the same data; the workers reconnect and every pull request is reviewed exactly once.
func TestRedisRestart(t *testing.T) {
	dir := t.TempDir()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	start := func() *exec.Cmd {
		cmd := exec.Command("redis-server", "--port", fmt.Sprint(port), "--bind", "127.0.0.1", "--dir", dir,
			"--appendonly", "yes", "--appendfsync", "always", "--save", "", "--daemonize", "no", "--logfile", filepath.Join(dir, "log"))
		if err := cmd.Start(); err != nil {
			t.Fatalf("redis-server: %v", err)
		}
		c := redis.NewClient(&redis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", port)})
		defer c.Close()
		for range 100 {
			if c.Ping(context.Background()).Err() == nil {
				return cmd
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Fatal("redis-server did not start")
		return nil
	}
	srv := start()
	defer func() { srv.Process.Kill(); srv.Wait() }()
	url := fmt.Sprintf("redis://127.0.0.1:%d/0", port)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	q, err := NewQueue(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	fake, api, app := testApp(t)
	const prs = 20
	for n := 1; n <= prs; n++ {
		fake.AddPR(&githubtest.PullRequest{Owner: "acme", Repo: "shop", Number: n, HeadSHA: sha(fmt.Sprint(n)), BaseSHA: sha("b")})
		if _, err := q.Enqueue(ctx, &Job{ID: fmt.Sprint("j", n), Kind: KindReview, Owner: "acme", Repo: "shop", PR: n, HeadSHA: sha(fmt.Sprint(n)), BaseSHA: sha("b"), CloneURL: "x", Installation: 77, Delivery: fmt.Sprint("d", n)}); err != nil {
			t.Fatal(err)
		}
	}
	runner := &postingRunner{app: app, api: api.URL, before: func(ctx context.Context, j *Job) error {
		select {
		case <-time.After(30 * time.Millisecond):
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}}
	done := make(chan struct{})
	for i := range 2 {
		w := &Worker{Name: fmt.Sprint("w", i), Queue: q, Runner: runner, GitHub: app, Metrics: NewMetrics(nil), ClaimIdle: 500 * time.Millisecond, Backoff: 20 * time.Millisecond, Block: 50 * time.Millisecond}
		go func() { w.Run(ctx); done <- struct{}{} }()
	}
	for fake.Reviews() < 5 {
		time.Sleep(5 * time.Millisecond)
	}
	srv.Process.Signal(syscall.SIGKILL)
	srv.Wait()
	time.Sleep(200 * time.Millisecond)
	srv = start()
	deadline := time.Now().Add(30 * time.Second)
	for fake.Reviews() < prs && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	waitIdle(t, q, 10*time.Second)
	cancel()
	<-done
	<-done
	for n := 1; n <= prs; n++ {
		if got := len(fake.ReviewsOf("acme", "shop", n)); got != 1 {
			t.Errorf("PR %d: %d reviews, want 1", n, got)
		}
	}
	if errors.Is(ctx.Err(), context.Canceled) && q.Ping(context.Background()) != nil {
		t.Error("the queue did not reconnect")
	}
}

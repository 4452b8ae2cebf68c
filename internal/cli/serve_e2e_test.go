package cli

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/dataops-dev/dataops/internal/github/githubtest"
	"github.com/dataops-dev/dataops/internal/llm/llmtest"
	"github.com/dataops-dev/dataops/internal/secret"
	"github.com/dataops-dev/dataops/internal/service"
)

// syncBuffer collects the service's JSON log lines from many goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// servedShop is a git repository holding examples/shop under transform/shop next to a second
// dbt project, with main and a pull request branch, served over smart HTTP by git
// http-backend behind a check of the installation token as GitHub's git server makes it.
type servedShop struct {
	work, proj     string // the developer's clone, at the branch
	base, head     string
	url            string // clone URL of acme/shop
	authorized     atomic.Int32
	refused        atomic.Int32
	files          []githubtest.File
	git            func(args ...string) string
	baseSettings   string
	headSettingsOf string
}

func serveShop(t testing.TB, token, baseSettings string) *servedShop {
	t.Helper()
	s := &servedShop{work: t.TempDir(), baseSettings: baseSettings}
	s.proj = filepath.Join(s.work, "transform", "shop")
	writeTree(t, s.proj, shopTree(t))
	write := func(rel, text string) {
		t.Helper()
		p := filepath.Join(s.work, filepath.FromSlash(rel))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s.git = func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = s.work
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=Ada", "GIT_AUTHOR_EMAIL=a@a", "GIT_COMMITTER_NAME=Ada", "GIT_COMMITTER_EMAIL=a@a")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	write("transform/shop/.dataops.yml", baseSettings)
	write("transform/shop/.gitignore", ".dataops/\ntarget/\n")
	// Another team's dbt project in the same repository: service.project names the shop.
	write("platform/events/dbt_project.yml", "name: events\nversion: '1.0.0'\nprofile: events\n")
	s.git("init", "-q", "-b", "main")
	s.git("add", "-A")
	s.git("commit", "-q", "-m", "shop")
	s.git("checkout", "-q", "-b", "feature")
	sql := filepath.Join(s.proj, "models/staging/stg_customers.sql")
	data, _ := os.ReadFile(sql)
	changed := strings.Replace(string(data), "        cast(signed_up_at as date) as signed_up_on\n",
		"        cast(signed_up_at as date) as signed_up_on,\n        split_part(email, '@', 2) as Email_Domain\n", 1)
	if changed == string(data) {
		t.Fatal("stg_customers.sql changed upstream: update the test's edit")
	}
	write("transform/shop/models/staging/stg_customers.sql", changed)
	// The pull request tries to switch off the lint rule its own change breaks.
	write("transform/shop/.dataops.yml", baseSettings+"lint:\n  exclude: [CP02]\n")
	s.git("commit", "-q", "-am", "email domain")
	s.base, s.head = s.git("rev-parse", "main"), s.git("rev-parse", "feature")
	for _, name := range strings.Fields(s.git("diff", "--name-only", "main", "feature")) {
		patch := s.git("diff", "main", "feature", "--", name)
		if i := strings.Index(patch, "@@"); i >= 0 {
			patch = patch[i:]
		}
		s.files = append(s.files, githubtest.File{Filename: name, Status: "modified", Patch: patch + "\n"})
	}

	root := t.TempDir()
	bare := filepath.Join(root, "acme", "shop.git")
	s.git("clone", "-q", "--bare", s.work, bare)
	s.git("--git-dir", bare, "config", "uploadpack.allowReachableSHA1InWant", "true")
	gitBin, err := exec.LookPath("git")
	if err != nil {
		t.Fatal(err)
	}
	backend := &cgi.Handler{Path: gitBin, Args: []string{"http-backend"}, Env: []string{"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1"}}
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte("x-access-token:"+token))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != want && r.Header.Get("Authorization") != "Bearer "+token {
			s.refused.Add(1)
			w.Header().Set("WWW-Authenticate", `Basic realm="GitHub"`)
			http.Error(w, "Invalid username or token.", http.StatusUnauthorized)
			return
		}
		s.authorized.Add(1)
		backend.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	s.url = srv.URL + "/acme/shop.git"
	return s
}

func e2eKey(t testing.TB) (string, *rsa.PublicKey) {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})), &k.PublicKey
}

func sendHook(t testing.TB, url, secret, event, delivery string, body []byte) string {
	t.Helper()
	req, _ := http.NewRequest("POST", url+"/webhook", bytes.NewReader(body))
	req.Header.Set("X-GitHub-Event", event)
	req.Header.Set("X-GitHub-Delivery", delivery)
	req.Header.Set("X-Hub-Signature-256", service.Sign([]byte(secret), body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("%s delivery: %d %s", event, resp.StatusCode, b)
	}
	return strings.TrimSpace(string(b))
}

// TestServeEndToEnd runs the service as deployed, with nothing stubbed but GitHub: a signed
// pull_request webhook into the real handler, two in-process workers with the real runner,
// which fetches base and head into its bare clone cache over smart HTTP (git http-backend,
// refusing any request without the installation token), finds the shop among the
// repository's two dbt projects through service.project, and reviews it in-process with the
// base's settings and a language model (the in-process OpenAI server). The pull request
// switches CP02 off in its own .dataops.yml; the review still reports it. Exactly one review is
// posted, with inline comments named from the repository's top, and it is the review a local
// `dataops review` of the same refs posts. The run's tokens and cost reach the run record,
// /metrics and the dashboard. Then a maintainer's `/dataops apply` commits exactly the files
// a local `review --fix` writes, none of them SQL, on top of the reviewed head, and the
// service answers in the pull request. The installation token appears in no log line, no
// posted text and no comment.
func TestServeEndToEnd(t *testing.T) {
	keyPEM, pub := e2eKey(t)
	fake, api := githubtest.NewApp(t, 4242, pub)
	llmSrv := llmtest.NewOpenAI(llmTestKey)
	defer llmSrv.Close()
	llmSrv.Handle(llmtest.Stub)
	settings := "llm:\n  provider: openai\n  model: stub-model\n  cache: false\n  max_attempts: 2\n  price_input: 3\n  price_output: 15\n"
	shop := serveShop(t, fake.Token, settings)
	pr := fake.AddPR(&githubtest.PullRequest{Owner: "acme", Repo: "shop", Number: 7, HeadSHA: shop.head, BaseSHA: shop.base, HeadRef: "feature", CloneURL: shop.url})
	pr.Fake.Files = shop.files
	fake.Lock()
	fake.Permissions["acme/shop:maint"] = "maintain"
	fake.Unlock()

	ts := startService(t, api.URL, keyPEM, "service:\n  project: transform/shop\n",
		map[string]string{"OPENAI_API_KEY": llmTestKey, "OPENAI_BASE_URL": llmSrv.URL + "/v1"}, 2)
	s, srv, ctx, logs := ts.s, ts.srv, ts.ctx, ts.logs
	show := func() string {
		runs, _ := s.queue.Runs(ctx, 10)
		return fmt.Sprintf("runs %+v\nlogs:\n%s", runs, logs.String())
	}
	repo := fmt.Sprintf(`"repository":{"name":"shop","full_name":"acme/shop","clone_url":%q,"owner":{"login":"acme"}}`, shop.url)
	opened := fmt.Sprintf(`{"action":"opened","installation":{"id":77},%s,"sender":{"login":"ada","type":"User"},"pull_request":{"number":7,"draft":false,"updated_at":"2025-06-01T12:00:00Z","head":{"sha":%q,"ref":"feature"},"base":{"sha":%q,"ref":"main"}}}`, repo, shop.head, shop.base)
	if res := sendHook(t, srv.URL, hookSecret, "pull_request", "e2e-1", []byte(opened)); res != "accepted" {
		t.Fatalf("pull_request delivery answered %q", res)
	}
	// The same push announced again (a reopened pull request, a redelivery under a new id)
	// makes no second job.
	if res := sendHook(t, srv.URL, hookSecret, "pull_request", "e2e-1b", []byte(opened)); res != "duplicate_job" {
		t.Errorf("the same head again answered %q, want duplicate_job", res)
	}
	waitFor(t, 60*time.Second, "the review", func() bool {
		runs, _ := s.queue.Runs(ctx, 10)
		h, _ := s.queue.Health(ctx)
		return len(runs) == 1 && h.Depth == 0 && h.Pending == 0 && runs[0].State != service.StateRunning
	}, show)
	reviews := fake.ReviewsOf("acme", "shop", 7)
	if len(reviews) != 1 {
		runs, _ := s.queue.Runs(ctx, 10)
		t.Fatalf("%d reviews posted, want 1; runs %+v\nlogs:\n%s", len(reviews), runs, logs.String())
	}
	posted := reviews[0]
	if shop.authorized.Load() == 0 {
		t.Error("the bare clone was not fetched from the git server")
	}
	if posted.CommitID != shop.head {
		t.Errorf("review on %s, want the head %s", posted.CommitID, shop.head)
	}
	if len(posted.Comments) == 0 {
		t.Fatalf("the review has no inline comments:\n%s", posted.Body)
	}
	cp02 := false
	for _, c := range posted.Comments {
		if p, _ := c["path"].(string); !strings.HasPrefix(p, "transform/shop/") {
			t.Errorf("inline comment on %q: not named from the repository's top", p)
		}
		if b, _ := c["body"].(string); strings.Contains(b, "CP02") {
			cp02 = true
		}
	}
	if !cp02 && !strings.Contains(posted.Body, "CP02") {
		t.Errorf("the pull request switched CP02 off in its own settings and the review obeyed it:\n%s", posted.Body)
	}

	// The same refs reviewed locally, posting to a second fake: the same review.
	local, localSrv := githubtest.NewFake(t, shop.files)
	local.SHA = shop.head
	var out, errb bytes.Buffer
	localEnv := map[string]string{"GITHUB_TOKEN": local.Token, "GITHUB_API_URL": localSrv.URL, "OPENAI_API_KEY": llmTestKey, "OPENAI_BASE_URL": llmSrv.URL + "/v1"}
	code := RunEnv(&Env{Ctx: context.Background(), Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return localEnv[k] }},
		[]string{"review", "--project", shop.proj, "--base", shop.base, "--trust", "base", "--format", "json", "--fail-on", "never", "--github-repo", "acme/shop", "--github-pr", "7"})
	if code != ExitOK {
		t.Fatalf("local review: exit %d\n%s", code, errb.String())
	}
	if len(local.Reviews) != 1 {
		t.Fatalf("local review posted %d reviews", len(local.Reviews))
	}
	if got, want := reviewText(posted), reviewText(local.Reviews[0]); got != want {
		t.Errorf("the service's review differs from a local review of the same refs:\n--- service\n%s\n--- local\n%s", got, want)
	}

	// The run's language-model account: in the run record, on /metrics, on the dashboard.
	runs, _ := s.queue.Runs(ctx, 10)
	var done *service.Run
	for i := range runs {
		if runs[i].State == service.StateDone {
			done = &runs[i]
		}
	}
	if done == nil || done.LLMTokens == 0 || done.LLMCostUSD == 0 || done.Findings == 0 {
		t.Fatalf("runs %+v: want one done with findings, LLM tokens and cost", runs)
	}
	metrics := httpGet(t, srv.URL+"/metrics", "")
	if !strings.Contains(metrics, fmt.Sprintf("dataops_llm_tokens_total %d\n", done.LLMTokens)) || strings.Contains(metrics, "dataops_llm_cost_usd_total 0\n") {
		t.Errorf("/metrics does not show the run's %d tokens and its cost:\n%s", done.LLMTokens, grepLines(metrics, "dataops_llm"))
	}
	page := httpGet(t, srv.URL+"/dashboard/", "Bearer dash-e2e")
	if !strings.Contains(page, fmt.Sprintf(`<span id="llm-tokens">%d</span>`, done.LLMTokens)) || !strings.Contains(page, fmt.Sprintf(`<td class="llm-tokens">%d</td>`, done.LLMTokens)) {
		t.Errorf("the dashboard does not show the run's %d tokens", done.LLMTokens)
	}

	// /dataops apply by a maintainer: the safe property-file edits, committed on the head.
	comment := fmt.Sprintf(`{"action":"created","installation":{"id":77},%s,"sender":{"login":"maint","type":"User"},"issue":{"number":7,"pull_request":{"url":"x"}},"comment":{"body":"/dataops apply","user":{"login":"maint","type":"User"}}}`, repo)
	sendHook(t, srv.URL, hookSecret, "issue_comment", "e2e-2", []byte(comment))
	var answer string
	waitFor(t, 60*time.Second, "the apply", func() bool {
		fake.Lock()
		defer fake.Unlock()
		if len(fake.Comments) > 0 {
			answer = fake.Comments[len(fake.Comments)-1].Body
		}
		return answer != ""
	}, show)
	fake.Lock()
	newHead := fake.Branches["acme/shop:feature"]
	force := fake.ForcePushes
	fake.Unlock()
	if newHead == shop.head || !strings.Contains(answer, "applied") {
		t.Fatalf("apply pushed nothing; answer %q\nlogs:\n%s", answer, logs.String())
	}
	if p := fake.CommitParents(newHead); len(p) != 1 || p[0] != shop.head || force != 0 {
		t.Errorf("the commit's parents are %v (%d force pushes), want the reviewed head", p, force)
	}
	// What a local review --fix writes on the same head.
	if code := RunEnv(&Env{Ctx: context.Background(), Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: &errb, Getenv: func(k string) string { return localEnv[k] }},
		[]string{"review", "--project", shop.proj, "--base", shop.base, "--trust", "base", "--format", "json", "--fail-on", "never", "--fix"}); code != ExitOK {
		t.Fatalf("local fix: exit %d\n%s", code, errb.String())
	}
	want := map[string]string{}
	for _, p := range strings.Fields(shop.git("status", "--porcelain", "--untracked-files=all")) {
		if strings.Contains(p, "/") {
			b, _ := os.ReadFile(filepath.Join(shop.work, p))
			want[p] = string(b)
		}
	}
	got := fake.CommitFiles(newHead)
	if len(want) == 0 || fmt.Sprint(sortedMap(got)) != fmt.Sprint(sortedMap(want)) {
		t.Errorf("apply committed %v, a local fix writes %v", keys(got), keys(want))
	}
	for p := range got {
		if strings.HasSuffix(p, ".sql") {
			t.Errorf("apply committed the SQL file %s", p)
		}
	}
	for p := range want {
		if !strings.Contains(answer, p) {
			t.Errorf("the answer does not name %s: %q", p, answer)
		}
	}

	// The token never leaves the App: not in logs, reviews or comments.
	texts := []string{logs.String(), posted.Body, answer}
	for _, c := range posted.Comments {
		b, _ := json.Marshal(c)
		texts = append(texts, string(b))
	}
	for _, text := range texts {
		for _, secretText := range []string{fake.Token, hookSecret, keyPEM[40:80]} {
			if strings.Contains(text, secretText) {
				t.Errorf("a secret reached the output: %.200q", text)
			}
		}
	}
	t.Logf("review: %d inline comments, %d findings, %d LLM tokens ($%.6f); git requests %d authorized, %d refused; apply committed %v",
		len(posted.Comments), done.Findings, done.LLMTokens, done.LLMCostUSD, shop.authorized.Load(), shop.refused.Load(), keys(got))
	if !strings.Contains(logs.String(), `"delivery":"e2e-1"`) {
		t.Errorf("the logs do not name the delivery:\n%s", logs.String())
	}
}

const hookSecret = "whsec-e2e-not-for-logs"

// testService is the service as serve builds it, on a Redis prefix of its own, with workers
// running in-process.
type testService struct {
	s    *serviceSetup
	srv  *httptest.Server
	ctx  context.Context
	logs *syncBuffer
}

func startService(t testing.TB, apiURL, keyPEM, settings string, extra map[string]string, workers int) *testService {
	t.Helper()
	redisURL := os.Getenv("DATAOPS_TEST_REDIS_URL")
	if redisURL == "" {
		t.Fatal("DATAOPS_TEST_REDIS_URL is not set: the service needs a real Redis (scripts/test.sh starts one)")
	}
	cfgFile := filepath.Join(t.TempDir(), "service.yml")
	os.WriteFile(cfgFile, []byte(settings), 0o644)
	environ := map[string]string{"GITHUB_APP_ID": "4242", "GITHUB_APP_PRIVATE_KEY": keyPEM, "GITHUB_WEBHOOK_SECRET": hookSecret,
		"GITHUB_API_URL": apiURL, "DATAOPS_REDIS_URL": redisURL, "DATAOPS_DASHBOARD_TOKEN": "dash-e2e"}
	for k, v := range extra {
		environ[k] = v
	}
	logs := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	env := &Env{Ctx: ctx, Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: logs, Getenv: testGetenv(environ), Secrets: secret.New()}
	s, err := setupService(env, &serviceFlags{config: cfgFile, cacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	prefix := make([]byte, 6)
	rand.Read(prefix)
	s.queue.Prefix = "dataops:test:" + hex.EncodeToString(prefix) + ":"
	if err := s.queue.Init(ctx); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.handler(env))
	done := s.startWorkers(ctx, workers)
	t.Cleanup(func() {
		srv.Close()
		cancel()
		for range workers {
			<-done
		}
		iter := s.queue.R.Scan(context.Background(), 0, s.queue.Prefix+"*", 1000).Iterator()
		for iter.Next(context.Background()) {
			s.queue.R.Del(context.Background(), iter.Val())
		}
		s.queue.Close()
	})
	return &testService{s: s, srv: srv, ctx: ctx, logs: logs}
}

// reviewText is a posted review's body and inline comments, for comparing two posts.
func reviewText(r *githubtest.Review) string {
	var b strings.Builder
	b.WriteString(r.Event + "\n" + r.Body + "\n")
	var cs []string
	for _, c := range r.Comments {
		cs = append(cs, fmt.Sprintf("%v:%v:%v %v", c["path"], c["start_line"], c["line"], c["body"]))
	}
	sort.Strings(cs)
	b.WriteString(strings.Join(cs, "\n"))
	return b.String()
}

func waitFor(t testing.TB, limit time.Duration, what string, ok func() bool, show func() string) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s:\n%s", limit, what, show())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func httpGet(t *testing.T, url, auth string) string {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, b)
	}
	return string(b)
}

func grepLines(s, word string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, word) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func sortedMap(m map[string]string) []string {
	var out []string
	for k, v := range m {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestFindProject: one dbt project is found wherever it sits; of several, the configured one
// is taken and none is guessed.
func TestFindProject(t *testing.T) {
	root := t.TempDir()
	mk := func(rel string) {
		os.MkdirAll(filepath.Join(root, rel), 0o755)
		os.WriteFile(filepath.Join(root, rel, "dbt_project.yml"), []byte("name: x\n"), 0o644)
	}
	mk("analytics/shop")
	mk("analytics/shop/dbt_packages/dbt_utils") // an installed package is not the project
	if got, err := findProject(root, ""); err != nil || got != "analytics/shop" {
		t.Errorf("one project: %q %v", got, err)
	}
	mk("platform/events")
	if _, err := findProject(root, ""); !errors.As(err, new(*service.Refusal)) || !strings.Contains(err.Error(), "service.project") {
		t.Errorf("two projects, none configured: %v", err)
	}
	if got, err := findProject(root, "platform/events"); err != nil || got != "platform/events" {
		t.Errorf("configured: %q %v", got, err)
	}
	for _, bad := range []string{"../elsewhere", "missing"} {
		if _, err := findProject(root, bad); err == nil {
			t.Errorf("service.project %q accepted", bad)
		}
	}
	if got, err := findProject(filepath.Join(root, "analytics", "shop"), ""); err != nil || got != "." {
		t.Errorf("at the top: %q %v", got, err)
	}
}

// BenchmarkServeReviews measures reviews per minute through the whole service with the real
// runner on the shop (fetch from the git server, checkout, review, post), with one and with
// two in-process workers; each iteration is eight pull requests opened at once. CPU is the
// process's and its git children's.
func BenchmarkServeReviews(b *testing.B) {
	keyPEM, pub := e2eKey(b)
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			fake, api := githubtest.NewApp(b, 4242, pub)
			shop := serveShop(b, fake.Token, "")
			ts := startService(b, api.URL, keyPEM, "service:\n  project: transform/shop\n", nil, workers)
			repo := fmt.Sprintf(`"repository":{"name":"shop","full_name":"acme/shop","clone_url":%q,"owner":{"login":"acme"}}`, shop.url)
			const perRound = 8
			n := 0
			var before, after syscall.Rusage
			b.ResetTimer()
			syscall.Getrusage(syscall.RUSAGE_SELF, &before)
			var child0 syscall.Rusage
			syscall.Getrusage(syscall.RUSAGE_CHILDREN, &child0)
			start := time.Now()
			for i := range b.N {
				for k := range perRound {
					n++
					pr := fake.AddPR(&githubtest.PullRequest{Owner: "acme", Repo: "shop", Number: n, HeadSHA: shop.head, BaseSHA: shop.base, HeadRef: "feature", CloneURL: shop.url})
					pr.Fake.Files = shop.files
					ev := fmt.Sprintf(`{"action":"opened","installation":{"id":77},%s,"sender":{"login":"ada","type":"User"},"pull_request":{"number":%d,"head":{"sha":%q},"base":{"sha":%q}}}`, repo, n, shop.head, shop.base)
					sendHook(b, ts.srv.URL, hookSecret, "pull_request", fmt.Sprintf("bench-%d-%d", i, k), []byte(ev))
				}
				waitFor(b, 10*time.Minute, "the reviews", func() bool { return fake.Reviews() >= n }, func() string { return ts.logs.String() })
			}
			wall := time.Since(start)
			syscall.Getrusage(syscall.RUSAGE_SELF, &after)
			var child1 syscall.Rusage
			syscall.Getrusage(syscall.RUSAGE_CHILDREN, &child1)
			cpu := func(r syscall.Rusage) time.Duration {
				return time.Duration(r.Utime.Nano() + r.Stime.Nano())
			}
			cpuSelf, cpuGit := cpu(after)-cpu(before), cpu(child1)-cpu(child0)
			b.ReportMetric(float64(n)/wall.Minutes(), "reviews/min")
			b.ReportMetric((cpuSelf+cpuGit).Seconds()/float64(n), "cpu-s/review")
			b.ReportMetric(wall.Seconds()/float64(n), "wall-s/review")
			b.Logf("%d reviews in %v wall; CPU %v in the process, %v in git", n, wall.Round(time.Millisecond), cpuSelf.Round(time.Millisecond), cpuGit.Round(time.Millisecond))
		})
	}
}

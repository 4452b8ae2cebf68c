package main

// The security suite runs the real binary on pull requests written as an attacker would: each
// case under testdata/security/<name>/ is a copy of examples/shop committed as `main`, plus a PR
// commit, and runs of dataops on it. Every run is checked for the safe outcome whatever the case
// says: no file outside the project created or changed, no project file changed but those the
// run may write, no planted secret in any byte produced (streams, files, GitHub request bodies),
// bounded time and memory, and the exit code the case expects. The format is in
// testdata/security/README.md.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/goccy/go-yaml"

	"github.com/dataops-dev/dataops/internal/github/githubtest"
)

type securityCase struct {
	About   string            `yaml:"about"`
	Env     map[string]string `yaml:"env"`
	Secrets []string          `yaml:"secrets"`
	Prepare [][]string        `yaml:"prepare"`
	Runs    []securityRun     `yaml:"runs"`
}

type securityRun struct {
	Args      []string `yaml:"args"`
	Exit      any      `yaml:"exit"`
	Timeout   string   `yaml:"timeout"`
	MaxRSSMB  int      `yaml:"max_rss_mb"`
	Stdout    []string `yaml:"stdout"`
	Stderr    []string `yaml:"stderr"`
	NotStdout []string `yaml:"not_stdout"`
	NotStderr []string `yaml:"not_stderr"`
	Writes    []string `yaml:"writes"`
	GitHub    bool     `yaml:"github"`
	Signal    *struct {
		After  string `yaml:"after"`
		Within string `yaml:"within"`
	} `yaml:"signal"`
}

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// TestMain removes the built binary (about 200 MB) when the tests are done: a temporary
// folder per test run would otherwise pile up on every machine that runs the suite.
func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

// securityBinary builds the dataops binary once per test process: the suite must see what a
// user runs (signals, exit codes, memory of a real process), not cli.Run in the test's own heap.
func securityBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "dataops-security-bin")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "dataops")
		cmd := exec.Command("go", "build", "-o", binPath, ".")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

func TestSecurity(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", "..", "testdata", "security"))
	if err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		n++
		dir := filepath.Join(root, e.Name())
		t.Run(e.Name(), func(t *testing.T) { runSecurityCase(t, dir) })
	}
	if n == 0 {
		t.Fatal("no security cases under testdata/security")
	}
}

// sandbox is one case's world: the repository, a directory outside it that must stay as it
// is, the run's HOME and TMPDIR.
type sandbox struct {
	top, repo, outside, home, scratch, aux string
	vars                                   map[string]string
}

func (s *sandbox) expand(v string) string {
	return strings.NewReplacer("{outside}", s.outside, "{project}", s.repo).Replace(v)
}

func runSecurityCase(t *testing.T, dir string) {
	data, err := os.ReadFile(filepath.Join(dir, "case.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var c securityCase
	if err := yaml.UnmarshalWithOptions(data, &c, yaml.DisallowUnknownField()); err != nil {
		t.Fatalf("case.yml: %v", err)
	}
	if c.About == "" || len(c.Runs) == 0 {
		t.Fatal("case.yml needs about and at least one run")
	}
	bin := securityBinary(t)
	top, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s := &sandbox{top: top, repo: filepath.Join(top, "repo"), outside: filepath.Join(top, "outside"),
		home: filepath.Join(top, "home"), scratch: filepath.Join(top, "scratch"), aux: filepath.Join(top, "aux")}
	for _, d := range []string{s.outside, s.home, s.scratch, s.aux} {
		must(t, os.MkdirAll(d, 0o755))
	}
	must(t, os.WriteFile(filepath.Join(s.outside, "canary.txt"), []byte("canary\n"), 0o644))
	s.vars = map[string]string{}
	for k, v := range c.Env {
		s.vars[k] = s.expand(v)
	}
	for _, name := range c.Secrets {
		if s.vars[name] == "" {
			t.Fatalf("secret %s has no value in env", name)
		}
	}

	shop, err := filepath.Abs(filepath.Join("..", "..", "examples", "shop"))
	if err != nil {
		t.Fatal(err)
	}
	must(t, copyProject(shop, s.repo))
	must(t, overlay(s, filepath.Join(dir, "base")))
	git(t, s.repo, "init", "-q", "-b", "main")
	git(t, s.repo, "add", "-A")
	git(t, s.repo, "commit", "-q", "-m", "main")
	for _, args := range c.Prepare {
		res := runBinary(t, bin, s, nil, args, securityRun{}, nil)
		if res.code != 0 {
			t.Fatalf("prepare %v: exit %d\n%s%s", args, res.code, res.stdout, res.stderr)
		}
	}
	git(t, s.repo, "checkout", "-q", "-b", "pr")
	must(t, overlay(s, filepath.Join(dir, "pr")))
	git(t, s.repo, "add", "-A")
	git(t, s.repo, "commit", "-q", "--allow-empty", "-m", "pull request")

	for i, r := range c.Runs {
		t.Run(fmt.Sprintf("%d_%s", i, strings.Join(r.Args, "_")), func(t *testing.T) {
			before := snapshot(t, s)
			var gh *ghRecorder
			if r.GitHub {
				gh = startGitHub(t, s)
			}
			args := make([]string, len(r.Args))
			for j, a := range r.Args {
				args[j] = s.expand(a)
			}
			res := runBinary(t, bin, s, c.Env, args, r, gh)
			checkRun(t, s, &c, r, res, before, gh)
		})
	}
}

type runResult struct {
	code           int
	stdout, stderr []byte
	elapsed        time.Duration
	maxRSSKB       int64
}

func runBinary(t *testing.T, bin string, s *sandbox, env map[string]string, args []string, r securityRun, gh *ghRecorder) runResult {
	t.Helper()
	timeout := 60 * time.Second
	if r.Timeout != "" {
		d, err := time.ParseDuration(r.Timeout)
		if err != nil {
			t.Fatalf("timeout: %v", err)
		}
		timeout = d
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = s.repo
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + s.home,
		"TMPDIR=" + s.scratch,
		"LANG=C.UTF-8",
		"GIT_CONFIG_NOSYSTEM=1",
		"DATAOPS_TEST_SQLFLUFF=" + os.Getenv("DATAOPS_TEST_SQLFLUFF"),
	}
	for k, v := range s.vars {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	if gh != nil {
		cmd.Env = append(cmd.Env, gh.env...)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	peak := watchPeakRSS(cmd.Process.Pid)
	defer peak.stop()
	if r.Signal != nil {
		after, err1 := time.ParseDuration(r.Signal.After)
		within, err2 := time.ParseDuration(r.Signal.Within)
		if err1 != nil || err2 != nil {
			t.Fatalf("signal: want after and within as durations")
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
			t.Fatalf("exited before the signal (after %v): the case must keep the process busy", time.Since(start))
		case <-time.After(after):
		}
		_ = cmd.Process.Signal(syscall.SIGTERM)
		sent := time.Now()
		select {
		case <-done:
			if d := time.Since(sent); d > within {
				t.Errorf("exited %v after SIGTERM, want within %v", d, within)
			}
		case <-ctx.Done():
			<-done
			t.Errorf("still running %v after SIGTERM", time.Since(sent))
		}
	} else if err := cmd.Wait(); err != nil && ctx.Err() != nil {
		t.Errorf("did not finish within %v", timeout)
	}
	res := runResult{stdout: stdout.Bytes(), stderr: stderr.Bytes(), elapsed: time.Since(start), code: -1}
	if st := cmd.ProcessState; st != nil {
		res.code = st.ExitCode()
	}
	res.maxRSSKB = peak.stop()
	return res
}

func checkRun(t *testing.T, s *sandbox, c *securityCase, r securityRun, res runResult, before map[string]string, gh *ghRecorder) {
	t.Helper()
	show := func() string {
		return fmt.Sprintf("\n--- stdout\n%s\n--- stderr\n%s", clip(res.stdout), clip(res.stderr))
	}
	if want := exitCodes(t, r.Exit); !want[res.code] {
		t.Errorf("exit %d, want one of %v%s", res.code, keys(want), show())
	}
	maxRSS := int64(1024)
	if r.MaxRSSMB > 0 {
		maxRSS = int64(r.MaxRSSMB)
	}
	if res.maxRSSKB > maxRSS*1024 {
		t.Errorf("max RSS %d MiB, want at most %d MiB", res.maxRSSKB/1024, maxRSS)
	}
	for _, w := range r.Stdout {
		if !bytes.Contains(res.stdout, []byte(s.expand(w))) {
			t.Errorf("stdout lacks %q%s", w, show())
		}
	}
	for _, w := range r.Stderr {
		if !bytes.Contains(res.stderr, []byte(s.expand(w))) {
			t.Errorf("stderr lacks %q%s", w, show())
		}
	}
	for _, w := range r.NotStdout {
		if bytes.Contains(res.stdout, []byte(s.expand(w))) {
			t.Errorf("stdout holds %q%s", w, show())
		}
	}
	for _, w := range r.NotStderr {
		if bytes.Contains(res.stderr, []byte(s.expand(w))) {
			t.Errorf("stderr holds %q%s", w, show())
		}
	}

	after := snapshot(t, s)
	allowed := map[string]bool{}
	for _, w := range r.Writes {
		allowed[filepath.ToSlash(filepath.Join("repo", w))] = true
	}
	var produced []string // files created or changed by the run: scanned for secrets
	for p, h := range after {
		if before[p] == h {
			continue
		}
		produced = append(produced, p)
		if ownedByTool(p) || allowed[p] {
			continue
		}
		if before[p] == "" {
			t.Errorf("created %s", p)
		} else {
			t.Errorf("changed %s", p)
		}
	}
	for p := range before {
		if _, ok := after[p]; !ok && !ownedByTool(p) && !allowed[p] {
			t.Errorf("removed %s", p)
		}
	}

	secrets := map[string]string{}
	for _, name := range c.Secrets {
		for _, form := range secretForms(s.vars[name]) {
			secrets[form] = name
		}
	}
	if len(secrets) == 0 {
		return
	}
	scan := func(where string, b []byte) {
		for form, name := range secrets {
			if bytes.Contains(b, []byte(form)) {
				t.Errorf("the value of %s (as %q) is in %s", name, form, where)
			}
		}
	}
	scan("stdout", res.stdout)
	scan("stderr", res.stderr)
	for _, p := range produced {
		full := filepath.Join(s.top, filepath.FromSlash(p))
		if st, err := os.Lstat(full); err == nil && st.Mode().IsRegular() {
			b, _ := os.ReadFile(full)
			scan(p, b)
		}
	}
	if gh != nil {
		for i, b := range gh.bodies() {
			scan(fmt.Sprintf("GitHub request %d", i), b)
		}
	}
}

// ownedByTool: the places a run may write besides what the case allows: the tool's own cache
// and build output, git's metadata, the run's TMPDIR and the case's auxiliary files.
func ownedByTool(p string) bool {
	// The render cache's secret lives in the user's cache folder, by design outside every
	// project (docs/cache.md); nothing else may appear there.
	if p == "home/.cache/" || p == "home/.cache/dataops/" || p == "home/.cache/dataops/cache.key" {
		return true
	}
	for _, pre := range []string{"repo/.git/", "repo/target/", "repo/.dataops/", "repo/logs/", "scratch/", "aux/"} {
		if strings.HasPrefix(p, pre) {
			return true
		}
	}
	return false
}

// secretForms are the forms of a secret value a template can produce cheaply; each must stay
// out of every byte produced.
func secretForms(v string) []string {
	forms := []string{v, strings.ToLower(v), strings.ToUpper(v), strings.ReplaceAll(v, "-", "_"),
		base64.StdEncoding.EncodeToString([]byte(v)), url.QueryEscape(v)}
	if b, err := json.Marshal(v); err == nil {
		forms = append(forms, strings.Trim(string(b), `"`))
	}
	return forms
}

// snapshot hashes every file and symlink under the sandbox: a change anywhere shows.
func snapshot(t *testing.T, s *sandbox) map[string]string {
	t.Helper()
	m := map[string]string{}
	err := filepath.WalkDir(s.top, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // a directory removed during the walk
		}
		rel, _ := filepath.Rel(s.top, p)
		rel = filepath.ToSlash(rel)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			m[rel] = "link:" + target
		case d.Type().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return nil
			}
			sum := sha256.Sum256(b)
			m[rel] = hex.EncodeToString(sum[:])
		case d.IsDir() && rel != ".":
			m[rel+"/"] = "dir"
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// copyProject copies examples/shop without its build output.
func copyProject(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		top := strings.SplitN(filepath.ToSlash(rel), "/", 2)[0]
		if top == "target" || top == ".dataops" || top == "logs" {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		out := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(out, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(out, b, 0o644)
	})
}

// overlay writes a case's files over the repository: NAME.symlink makes NAME a link to the
// file's content, NAME.delete removes NAME; every other file is written with placeholders
// expanded.
func overlay(s *sandbox, dir string) error {
	if _, err := os.Stat(dir); os.IsNotExist(err) {
		return nil
	}
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out := filepath.Join(s.repo, rel)
		switch {
		case strings.HasSuffix(rel, ".symlink"):
			out = strings.TrimSuffix(out, ".symlink")
			if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
				return err
			}
			_ = os.Remove(out)
			return os.Symlink(s.expand(strings.TrimSpace(string(b))), out)
		case strings.HasSuffix(rel, ".delete"):
			return os.RemoveAll(strings.TrimSuffix(out, ".delete"))
		}
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			return err
		}
		return os.WriteFile(out, []byte(s.expand(string(b))), 0o644)
	})
}

// ghRecorder is the in-process GitHub API with every request body kept for the secret scan.
type ghRecorder struct {
	mu   sync.Mutex
	seen [][]byte
	env  []string
}

func (g *ghRecorder) bodies() [][]byte {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([][]byte(nil), g.seen...)
}

// startGitHub serves the pull request main...pr as GitHub would and sets up the environment
// of a GitHub Actions run on its pull_request event.
func startGitHub(t *testing.T, s *sandbox) *ghRecorder {
	t.Helper()
	var files []githubtest.File
	for _, line := range strings.Split(strings.TrimSpace(gitOut(t, s.repo, "diff", "--name-status", "--no-renames", "main", "pr")), "\n") {
		fields := strings.Split(line, "\t")
		if len(fields) != 2 {
			continue
		}
		status := map[string]string{"A": "added", "D": "removed", "M": "modified", "T": "modified"}[fields[0][:1]]
		patch := gitOut(t, s.repo, "diff", "--no-color", "main", "pr", "--", fields[1])
		if i := strings.Index(patch, "\n@@"); i >= 0 {
			patch = patch[i+1:]
		} else {
			patch = ""
		}
		files = append(files, githubtest.File{Filename: fields[1], Status: status, Patch: strings.TrimSuffix(patch, "\n")})
	}
	fake, _ := githubtest.NewFake(t, files)
	fake.SHA = strings.TrimSpace(gitOut(t, s.repo, "rev-parse", "pr"))
	// Set before the server starts: its handler goroutines read the fake's fields.
	token := s.vars["GITHUB_TOKEN"]
	if token == "" {
		token = fake.Token
	}
	fake.Token = token
	rec := &ghRecorder{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rec.mu.Lock()
		rec.seen = append(rec.seen, append([]byte(r.Method+" "+r.URL.String()+"\n"), b...))
		rec.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(b))
		fake.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	event := map[string]any{"pull_request": map[string]any{
		"number": fake.PR,
		"head":   map[string]any{"sha": fake.SHA},
		"base":   map[string]any{"sha": strings.TrimSpace(gitOut(t, s.repo, "rev-parse", "main")), "ref": "main"},
	}}
	b, _ := json.Marshal(event)
	evPath := filepath.Join(s.aux, "event.json")
	must(t, os.WriteFile(evPath, b, 0o644))
	rec.env = []string{"GITHUB_ACTIONS=true", "CI=true", "GITHUB_EVENT_NAME=pull_request", "GITHUB_EVENT_PATH=" + evPath,
		"GITHUB_REPOSITORY=" + fake.Owner + "/" + fake.Repo, "GITHUB_API_URL=" + srv.URL, "GITHUB_TOKEN=" + token}
	return rec
}

func exitCodes(t *testing.T, v any) map[int]bool {
	t.Helper()
	want := map[int]bool{}
	switch x := v.(type) {
	case nil:
		want[0] = true
	case uint64:
		want[int(x)] = true
	case int64:
		want[int(x)] = true
	case int:
		want[x] = true
	case []any:
		for _, e := range x {
			for k := range exitCodes(t, e) {
				want[k] = true
			}
		}
	default:
		t.Fatalf("exit: want an int or a list of ints, got %T", v)
	}
	return want
}

func keys(m map[int]bool) []int {
	var out []int
	for k := range m {
		out = append(out, k)
	}
	sort.Ints(out)
	return out
}

func clip(b []byte) string {
	if len(b) > 4000 {
		return string(b[:4000]) + "\n…"
	}
	return string(b)
}

func git(t *testing.T, dir string, args ...string) {
	t.Helper()
	gitOut(t, dir, args...)
}

func gitOut(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// peakRSS samples a running process's VmHWM, the high-water mark of its resident memory since
// it executed the binary. The rusage of the exited process cannot be used: Go starts children
// with vfork, and Linux carries the parent's high-water mark (the test process's, hundreds of
// MiB under -race) into the child's ru_maxrss at exec.
type peakRSS struct {
	done chan struct{}
	kb   chan int64
}

func watchPeakRSS(pid int) *peakRSS {
	p := &peakRSS{done: make(chan struct{}), kb: make(chan int64, 1)}
	status := fmt.Sprintf("/proc/%d/status", pid)
	go func() {
		var peak int64
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			if data, err := os.ReadFile(status); err == nil {
				for _, line := range strings.Split(string(data), "\n") {
					if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
						if n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64); err == nil && n > peak {
							peak = n
						}
					}
				}
			}
			select {
			case <-p.done:
				p.kb <- peak
				return
			case <-tick.C:
			}
		}
	}()
	return p
}

// stop ends the sampling and returns the highest VmHWM seen, in KiB; a second call returns 0.
func (p *peakRSS) stop() int64 {
	select {
	case <-p.done:
		return 0
	default:
	}
	close(p.done)
	return <-p.kb
}

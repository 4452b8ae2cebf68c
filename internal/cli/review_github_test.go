package cli

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dataops-dev/dataops/internal/github"
	"github.com/dataops-dev/dataops/internal/github/githubtest"
)

// TestReviewInGitHubActions runs review as the Action does on a pull_request event: the pull
// request comes from GITHUB_EVENT_PATH, the base from its base commit, and the review goes to a
// fake GitHub that rejects comments outside the diff it serves (the real git diff of the
// branch, with the project in a subfolder of the repository).
func TestReviewInGitHubActions(t *testing.T) {
	src, err := findShop()
	if err != nil {
		t.Fatal(err)
	}
	repo := t.TempDir()
	project := filepath.Join(repo, "analytics")
	if err := copyProject(src, project); err != nil {
		t.Fatal(err)
	}
	git := func(args ...string) string {
		cmd := exec.Command("git", args...)
		cmd.Dir = repo
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@t", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@t")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	git("init", "-q", "-b", "main")
	git("add", "-A")
	git("commit", "-q", "--no-gpg-sign", "-m", "base")
	git("checkout", "-q", "-b", "pr")
	if err := applyDemoEdits(project); err != nil {
		t.Fatal(err)
	}
	git("add", "-A")
	git("commit", "-q", "--no-gpg-sign", "-m", "pr")
	head := strings.TrimSpace(git("rev-parse", "HEAD"))
	var files []githubtest.File
	for _, name := range strings.Fields(git("diff", "--name-only", "main", "HEAD")) {
		patch := git("diff", "main", "HEAD", "--", name)
		if i := strings.Index(patch, "@@"); i >= 0 {
			patch = patch[i:]
		}
		files = append(files, githubtest.File{Filename: name, Status: "modified", Patch: patch})
	}
	fake, srv := githubtest.NewFake(t, files)
	event := filepath.Join(t.TempDir(), "event.json")
	baseSHA := strings.TrimSpace(git("rev-parse", "main"))
	os.WriteFile(event, []byte(`{"pull_request": {"number": 7, "head": {"sha": "`+head+`"}, "base": {"sha": "`+baseSHA+`", "ref": "main"}}}`), 0o644)
	environ := map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_EVENT_PATH": event, "GITHUB_REPOSITORY": "acme/shop",
		"GITHUB_API_URL": srv.URL, "GITHUB_TOKEN": "ghs_test", "GITHUB_SERVER_URL": "https://github.com", "GITHUB_RUN_ID": "42"}
	report := filepath.Join(t.TempDir(), "review.md")
	var stdout, stderr bytes.Buffer
	code := RunEnv(&Env{Ctx: context.Background(), Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr,
		Getenv: testGetenv(environ)}, []string{"review", "--project", project, "--format", "json", "--github-request-changes", "--report", report})
	if code != ExitFindings {
		t.Fatalf("exit %d, want 1 (a removed column is still read)\n%s", code, stderr.String())
	}
	if len(fake.Reviews) != 1 {
		t.Fatalf("%d reviews posted\n%s", len(fake.Reviews), stderr.String())
	}
	rv := fake.Reviews[0]
	if rv.Event != "REQUEST_CHANGES" || rv.CommitID != head || !strings.HasPrefix(rv.Body, github.Marker) {
		t.Errorf("review event %s commit %s body %.60q", rv.Event, rv.CommitID, rv.Body)
	}
	var paths []string
	for _, c := range rv.Comments {
		paths = append(paths, c["path"].(string))
	}
	joined := strings.Join(paths, " ")
	if !strings.Contains(joined, "analytics/models/marts/fct_payments_by_method.sql") || !strings.Contains(joined, "analytics/models/marts/fct_daily_revenue.sql") {
		t.Errorf("inline comments on %s", joined)
	}
	// dim_customers.sql is not in the pull request: its finding is in the summary.
	if !strings.Contains(rv.Body, "analytics/models/marts/dim_customers.sql:30") {
		t.Errorf("summary lacks the finding outside the diff:\n%s", rv.Body)
	}
	if len(fake.CheckRuns) != 1 || fake.CheckRuns[0].Conclusion != "failure" {
		t.Errorf("check runs %+v", fake.CheckRuns)
	}
	if !strings.Contains(stderr.String(), "review posted on acme/shop#7") {
		t.Errorf("stderr: %s", stderr.String())
	}
	if md, err := os.ReadFile(report); err != nil || !strings.Contains(string(md), "```mermaid") {
		t.Errorf("--report: %v\n%.200s", err, md)
	}
	if !strings.HasPrefix(strings.TrimSpace(stdout.String()), "{") {
		t.Errorf("stdout is not the JSON review: %.100s", stdout.String())
	}
}

func TestReviewGitHubFlags(t *testing.T) {
	for _, c := range []struct{ args, want string }{
		{"--github-repo acme --github-pr 1", "owner/name"},
		{"--github-repo acme/shop", "pull request number"},
		{"--github-repo acme/shop --github-pr 3", "GITHUB_TOKEN"},
	} {
		var stdout, stderr bytes.Buffer
		args := append([]string{"review", "--project", "../../examples/shop", "--base", "HEAD"}, strings.Fields(c.args)...)
		code := RunEnv(&Env{Ctx: context.Background(), Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr,
			Getenv: testGetenv(nil)}, args)
		if code != ExitUsage || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("%s: exit %d, stderr %q", c.args, code, stderr.String())
		}
	}
}

// TestReviewFailOnFromConfig: .dataops.yml's review.fail_on applies unless --fail-on is given,
// and a bad value is a usage error naming the file and line.
func TestReviewFailOnFromConfig(t *testing.T) {
	src, err := findShop()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := makeDemoRepo(context.Background(), src, dir); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) (int, string) {
		var stdout, stderr bytes.Buffer
		code := RunEnv(&Env{Ctx: context.Background(), Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr,
			Getenv: testGetenv(nil)}, append([]string{"review", "--project", dir, "--base", "main", "--format", "json"}, args...))
		return code, stderr.String()
	}
	if code, _ := run(); code != ExitFindings {
		t.Errorf("default fail_on error: exit %d, want 1", code)
	}
	os.WriteFile(filepath.Join(dir, ".dataops.yml"), []byte("review:\n  fail_on: never\n"), 0o644)
	if code, _ := run(); code != ExitOK {
		t.Errorf("fail_on never from the file: exit %d, want 0", code)
	}
	if code, _ := run("--fail-on", "warning"); code != ExitFindings {
		t.Errorf("--fail-on overrides the file: exit %d, want 1", code)
	}
	os.WriteFile(filepath.Join(dir, ".dataops.yml"), []byte("review:\n  fail_on: sometimes\n"), 0o644)
	if code, stderr := run(); code != ExitUsage || !strings.Contains(stderr, ".dataops.yml") {
		t.Errorf("bad fail_on: exit %d, %s", code, stderr)
	}
}

package cli

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func runCLIEnv(t *testing.T, environ map[string]string, args ...string) (string, string, int) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := RunEnv(&Env{Ctx: context.Background(), Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr,
		Getenv: testGetenv(environ)}, args)
	return stdout.String(), stderr.String(), code
}

// TestTrustBaseSettings: a change that edits .dataops.yml and profiles.yml is reviewed with the
// base's settings in CI (or with --trust base) and with its own locally; the edited files get
// a note.
func TestTrustBaseSettings(t *testing.T) {
	repo, proj := shopRepo(t)
	if err := os.WriteFile(filepath.Join(proj, ".dataops.yml"), []byte("schema:\n  placeholder: FROM THE CHANGE\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(proj, "profiles.yml"), []byte("shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: change.duckdb\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("git", "commit", "-q", "-am", "settings")
	cmd.Dir = repo
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@t", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@t")
	if err := exec.Command("git", "-C", repo, "add", "-A").Run(); err != nil {
		t.Fatal(err)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	review := []string{"review", "--project", proj, "--base", "HEAD~2", "--format", "json", "--fail-on", "never"}
	for _, c := range []struct {
		name    string
		environ map[string]string
		extra   []string
		base    bool
	}{
		{"local default", nil, nil, false},
		{"CI default", map[string]string{"CI": "true"}, nil, true},
		{"Actions default", map[string]string{"GITHUB_ACTIONS": "true"}, nil, true},
		{"explicit base", nil, []string{"--trust", "base"}, true},
		{"explicit worktree in CI", map[string]string{"CI": "true"}, []string{"--trust", "worktree"}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, stderr, code := runCLIEnv(t, c.environ, append(review, c.extra...)...)
			if code != ExitOK {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			fromChange := strings.Contains(out, "FROM THE CHANGE")
			noted := strings.Contains(out, "this change edits .dataops.yml") && strings.Contains(out, "this change edits profiles.yml")
			if fromChange == c.base || noted != c.base {
				t.Errorf("change's settings used: %v, notes: %v; want the base's: %v\n%s", fromChange, noted, c.base, out)
			}
		})
	}
	if _, stderr, code := runCLIEnv(t, nil, append(review, "--trust", "nobody")...); code != ExitUsage || !strings.Contains(stderr, "--trust") {
		t.Errorf("bad --trust: exit %d, %s", code, stderr)
	}
	if _, stderr, code := runCLIEnv(t, nil, "schema", "--project", proj, "--trust", "base"); code != ExitUsage || !strings.Contains(stderr, "needs --base") {
		t.Errorf("--trust base without a base: exit %d, %s", code, stderr)
	}
}

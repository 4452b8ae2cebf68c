package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReviewGitHubFormatInMonorepo: the dbt project sits in src/analytics of its repository
// (as src/ol_dbt does in a real monorepo); workflow annotations and SARIF name files from the
// repository's top, whichever folder the review runs from, while JSON keeps the contract's
// project-relative paths.
func TestReviewGitHubFormatInMonorepo(t *testing.T) {
	repo, proj := monorepo(t, nil)
	os.WriteFile(filepath.Join(proj, "models", "orders_fx.sql"), []byte("-- orders in foreign currency\n"+monorepoModel), 0o644)
	run := func(dir string, args ...string) string {
		t.Helper()
		t.Chdir(dir)
		var out, errb bytes.Buffer
		code := RunEnv(&Env{Ctx: context.Background(), Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
			Getenv: testGetenv(nil)}, append([]string{"review", "--base", "HEAD", "--fail-on", "never", "--no-history", "--all-lines"}, args...))
		if code != ExitOK {
			t.Fatalf("review %v: exit %d: %s", args, code, errb.String())
		}
		return out.String()
	}
	for _, c := range []struct{ dir, project string }{{repo, "src/analytics"}, {proj, "."}} {
		out := run(c.dir, "--project", c.project, "--format", "github")
		if !strings.Contains(out, "file=src/analytics/models/orders_fx.sql,line=9,col=1,title=lint CP01::") {
			t.Errorf("from %s: annotations lack the repository path:\n%s", c.dir, out)
		}
		if strings.Contains(out, "file=models/") {
			t.Errorf("from %s: an annotation names a project-relative path:\n%s", c.dir, out)
		}
		if out := run(c.dir, "--project", c.project, "--format", "sarif"); !strings.Contains(out, `"uri": "src/analytics/models/orders_fx.sql"`) {
			t.Errorf("from %s: SARIF lacks the repository path:\n%s", c.dir, out)
		}
	}
	if out := run(repo, "--project", "src/analytics", "--format", "json"); !strings.Contains(out, `"path": "models/orders_fx.sql"`) {
		t.Errorf("JSON paths are project-relative:\n%s", out)
	}
}

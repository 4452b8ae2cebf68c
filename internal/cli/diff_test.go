package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// shopRepo makes a git repository holding examples/shop under transform/shop, with one commit
// of the shop and one of a change to stg_customers, and returns the repository and project.
func shopRepo(t *testing.T) (repo, proj string) {
	t.Helper()
	repo = t.TempDir()
	proj = filepath.Join(repo, "transform", "shop")
	writeTree(t, proj, shopTree(t))
	git := func(args ...string) {
		cmd := exec.Command("git", args...)
		cmd.Dir = repo
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@t", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@t")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("init", "-q", "-b", "main")
	git("add", "-A")
	git("commit", "-q", "-m", "shop")
	f := filepath.Join(proj, "models/staging/stg_customers.sql")
	data, _ := os.ReadFile(f)
	if err := os.WriteFile(f, []byte(addEmailDomain(string(data))), 0o644); err != nil {
		t.Fatal(err)
	}
	git("commit", "-q", "-am", "email domain")
	return repo, proj
}

func runCLI(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := RunEnv(&Env{Ctx: context.Background(), Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr,
		Getenv: testGetenv(nil)}, args)
	return stdout.String(), stderr.String(), code
}

func TestDiffBetweenRefsInASubfolder(t *testing.T) {
	_, proj := shopRepo(t)
	out, errOut, code := runCLI(t, "diff", "--project", proj, "--base", "HEAD~1", "--head", "HEAD", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got struct {
		Models []struct {
			UniqueID string `json:"unique_id"`
			Change   string `json:"change"`
			Columns  []struct{ Name, Change string }
			Impact   []string `json:"impact"`
		} `json:"models"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(got.Models) != 1 || got.Models[0].UniqueID != "model.shop.stg_customers" || got.Models[0].Change != "modified" {
		t.Fatalf("models = %+v", got.Models)
	}
	m := got.Models[0]
	if len(m.Columns) != 1 || m.Columns[0].Name != "email_domain" || m.Columns[0].Change != "added" {
		t.Errorf("columns = %+v", m.Columns)
	}
	if !strings.Contains(strings.Join(m.Impact, ","), "model.shop.dim_customers") {
		t.Errorf("impact = %v", m.Impact)
	}
	// The same ref on both sides: nothing changed.
	out, _, code = runCLI(t, "diff", "--project", proj, "--base", "HEAD", "--head", "HEAD")
	if code != 0 || strings.TrimSpace(out) != "no model changes" {
		t.Errorf("exit %d: %q", code, out)
	}
}

func TestDiffAndSchemaBadInput(t *testing.T) {
	_, proj := shopRepo(t)
	notRepo := t.TempDir()
	writeTree(t, notRepo, map[string]string{"dbt_project.yml": shopFile("dbt_project.yml")})
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"diff", "--project", proj, "--base", "no-such-ref"}, "no-such-ref"},
		{[]string{"diff", "--project", notRepo, "--base", "main"}, "not inside a git repository"},
		{[]string{"diff", "--project", proj}, "needs --base"},
		{[]string{"diff", "--project", proj, "--base", "HEAD", "--base-dir", notRepo}, "--base-dir"},
		{[]string{"schema", "--project", proj, "--base", "HEAD~1", "--head", "HEAD", "--write"}, "--head"},
		{[]string{"schema", "--project", proj, "--check", "--write"}, "do not go together"},
		{[]string{"schema", "--project", proj, "--format", "yaml"}, "--format"},
	}
	for _, c := range cases {
		_, errOut, code := runCLI(t, c.args...)
		if code != ExitUsage || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 mentioning %q", c.args, code, errOut, c.want)
		}
	}
}

func TestSchemaWriteIsAtomicAndIdempotent(t *testing.T) {
	repo, proj := shopRepo(t)
	// Work-tree change on top of the last commit: the base is HEAD.
	f := filepath.Join(proj, "models/staging/stg_products.sql")
	data, _ := os.ReadFile(f)
	if err := os.WriteFile(f, []byte(strings.Replace(string(data), "        category,\n", "        category,\n        upper(sku) as sku_code,\n", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	// Run from a folder inside the repository other than the project.
	t.Chdir(filepath.Join(repo, "transform"))
	_, errOut, code := runCLI(t, "schema", "--project", "shop", "--base", "HEAD", "--write")
	if code != 0 || !strings.Contains(errOut, "wrote models/staging/_staging.yml") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	yml, _ := os.ReadFile(filepath.Join(proj, "models/staging/_staging.yml"))
	if !strings.Contains(string(yml), "      - name: sku_code\n") {
		t.Fatalf("sku_code not written:\n%s", yml)
	}
	entries, _ := os.ReadDir(filepath.Join(proj, "models/staging"))
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
	// A second run has nothing left to do.
	out, _, code := runCLI(t, "schema", "--project", "shop", "--base", "HEAD", "--check")
	if code != 0 || strings.Contains(out, "+++") {
		t.Errorf("second run: exit %d\n%s", code, out)
	}
}

func TestSchemaRefusesToWriteWhenDbtParseFails(t *testing.T) {
	_, proj := shopRepo(t)
	f := filepath.Join(proj, "models/staging/stg_products.sql")
	data, _ := os.ReadFile(f)
	if err := os.WriteFile(f, []byte(strings.Replace(string(data), "        category,\n", "        category,\n        upper(sku) as sku_code,\n", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	fake := filepath.Join(bin, "dbt")
	script := "#!/bin/sh\necho \"Parsing Error in models/staging/_staging.yml, line 3: something dbt dislikes\" >&2\nexit 1\n"
	if err := os.WriteFile(fake, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(filepath.Join(proj, "models/staging/_staging.yml"))
	var stdout, stderr bytes.Buffer
	// dbt is found on the PATH of the command's environment.
	code := RunEnv(&Env{Ctx: context.Background(), Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr,
		Getenv: func(k string) string {
			if k == "PATH" {
				return bin
			}
			return ""
		}}, []string{"schema", "--project", proj, "--base", "HEAD", "--write"})
	if code != ExitFindings {
		t.Fatalf("exit %d\n%s\n%s", code, stdout.String(), stderr.String())
	}
	if !strings.Contains(stdout.String(), "models/staging/_staging.yml:3: error: dbt parse: ") || !strings.Contains(stderr.String(), "not written") {
		t.Errorf("stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
	}
	after, _ := os.ReadFile(filepath.Join(proj, "models/staging/_staging.yml"))
	if string(before) != string(after) {
		t.Error("the file was written although dbt parse failed")
	}
}

// A property file the base cannot parse does not stop the review of the change that mends it:
// the base passes over it with a warning; the head is read as strictly as ever.
func TestDiffBaseWithMalformedPropertyFile(t *testing.T) {
	repo, proj := shopRepo(t)
	bad := filepath.Join(proj, "models/staging/vendored.yml")
	if err := os.WriteFile(bad, []byte("name: vendored\nmodels:\n  vendored:\n    +materialized: view\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	gitIn(t, repo, "add", "-A")
	gitIn(t, repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "vendored project file")
	// Without the fix, the head fails as the base does.
	if _, errOut, code := runCLI(t, "diff", "--project", proj, "--base", "HEAD~1"); code != 2 || !strings.Contains(errOut, "vendored.yml:2:1: models: must be a list") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if err := os.Remove(bad); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runCLI(t, "diff", "--project", proj, "--base", "HEAD")
	if code != 0 || !strings.Contains(out, "removed  models/staging/vendored.yml") {
		t.Fatalf("exit %d: %s\n%s", code, out, errOut)
	}
}

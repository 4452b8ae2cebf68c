package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dataops-dev/dataops/internal/jinja"
	"github.com/dataops-dev/dataops/internal/secret"
)

const plantedSecret = "planted-secret-value-123"

const leakModel = "select 1 as \"{{ env_var('SECRET_TOKEN') }}\", 2 as id_{{ env_var('SECRET_TOKEN') | replace('-', '_') }}\n" +
	"{{ exceptions.raise_compiler_error('leaked ' ~ env_var('SECRET_TOKEN')) }}\n"

func runWith(t *testing.T, environ map[string]string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = RunEnv(&Env{Ctx: context.Background(), Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
		Getenv: testGetenv(environ)}, args)
	return out.String(), errb.String(), code
}

// By default a model's env_var() of a secret renders the placeholder, with a located warning.
func TestEnvVarRefusedByDefault(t *testing.T) {
	dir := t.TempDir()
	tree := shopTree(t)
	tree["models/marts/leak.sql"] = leakModel
	writeTree(t, dir, tree)
	environ := map[string]string{"SECRET_TOKEN": plantedSecret}
	for _, format := range []string{"json", "text"} {
		stdout, stderr, code := runWith(t, environ, "parse", "--project", dir, "--format", format)
		if code != 0 {
			t.Fatalf("parse --format %s: exit %d\n%s", format, code, stderr)
		}
		if strings.Contains(stdout+stderr, "planted") {
			t.Errorf("parse --format %s printed the secret", format)
		}
		if format == "json" && !strings.Contains(stdout, `1 as \"`+jinja.RefusedEnvVar+`\", 2 as id_`+jinja.RefusedEnvVar) {
			t.Errorf("compiled code lacks the placeholder: %.300s", stdout)
		}
		if format == "text" && !strings.Contains(stdout, "refused-env-var") {
			t.Errorf("no refused-env-var warning:\n%s", stdout)
		}
	}
}

// A project that lets its templates read a secret still never shows it: stdout, stderr, --out,
// --report and --fix all go through the masker, and a property file that would hold the
// secret is not written.
func TestOutputsMaskSecretsTemplatesMayRead(t *testing.T) {
	base, head := t.TempDir(), t.TempDir()
	tree := shopTree(t)
	writeTree(t, base, tree)
	tree["models/marts/leak.sql"] = leakModel
	tree[".dataops.yml"] = "security:\n  env_vars: [SECRET_TOKEN]\n  secrets: [SECRET_TOKEN]\n"
	writeTree(t, head, tree)
	environ := map[string]string{"SECRET_TOKEN": plantedSecret}
	manifest := filepath.Join(t.TempDir(), "manifest.json")
	stdout, stderr, code := runWith(t, environ, "parse", "--project", head, "--format", "json", "--out", manifest)
	if code != 0 {
		t.Fatalf("parse: exit %d\n%s", code, stderr)
	}
	data, _ := os.ReadFile(manifest)
	if !strings.Contains(string(data), `1 as \"***\", 2 as id_***`) {
		t.Errorf("the secret did not render masked in --out: %.300s", data)
	}
	leaks := map[string]string{"parse stdout": stdout, "parse stderr": stderr, "manifest": string(data)}

	report := filepath.Join(t.TempDir(), "review.md")
	for _, format := range []string{"text", "json", "markdown", "sarif", "github"} {
		args := []string{"review", "--project", head, "--base-dir", base, "--format", format, "--no-history"}
		if format == "json" {
			args = append(args, "--fix", "--report", report)
		}
		stdout, stderr, code := runWith(t, environ, args...)
		if code != 0 && code != 1 {
			t.Fatalf("review --format %s: exit %d\n%s", format, code, stderr)
		}
		leaks["review "+format+" stdout"], leaks["review "+format+" stderr"] = stdout, stderr
		if format == "json" && !strings.Contains(stderr, "not written: it would hold a secret value") {
			t.Errorf("--fix wrote a property file holding the secret? stderr:\n%s", stderr)
		}
	}
	data, _ = os.ReadFile(report)
	leaks["report"] = string(data)
	for rel, s := range readTreeFiles(t, head) {
		leaks[rel] = s
	}
	for where, s := range leaks {
		if strings.Contains(s, plantedSecret) || strings.Contains(s, strings.ReplaceAll(plantedSecret, "-", "_")) {
			t.Errorf("%s shows the secret", where)
		}
	}
	if !strings.Contains(leaks["review json stdout"], "***") {
		t.Errorf("review json: the rendered secret is not masked in place:\n%.500s", leaks["review json stdout"])
	}
}

func TestRunEnvMasksStreamsAndKeepsTheCallersEnv(t *testing.T) {
	var out, errb bytes.Buffer
	env := &Env{Ctx: context.Background(), Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
		Getenv: func(k string) string { return map[string]string{"GITHUB_TOKEN": "ghs_0123456789"}[k] }}
	code := RunEnv(env, []string{"parse", "--project", filepath.Join(t.TempDir(), "ghs_0123456789")})
	if code != ExitUsage || !strings.Contains(errb.String(), "***") || strings.Contains(errb.String(), "ghs_0123456789") {
		t.Errorf("exit %d, stderr %q", code, errb.String())
	}
	if env.Stdout != &out || env.Stderr != &errb || env.Secrets != nil {
		t.Error("RunEnv changed the caller's Env")
	}
	m := secret.New("explicit-secret-1")
	errb.Reset()
	RunEnv(&Env{Ctx: context.Background(), Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Secrets: m,
		Getenv: testGetenv(nil)}, []string{"parse", "--project", "/nonexistent/explicit-secret-1"})
	if strings.Contains(errb.String(), "explicit-secret-1") {
		t.Errorf("a caller's Secrets were not used: %q", errb.String())
	}
}

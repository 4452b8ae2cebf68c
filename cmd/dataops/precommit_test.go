package main

// The hooks of .pre-commit-hooks.yaml on examples/shop. Each hook's entry runs with the built
// binary, as pre-commit runs it (in the project, no file names), on three states of the
// project: as shipped (lint findings, property files behind the SQL), brought in step, and with
// a new model that lacks tests. Then Debian's pre-commit installs the same manifest from a
// repository holding this module (language golang: `go install ./...`) and runs it on each
// state; every hook must pass or fail as its entry did.

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
)

type manifestHook struct {
	ID            string `yaml:"id"`
	Name          string `yaml:"name"`
	Description   string `yaml:"description"`
	Entry         string `yaml:"entry"`
	Language      string `yaml:"language"`
	Files         string `yaml:"files"`
	PassFilenames *bool  `yaml:"pass_filenames"`
}

func readHookManifest(t *testing.T) []manifestHook {
	t.Helper()
	data, err := os.ReadFile("../../.pre-commit-hooks.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var hooks []manifestHook
	if err := yaml.UnmarshalWithOptions(data, &hooks, yaml.Strict()); err != nil {
		t.Fatalf(".pre-commit-hooks.yaml: %v", err)
	}
	return hooks
}

func TestPreCommitManifest(t *testing.T) {
	hooks := readHookManifest(t)
	var ids []string
	for _, h := range hooks {
		ids = append(ids, h.ID)
		if h.ID == "" || h.Name == "" || h.Entry == "" || h.Language == "" {
			t.Errorf("%+v: pre-commit requires id, name, entry and language", h)
		}
		if h.Language != "golang" {
			t.Errorf("%s: language %q, want golang (pre-commit builds the module with go install ./...)", h.ID, h.Language)
		}
		// pre-commit splits entry like a shell; ours must mean the same split on spaces.
		if f := strings.Fields(h.Entry); len(f) == 0 || f[0] != "dataops" || strings.ContainsAny(h.Entry, `"'\`) {
			t.Errorf("%s: entry %q must be `dataops` and plain arguments", h.ID, h.Entry)
		}
		// The commands take a project, not file names (tests would read them as models).
		if h.PassFilenames == nil || *h.PassFilenames {
			t.Errorf("%s: pass_filenames must be false", h.ID)
		}
		re, err := regexp.Compile(h.Files)
		if err != nil {
			t.Errorf("%s: files: %v", h.ID, err)
			continue
		}
		for _, p := range []string{"models/staging/stg_orders.sql", "models/marts/_marts.yml", "dbt_project.yml"} {
			if !re.MatchString(p) {
				t.Errorf("%s: files does not match %s", h.ID, p)
			}
		}
		if re.MatchString("README.md") {
			t.Errorf("%s: files matches README.md", h.ID)
		}
	}
	if want := []string{"dataops-lint", "dataops-schema", "dataops-tests"}; !slices.Equal(ids, want) {
		t.Errorf("hook ids %v, want %v", ids, want)
	}
}

// shopStates are the states the hooks run on, in order, each built on the one before, and the
// exit code each hook's entry must give on it.
var shopStates = []struct {
	name    string
	prepare func(t *testing.T, bin, dir string)
	want    map[string]int
}{
	{
		name: "as shipped",
		want: map[string]int{"dataops-lint": 1, "dataops-schema": 1, "dataops-tests": 0},
	},
	{
		name: "in step",
		prepare: func(t *testing.T, bin, dir string) {
			runIn(t, dir, bin, "schema", "--write")
			runIn(t, dir, bin, "lint", "--fix") // exits 1: ST06 is not fixable
			// ST06: the simple target (a cast) before the calculation.
			editFile(t, filepath.Join(dir, "models/staging/stg_customers.sql"),
				"        lower(email) as email,\n        cast(signed_up_at as date) as signed_up_on\n",
				"        cast(signed_up_at as date) as signed_up_on,\n        lower(email) as email\n")
		},
		want: map[string]int{"dataops-lint": 0, "dataops-schema": 0, "dataops-tests": 0},
	},
	{
		name: "new model without tests",
		prepare: func(t *testing.T, bin, dir string) {
			must(t, os.WriteFile(filepath.Join(dir, "models/marts/fct_payments.sql"), []byte(
				"select\n    payment_id,\n    order_id,\n    amount\nfrom {{ ref('stg_payments') }}\n"), 0o644))
			runIn(t, dir, bin, "schema", "--write")
		},
		want: map[string]int{"dataops-lint": 0, "dataops-schema": 0, "dataops-tests": 1},
	},
}

func TestPreCommitHooksOnShop(t *testing.T) {
	hooks := readHookManifest(t)
	bin := securityBinary(t) // the binary a user installs
	dir := filepath.Join(t.TempDir(), "shop")
	must(t, copyProject("../../examples/shop", dir))
	git(t, dir, "init", "-q", "-b", "main")
	preCommit := newPreCommit(t, dir)
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-q", "-m", "shop")

	for _, st := range shopStates {
		if st.prepare != nil {
			st.prepare(t, bin, dir)
		}
		got := map[string]int{}
		for _, h := range hooks {
			args := strings.Fields(h.Entry)[1:]
			cmd := exec.CommandContext(t.Context(), bin, args...)
			cmd.Dir = dir
			cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "LANG=C.UTF-8"}
			out, err := cmd.CombinedOutput()
			code := cmd.ProcessState.ExitCode()
			if err != nil && code < 0 {
				t.Fatalf("%s: %s: %v", st.name, h.ID, err)
			}
			got[h.ID] = code
			if want, ok := st.want[h.ID]; !ok || code != want {
				t.Errorf("%s: %s exited %d, want %d:\n%s", st.name, h.Entry, code, want, clip(out))
			}
		}
		// pre-commit reports Passed for exit 0 and Failed otherwise, one line per hook name.
		out := preCommit()
		for _, h := range hooks {
			want := "Failed"
			if got[h.ID] == 0 {
				want = "Passed"
			}
			line := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(h.Name) + `\.+(\w+)$`).FindStringSubmatch(out)
			if line == nil || line[1] != want {
				t.Errorf("%s: pre-commit on %s: want %s (the entry exited %d):\n%s", st.name, h.ID, want, got[h.ID], out)
			}
		}
	}
}

// newPreCommit makes a hook repository of this module (its sources and the manifest, committed)
// and a .pre-commit-config.yaml in project that uses every hook of it, and returns a function
// that runs `pre-commit run --all-files` there. The environment is installed once.
func newPreCommit(t *testing.T, project string) func() string {
	t.Helper()
	exe := os.Getenv("DATAOPS_TEST_PRE_COMMIT")
	if exe == "" {
		exe = "/usr/bin/pre-commit"
	}
	if _, err := os.Stat(exe); err != nil {
		t.Fatalf("the hook test needs Debian's pre-commit at %s (apt-get install pre-commit): %v", exe, err)
	}
	repo := filepath.Join(t.TempDir(), "hooks")
	for _, f := range []string{"go.mod", "go.sum", ".pre-commit-hooks.yaml"} {
		data, err := os.ReadFile(filepath.Join("../..", f))
		must(t, err)
		must(t, os.MkdirAll(repo, 0o755))
		must(t, os.WriteFile(filepath.Join(repo, f), data, 0o644))
	}
	for _, d := range []string{"cmd", "internal"} {
		must(t, copySources(filepath.Join("../..", d), filepath.Join(repo, d)))
	}
	git(t, repo, "init", "-q", "-b", "main")
	git(t, repo, "add", "-A")
	git(t, repo, "commit", "-q", "-m", "hooks")
	rev := strings.TrimSpace(gitOut(t, repo, "rev-parse", "HEAD"))
	config := "repos:\n  - repo: " + repo + "\n    rev: " + rev + "\n    hooks:\n"
	for _, h := range readHookManifest(t) {
		config += "      - id: " + h.ID + "\n"
	}
	must(t, os.WriteFile(filepath.Join(project, ".pre-commit-config.yaml"), []byte(config), 0o644))

	goEnv := func(name string) string {
		out, err := exec.Command("go", "env", name).Output()
		must(t, err)
		return strings.TrimSpace(string(out))
	}
	env := append(os.Environ(),
		"PRE_COMMIT_HOME="+t.TempDir(),
		// The module cache and build cache this test was built with, and -trimpath so that the
		// build in pre-commit's clone (a new directory each time) finds its packages cached.
		"GOMODCACHE="+goEnv("GOMODCACHE"), "GOCACHE="+goEnv("GOCACHE"), "GOPROXY=off",
		"GOFLAGS=-buildvcs=false -trimpath", "CGO_ENABLED=1")
	return func() string {
		cmd := exec.CommandContext(t.Context(), exe, "run", "--all-files", "--color", "never")
		cmd.Dir = project
		cmd.Env = env
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil && cmd.ProcessState.ExitCode() != 1 {
			t.Fatalf("pre-commit run: %v\n%s", err, out.String())
		}
		return out.String()
	}
}

// copySources copies a source tree without its tests and test data: what go install builds.
func copySources(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			if d.Name() == "testdata" {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		if strings.HasSuffix(p, "_test.go") {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
}

// runIn runs the binary in dir for a state's preparation; its exit code is not the point.
func runIn(t *testing.T, dir, bin string, args ...string) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), bin, args...)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "LANG=C.UTF-8"}
	if out, err := cmd.CombinedOutput(); err != nil && cmd.ProcessState.ExitCode() > 1 {
		t.Fatalf("dataops %v: %v\n%s", args, err, out)
	}
}

func editFile(t *testing.T, path, old, new string) {
	t.Helper()
	data, err := os.ReadFile(path)
	must(t, err)
	if !bytes.Contains(data, []byte(old)) {
		t.Fatalf("%s: text to replace not found (has examples/shop changed?):\n%s", path, old)
	}
	must(t, os.WriteFile(path, bytes.Replace(data, []byte(old), []byte(new), 1), 0o644))
}

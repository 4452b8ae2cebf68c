package cli

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// monorepoRepo is a git repository whose dbt project sits at sub/proj and reads a shared
// folder of models and one of macros with "..". The second commit changes a shared model.
func monorepoRepo(t *testing.T) (repo, proj string) {
	t.Helper()
	repo = t.TempDir()
	proj = filepath.Join(repo, "sub", "proj")
	writeTree(t, repo, map[string]string{
		"sub/proj/dbt_project.yml": "name: proj\nprofile: none\n" +
			"model-paths: [\"models\", \"../../shared_models\"]\nmacro-paths: [\"../../macros\"]\n",
		"sub/proj/models/orders.sql":        "select 1 as order_id, {{ cents('amount') }} as amount_cents",
		"shared_models/customers.sql":       "select 1 as customer_id",
		"shared_models/customer_orders.sql": "select c.customer_id, o.order_id from {{ ref('customers') }} c cross join {{ ref('orders') }} o",
		"shared_models/schema.yml":          "version: 2\nmodels:\n  - name: customers\n    description: shared customers\n",
		"macros/cents.sql":                  "{% macro cents(c) %}{{ c }} * 100{% endmacro %}",
	})
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
	git("commit", "-q", "-m", "monorepo")
	if err := os.WriteFile(filepath.Join(repo, "shared_models", "customers.sql"), []byte("select 1 as customer_id, 'x' as email"), 0o644); err != nil {
		t.Fatal(err)
	}
	git("commit", "-q", "-am", "customers get an email")
	return repo, proj
}

// A pull request that changes only a shared model is a change to the project: diff finds it,
// with the new column, and the base sees the shared folders as the head does.
func TestDiffMonorepoSharedModel(t *testing.T) {
	_, proj := monorepoRepo(t)
	out, errOut, code := runCLI(t, "diff", "--project", proj, "--base", "HEAD~1", "--head", "HEAD", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got struct {
		Models []struct {
			UniqueID string `json:"unique_id"`
			Change   string `json:"change"`
			Path     string `json:"path"`
			Columns  []struct{ Name, Change string }
			Impact   []string `json:"impact"`
		} `json:"models"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(got.Models) != 1 || got.Models[0].UniqueID != "model.proj.customers" || got.Models[0].Change != "modified" ||
		got.Models[0].Path != "../../shared_models/customers.sql" {
		t.Fatalf("models = %+v\n%s", got.Models, errOut)
	}
	m := got.Models[0]
	if len(m.Columns) != 1 || m.Columns[0].Name != "email" || m.Columns[0].Change != "added" {
		t.Errorf("columns = %+v", m.Columns)
	}
	if !strings.Contains(strings.Join(m.Impact, ","), "model.proj.customer_orders") {
		t.Errorf("impact = %v", m.Impact)
	}
}

// schema --write documents the project's own models but writes nothing outside the project
// folder: a shared model's entry is a note, and the shared folder is left as it was.
func TestSchemaWriteMonorepoStaysInProject(t *testing.T) {
	repo, proj := monorepoRepo(t)
	shared := filepath.Join(repo, "shared_models")
	before := snapshotDir(t, shared)
	beforeMacros := snapshotDir(t, filepath.Join(repo, "macros"))
	out, errOut, code := runCLI(t, "schema", "--project", proj, "--write")
	if code != 0 && code != 1 {
		t.Fatalf("exit %d: %s\n%s", code, errOut, out)
	}
	if after := snapshotDir(t, shared); !equalMaps(before, after) {
		t.Errorf("the shared folder changed:\nbefore %v\nafter  %v", before, after)
	}
	if after := snapshotDir(t, filepath.Join(repo, "macros")); !equalMaps(beforeMacros, after) {
		t.Errorf("the shared macros changed")
	}
	all := out + errOut
	if !strings.Contains(all, "outside the project folder") {
		t.Errorf("no note about the shared models:\n%s", all)
	}
	// The project's own model was documented inside the project.
	found := false
	_ = filepath.WalkDir(proj, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".yml") && p != filepath.Join(proj, "dbt_project.yml") {
			if data, _ := os.ReadFile(p); strings.Contains(string(data), "orders") {
				found = true
			}
		}
		return nil
	})
	if !found {
		t.Errorf("no property file for orders was written in the project:\n%s\n%s", out, errOut)
	}
}

func snapshotDir(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			data, _ := os.ReadFile(p)
			out[p] = string(data)
		}
		return nil
	})
	return out
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// lint --fix fixes the project's own models but not those of a shared folder outside it.
func TestLintFixMonorepoStaysInProject(t *testing.T) {
	repo, proj := monorepoRepo(t)
	messy := "select 1 as customer_id   \nfrom   dual\n"
	for _, f := range []string{filepath.Join(repo, "shared_models", "messy_shared.sql"), filepath.Join(proj, "models", "messy_local.sql")} {
		if err := os.WriteFile(f, []byte(messy), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	shared := filepath.Join(repo, "shared_models")
	before := snapshotDir(t, shared)
	out, errOut, _ := runCLI(t, "lint", "--project", proj, "--fix")
	if after := snapshotDir(t, shared); !equalMaps(before, after) {
		t.Errorf("lint --fix changed the shared folder:\n%s\n%s", out, errOut)
	}
	if data, _ := os.ReadFile(filepath.Join(proj, "models", "messy_local.sql")); string(data) == messy {
		t.Errorf("the project's own model was not fixed:\n%s\n%s", out, errOut)
	}
	if !strings.Contains(errOut, "messy_shared.sql is outside the project folder; not fixed") {
		t.Errorf("no note about the shared model:\n%s", errOut)
	}
}

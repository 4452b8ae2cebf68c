package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMonorepoLocalPackage: in a repository holding the project in a subfolder, a local
// package that `dbt deps` linked into dbt_packages from elsewhere in the repository loads; a
// package linked from outside the repository does not.
func TestMonorepoLocalPackage(t *testing.T) {
	base := t.TempDir()
	top := filepath.Join(base, "repo")
	files := map[string]string{
		"repo/.git/HEAD":                  "ref: refs/heads/main\n",
		"repo/proj/dbt_project.yml":       "name: proj\nversion: '1.0'\nprofile: proj\n",
		"repo/proj/models/m.sql":          "select {{ shared.one() }} as a, {{ stranger.two() }} as b",
		"repo/shared/dbt_project.yml":     "name: shared\nversion: '1.0'\n",
		"repo/shared/macros/one.sql":      "{% macro one() %}1{% endmacro %}",
		"stranger/dbt_project.yml":        "name: stranger\nversion: '1.0'\n",
		"stranger/macros/two.sql":         "{% macro two() %}2{% endmacro %}",
		"repo/proj/dbt_packages/.gitkeep": "",
	}
	for name, body := range files {
		p := filepath.Join(base, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for link, target := range map[string]string{"shared": "../../shared", "stranger": "../../../stranger"} {
		if err := os.Symlink(target, filepath.Join(top, "proj", "dbt_packages", link)); err != nil {
			t.Fatal(err)
		}
	}
	out, errOut, code := runColumnsCmd(t, "parse", "--project", filepath.Join(top, "proj"), "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, `select 1 as a`) {
		t.Errorf("the repository's local package did not render: %s", errOut)
	}
	if strings.Contains(out, `2 as b`) {
		t.Errorf("a package linked from outside the repository was loaded")
	}
	out, _, _ = runColumnsCmd(t, "parse", "--project", filepath.Join(top, "proj"))
	if !strings.Contains(out, "dbt_packages/stranger") || strings.Contains(out, "dbt_packages/shared") {
		t.Errorf("want a warning for the stranger package only:\n%s", out)
	}
}

package dbt

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// monorepo lays out a git repository whose dbt project sits two folders below its top and
// shares folders of models and macros with its siblings, and a file beyond the repository:
//
//	outside/models/leak.sql
//	repo/.git/config
//	repo/shared_models/shared.sql, repo/shared_models/sources.yml, repo/shared_models/link_out.sql -> outside
//	repo/macros/shared_macro.sql
//	repo/sub/proj/dbt_project.yml, repo/sub/proj/models/local.sql
func monorepo(t *testing.T, projectYML string) (repo, proj string) {
	t.Helper()
	base := t.TempDir()
	repo = filepath.Join(base, "repo")
	proj = filepath.Join(repo, "sub", "proj")
	for name, content := range map[string]string{
		"outside/models/leak.sql":            "select 'canary-outside-value' as leaked",
		"repo/.git/config":                   "[remote] canary-outside-value",
		"repo/shared_models/shared.sql":      "select {{ shared_macro() }} as id from {{ source('raw', 'events') }}",
		"repo/shared_models/sources.yml":     "version: 2\nsources:\n  - name: raw\n    tables:\n      - name: events\n",
		"repo/shared_models/deep/nested.sql": "select * from {{ ref('local') }}",
		"repo/macros/shared_macro.sql":       "{% macro shared_macro() %}42{% endmacro %}",
		"repo/sub/proj/dbt_project.yml":      projectYML,
		"repo/sub/proj/models/local.sql":     "select {{ shared_macro() }} as id",
	} {
		p := filepath.Join(base, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	symlink(t, filepath.Join(base, "outside", "models", "leak.sql"), filepath.Join(repo, "shared_models", "link_out.sql"))
	return repo, proj
}

// Resource paths that climb into the repository are read as dbt reads them: nodes keep
// unique ids and fqns from their names and folders below the resource path, and an
// original_file_path relative to the project.
func TestResourcePathsIntoRepository(t *testing.T) {
	repo, proj := monorepo(t, "name: proj\nprofile: none\n"+
		"model-paths: [\"models\", \"../../shared_models\"]\n"+
		"macro-paths: [\"../../macros\"]\n")
	p, err := Load(context.Background(), LoadOptions{Dir: proj, Getenv: envOf(nil), Roots: []string{repo}, Compile: true})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	eq(t, "model paths", p.ModelPaths, []string{"models", "../../shared_models"})
	eq(t, "macro paths", p.MacroPaths, []string{"../../macros"})
	shared := p.Nodes["model.proj.shared"]
	if shared == nil {
		t.Fatalf("model.proj.shared not loaded; nodes %v; diagnostics %+v", keys(p.Nodes), p.Diagnostics)
	}
	eq(t, "original_file_path", shared.OriginalFilePath, "../../shared_models/shared.sql")
	eq(t, "path", shared.Path, "shared.sql")
	eq(t, "fqn", shared.FQN, []string{"proj", "shared"})
	if !strings.Contains(shared.CompiledCode, "select 42 as id") {
		t.Errorf("the shared macro was not applied: %q", shared.CompiledCode)
	}
	eq(t, "depends on", shared.DependsOn.Nodes, []string{"source.proj.raw.events"})
	if nested := p.Nodes["model.proj.nested"]; nested == nil {
		t.Error("model.proj.nested not loaded")
	} else {
		eq(t, "nested fqn", nested.FQN, []string{"proj", "deep", "nested"})
		eq(t, "nested depends on", nested.DependsOn.Nodes, []string{"model.proj.local"})
	}
	if src := p.Sources["source.proj.raw.events"]; src == nil {
		t.Error("the shared source is not loaded")
	} else {
		eq(t, "source path", src.OriginalFilePath, "../../shared_models/sources.yml")
	}
	m := p.Macros["macro.proj.shared_macro"]
	if m == nil {
		t.Fatalf("the shared macro is not loaded; diagnostics %+v", p.Diagnostics)
	}
	eq(t, "macro path", m.OriginalFilePath, "../../macros/shared_macro.sql")
	if local := p.Nodes["model.proj.local"]; local == nil || !strings.Contains(local.CompiledCode, "42") {
		t.Errorf("model.proj.local = %+v", local)
	}
	// A link out of the repository from inside a shared folder is still refused.
	if p.Nodes["model.proj.link_out"] != nil || !hasDiag(p, "../../shared_models/link_out.sql", "outside-project", "") {
		t.Errorf("a link out of the repository was followed; diagnostics %+v", p.Diagnostics)
	}
	if text := manifestText(t, p); strings.Contains(text, "canary-outside-value") {
		t.Errorf("a file beyond the repository was read:\n%s", text)
	}
}

// Beyond the repository, into its .git directory, absolute, or without the repository among
// the roots, a climbing path stays refused with a warning at its key.
func TestResourcePathsBeyondRepositoryRefused(t *testing.T) {
	repo, proj := monorepo(t, "")
	abs := filepath.Join(repo, "shared_models")
	yml := "name: proj\nprofile: none\n" +
		"model-paths: [\"models\", \"../../../outside/models\"]\n" +
		"macro-paths: [\"../../.git\"]\n" +
		"seed-paths: [\"" + abs + "\"]\n" +
		"analysis-paths: [\"../../shared_models\"]\n" +
		"packages-install-path: \"../../shared_models\"\n"
	if err := os.WriteFile(filepath.Join(proj, "dbt_project.yml"), []byte(yml), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, roots := range [][]string{{repo}, nil} {
		p, err := Load(context.Background(), LoadOptions{Dir: proj, Getenv: envOf(nil), Roots: roots})
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		if text := manifestText(t, p); strings.Contains(text, "canary-outside-value") {
			t.Errorf("roots %v: a refused file was read:\n%s", roots, text)
		}
		want := map[string]int{"model-paths": 3, "macro-paths": 4, "seed-paths": 5, "packages-install-path": 7}
		if roots == nil {
			want["analysis-paths"] = 6
		}
		for key, line := range want {
			found := false
			for _, d := range p.Diagnostics {
				if d.Kind == "outside-project" && d.Pos.Path == "dbt_project.yml" && d.Pos.Line == line &&
					strings.HasPrefix(d.Message, key+":") && strings.Contains(d.Message, msgOutside) {
					found = true
				}
			}
			if !found {
				t.Errorf("roots %v: no warning at dbt_project.yml:%d for %s; diagnostics: %+v", roots, line, key, p.Diagnostics)
			}
		}
		eq(t, "model paths", p.ModelPaths, []string{"models"})
		if p.Nodes["model.proj.leak"] != nil {
			t.Errorf("roots %v: the model beyond the repository was loaded", roots)
		}
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

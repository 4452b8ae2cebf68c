package dbt

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// outsideDir is a directory next to the project holding files a project must not read.
func outsideDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range map[string]string{
		"canary.sql":            "select 'canary-outside-value' as leaked",
		"canary.yml":            "version: 2\nmodels:\n  - name: a\n    description: canary-outside-value\n",
		"canary.csv":            "canary_outside_value\n1\n",
		"canary.md":             "{% docs leaked %}canary-outside-value{% enddocs %}",
		"macros/m.sql":          "{% macro leaked() %}canary-outside-value{% endmacro %}",
		"pkg/dbt_project.yml":   "name: evil_pkg\n",
		"pkg/models/stolen.sql": "select 'canary-outside-value' as leaked",
	} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

// manifestText is everything a load exposes: the manifest and the diagnostics.
func manifestText(t *testing.T, p *Project) string {
	t.Helper()
	var b strings.Builder
	if err := WriteManifest(&b, p); err != nil {
		t.Fatal(err)
	}
	for _, d := range p.Diagnostics {
		b.WriteString("\n" + d.Pos.Path + ": " + d.Message)
	}
	return b.String()
}

func hasDiag(p *Project, path, kind, substr string) bool {
	for _, d := range p.Diagnostics {
		if d.Pos.Path == path && d.Kind == kind && strings.Contains(d.Message, substr) {
			return true
		}
	}
	return false
}

func TestSymlinksOutsideAreNotRead(t *testing.T) {
	out := outsideDir(t)
	dir := writeProject(t, map[string]string{
		"dbt_project.yml": "name: p\nprofile: none\n",
		"models/a.sql":    "select 1 as id",
	})
	links := map[string]string{
		"models/leak.sql":         filepath.Join(out, "canary.sql"),
		"models/rel_leak.sql":     "../../" + filepath.Base(out) + "/canary.sql",
		"models/environ.sql":      "/proc/self/environ",
		"models/props.yml":        filepath.Join(out, "canary.yml"),
		"seeds/stolen.csv":        filepath.Join(out, "canary.csv"),
		"models/docs.md":          filepath.Join(out, "canary.md"),
		"macros/leak.sql":         filepath.Join(out, "macros", "m.sql"),
		"snapshots/snap.sql":      filepath.Join(out, "canary.sql"),
		"analyses/an.sql":         filepath.Join(out, "canary.sql"),
		"tests/t.sql":             filepath.Join(out, "canary.sql"),
		"models/chain.sql":        "chain2.sql",
		"models/chain2.sql":       filepath.Join(out, "canary.sql"),
		"dbt_packages/evil":       filepath.Join(out, "pkg"),
		"models/inside_alias.sql": "a.sql",
	}
	// The relative link climbs from the project's parent, which is the outside dir's parent
	// only when both are temp dirs of the same test: make it so.
	if filepath.Dir(out) != filepath.Dir(dir) {
		links["models/rel_leak.sql"] = filepath.Join(out, "canary.sql")
	}
	for name, target := range links {
		symlink(t, target, filepath.Join(dir, filepath.FromSlash(name)))
	}
	p, err := Load(context.Background(), LoadOptions{Dir: dir, Getenv: envOf(map[string]string{"SECRET_TOKEN": "planted"}), Compile: true})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	text := manifestText(t, p)
	if strings.Contains(text, "canary") || strings.Contains(text, "PATH=") || strings.Contains(text, "evil_pkg") {
		t.Errorf("an outside file reached the manifest or the diagnostics:\n%s", text)
	}
	for name := range links {
		if name == "models/inside_alias.sql" || name == "dbt_packages/evil" {
			continue
		}
		if !hasDiag(p, name, "outside-project", "leads outside the project") {
			t.Errorf("no located warning for %s; diagnostics: %+v", name, p.Diagnostics)
		}
	}
	if !hasDiag(p, "dbt_packages/evil", "outside-project", "not loaded") {
		t.Errorf("no warning for the package linked outside; diagnostics: %+v", p.Diagnostics)
	}
	for _, id := range []string{"model.p.leak", "model.p.environ", "seed.p.stolen", "model.p.chain", "model.p.chain2"} {
		if p.Nodes[id] != nil {
			t.Errorf("%s is a node, want it left out", id)
		}
	}
	// A link that stays inside the project is followed.
	if n := p.Nodes["model.p.inside_alias"]; n == nil || n.RawCode != "select 1 as id" {
		t.Errorf("model.p.inside_alias = %+v, want the content of a.sql", n)
	}
}

func TestProjectPathsStayInside(t *testing.T) {
	out := outsideDir(t)
	dir := writeProject(t, map[string]string{
		"dbt_project.yml": "name: p\nprofile: none\n" +
			"model-paths: [\"models\", \"../" + filepath.Base(out) + "\", \"" + out + "\", \"linked\"]\n" +
			"docs-paths: [\"" + out + "\"]\n" +
			"macro-paths: [\"macros\", \"../x\"]\n" +
			"packages-install-path: \"../" + filepath.Base(out) + "\"\n",
		"models/a.sql": "select 1 as id",
	})
	symlink(t, out, filepath.Join(dir, "linked"))
	p, err := Load(context.Background(), LoadOptions{Dir: dir, Getenv: envOf(nil)})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if text := manifestText(t, p); strings.Contains(text, "canary-outside-value") || strings.Contains(text, "evil_pkg") {
		t.Errorf("an outside file was read:\n%s", text)
	}
	eq(t, "model paths", p.ModelPaths, []string{"models"})
	eq(t, "macro paths", p.MacroPaths, []string{"macros"})
	eq(t, "docs paths", len(p.DocsPaths), 0)
	want := map[string]int{"model-paths": 3, "docs-paths": 4, "macro-paths": 5, "packages-install-path": 6}
	for key, line := range want {
		found := false
		for _, d := range p.Diagnostics {
			if d.Kind == "outside-project" && d.Pos.Path == "dbt_project.yml" && d.Pos.Line == line && strings.HasPrefix(d.Message, key+":") {
				found = true
			}
		}
		if !found {
			t.Errorf("no warning at dbt_project.yml:%d for %s; diagnostics: %+v", line, key, p.Diagnostics)
		}
	}
	if n := p.Nodes["model.p.a"]; n == nil {
		t.Error("the project's own model is missing")
	}
}

func TestLinkedDbtProjectFileRefused(t *testing.T) {
	dir := t.TempDir()
	symlink(t, "/proc/self/environ", filepath.Join(dir, "dbt_project.yml"))
	_, err := Load(context.Background(), LoadOptions{Dir: dir, Getenv: envOf(nil)})
	if err == nil || !strings.Contains(err.Error(), "dbt_project.yml: leads outside the project") {
		t.Fatalf("Load = %v, want a refusal naming dbt_project.yml", err)
	}
	if strings.Contains(err.Error(), "PATH=") {
		t.Errorf("the error shows the environment: %v", err)
	}
}

// A copy of the project made of links into it (what validation and the base of a change are)
// loads when the original is among the roots, and not otherwise; the original's own links
// out stay refused.
func TestRootsAllowALinkedCopy(t *testing.T) {
	out := outsideDir(t)
	orig := writeProject(t, map[string]string{
		"dbt_project.yml":                "name: p\nprofile: none\n",
		"models/a.sql":                   "select 1 as id",
		"dbt_packages/u/dbt_project.yml": "name: u\n",
		"dbt_packages/u/macros/m.sql":    "{% macro u_m() %}1{% endmacro %}",
	})
	symlink(t, filepath.Join(out, "canary.sql"), filepath.Join(orig, "models", "leak.sql"))
	cp := filepath.Join(t.TempDir(), "copy")
	for _, rel := range []string{"dbt_project.yml", "models/a.sql", "models/leak.sql", "dbt_packages"} {
		symlink(t, filepath.Join(orig, filepath.FromSlash(rel)), filepath.Join(cp, filepath.FromSlash(rel)))
	}
	if _, err := Load(context.Background(), LoadOptions{Dir: cp, Getenv: envOf(nil)}); err == nil || !strings.Contains(err.Error(), "leads outside the project") {
		t.Errorf("without roots: %v, want dbt_project.yml refused", err)
	}
	p, err := Load(context.Background(), LoadOptions{Dir: cp, Getenv: envOf(nil), Roots: []string{orig}})
	if err != nil {
		t.Fatalf("Load with roots: %v", err)
	}
	if n := p.Nodes["model.p.a"]; n == nil || n.RawCode != "select 1 as id" {
		t.Errorf("model.p.a = %+v", n)
	}
	if p.Macros["macro.u.u_m"] == nil {
		t.Error("the package linked from the original is not loaded")
	}
	if p.Nodes["model.p.leak"] != nil || !hasDiag(p, "models/leak.sql", "outside-project", "") {
		t.Errorf("the original's link out was followed; diagnostics: %+v", p.Diagnostics)
	}
	eq(t, "roots", p.Roots, []string{orig})
}

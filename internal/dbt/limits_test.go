package dbt

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dataops-dev/dataops/internal/jinja"
)

// aliasBomb is a mapping of anchors, each nine aliases of the one before, indented for a key.
func aliasBomb(indent string, levels int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%sa0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n", indent)
	for i := 1; i <= levels; i++ {
		refs := strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*a%d, ", i-1), 9), ", ")
		fmt.Fprintf(&b, "%sa%d: &a%d [%s]\n", indent, i, i, refs)
	}
	return b.String()
}

func TestAliasBombsAreRefusedWithTheirPosition(t *testing.T) {
	base := "name: p\nprofile: none\n"
	cases := []struct {
		name  string
		files map[string]string
		path  string
		line  int
	}{
		{"meta in a property file", map[string]string{
			"dbt_project.yml": base,
			"models/a.sql":    "select 1 as id",
			"models/s.yml":    "version: 2\nmodels:\n  - name: a\n    meta:\n" + aliasBomb("      ", 9),
		}, "models/s.yml", 11},
		{"vars in dbt_project.yml", map[string]string{
			"dbt_project.yml": base + "vars:\n" + aliasBomb("  ", 9),
		}, "dbt_project.yml", 10},
		{"a profile", map[string]string{
			"dbt_project.yml": base,
			"profiles.yml":    "none:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n" + aliasBomb("      ", 9),
		}, "profiles.yml", 12},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := writeProject(t, c.files)
			p, err := loadDir(t, dir)
			if c.path == "profiles.yml" {
				// A read-only load passes over a profiles.yml it found and cannot read,
				// saying where.
				for _, d := range p.Diagnostics {
					if d.Kind == "profile" && d.Pos.Path == c.path && d.Pos.Line == c.line && strings.Contains(d.Message, "alias *a5") {
						return
					}
				}
				t.Fatalf("err = %v, diagnostics %+v: want a profile warning at %s:%d", err, p.Diagnostics, c.path, c.line)
			}
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("err = %v, want *InputError", err)
			}
			if !strings.HasSuffix(ie.Pos.Path, c.path) || ie.Pos.Line != c.line || !strings.Contains(ie.Msg, "alias *a5") {
				t.Fatalf("want %s:%d at an alias of a5, got %v", c.path, c.line, err)
			}
		})
	}
}

func TestAliasesOfRealSizeStillLoad(t *testing.T) {
	dir := writeProject(t, map[string]string{
		"dbt_project.yml": "name: p\nprofile: none\nvars:\n" + aliasBomb("  ", 4),
		"models/a.sql":    "select {{ var('a4')[8][8][8][8][0] }} as id",
		"models/s.yml":    "version: 2\nmodels:\n  - name: a\n    meta:\n" + aliasBomb("      ", 4),
	})
	p, err := loadDir(t, dir)
	if err != nil {
		t.Fatal(err)
	}
	n := node(t, p, "model.p.a")
	if !strings.Contains(n.Render.Output, "lol as id") {
		t.Fatalf("output %q", n.Render.Output)
	}
	if l, _ := n.Meta["a4"].([]any); len(l) != 9 {
		t.Fatalf("meta a4 = %v", n.Meta["a4"])
	}
}

func TestProjectConfigCopiedIntoEveryNodeIsBounded(t *testing.T) {
	// 600,000 values of meta (under the per-file limit) given to every model: three models
	// would carry 1.8 million.
	dir := writeProject(t, map[string]string{
		"dbt_project.yml": "name: p\nprofile: none\nmodels:\n  p:\n    +meta:\n" + aliasBomb("      ", 5),
		"models/a.sql":    "select 1 as id",
		"models/b.sql":    "select 1 as id",
		"models/c.sql":    "select 1 as id",
	})
	_, err := loadDir(t, dir)
	var ie *InputError
	if !errors.As(err, &ie) || ie.Pos.Path != "models/b.sql" || !strings.Contains(ie.Msg, "more than 1000600 values") {
		t.Fatalf("want the second model refused, got %v", err)
	}
}

// A project is never refused for its size: the bound grows with its nodes, so 6,000 models
// carrying some 200 config values each (a wide meta; dbt's defaults are about 46), more than
// a million values together, load.
func TestManyModelsWithOrdinaryConfigsLoad(t *testing.T) {
	files := map[string]string{"dbt_project.yml": "name: p\nprofile: none\nmodels:\n  p:\n    +meta:\n"}
	for i := range 160 {
		files["dbt_project.yml"] += fmt.Sprintf("      k%d: v\n", i)
	}
	for i := range 6_000 {
		files[fmt.Sprintf("models/m%05d.sql", i)] = "select 1 as id"
	}
	dir := writeProject(t, files)
	p, err := loadDir(t, dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := countValues(node(t, p, "model.p.m00000").Config, 1000); got < 180 {
		t.Fatalf("a node carries %d config values; the case needs ordinary nodes", got)
	}
}

func TestCancelStopsALoad(t *testing.T) {
	dir := writeProject(t, map[string]string{
		"dbt_project.yml": "name: p\nprofile: none\n",
		"models/slow.sql": "{% set s = 'x' * 1000 %}{% for a in s %}{% for b in s %}{% for c in s %}{{ env_var('STOP', '') }}{% endfor %}{% endfor %}{% endfor %}select 1",
	})
	ctx, cancel := context.WithCancel(context.Background())
	_, err := Load(ctx, LoadOptions{Dir: dir, EnvVars: jinja.EnvVars{Allow: []string{"STOP"}}, Getenv: func(k string) (string, bool) {
		if k == "STOP" {
			cancel() // while the model renders
		}
		return "", false
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want the context's", err)
	}
}

func TestRenderBudgetIsSharedByTheLoad(t *testing.T) {
	dir := writeProject(t, map[string]string{
		"dbt_project.yml": "name: p\nprofile: none\n",
		"models/slow.sql": "{% set s = 'x' * 1000 %}{% for a in s %}{% for b in s %}{% for c in s %}{% endfor %}{% endfor %}{% endfor %}select 1",
		"models/next.sql": "select 1 as id",
	})
	p, err := Load(context.Background(), LoadOptions{Dir: dir, Getenv: envOf(nil), Budget: jinja.NewBudget(50 * time.Millisecond)})
	if err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for _, d := range p.Diagnostics {
		if d.Kind == "resource-limit" {
			msgs = append(msgs, d.Pos.Path+": "+d.Message)
		}
	}
	if len(msgs) == 0 {
		t.Fatalf("no resource-limit diagnostic: %+v", p.Diagnostics)
	}
	for _, n := range p.Nodes {
		if n.Name == "slow" && (n.Render.Err == nil || n.CompiledCode == n.Render.Output && n.Render.Output != n.RawCode) {
			t.Errorf("the stopped render's output must not be taken as complete: %q %v", n.Render.Output, n.Render.Err)
		}
	}
}

func TestOversizeFilesAreSkippedWithAWarning(t *testing.T) {
	dir := writeProject(t, map[string]string{
		"dbt_project.yml": "name: p\nprofile: none\n",
		"models/big.sql":  "select 1 as id -- " + strings.Repeat("x", maxSourceFile) + "\n",
		"models/big.yml":  "version: 2\n# " + strings.Repeat("x", maxYAMLFile) + "\n",
		"models/ok.sql":   "select 1 as id",
	})
	p, err := loadDir(t, dir)
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]string{}
	for _, d := range p.Diagnostics {
		if d.Kind == "resource-limit" {
			found[d.Pos.Path] = d.Message
		}
	}
	if !strings.Contains(found["models/big.sql"], "larger than 4 MiB") || !strings.Contains(found["models/big.yml"], "larger than 4 MiB") {
		t.Errorf("diagnostics %+v", p.Diagnostics)
	}
	if p.Nodes["model.p.big"] != nil || p.Nodes["model.p.ok"] == nil {
		t.Errorf("nodes %v", slices.Sorted(maps.Keys(p.Nodes)))
	}
}

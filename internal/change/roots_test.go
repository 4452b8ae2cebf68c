package change

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/dataops-dev/dataops/internal/dbt"
)

// The base tree is made of links into the work tree, outside the tree itself: the loader reads
// them because Detect passes the work tree as a root, and only then. A PR's own link out of the
// project stays refused on both sides.
func TestDetectLoadsBaseThroughRoots(t *testing.T) {
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "canary.sql"), []byte("select 'canary' as leaked"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := gitRepo(t, map[string]string{
		"dbt_project.yml":                "name: p\nprofile: none\n",
		"models/a.sql":                   "select 1 as id",
		"models/b.sql":                   "select id from {{ ref('a') }}",
		"dbt_packages/u/dbt_project.yml": "name: u\n",
		"dbt_packages/u/macros/m.sql":    "{% macro u_m() %}1{% endmacro %}",
	})
	write(t, dir, map[string]string{"models/b.sql": "select id, 2 as two from {{ ref('a') }}"})
	if err := os.Symlink(filepath.Join(outside, "canary.sql"), filepath.Join(dir, "models", "leak.sql")); err != nil {
		t.Fatal(err)
	}
	commit(t, dir, "change")
	var mu sync.Mutex
	temporary := map[string]bool{}
	cs, err := Detect(context.Background(), Options{Dir: dir, BaseRef: "HEAD~1", FullBase: true,
		Load: func(ctx context.Context, d string, roots []string, tmp bool) (*dbt.Project, error) {
			mu.Lock()
			temporary[d] = tmp
			mu.Unlock()
			return dbt.Load(ctx, dbt.LoadOptions{Dir: d, Roots: roots, Getenv: func(string) (string, bool) { return "", false }})
		}})
	if err != nil {
		t.Fatalf("Detect: %v", err)
	}
	defer cs.Close()
	// The work tree is the project's own; the base tree is built for this run.
	if len(temporary) != 2 || temporary[dir] {
		t.Errorf("loads said temporary: %v", temporary)
	}
	for d, tmp := range temporary {
		if d != dir && !tmp {
			t.Errorf("the base tree %s was not said temporary", d)
		}
	}
	for _, id := range []string{"model.p.a", "model.p.b"} {
		if cs.Base.Nodes[id] == nil {
			t.Errorf("base lacks %s", id)
		}
	}
	if cs.Base.Macros["macro.u.u_m"] == nil {
		t.Error("base lacks the installed package linked from the work tree")
	}
	if cs.Head.Nodes["model.p.leak"] != nil || cs.Base.Nodes["model.p.leak"] != nil {
		t.Error("a link out of the project was loaded")
	}
	// Without the roots the base tree's links lead outside it, and nothing loads.
	if _, err := Detect(context.Background(), Options{Dir: dir, BaseRef: "HEAD~1", FullBase: true,
		Load: func(ctx context.Context, d string, _ []string, _ bool) (*dbt.Project, error) {
			return dbt.Load(ctx, dbt.LoadOptions{Dir: d, Getenv: func(string) (string, bool) { return "", false }})
		}}); err == nil {
		t.Error("the base loaded without its roots: its links were followed out of it")
	}
}

package change

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/dataops-dev/dataops/internal/dbt"
)

// A project two folders below the top of its repository reads shared folders with "..". A
// change to a shared model counts as a change to the project, and the base sees the shared
// folders at the base commit, whether the head is the work tree or a commit and whether the
// base is built whole or light.
func TestDetectSharedFolders(t *testing.T) {
	repo := gitRepo(t, map[string]string{
		"sub/proj/dbt_project.yml": "name: proj\nprofile: none\n" +
			"model-paths: [\"models\", \"../../shared_models\"]\nmacro-paths: [\"../../macros\"]\n",
		"sub/proj/models/local.sql":     "select {{ one() }} as id",
		"shared_models/shared.sql":      "select id from {{ ref('local') }}",
		"shared_models/schema.yml":      "version: 2\nmodels:\n  - name: shared\n    description: old\n",
		"shared_models/untouched.sql":   "select 2 as id",
		"macros/one.sql":                "{% macro one() %}1{% endmacro %}",
		"other_project/models/x.sql":    "select 'not this project'",
		"other_project/dbt_project.yml": "name: other\n",
	})
	proj := repo + "/sub/proj"
	load := func(ctx context.Context, d string, roots []string, _ bool) (*dbt.Project, error) {
		return dbt.Load(ctx, dbt.LoadOptions{Dir: d, Roots: roots, Getenv: func(string) (string, bool) { return "", false }})
	}
	for _, committed := range []bool{false, true} {
		for _, full := range []bool{true, false} {
			t.Run(fmt.Sprintf("committed=%v/full=%v", committed, full), func(t *testing.T) {
				run(t, repo, "reset", "-q", "--hard", "main")
				write(t, repo, map[string]string{
					"shared_models/shared.sql":   "select id, 2 as two from {{ ref('local') }}",
					"shared_models/schema.yml":   "version: 2\nmodels:\n  - name: shared\n    description: new\n",
					"other_project/models/x.sql": "select 'changed elsewhere'",
				})
				opts := Options{Dir: proj, BaseRef: "main", FullBase: full, Load: load}
				if committed {
					run(t, repo, "checkout", "-q", "-B", "pr")
					commit(t, repo, "pr")
					opts.HeadRef = "pr"
					defer run(t, repo, "checkout", "-q", "main")
				}
				cs, err := Detect(context.Background(), opts)
				if err != nil {
					t.Fatalf("Detect: %v", err)
				}
				defer cs.Close()
				for side, p := range map[string]*dbt.Project{"base": cs.Base, "head": cs.Head} {
					for _, id := range []string{"model.proj.local", "model.proj.shared", "model.proj.untouched"} {
						if p.Nodes[id] == nil {
							t.Errorf("%s lacks %s; diagnostics %+v", side, id, p.Diagnostics)
						}
					}
					if p.Macros["macro.proj.one"] == nil {
						t.Errorf("%s lacks the shared macro", side)
					}
				}
				if n := cs.Base.Nodes["model.proj.shared"]; n == nil || n.RawCode != "select id from {{ ref('local') }}" || n.Description != "old" {
					t.Errorf("base shared model = %+v; want the base commit's", n)
				}
				if len(cs.Models) != 1 || cs.Models[0].UniqueID != "model.proj.shared" || cs.Models[0].Change != Modified ||
					!cs.Models[0].SQLChanged || cs.Models[0].Path != "../../shared_models/shared.sql" {
					t.Fatalf("models = %+v; want model.proj.shared modified", cs.Models)
				}
				if !slices.ContainsFunc(cs.Models[0].Properties, func(p PropertyChange) bool { return p.What == "description" }) {
					t.Errorf("the description change in the shared property file was missed: %+v", cs.Models[0].Properties)
				}
				if !slices.ContainsFunc(cs.PropertyFiles, func(f FileChange) bool {
					return f.Path == "../../shared_models/schema.yml" && f.Change == Modified
				}) {
					t.Errorf("property files = %+v", cs.PropertyFiles)
				}
			})
		}
	}
}

// Changed files are named relative to the project; those of a shared folder climb out of it,
// and those of the rest of the repository are not the project's.
func TestChangedFilesSharedFolders(t *testing.T) {
	repo := gitRepo(t, map[string]string{
		"sub/proj/dbt_project.yml": "name: proj\nmodel-paths: [\"models\", \"../../shared\", \"../../../beyond\", \"/abs\"]\n",
		"sub/proj/models/a.sql":    "select 1",
		"shared/s.sql":             "select 1",
		"elsewhere/e.sql":          "select 1",
	})
	write(t, repo, map[string]string{"sub/proj/models/a.sql": "select 2", "shared/s.sql": "select 2", "elsewhere/e.sql": "select 2", "shared/new.sql": "select 3"})
	r, err := FindRepo(context.Background(), repo+"/sub/proj")
	if err != nil {
		t.Fatal(err)
	}
	r.Shared = r.sharedDirs(context.Background(), "HEAD", "")
	if !slices.Equal(r.Shared, []string{"shared"}) {
		t.Fatalf("shared = %v; want [shared]", r.Shared)
	}
	got, err := r.ChangedFiles(context.Background(), "HEAD", "")
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	if want := []string{"../../shared/new.sql", "../../shared/s.sql", "models/a.sql"}; !slices.Equal(got, want) {
		t.Errorf("changed = %v; want %v", got, want)
	}
}

// A review lists the repository's touched files before the change is detected; the change's
// files taken from that list are the ones git lists for the project and its shared folders,
// for the work tree and for a commit.
func TestChangedFilesFromTouched(t *testing.T) {
	repo := gitRepo(t, map[string]string{
		"sub/proj/dbt_project.yml": "name: proj\nmodel-paths: [\"models\", \"../../shared\"]\n",
		"sub/proj/models/a.sql":    "select 1",
		"sub/proj/models/b.sql":    "select 1",
		"sub/projx/models/c.sql":   "select 1",
		"shared/s.sql":             "select 1",
		"sharedx/s.sql":            "select 1",
		"elsewhere/e.sql":          "select 1",
	})
	write(t, repo, map[string]string{"sub/proj/models/a.sql": "select 2", "shared/s.sql": "select 2", "elsewhere/e.sql": "select 2",
		"sub/projx/models/c.sql": "select 2", "sharedx/s.sql": "select 2", "shared/new.sql": "select 3", "sub/proj/models/new.sql": "select 3"})
	ctx := context.Background()
	r, err := FindRepo(ctx, repo+"/sub/proj")
	if err != nil {
		t.Fatal(err)
	}
	for _, head := range []string{"", "pr"} {
		if head != "" {
			run(t, repo, "checkout", "-q", "-B", "pr")
			run(t, repo, "add", "-A")
			commit(t, repo, "pr")
		}
		r.Shared = r.sharedDirs(ctx, "main", head)
		want, err := r.ChangedFiles(ctx, "main", head)
		if err != nil {
			t.Fatal(err)
		}
		touched, err := r.TouchedFiles(ctx, "main", head)
		if err != nil {
			t.Fatal(err)
		}
		got, err := r.changedFiles(ctx, "main", head, touched)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("head %q: from the touched files %v; git lists %v", head, got, want)
		}
		if len(want) < 3 {
			t.Errorf("head %q: git lists %v", head, want)
		}
	}
}

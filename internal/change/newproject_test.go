package change

import (
	"context"
	"strings"
	"testing"

	"github.com/dataops-dev/dataops/internal/dbt"
)

// A change that creates the dbt project (in a new folder, or in one that held other files) has
// no project at the base: everything in it is added, with a warning, rather than the
// comparison failing.
func TestDetectNewProject(t *testing.T) {
	load := func(ctx context.Context, d string, roots []string, _ bool) (*dbt.Project, error) {
		return dbt.Load(ctx, dbt.LoadOptions{Dir: d, Roots: roots, Getenv: func(string) (string, bool) { return "", false }})
	}
	for name, base := range map[string]map[string]string{
		"new folder":               {"README.md": "repository\n"},
		"folder without a project": {"proj/README.md": "notes\n", "proj/build/run.sql": "select 1"},
	} {
		t.Run(name, func(t *testing.T) {
			repo := gitRepo(t, base)
			write(t, repo, map[string]string{
				"proj/dbt_project.yml":   "name: proj\nprofile: none\n",
				"proj/models/orders.sql": "select 1 as id",
			})
			cs, err := Detect(context.Background(), Options{Dir: repo + "/proj", BaseRef: "main", Load: load})
			if err != nil {
				t.Fatalf("Detect: %v", err)
			}
			defer cs.Close()
			if len(cs.Models) != 1 || cs.Models[0].UniqueID != "model.proj.orders" || cs.Models[0].Change != Added {
				t.Errorf("models = %+v; want orders added", cs.Models)
			}
			if len(cs.Warnings) != 1 || !strings.Contains(cs.Warnings[0], "creates the project") {
				t.Errorf("warnings = %q", cs.Warnings)
			}
		})
	}
}

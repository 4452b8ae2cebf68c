package schema

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/dataops-dev/dataops/internal/change"
	"github.com/dataops-dev/dataops/internal/dbt"
)

func loadProject(t *testing.T, files map[string]string) *dbt.Project {
	t.Helper()
	dir := t.TempDir()
	for rel, s := range files {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p, err := dbt.Load(context.Background(), dbt.LoadOptions{Dir: dir, Adapter: "duckdb"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func modelEntry(names ...string) string {
	var b strings.Builder
	b.WriteString("version: 2\n\nmodels:\n")
	for _, n := range names {
		b.WriteString("  - name: " + n + "\n    description: The " + n + " model.\n    columns:\n      - name: id\n        description: Key.\n")
	}
	return b.String()
}

// TestNewModelFollowsTheLayout: a new model's entry goes where the team keeps its folder's
// entries, and no other model's file is touched.
func TestNewModelFollowsTheLayout(t *testing.T) {
	const project = "name: p\nversion: '1'\nconfig-version: 2\nprofile: p\n"
	cases := []struct {
		name  string
		files map[string]string
		model string // path of the new model
		want  string // the one file the plan may write
		// newFile is schema.new_file as the settings state it ("": unset).
		newFile string
	}{{
		// A dimensional folder with one file per model (_dim_program.yml), beside a reporting
		// folder with one file for all: the new dimension gets its own file.
		name: "per model, underscore",
		files: map[string]string{
			"models/dimensional/dim_program.sql":      "select 1 as id\n",
			"models/dimensional/_dim_program.yml":     modelEntry("dim_program"),
			"models/dimensional/dim_course_run.sql":   "select 1 as id\n",
			"models/dimensional/_dim_course_run.yml":  modelEntry("dim_course_run"),
			"models/dimensional/dim_platform.sql":     "select 1 as id\n",
			"models/dimensional/_dim_platform.yml":    modelEntry("dim_platform"),
			"models/reporting/orders_report.sql":      "select 1 as id\n",
			"models/reporting/enrollment_report.sql":  "select 1 as id\n",
			"models/reporting/program_report.sql":     "select 1 as id\n",
			"models/reporting/_reporting__models.yml": modelEntry("enrollment_report", "orders_report", "program_report"),
			"models/dimensional/dim_sentiment.sql":    "select 1 as id\n",
		},
		model: "models/dimensional/dim_sentiment.sql",
		want:  "models/dimensional/_dim_sentiment.yml",
	}, {
		// The other per-model spelling: _test_<model>.yml.
		name: "per model, prefixed",
		files: map[string]string{
			"models/raw/fact_revenue_silver.sql":       "select 1 as id\n",
			"models/raw/_test_fact_revenue_silver.yml": modelEntry("fact_revenue_silver"),
			"models/raw/fact_fees_silver.sql":          "select 1 as id\n",
			"models/raw/_test_fact_fees_silver.yml":    modelEntry("fact_fees_silver"),
			"models/raw/fact_onboard_silver.sql":       "select 1 as id\n",
		},
		model: "models/raw/fact_onboard_silver.sql",
		want:  "models/raw/_test_fact_onboard_silver.yml",
	}, {
		// One file per layer, above the source folders it documents: a new source folder's
		// model joins it.
		name: "per layer",
		files: map[string]string{
			"models/staging/stripe/stg_charges.sql":   "select 1 as id\n",
			"models/staging/stripe/stg_refunds.sql":   "select 1 as id\n",
			"models/staging/hubspot/stg_contacts.sql": "select 1 as id\n",
			"models/staging/_staging__models.yml":     modelEntry("stg_charges", "stg_contacts", "stg_refunds"),
			"models/staging/zendesk/stg_tickets.sql":  "select 1 as id\n",
		},
		model: "models/staging/zendesk/stg_tickets.sql",
		want:  "models/staging/_staging__models.yml",
	}, {
		// One file per folder, a new folder: a new file named as the project names them.
		name: "per folder, new folder",
		files: map[string]string{
			"models/stripe/stg_charges.sql":       "select 1 as id\n",
			"models/stripe/_stripe__models.yml":   modelEntry("stg_charges"),
			"models/hubspot/stg_contacts.sql":     "select 1 as id\n",
			"models/hubspot/stg_deals.sql":        "select 1 as id\n",
			"models/hubspot/_hubspot__models.yml": modelEntry("stg_contacts", "stg_deals"),
			"models/zendesk/stg_tickets.sql":      "select 1 as id\n",
		},
		model: "models/zendesk/stg_tickets.sql",
		want:  "models/zendesk/_zendesk__models.yml",
	}, {
		// One file per folder, kept in a docs folder beside the models: a new folder's model
		// gets the same, in its own docs folder.
		name: "per folder, in a subfolder",
		files: map[string]string{
			"models/gwas/a.sql":             "select 1 as id\n",
			"models/gwas/b.sql":             "select 1 as id\n",
			"models/gwas/docs/__models.yml": modelEntry("a", "b"),
			"models/cser/c.sql":             "select 1 as id\n",
			"models/cser/d.sql":             "select 1 as id\n",
			"models/cser/docs/__models.yml": modelEntry("c", "d"),
			"models/emerge/e.sql":           "select 1 as id\n",
		},
		model: "models/emerge/e.sql",
		want:  "models/emerge/docs/__models.yml",
	}, {
		// The same beside models already documented there.
		name: "per folder, in a subfolder, existing file",
		files: map[string]string{
			"models/gwas/a.sql":                  "select 1 as id\n",
			"models/gwas/b.sql":                  "select 1 as id\n",
			"models/gwas/docs/_gwas__models.yml": modelEntry("a", "b"),
			"models/gwas/f.sql":                  "select 1 as id\n",
		},
		model: "models/gwas/f.sql",
		want:  "models/gwas/docs/_gwas__models.yml",
	}, {
		// Said in the settings: a file per model, whatever the project did so far.
		name: "configured per model",
		files: map[string]string{
			"models/hubspot/stg_contacts.sql":     "select 1 as id\n",
			"models/hubspot/stg_deals.sql":        "select 1 as id\n",
			"models/hubspot/_hubspot__models.yml": modelEntry("stg_contacts", "stg_deals"),
			"models/hubspot/stg_owners.sql":       "select 1 as id\n",
		},
		model:   "models/hubspot/stg_owners.sql",
		want:    "models/hubspot/stg_owners.yml",
		newFile: "{model}.yml",
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.files["dbt_project.yml"] = project
			p := loadProject(t, c.files)
			var id string
			for uid, n := range p.Nodes {
				if n.OriginalFilePath == c.model {
					id = uid
				}
			}
			cfg := DefaultConfig()
			cfg.NewFile = c.newFile
			cs := &change.ChangeSet{Models: []*change.ModelChange{{UniqueID: id, Change: change.Added, SQLChanged: true, Path: c.model}}}
			cols := map[string]*change.ModelColumns{id: {Origin: "sql", Columns: []change.Column{{Name: "id", Kind: "direct"}}}}
			files, notes := run(t, p, Input{Columns: cols, Change: cs, Config: cfg})
			var written []string
			for f := range files {
				written = append(written, f)
			}
			sort.Strings(written)
			if !slices.Equal(written, []string{c.want}) {
				t.Fatalf("wrote %v, want only %s (notes %+v)", written, c.want, notes)
			}
			name := strings.TrimSuffix(filepath.Base(c.model), ".sql")
			if !strings.Contains(files[c.want], "- name: "+name) {
				t.Errorf("%s:\n%s", c.want, files[c.want])
			}
		})
	}
}

// TestUntouchedModelsAreNeverEdited is the shape of a phantom change: stg_b is listed as
// modified (a property file read differently on the two sides) with a column "added", but its
// SQL is the same at the base. Its entry is left alone, and the note says why; the model the
// change did touch is still synchronised.
func TestUntouchedModelsAreNeverEdited(t *testing.T) {
	// stg_b keeps a column list, so a column "added" to it would be an edit.
	props := map[string]string{"models/staging/_staging.yml": strings.Replace(fixture["models/staging/_staging.yml"],
		"  - name: stg_b\n", "  - name: stg_b\n    columns:\n      - name: id\n", 1)}
	base := loadFixture(t, props)
	props["models/staging/stg_a.sql"] = "select id, name, email, created_at, updated_at from {{ source('raw', 'a') }}\n"
	head := loadFixture(t, props)
	src := "source.p.raw.a"
	cols := map[string]*change.ModelColumns{
		"model.p.stg_a": {Origin: "sql", Columns: []change.Column{direct("id", src, "id"), direct("updated_at", src, "updated_at")}},
		"model.p.stg_b": {Origin: "sql", Columns: []change.Column{direct("id", "source.p.raw.b", "id"), direct("a_id", "source.p.raw.b", "a_id")}},
	}
	cs := &change.ChangeSet{Base: base, Head: head, Models: []*change.ModelChange{
		{UniqueID: "model.p.stg_a", Change: change.Modified, SQLChanged: true, Path: "models/staging/stg_a.sql", Columns: []change.ColumnChange{{Name: "updated_at", Change: change.Added}}},
		{UniqueID: "model.p.stg_b", Change: change.Modified, SQLChanged: true, Path: "models/staging/stg_b.sql", Columns: []change.ColumnChange{{Name: "a_id", Change: change.Added}}},
	}}
	in := Input{Project: head, Columns: cols, Change: cs, Config: DefaultConfig(), ReadFile: readFn(head)}
	plan := Synthesize(in)
	plan.KeepTouched(cs)
	for _, op := range plan.Ops {
		if op.Model == "stg_b" {
			t.Errorf("an edit to the untouched stg_b is planned: %+v", op)
		}
	}
	if !slices.ContainsFunc(plan.Ops, func(op Op) bool { return op.Model == "stg_a" && op.Column.Name == "updated_at" }) {
		t.Errorf("the touched stg_a lost its edit: %+v", plan.Ops)
	}
	if !slices.ContainsFunc(plan.Notes, func(n Note) bool { return n.Rule == RuleUntouchedModel && n.Model == "stg_b" }) {
		t.Errorf("no note on stg_b: %+v", plan.Notes)
	}
}

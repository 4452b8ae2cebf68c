package schema

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dataops-dev/dataops/internal/change"
)

// listTree is every path under dir with its content (or the link's target), to tell whether
// anything changed there.
func listTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		switch {
		case d.Type()&os.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			out[rel] = "-> " + target
		case d.Type().IsRegular():
			data, _ := os.ReadFile(p)
			out[rel] = string(data)
		default:
			out[rel] = "dir"
		}
		return nil
	})
	return out
}

func sameTree(t *testing.T, what string, before, after map[string]string) {
	t.Helper()
	for p, v := range after {
		if w, ok := before[p]; !ok {
			t.Errorf("%s: %s was created", what, p)
		} else if w != v {
			t.Errorf("%s: %s changed", what, p)
		}
	}
	for p := range before {
		if _, ok := after[p]; !ok {
			t.Errorf("%s: %s was removed", what, p)
		}
	}
}

// A new_file pattern that climbs out of the project is refused at the setting: no op for that
// file, an error naming .dataops.yml and the line, and the model gets no entry anywhere.
func TestNewFileOutsideProjectRefused(t *testing.T) {
	p := loadFixture(t, map[string]string{"models/evil/evil_orders.sql": "select 1 as order_id\n"})
	cols := map[string]*change.ModelColumns{
		"model.p.evil_orders": {Origin: "sql", Columns: []change.Column{{Name: "order_id", Kind: "direct"}}},
	}
	for _, pat := range []string{"../../../../outside/pwn_{dir}.yml", "/tmp/outside/pwn_{dir}.yml", "../../../{dir}.yml"} {
		cfg := DefaultConfig()
		cfg.NewFile = pat
		cfg.NewFileAt = Setting{Path: ".dataops.yml", Line: 2}
		plan := Synthesize(Input{Project: p, Columns: cols, Config: cfg, ReadFile: readFn(p)})
		for _, op := range plan.Ops {
			if op.Model == "evil_orders" {
				t.Errorf("%s: op %+v planned for a file outside the project", pat, op)
			}
		}
		found := false
		for _, n := range plan.Notes {
			if n.Rule == RuleOutsideProject && n.Severity == "error" && n.Path == ".dataops.yml" && n.Line == 2 && n.Model == "evil_orders" {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: no error at .dataops.yml:2; notes: %+v", pat, plan.Notes)
		}
	}
	// A pattern that climbs and comes back in is a place inside the project.
	cfg := DefaultConfig()
	cfg.NewFile = "../{dir}_models.yml"
	plan := Synthesize(Input{Project: p, Columns: cols, Config: cfg, ReadFile: readFn(p)})
	if len(plan.Ops) == 0 || plan.Ops[len(plan.Ops)-1].File != "models/evil_models.yml" {
		t.Errorf("ops = %+v, want an entry in models/evil_models.yml", plan.Ops)
	}
}

// Apply reads and edits only files inside the project: an op naming a path out of it, or a
// property file linked to a file outside, is an error note and neither file is read.
func TestApplyStaysInsideProject(t *testing.T) {
	outside := t.TempDir()
	secret := "version: 2\nmodels:\n  - name: stg_b\n    description: planted-outside-text\n"
	if err := os.WriteFile(filepath.Join(outside, "props.yml"), []byte(secret), 0o644); err != nil {
		t.Fatal(err)
	}
	p := loadFixture(t, nil)
	if err := os.Symlink(filepath.Join(outside, "props.yml"), filepath.Join(p.Root, "models", "linked.yml")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(p.Root, "models", "elsewhere")); err != nil {
		t.Fatal(err)
	}
	rel, _ := filepath.Rel(p.Root, filepath.Join(outside, "props.yml"))
	files := []string{filepath.ToSlash(rel), filepath.Join(outside, "props.yml"), "models/linked.yml", "models/elsewhere/props.yml", "models/elsewhere/new.yml"}
	for _, f := range files {
		ops := []Op{{Kind: OpAddColumn, File: f, Model: "stg_b", Column: ColumnSpec{Name: "x"}},
			{Kind: OpAddModel, File: f, Model: "new_model", Entry: &ModelSpec{Name: "new_model"}}}
		edits, notes := Apply(p.Root, ops, FormsFor(Version{1, 8, 0}))
		if len(edits) != 0 {
			t.Errorf("%s: edits %+v, want none", f, edits)
		}
		if len(notes) == 0 || notes[0].Severity != "error" || !strings.Contains(notes[0].Message, "outside the project") {
			t.Errorf("%s: notes %+v, want an error about a file outside the project", f, notes)
		}
		for _, n := range notes {
			if strings.Contains(n.Message, "planted") {
				t.Errorf("%s: a note shows the outside file: %s", f, n.Message)
			}
		}
	}
	if data, _ := os.ReadFile(filepath.Join(outside, "props.yml")); string(data) != secret {
		t.Error("the outside file changed")
	}
}

// Validation works on a scratch copy: it never writes in the project, and an edit whose path
// leads out of the project is refused before anything is written.
func TestValidationWritesOnlyItsCopy(t *testing.T) {
	p := loadFixture(t, nil)
	outside := t.TempDir()
	if err := os.Symlink(outside, filepath.Join(p.Root, "models", "elsewhere")); err != nil {
		t.Fatal(err)
	}
	beforeProject, beforeOutside := listTree(t, p.Root), listTree(t, outside)
	ops := []Op{{Kind: OpAddColumn, File: "models/staging/_staging.yml", Model: "stg_b", Column: ColumnSpec{Name: "a_id"}}}
	edits, notes := Apply(p.Root, ops, FormsFor(Version{1, 8, 0}))
	if len(edits) != 1 || len(notes) != 0 {
		t.Fatalf("edits %v notes %v", edits, notes)
	}
	rel, _ := filepath.Rel(p.Root, filepath.Join(outside, "pwn.yml"))
	bad := []FileEdit{
		{Path: filepath.ToSlash(rel), New: []byte("version: 2\n")},
		{Path: filepath.Join(outside, "pwn.yml"), New: []byte("version: 2\n")},
	}
	for _, light := range []bool{false, true} {
		if _, _, err := checkEdits(context.Background(), p, edits, ops, loader, light); err != nil {
			t.Fatalf("light=%v: %v", light, err)
		}
		for _, e := range bad {
			if _, _, err := checkEdits(context.Background(), p, append([]FileEdit{e}, edits...), ops, loader, light); err == nil {
				t.Errorf("light=%v: an edit at %s was accepted", light, e.Path)
			}
		}
	}
	for _, e := range bad {
		if _, cleanup, err := Overlay(p.Root, []FileEdit{e}); err == nil {
			cleanup()
			t.Errorf("Overlay accepted an edit at %s", e.Path)
		}
	}
	sameTree(t, "project", beforeProject, listTree(t, p.Root))
	sameTree(t, "outside", beforeOutside, listTree(t, outside))
}

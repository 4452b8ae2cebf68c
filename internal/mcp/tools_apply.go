package mcp

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/dataops-dev/dataops/internal/fsconfine"
	"github.com/dataops-dev/dataops/internal/review"
	"github.com/dataops-dev/dataops/internal/yamledit"
)

type applySchemaInput struct {
	Base   string   `json:"base,omitempty" jsonschema:"only what the change from this git ref touched; empty: every model"`
	Select []string `json:"select,omitempty" jsonschema:"dbt node selection"`
	DryRun *bool    `json:"dry_run,omitempty" jsonschema:"preview only, the default; false writes the files"`
}

type applyTestsInput struct {
	Base      string   `json:"base,omitempty" jsonschema:"only the models the change from this git ref touched"`
	Models    []string `json:"models,omitempty" jsonschema:"only these models"`
	Threshold float64  `json:"threshold,omitempty" jsonschema:"confidence at or above which a test of any kind is added (default: each kind's calibrated threshold)"`
	DryRun    *bool    `json:"dry_run,omitempty" jsonschema:"preview only, the default; false writes the files"`
}

type applyLintInput struct {
	Path    string `json:"path" jsonschema:"the SQL file of the project to fix, relative to it"`
	Dialect string `json:"dialect,omitempty"`
	DryRun  *bool  `json:"dry_run,omitempty" jsonschema:"preview only, the default; false writes the file"`
}

// ApplyAnswer is what the apply tools answer.
type ApplyAnswer struct {
	DryRun  bool       `json:"dry_run"`
	Edits   []EditDiff `json:"edits" jsonschema:"what is (or would be) written, as diffs"`
	Written []string   `json:"written" jsonschema:"the files written (none on a dry run)"`
	Note    string     `json:"note,omitempty"`
}

func (s *Server) addApplyTools() {
	addTool(s, tool{name: "apply_schema_edits", title: "Write schema edits", write: true,
		description: "Write the validated property-file edits plan_schema proposes (a preview unless dry_run is false)."},
		s.applySchema)
	addTool(s, tool{name: "apply_tests", title: "Write proposed tests", write: true,
		description: "Add the tests suggest_tests proposes to the property files (a preview unless dry_run is false)."},
		s.applyTests)
	addTool(s, tool{name: "apply_lint_fixes", title: "Write lint fixes", write: true,
		description: "Apply the safe lint fixes to one SQL file of the project (a preview unless dry_run is false)."},
		s.applyLint)
}

func dryRun(b *bool) bool { return b == nil || *b }

var propertyExts = []string{".yml", ".yaml"}

// confine refuses a path the apply tools may not write: outside the project (absolute, "..",
// a symbolic link on the way that leads out), a symbolic link itself (writing would replace
// it), under .git, or not of one of the kinds of file given.
func confine(root, rel string, exts []string) error {
	if !fsconfine.Local(rel) {
		return fmt.Errorf("%s: %w", rel, fsconfine.ErrOutside)
	}
	if !containsFold(exts, filepath.Ext(rel)) {
		return fmt.Errorf("%s: only %s files are written", rel, strings.Join(exts, " and "))
	}
	if _, err := fsconfine.Stat(root, rel); err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%s: %w", rel, unwrapPath(err))
		}
		// A new file: the nearest folder on its way that exists must be inside.
		for dir := path.Dir(filepath.ToSlash(rel)); dir != "."; dir = path.Dir(dir) {
			if _, err := fsconfine.Stat(root, dir); err == nil {
				break
			} else if !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("%s: %w", rel, unwrapPath(err))
			}
		}
	}
	if fi, err := os.Lstat(filepath.Join(root, filepath.FromSlash(rel))); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		return fmt.Errorf("%s: a symbolic link: not written through", rel)
	}
	return nil
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// apply checks every edit and, unless dry, writes them all or none.
func (s *Server) apply(ctx context.Context, root string, edits []FileEdit, exts []string, dry bool, agent string) (*ApplyAnswer, error) {
	out := &ApplyAnswer{DryRun: dry, Edits: []EditDiff{}, Written: []string{}}
	var ns notes
	for _, e := range edits {
		if err := confine(root, e.Path, exts); err != nil {
			return nil, fmt.Errorf("refused, nothing written: %w", err)
		}
		out.Edits = append(out.Edits, EditDiff{Path: e.Path, Agents: []string{agent}, Safe: true,
			Diff: ns.clipField(yamledit.Diff(e.Path, string(e.Old), string(e.New)), maxDiffChars, "the diff of "+e.Path)})
	}
	switch {
	case len(edits) == 0:
		ns.add("Nothing to write.")
	case dry:
		ns.add("A preview: call again with dry_run false to write these files.")
	default:
		written, err := s.eng.WriteFiles(ctx, root, edits)
		s.warm.invalidate()
		if err != nil {
			return nil, err
		}
		out.Written = nonNilSlice(written)
		if len(written) < len(edits) {
			ns.add("%d file(s) not written: they would hold a secret value of the server's environment.", len(edits)-len(written))
		}
	}
	out.Note = ns.String()
	return out, nil
}

func (s *Server) applySchema(ctx context.Context, in applySchemaInput) (*ApplyAnswer, error) {
	plan, err := s.schemaPlan(ctx, in.Base, in.Select)
	if err != nil {
		return nil, err
	}
	if plan.Invalid {
		var msgs []string
		for _, f := range plan.Findings {
			if f.Severity == "error" {
				msgs = append(msgs, fmt.Sprintf("%s:%d: %s", f.Path, f.Line, f.Message))
			}
		}
		return nil, fmt.Errorf("not written: the project does not validate with the edits: %s", strings.Join(msgs, "; "))
	}
	var edits []FileEdit
	for _, e := range plan.Edits {
		edits = append(edits, FileEdit{Path: e.Path, Old: e.Old, New: e.New})
	}
	return s.apply(ctx, plan.Root, edits, propertyExts, dryRun(in.DryRun), review.AgentSchema)
}

func (s *Server) applyTests(ctx context.Context, in applyTestsInput) (*ApplyAnswer, error) {
	plan, err := s.testsPlan(ctx, in.Base, in.Models, in.Threshold)
	if err != nil {
		return nil, err
	}
	snap, err := s.warm.get(ctx)
	if err != nil {
		return nil, err
	}
	out, err := s.apply(ctx, snap.p.Root, plan.Edits, propertyExts, dryRun(in.DryRun), review.AgentTests)
	if err != nil {
		return nil, err
	}
	for _, n := range plan.Notes {
		out.Note = strings.TrimSpace(out.Note + " " + n)
	}
	return out, nil
}

func (s *Server) applyLint(ctx context.Context, in applyLintInput) (*ApplyAnswer, error) {
	snap, err := s.warm.get(ctx)
	if err != nil {
		return nil, err
	}
	rel := filepath.ToSlash(filepath.Clean(filepath.FromSlash(in.Path)))
	if err := confine(snap.p.Root, rel, []string{".sql"}); err != nil {
		return nil, fmt.Errorf("refused, nothing written: %w", err)
	}
	res, err := s.eng.Lint(ctx, snap.p, LintRequest{Path: rel, Fix: true, Dialect: in.Dialect})
	if err != nil {
		return nil, err
	}
	var edits []FileEdit
	if res.Changed {
		edits = append(edits, FileEdit{Path: rel, Old: []byte(res.Source), New: []byte(res.Fixed)})
	}
	return s.apply(ctx, snap.p.Root, edits, []string{".sql"}, dryRun(in.DryRun), review.AgentLint)
}

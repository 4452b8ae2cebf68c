package schema

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/fsconfine"
)

// FileEdit is the new content of one property file.
type FileEdit struct {
	Path string // relative to the project root, slash-separated
	Old  []byte // nil for a new file
	New  []byte
}

// Loader loads a project directory. roots are the directories its files may link into (the
// project a validation copy is made of): they go to dbt.LoadOptions.Roots.
type Loader func(ctx context.Context, dir string, roots []string) (*dbt.Project, error)

// Overlay builds a copy of the project at root with the edited files replaced: every other
// file is a symbolic link to the original (copied where links are not possible; never a hard
// link, which would change the original's ctime and make git re-hash the work tree), build
// output and VCS directories are left out and installed packages are linked in. The copy is what validation reloads and
// what `dbt parse` reads; the user's files are never touched, and nothing is written outside
// the copy: an edit whose path leads out of the project is an error. cleanup removes it.
func Overlay(root string, edits []FileEdit) (dir string, cleanup func(), err error) {
	return overlay(root, edits, nil)
}

// overlayFor is Overlay limited to what the loader reads of p: its top-level files and its
// resource paths (models, macros, seeds, ...), which on a large repository leaves out
// everything else it holds.
func overlayFor(p *dbt.Project, edits []FileEdit) (string, func(), error) {
	keep := map[string]bool{}
	for _, list := range [][]string{p.ModelPaths, p.SeedPaths, p.SnapshotPaths, p.MacroPaths, p.TestPaths, p.AnalysisPaths, p.DocsPaths} {
		for _, rp := range list {
			first := strings.SplitN(strings.TrimPrefix(filepath.ToSlash(filepath.Clean(rp)), "./"), "/", 2)[0]
			if first == "." || first == "" || first == ".." {
				return overlay(p.Root, edits, nil) // a resource path at the root: keep everything
			}
			keep[first] = true
		}
	}
	for _, e := range edits {
		keep[strings.SplitN(e.Path, "/", 2)[0]] = true
	}
	return overlay(p.Root, edits, keep)
}

func overlay(root string, edits []FileEdit, keepTop map[string]bool) (dir string, cleanup func(), err error) {
	if root, err = filepath.Abs(root); err != nil {
		return "", nil, err
	}
	if err := checkEditPaths(edits); err != nil {
		return "", nil, err
	}
	tmp, err := os.MkdirTemp("", "dataops-schema-")
	if err != nil {
		return "", nil, err
	}
	cleanup = func() { _ = os.RemoveAll(tmp) }
	dir = filepath.Join(tmp, "project")
	edited := map[string][]byte{}
	for _, e := range edits {
		edited[filepath.Clean(filepath.FromSlash(e.Path))] = e.New
	}
	skipDirs := map[string]bool{".git": true, "target": true, "logs": true, "dbt_packages": true, "dbt_modules": true,
		".dataops": true, "node_modules": true, ".venv": true, "venv": true, "__pycache__": true}
	err = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		if d.IsDir() {
			if p != root && skipDirs[d.Name()] {
				return filepath.SkipDir
			}
			if keepTop != nil && p != root && filepath.Dir(p) == root && !keepTop[d.Name()] {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dir, rel), 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		if _, ok := edited[rel]; ok {
			return nil
		}
		return linkOrCopy(p, filepath.Join(dir, rel))
	})
	if err == nil {
		err = writeEdited(dir, edited)
	}
	if err != nil {
		cleanup()
		return "", nil, err
	}
	for _, name := range []string{"dbt_packages", "dbt_modules"} {
		if st, err := os.Stat(filepath.Join(root, name)); err == nil && st.IsDir() {
			abs, _ := filepath.Abs(filepath.Join(root, name))
			_ = os.Symlink(abs, filepath.Join(dir, name))
		}
	}
	return dir, cleanup, nil
}

// checkEditPaths refuses edits whose path is absolute or climbs out of the project: the copy
// must never be written outside itself.
func checkEditPaths(edits []FileEdit) error {
	for _, e := range edits {
		if !fsconfine.Local(e.Path) {
			return fmt.Errorf("%s: %w", e.Path, fsconfine.ErrOutside)
		}
	}
	return nil
}

// writeEdited writes the edited files into the copy at dir, through an os.Root on it so that
// no name or link in the copy leads a write out of it.
func writeEdited(dir string, edited map[string][]byte) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	r, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer r.Close()
	for rel, data := range edited {
		if data == nil {
			continue
		}
		if d := filepath.Dir(rel); d != "." {
			if err := r.MkdirAll(d, 0o755); err != nil {
				return err
			}
		}
		// A name the walk linked to the original must not be written through.
		_ = r.Remove(rel)
		if err := r.WriteFile(rel, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func linkOrCopy(src, dst string) error {
	if os.Symlink(src, dst) == nil {
		return nil
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// CheckEdits reloads the project with the edits applied (in an Overlay) and reports what the
// edits broke: a property file that no longer parses, a diagnostic the project did not have
// before (an entry matching no model, a duplicate, an unresolved ref), an edited entry that
// does not reach its model, or a column entry the model's documented columns no longer hold.
// It returns the reloaded project for further checks, or nil when it did not load.
//
// On a large project (over lightCheckModels models) the reload is narrowed to what the edits
// can affect: the project's top-level files, the edited files and the models and docs blocks
// they name, loaded once as they are and once edited; a diagnostic is the edits' doing when only
// the edited load has it. The returned project is then that small load.
func CheckEdits(ctx context.Context, head *dbt.Project, edits []FileEdit, ops []Op, load Loader) (*dbt.Project, []Note, error) {
	return checkEdits(ctx, head, edits, ops, load, countModels(head) > lightCheckModels)
}

// lightCheckModels is the project size above which validation reloads only what the edits
// touch.
const lightCheckModels = 300

func countModels(p *dbt.Project) int {
	n := 0
	for _, node := range p.Nodes {
		if node.ResourceType == dbt.Model {
			n++
		}
	}
	return n
}

func checkEdits(ctx context.Context, head *dbt.Project, edits []FileEdit, ops []Op, load Loader, light bool) (*dbt.Project, []Note, error) {
	if len(edits) == 0 {
		return head, nil, nil
	}
	var structural []Note
	for _, f := range propertyFileFindings(edits) {
		structural = append(structural, Note{Rule: f.Rule, Severity: f.Severity, Path: f.Path, Line: f.Line, Message: f.Message})
	}
	before := head
	// The copies link to the head's files, which may themselves lead where the head's do.
	roots := append([]string{head.Root}, head.Roots...)
	var dir string
	var cleanup func()
	var err error
	if light {
		files := lightFiles(head, edits, ops)
		bdir, bclean, err := linkFiles(head.Root, files, nil)
		if err != nil {
			return nil, nil, fmt.Errorf("preparing validation copy: %w", err)
		}
		defer bclean()
		if before, err = load(ctx, bdir, roots); err != nil {
			return nil, nil, fmt.Errorf("validation: the project without the edits does not load: %w", err)
		}
		if dir, cleanup, err = linkFiles(head.Root, files, edits); err != nil {
			return nil, nil, fmt.Errorf("preparing validation copy: %w", err)
		}
	} else {
		dir, cleanup, err = overlayFor(head, edits)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("preparing validation copy: %w", err)
	}
	defer cleanup()
	p, err := load(ctx, dir, roots)
	if err != nil {
		var ie *dbt.InputError
		if errors.As(err, &ie) {
			return nil, append(structural, Note{Rule: "validation", Severity: "error", Path: ie.Pos.Path, Line: ie.Pos.Line,
				Message: "the edited project does not load: " + ie.Msg}), nil
		}
		return nil, nil, err
	}
	var notes []Note
	had := map[string]int{}
	for _, d := range before.Diagnostics {
		had[d.Kind+"\x00"+d.Pos.Path]++
	}
	edited := map[string]bool{}
	for _, e := range edits {
		edited[e.Path] = true
	}
	for _, d := range p.Diagnostics {
		k := d.Kind + "\x00" + d.Pos.Path
		if had[k] > 0 {
			had[k]--
			continue
		}
		if d.Severity != "error" && !edited[d.Pos.Path] {
			continue
		}
		notes = append(notes, Note{Rule: "validation", Severity: "error", Path: d.Pos.Path, Line: d.Pos.Line,
			Message: "the edits introduce: " + d.Message})
	}
	// Each model an edit touched must be patched from the file the edit wrote, with the
	// columns the edits put there.
	byName := map[string]*dbt.Node{}
	root := rootPackage(p)
	for _, n := range maintainedModels(p, root) {
		byName[n.Name] = n
	}
	for _, op := range ops {
		if !edited[op.File] {
			// Its file was not written (its edits conflicted and were reported as such):
			// the op changed nothing, and the other files' edits stand on their own.
			continue
		}
		name := op.Model
		switch op.Kind {
		case OpRemoveModel:
			continue
		case OpRenameModel:
			name = op.Column.Name
		}
		if op.Kind == OpAddModel {
			// A second entry for a model documented elsewhere is a duplicate dbt rejects.
			if hn := headByName(head, name); hn != nil && hn.Patch != nil && hn.Patch.File != op.File {
				notes = append(notes, Note{Rule: "validation", Severity: "error", Path: op.File, Model: name,
					Message: "model " + name + " is already documented in " + hn.Patch.File})
				continue
			}
		}
		n := byName[name]
		if n == nil {
			notes = append(notes, Note{Rule: "validation", Severity: "error", Path: op.File, Model: name,
				Message: "edited entry " + name + " matches no model"})
			continue
		}
		if n.Patch == nil || n.Patch.File != op.File {
			notes = append(notes, Note{Rule: "validation", Severity: "error", Path: op.File, Model: name,
				Message: "edited entry " + name + " is not the one dbt reads for the model"})
			continue
		}
		switch op.Kind {
		case OpAddColumn, OpRenameColumn, OpSetDataType:
			if findColumn(n.Columns, strings.ToLower(op.Column.Name)) == nil {
				notes = append(notes, Note{Rule: "validation", Severity: "error", Path: op.File, Model: name, Column: op.Column.Name,
					Message: "column " + op.Column.Name + " is not in the edited entry of " + name})
			}
		case OpRemoveColumn:
			if findColumn(n.Columns, strings.ToLower(op.Column.Name)) != nil {
				notes = append(notes, Note{Rule: "validation", Severity: "error", Path: op.File, Model: name, Column: op.Column.Name,
					Message: "column " + op.Column.Name + " is still in the entry of " + name})
			}
		}
	}
	notes = append(structural, notes...)
	sort.SliceStable(notes, func(i, j int) bool { return notes[i].Path < notes[j].Path })
	return p, dedupeNotes(notes), nil
}

func headByName(p *dbt.Project, name string) *dbt.Node {
	for _, n := range maintainedModels(p, rootPackage(p)) {
		if n.Name == name {
			return n
		}
	}
	return nil
}

// maintainedModels lists the models of package root the team maintains: the enabled ones,
// then those switched off by configuration (dbt.Project.OffModels), which are documented and
// edited alike.
func maintainedModels(p *dbt.Project, root string) []*dbt.Node {
	var out []*dbt.Node
	for _, n := range p.Nodes {
		if n.Package == root && n.ResourceType == dbt.Model {
			out = append(out, n)
		}
	}
	return append(out, p.OffModels(root)...)
}

// lightFiles lists what a narrowed validation loads: top-level files, the edited files and the
// .sql files of the models the edits name. Macros are left out: the edits are property files,
// and a macro missing from both loads renders the same stub in both, which cancels out; it
// saves compiling every macro of the project twice.
func lightFiles(p *dbt.Project, edits []FileEdit, ops []Op) []string {
	set := map[string]bool{}
	if entries, err := os.ReadDir(p.Root); err == nil {
		for _, e := range entries {
			if e.Type().IsRegular() {
				set[e.Name()] = true
			}
		}
	}
	edited := map[string]bool{}
	for _, e := range edits {
		edited[e.Path] = true
	}
	names := map[string]bool{}
	for _, op := range ops {
		names[op.Model] = true
		if op.Kind == OpRenameModel {
			names[op.Column.Name] = true
		}
	}
	root := rootPackage(p)
	for _, n := range maintainedModels(p, root) {
		// Only the models the edits name: other entries of an edited file miss their model in
		// both loads alike, which cancels out.
		if names[n.Name] {
			set[n.OriginalFilePath] = true
		}
	}
	// Except the project's generic tests: without them a test the edits add that one of them
	// defines would be an unknown test of the edited load alone.
	for _, m := range p.Macros {
		if m.Package == root && strings.HasPrefix(m.Name, "test_") && m.OriginalFilePath != "" {
			set[m.OriginalFilePath] = true
		}
	}
	// And the docs blocks the edits name: a description copied as `{{ doc("x") }}` would
	// otherwise name no block in the edited load alone.
	if docs := docNames(ops); len(docs) > 0 {
		for _, d := range p.Docs {
			if d.Package == root && docs[d.Name] && d.OriginalFilePath != "" {
				set[d.OriginalFilePath] = true
			}
		}
	}
	out := make([]string, 0, len(set))
	for f := range set {
		if !edited[f] {
			out = append(out, f)
		}
	}
	sort.Strings(out)
	for _, e := range edits {
		if e.Old != nil {
			out = append(out, e.Path)
		}
	}
	return out
}

// docNames lists the docs blocks the planned descriptions name (dbt.DocCalls).
func docNames(ops []Op) map[string]bool {
	out := map[string]bool{}
	add := func(desc string) {
		for _, name := range dbt.DocCalls(desc) {
			out[name] = true
		}
	}
	for _, op := range ops {
		add(op.Column.Description)
		if op.Entry != nil {
			add(op.Entry.Description)
			for _, c := range op.Entry.Columns {
				add(c.Description)
			}
		}
	}
	return out
}

// linkFiles builds a directory holding files (symbolic links to root's copies) with edits
// written over them (nil: the files as they are). Installed packages are linked in.
func linkFiles(root string, files []string, edits []FileEdit) (string, func(), error) {
	root, err := filepath.Abs(root)
	if err != nil {
		return "", nil, err
	}
	if err := checkEditPaths(edits); err != nil {
		return "", nil, err
	}
	for _, f := range files {
		if !fsconfine.Local(f) {
			return "", nil, fmt.Errorf("%s: %w", f, fsconfine.ErrOutside)
		}
	}
	tmp, err := os.MkdirTemp("", "dataops-check-")
	if err != nil {
		return "", nil, err
	}
	cleanup := func() { _ = os.RemoveAll(tmp) }
	dir := filepath.Join(tmp, "project")
	edited := map[string][]byte{}
	for _, e := range edits {
		edited[filepath.Clean(filepath.FromSlash(e.Path))] = e.New
	}
	for _, f := range files {
		rel := filepath.Clean(filepath.FromSlash(f))
		if _, ok := edited[rel]; ok {
			continue
		}
		target := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err == nil {
			err = linkOrCopy(filepath.Join(root, rel), target)
		}
		if err != nil {
			cleanup()
			return "", nil, err
		}
	}
	if err := writeEdited(dir, edited); err != nil {
		cleanup()
		return "", nil, err
	}
	for _, name := range []string{"dbt_packages", "dbt_modules"} {
		if st, err := os.Stat(filepath.Join(root, name)); err == nil && st.IsDir() {
			_ = os.Symlink(filepath.Join(root, name), filepath.Join(dir, name))
		}
	}
	return dir, cleanup, nil
}

func dedupeNotes(ns []Note) []Note {
	seen := map[string]bool{}
	var out []Note
	for _, n := range ns {
		k := n.Rule + "\x00" + n.Path + "\x00" + n.Model + "\x00" + n.Column + "\x00" + n.Message
		if !seen[k] {
			seen[k] = true
			out = append(out, n)
		}
	}
	return out
}

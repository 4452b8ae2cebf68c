package schema

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"

	"github.com/dataops-dev/dataops/internal/fsconfine"
	"github.com/dataops-dev/dataops/internal/warehouse"
	"github.com/dataops-dev/dataops/internal/yamledit"
)

// Apply writes the planned ops into new file contents, in memory: one yamledit plan per
// property file, so each file changes only on the lines the ops concern. root is the project
// directory; forms are the spellings the project writes (ProjectForms: its habit, else its dbt
// version); a file keeps the ones it already uses. An op that cannot be applied (its entry is an alias of a shared anchor, the
// file is not valid YAML) becomes a note and the other ops still apply; an op on a file that
// leads outside the project (a "..", an absolute path, a symbolic link out of it) is an error
// note, and that file is neither read nor edited. Edits come out sorted by path.
func Apply(root string, ops []Op, forms Forms) ([]FileEdit, []Note) {
	dir, err := fsconfine.Open(root)
	if err != nil {
		return nil, []Note{{Rule: "edit", Severity: "error", Message: err.Error()}}
	}
	defer dir.Close()
	var order []string
	byFile := map[string][]Op{}
	for _, op := range ops {
		if _, ok := byFile[op.File]; !ok {
			order = append(order, op.File)
		}
		byFile[op.File] = append(byFile[op.File], op)
	}
	var edits []FileEdit
	var notes []Note
	for _, file := range order {
		fe, ns := applyFile(dir, file, byFile[file], forms)
		notes = append(notes, ns...)
		if fe != nil {
			edits = append(edits, *fe)
		}
	}
	sort.Slice(edits, func(i, j int) bool { return edits[i].Path < edits[j].Path })
	return edits, notes
}

func applyFile(dir *fsconfine.Dir, file string, ops []Op, forms Forms) (*FileEdit, []Note) {
	if !fsconfine.Local(file) {
		// Even a property file of a folder the project shares with its repository (model-paths:
		// ["../../shared"]), which the loader reads, is not written: Synthesize leaves such ops
		// out with a note, and any that come here are refused.
		return nil, []Note{{Rule: RuleOutsideProject, Severity: "error", Path: file, Message: "property file is outside the project folder; not read or edited"}}
	}
	data, err := dir.ReadFile(file)
	if errors.Is(err, os.ErrNotExist) {
		return newFile(dir, file, ops, forms)
	}
	if errors.Is(err, fsconfine.ErrOutside) {
		return nil, []Note{{Rule: RuleOutsideProject, Severity: "error", Path: file, Message: "property file leads outside the project; not read or edited"}}
	}

	if err != nil {
		return nil, []Note{{Rule: "edit", Severity: "error", Path: file, Message: err.Error()}}
	}
	f, err := yamledit.Load(file, data)
	if err != nil {
		return nil, []Note{errNote(file, err)}
	}
	p := f.Plan()
	p.Style = p.Style.Settle(forms.TestsKey, forms.TestArguments)
	var notes []Note
	// Ops name entries and columns by their final names; the file as loaded has the old ones.
	modelOld := map[string]string{}          // new model name -> name in the file
	colOld := map[string]map[string]string{} // model (file name) -> new column -> old
	addedAt := map[string]map[string]int{}   // model -> column added by this plan -> index used
	for _, op := range ops {
		model := op.Model
		if old, ok := modelOld[model]; ok {
			model = old
		}
		ref := yamledit.ModelRef(model)
		var err error
		switch op.Kind {
		case OpRenameModel:
			err = p.SetField(yamledit.ModelRef(op.Model), "name", op.Column.Name)
			if err == nil {
				modelOld[op.Column.Name] = op.Model
			}
		case OpRemoveModel:
			err = p.RemoveModel(model)
		case OpAddModel:
			err = p.AddModel(toModel(op.Entry))
		case OpRenameColumn:
			err = p.RenameColumn(ref, op.From, op.Column.Name)
			if err == nil {
				if colOld[model] == nil {
					colOld[model] = map[string]string{}
				}
				colOld[model][strings.ToLower(op.Column.Name)] = op.From
			}
		case OpRemoveColumn:
			err = p.RemoveColumn(ref, op.Column.Name)
		case OpSetDataType:
			name := op.Column.Name
			if old, ok := colOld[model][strings.ToLower(name)]; ok {
				name = old
			}
			err = p.SetColumnDataType(ref, name, op.Column.DataType)
		case OpAddColumn:
			at := insertIndex(f, model, op.After, colOld[model], addedAt[model])
			err = p.AddColumn(ref, at, toColumn(op.Column))
			if err == nil {
				if addedAt[model] == nil {
					addedAt[model] = map[string]int{}
				}
				addedAt[model][strings.ToLower(op.Column.Name)] = at
			}
		}
		if err != nil {
			notes = append(notes, errNote(file, err))
		}
	}
	if p.Len() == 0 {
		return nil, notes
	}
	out, err := p.Apply()
	if err != nil {
		return nil, append(notes, errNote(file, err))
	}
	if string(out) == string(data) {
		return nil, notes
	}
	return &FileEdit{Path: file, Old: data, New: out}, notes
}

// insertIndex turns "after column X" into yamledit's "before the column now at index i" in the
// file as loaded. X may be a column this plan adds (then the new column goes right after it,
// at the same index) or renames (then it is found by its old name). No X means first.
func insertIndex(f *yamledit.File, model, after string, renamed map[string]string, added map[string]int) int {
	e := f.Model(model)
	if e == nil {
		return -1
	}
	if after == "" {
		if len(e.Columns) == 0 {
			return -1
		}
		return 0
	}
	k := strings.ToLower(after)
	if at, ok := added[k]; ok {
		return at
	}
	if old, ok := renamed[k]; ok {
		after = old
	}
	if c := e.ColumnNamed(after); c != nil {
		return c.Index + 1
	}
	return -1
}

func toColumn(c ColumnSpec) yamledit.Column {
	col := yamledit.Column{Name: c.Name, Description: c.Description, DataType: c.DataType}
	if !warehouse.PlainIdent(c.Name) {
		// dbt writes a column's name into its tests' SQL as it is: a name SQL reads only
		// quoted ("Hour Start - Copy", 2024_total) fails every test without quote: true. A
		// plain name gets none: quoting would make it case-sensitive where the warehouse
		// folds case.
		col.Extra = append(col.Extra, yamledit.KV{Key: "quote", Value: true})
	}
	if c.DescriptionFrom == DescriptionFromLLM {
		meta := []yamledit.KV{{Key: "description_from", Value: DescriptionFromLLM}}
		if c.DescriptionBy != "" {
			meta = append(meta, yamledit.KV{Key: "description_model", Value: c.DescriptionBy})
		}
		col.Extra = append(col.Extra, yamledit.KV{Key: "meta", Value: meta})
	}
	return col
}

func toModel(m *ModelSpec) yamledit.Model {
	out := yamledit.Model{Name: m.Name, Description: m.Description}
	for _, c := range m.Columns {
		out.Columns = append(out.Columns, toColumn(c))
	}
	return out
}

// newFile writes a property file for entries of a folder that has none, in the style of a
// property file next to it when there is one.
func newFile(dir *fsconfine.Dir, file string, ops []Op, forms Forms) (*FileEdit, []Note) {
	st := siblingStyle(dir, path.Dir(file)).Settle(forms.TestsKey, forms.TestArguments)
	var models []yamledit.Model
	for _, op := range ops {
		if op.Kind == OpAddModel && op.Entry != nil {
			models = append(models, toModel(op.Entry))
		}
	}
	if len(models) == 0 {
		return nil, nil
	}
	return &FileEdit{Path: file, New: yamledit.NewFile(models, st)}, nil
}

// siblingStyle is the style of the nearest property file declaring models: in folder, else in
// the nearest parent folder or in one of that parent's own subfolders (a new folder of marts
// next to the documented ones), up to the project (whose own subfolders are packages, logs
// and targets as much as models); else the default style.
func siblingStyle(dir *fsconfine.Dir, folder string) yamledit.Style {
	from := "" // the folder the walk came up from: already read
	for d := folder; ; d = path.Dir(d) {
		if entries, err := dir.ReadDir(d); err == nil {
			if st, ok := folderStyle(dir, d, entries); ok {
				return st
			}
			if d != folder && d != "." && d != "" {
				for _, e := range entries { // ReadDir sorts by name
					sub := path.Join(d, e.Name())
					if !e.IsDir() || strings.HasPrefix(e.Name(), ".") || sub == from {
						continue
					}
					if subEntries, err := dir.ReadDir(sub); err == nil {
						if st, ok := folderStyle(dir, sub, subEntries); ok {
							return st
						}
					}
				}
			}
		}
		if d == "." || d == "/" || d == "" {
			break
		}
		from = d
	}
	return yamledit.DefaultStyle()
}

// folderStyle is the style of the first property file (by name) among folder d's entries
// that declares models.
func folderStyle(dir *fsconfine.Dir, d string, entries []fs.DirEntry) (yamledit.Style, bool) {
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || !strings.HasSuffix(n, ".yml") && !strings.HasSuffix(n, ".yaml") {
			continue
		}
		data, err := dir.ReadFile(path.Join(d, n))
		if err != nil {
			continue
		}
		if f, err := yamledit.Load(n, data); err == nil && len(f.Models()) > 0 {
			return f.Style(), true
		}
	}
	return yamledit.Style{}, false
}

func errNote(file string, err error) Note {
	var ye *yamledit.Error
	if errors.As(err, &ye) {
		return Note{Rule: "edit", Severity: "warning", Path: ye.Path, Line: ye.Line, Message: "not edited: " + ye.Msg}
	}
	return Note{Rule: "edit", Severity: "warning", Path: file, Message: "not edited: " + err.Error()}
}

// Diffs renders edits as unified diffs, paths relative to the project.
func Diffs(edits []FileEdit) []string {
	out := make([]string, 0, len(edits))
	for _, e := range edits {
		out = append(out, yamledit.Diff(e.Path, string(e.Old), string(e.New)))
	}
	return out
}

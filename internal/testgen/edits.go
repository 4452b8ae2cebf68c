package testgen

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/yamledit"
)

// FileEdit is the new content of one property file.
type FileEdit struct {
	Path string // relative to the project root
	Old  []byte
	New  []byte
}

// Edits writes the suggestions that did not fail on data into the models' property files,
// through yamledit so that only the added lines change; settle fills in the forms a file does
// not show (its tests key, nested arguments) as the project writes them, and may be nil. A
// suggestion whose model has no property entry, or whose column the entry does not list,
// cannot be placed: it comes back as a note (the Schema Synthesizer adds entries and columns
// first).
func Edits(p *dbt.Project, res *Result, settle func(yamledit.Style) yamledit.Style) ([]FileEdit, []string) {
	byFile := map[string][]*Suggestion{}
	var notes []string
	for _, s := range res.Suggestions {
		if s.Status == Failed {
			continue
		}
		n := p.Nodes[s.UniqueID]
		if ns := p.Disabled[s.UniqueID]; n == nil && len(ns) > 0 {
			n = ns[0] // a model that is off (disabledModels)
		}
		if n == nil || n.Patch == nil || n.Patch.File == "" {
			notes = append(notes, fmt.Sprintf("%s: no property entry for %s; run `dataops schema --write` first to add one", s.Pos.Path, s.Model))
			continue
		}
		byFile[n.Patch.File] = append(byFile[n.Patch.File], s)
	}
	files := make([]string, 0, len(byFile))
	for f := range byFile {
		files = append(files, f)
	}
	sort.Strings(files)
	var edits []FileEdit
	for _, file := range files {
		data, err := os.ReadFile(filepath.Join(p.Root, filepath.FromSlash(file)))
		if err != nil {
			notes = append(notes, file+": "+err.Error())
			continue
		}
		f, err := yamledit.Load(file, data)
		if err != nil {
			notes = append(notes, err.Error())
			continue
		}
		plan := f.Plan()
		if settle != nil {
			plan.Style = settle(plan.Style)
		}
		for _, s := range byFile[file] {
			if err := plan.AddTest(yamledit.ModelRef(s.Model), s.Column, toYAMLTest(s)); err != nil {
				notes = append(notes, fmt.Sprintf("%s: %s %s on %s.%s not written: %v", file, s.Test, "test", s.Model, s.Column, err))
			}
		}
		if plan.Len() == 0 {
			continue
		}
		out, err := plan.Apply()
		if err != nil {
			notes = append(notes, err.Error())
			continue
		}
		edits = append(edits, FileEdit{Path: file, Old: data, New: out})
	}
	return edits, notes
}

func toYAMLTest(s *Suggestion) yamledit.Test {
	t := yamledit.Test{Name: s.Test}
	keys := make([]string, 0, len(s.Arguments))
	for k := range s.Arguments {
		keys = append(keys, k)
	}
	// dbt's own order reads best: values; to then field; combination_of_columns.
	sort.Slice(keys, func(i, j int) bool {
		return argRank(keys[i]) < argRank(keys[j]) || (argRank(keys[i]) == argRank(keys[j]) && keys[i] < keys[j])
	})
	for _, k := range keys {
		t.Args = append(t.Args, yamledit.KV{Key: k, Value: s.Arguments[k]})
	}
	return t
}

func argRank(k string) int {
	switch k {
	case "values", "to", "combination_of_columns":
		return 0
	case "field":
		return 1
	}
	return 2
}

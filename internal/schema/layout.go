package schema

import (
	"path"
	"sort"
	"strings"

	"github.com/dataops-dev/dataops/internal/dbt"
)

// Teams keep model entries in one of four layouts, often mixed across a project: a file per
// model next to it (`_dim_program.yml`, `_test_fct_revenue.yml`), a file per folder
// (`_stripe__models.yml`), the same in a folder beside the models
// (models/gwas/docs/__models.yml), or a file per layer above the folders it documents
// (models/staging/_staging__models.yml for models/staging/*/). A new model's entry goes where
// its folder's models are kept; a folder with no documented model follows the folders around
// it, then the project. An entry appended to another model's own file is never right.

// layoutKind is one way of keeping entries.
type layoutKind int

const (
	noHabit layoutKind = iota
	perModel
	perFolder
	perLayer
	// perSubfolder: a file per folder kept in a folder of its own beside the models
	// (models/gwas/docs/__models.yml for models/gwas/*.sql).
	perSubfolder
)

// habit is a folder's way of keeping entries, with what it needs: the file-name pattern of
// per-model files ({model} for the name), or the file of a layer.
type habit struct {
	kind    layoutKind
	pattern string
	file    string
}

// layout holds, per model folder, how its documented models are kept.
type layout struct {
	// by folder: how many documented models are kept each way, the per-model patterns seen
	// and the layer files (above the folder) used.
	folders map[string]*folderLayout
}

type folderLayout struct {
	counts   [5]int
	patterns map[string]int
	layers   map[string]int
	subs     map[string]int // per subfolder: the file's path from the models' folder, {folder} for its name
}

func (f *folderLayout) add(o *folderLayout) {
	for i := range f.counts {
		f.counts[i] += o.counts[i]
	}
	for k, v := range o.patterns {
		f.patterns[k] += v
	}
	for k, v := range o.layers {
		f.layers[k] += v
	}
	for k, v := range o.subs {
		f.subs[k] += v
	}
}

func newFolderLayout() *folderLayout {
	return &folderLayout{patterns: map[string]int{}, layers: map[string]int{}, subs: map[string]int{}}
}

// learnLayout classifies every documented model of the root package.
func learnLayout(p *dbt.Project, root string) *layout {
	perFile := map[string]int{}
	for _, n := range p.Nodes {
		if documentedModel(n, root) {
			perFile[n.Patch.File]++
		}
	}
	l := &layout{folders: map[string]*folderLayout{}}
	for _, n := range p.Nodes {
		if !documentedModel(n, root) {
			continue
		}
		dir, file := path.Dir(n.OriginalFilePath), n.Patch.File
		fl := l.folders[dir]
		if fl == nil {
			fl = newFolderLayout()
			l.folders[dir] = fl
		}
		fdir := path.Dir(file)
		base := path.Base(file)
		switch {
		case fdir == dir && perFile[file] == 1 && strings.Contains(base, n.Name):
			fl.counts[perModel]++
			fl.patterns[strings.Replace(base, n.Name, "{model}", 1)]++
		case fdir == dir:
			fl.counts[perFolder]++
		case fdir == "." || strings.HasPrefix(dir, fdir+"/"):
			fl.counts[perLayer]++
			fl.layers[file]++
		case dir != "." && strings.HasPrefix(fdir, dir+"/") && perFile[file] > 1:
			fl.counts[perSubfolder]++
			rel := strings.TrimPrefix(file, dir+"/")
			if folder := path.Base(dir); strings.Contains(path.Base(rel), folder) {
				rel = path.Join(path.Dir(rel), strings.Replace(path.Base(rel), folder, "{folder}", 1))
			}
			fl.subs[rel]++
		}
	}
	return l
}

func documentedModel(n *dbt.Node, root string) bool {
	return n.Package == root && n.ResourceType == dbt.Model && n.Patch != nil && n.Patch.File != "" &&
		!strings.Contains(n.Patch.File, "dbt_packages/")
}

// habitFor is the habit of dir: its own documented models decide; without any, the models of
// the nearest folder above it whose subtree has documented models (its siblings and cousins);
// else the whole project's. A layer file is kept only when it sits above dir.
func (l *layout) habitFor(dir string) habit {
	if l == nil {
		return habit{}
	}
	if fl := l.folders[dir]; fl != nil {
		return fl.habit(dir)
	}
	for up := path.Dir(dir); ; up = path.Dir(up) {
		agg := newFolderLayout()
		for d, fl := range l.folders {
			if up == "." || d == up || strings.HasPrefix(d, up+"/") {
				agg.add(fl)
			}
		}
		if agg.total() > 0 {
			return agg.habit(dir)
		}
		if up == "." || up == "/" {
			return habit{}
		}
	}
}

func (f *folderLayout) total() int {
	return f.counts[perModel] + f.counts[perFolder] + f.counts[perLayer] + f.counts[perSubfolder]
}

// habit is the layout most of the folder's models follow (ties go to per folder, the layout
// that needs no guess at a name, then per layer).
func (f *folderLayout) habit(dir string) habit {
	best := perFolder
	for _, k := range []layoutKind{perLayer, perModel, perSubfolder} {
		if f.counts[k] > f.counts[best] {
			best = k
		}
	}
	if f.counts[best] == 0 {
		return habit{}
	}
	switch best {
	case perModel:
		return habit{kind: perModel, pattern: mostUsed(f.patterns, nil)}
	case perSubfolder:
		return habit{kind: perSubfolder, pattern: mostUsed(f.subs, nil)}
	case perLayer:
		// Only a file above dir can document it as its layer.
		return habit{kind: perLayer, file: mostUsed(f.layers, func(file string) bool {
			fd := path.Dir(file)
			return fd == "." || strings.HasPrefix(dir, fd+"/")
		})}
	}
	return habit{kind: perFolder}
}

// mostUsed is the key with the highest count that keep accepts (nil: any); ties go to the
// first in order, so the choice is stable.
func mostUsed(counts map[string]int, keep func(string) bool) string {
	keys := make([]string, 0, len(counts))
	for k := range counts {
		if keep == nil || keep(k) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	best, n := "", 0
	for _, k := range keys {
		if counts[k] > n {
			best, n = k, counts[k]
		}
	}
	return best
}

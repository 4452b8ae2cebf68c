package schema

import (
	"fmt"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/dataops-dev/dataops/internal/change"
	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/fsconfine"
	"github.com/dataops-dev/dataops/internal/yamllimit"
)

// projectStyle is what the project's own property files say about how the team writes them.
type projectStyle struct {
	lowerTypes bool // documented data types are written in lower case (the default)
	// spelling: per kind of type, how the team writes it (int64 where it never writes integer).
	spelling     map[string]string
	typedProject bool            // most documented columns carry data_type
	typedFiles   map[string]bool // per file: most of its columns carry data_type
	newFile      string          // file name pattern for a folder without a property file
	// folderFile: per model folder, the property file documenting most of its models.
	folderFile map[string]string
	// layout is where the team keeps each model folder's entries (see learnLayout).
	layout *layout
}

// Naming patterns seen in real projects for a folder's property file; {folder} is the folder.
var filePatterns = []string{
	"_{folder}__models.yml", "_{folder}_models.yml", "{folder}__models.yml", "{folder}_models.yml",
	"_{folder}__schema.yml", "_{folder}_schema.yml", "{folder}_schema.yml", "schema_{folder}.yml",
	"_{folder}.yml", "{folder}.yml", "schema.yml", "_schema.yml", "models.yml", "_models.yml",
	"_{folder}__docs.yml", "properties.yml", "_properties.yml",
}

const defaultFilePattern = "_{folder}__models.yml"

// RuleOutsideProject is the note on a property-file path that leads outside the project: it
// is neither read nor written.
const RuleOutsideProject = "outside-project"

func learnStyle(p *dbt.Project, root string) *projectStyle {
	st := &projectStyle{typedFiles: map[string]bool{}, folderFile: map[string]string{}}
	var typed, total, upperTypes int
	spellings := map[string]map[string]int{}
	fileTyped := map[string][2]int{}
	folderCount := map[string]map[string]int{}
	files := map[string]bool{}
	for _, n := range p.Nodes {
		if n.Package != root || n.ResourceType != dbt.Model || n.Patch == nil || n.Patch.File == "" {
			continue
		}
		f := n.Patch.File
		files[f] = true
		dir := path.Dir(n.OriginalFilePath)
		if path.Dir(f) == dir {
			if folderCount[dir] == nil {
				folderCount[dir] = map[string]int{}
			}
			folderCount[dir][f]++
		}
		ft := fileTyped[f]
		for _, c := range n.Columns {
			total++
			ft[1]++
			if c.DataType != "" {
				typed++
				ft[0]++
				if c.DataType != strings.ToLower(c.DataType) {
					upperTypes++
				}
				k := typeKind(p.Adapter, c.DataType)
				if spellings[k] == nil {
					spellings[k] = map[string]int{}
				}
				spellings[k][strings.ToLower(strings.TrimSpace(c.DataType))]++
			}
		}
		fileTyped[f] = ft
	}
	st.typedProject = total > 0 && typed*2 > total
	st.lowerTypes = upperTypes*2 <= typed
	st.spelling = map[string]string{}
	for k, counts := range spellings {
		st.spelling[k] = mostCounted(counts)
	}
	for f, ft := range fileTyped {
		if ft[1] > 0 {
			st.typedFiles[f] = ft[0]*2 > ft[1]
		}
	}
	for dir, counts := range folderCount {
		st.folderFile[dir] = mostCounted(counts)
	}
	st.newFile = learnPattern(files)
	st.layout = learnLayout(p, root)
	return st
}

// learnPattern returns the naming pattern most property files follow.
func learnPattern(files map[string]bool) string {
	counts := map[string]int{}
	for f := range files {
		folder := path.Base(path.Dir(f))
		name := path.Base(f)
		ext := path.Ext(name)
		for _, pat := range filePatterns {
			want := strings.ReplaceAll(strings.TrimSuffix(pat, ".yml"), "{folder}", folder) + ext
			if name == want {
				counts[pat+"|"+ext]++
				break
			}
		}
	}
	best, bestN := "", 0
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if counts[k] > bestN {
			best, bestN = k, counts[k]
		}
	}
	// One file is not a convention.
	if bestN < 2 {
		return defaultFilePattern
	}
	pat, ext, _ := strings.Cut(best, "|")
	return strings.TrimSuffix(pat, ".yml") + ext
}

// fileFor picks the property file a new entry for model n goes to, by the habit of its
// folder (else of the nearest folder above it that has one, else of the project): its own
// file named as the team names them (per model), the file holding most of the folder's
// models, else a new one named by the project's pattern (per folder), or the file above the
// folder that documents it and its siblings (per layer). schema.new_file with {model} puts
// every new model in its own file; without, it names the file of a folder that has none.
// A pattern that puts the file outside the project is refused with an error at the setting,
// and "" is returned.
func (s *synth) fileFor(n *dbt.Node) string {
	dir := path.Dir(n.OriginalFilePath)
	if dir != "." && !fsconfine.Local(dir) {
		// A model of a folder the project shares with its repository (model-paths:
		// ["../../shared"]): its property file would go there, and only the project is written.
		s.note(Note{Rule: RuleOutsideProject, Severity: SeverityWarning, Path: n.OriginalFilePath, Model: n.Name,
			Message: fmt.Sprintf("%s is in %s, outside the project folder; its property file is not written (dataops writes only inside the project): add the entry by hand", n.Name, dir)})
		return ""
	}
	pat := s.in.Config.NewFile
	if pat == "" {
		h := s.style.layout.habitFor(dir)
		switch h.kind {
		case perModel:
			pat = h.pattern
		case perLayer:
			if h.file != "" {
				return h.file
			}
		case perSubfolder:
			if h.pattern != "" {
				if file := path.Join(dir, fileName(h.pattern, path.Base(dir), n.Name)); fsconfine.Local(file) {
					return file
				}
			}
		}
	}
	if !strings.Contains(pat, "{model}") {
		if f, ok := s.style.folderFile[dir]; ok {
			return f
		}
		if pat == "" {
			pat = s.style.newFile
		}
	}
	file := path.Join(dir, fileName(pat, path.Base(dir), n.Name))
	if path.IsAbs(pat) || filepath.IsAbs(pat) || !fsconfine.Local(file) {
		at := s.in.Config.NewFileAt
		s.note(Note{Rule: RuleOutsideProject, Severity: SeverityError, Path: at.Path, Line: at.Line, Model: n.Name,
			Message: fmt.Sprintf("schema.new_file %q puts the property file of %s outside the project (%s); no entry written", pat, n.Name, file)})
		return ""
	}
	return file
}

// newEntry plans an entry for a model that has none.
func (s *synth) newEntry(t target, known []change.Column) {
	n := t.node
	file := s.fileFor(n)
	if file == "" {
		return
	}
	e := &entry{file: file}
	writeTypes := s.wantTypes(n, e)
	spec := &ModelSpec{Name: n.Name, Description: s.in.Config.ModelDescriptionPlaceholder}
	if keys := s.listedColumns(t, file, known); len(keys) < len(known) {
		s.fewColumnsNote(n, file, len(keys), len(known))
		known = keys
	}
	nc := s.nameCaseFor(nil, file)
	for _, c := range known {
		spec.Columns = append(spec.Columns, s.columnSpec(n, c, nc, writeTypes, t.mc != nil))
	}
	if _, ok := s.newEntries[file]; !ok {
		s.newOrder = append(s.newOrder, file)
	}
	s.newEntries[file] = append(s.newEntries[file], spec)
}

// listedColumns returns the columns the entry of a model the change added lists, in file:
// every column, or its keys and the columns the entries beside it list where those list few
// (sparse.go). The same holds for a new entry and for an entry the model already has, which
// may be this plan's own output of an earlier --write: were it listed whole the second time,
// one --write would not be the fixed point. Without a change every entry lists every column
// (syncEntry), so a new one does too.
func (s *synth) listedColumns(t target, file string, known []change.Column) []change.Column {
	n := t.node
	if t.mc == nil || s.in.Config.Columns == ColumnsAll || contractEnforced(n) || len(known) <= sparseListMax+1 {
		return known
	}
	entries, few := s.sparseScope(path.Dir(file))
	if !few || lookalikeListsAll(entries, known) {
		return known
	}
	return keyColumns(n.Name, known, entries)
}

func (s *synth) fewColumnsNote(n *dbt.Node, file string, listed, all int) {
	s.note(Note{Rule: RuleFewColumns, Severity: "info", Path: file, Model: n.Name,
		Message: fmt.Sprintf("the entries beside it list few columns: %s's lists its keys and the columns they list, %d of its %d columns (schema.columns: all lists every one)", n.Name, listed, all)})
}

func (s *synth) flushNewEntries() {
	for _, f := range s.newOrder {
		for _, spec := range s.newEntries[f] {
			why := "model " + spec.Name + " has no property entry"
			if from, ok := s.restored[spec.Name]; ok {
				why = "model " + spec.Name + " lost its property entry (" + from + " at the base): written again"
			}
			s.plan.Ops = append(s.plan.Ops, Op{Kind: OpAddModel, File: f, Model: spec.Name, Key: "models", Entry: spec, Reason: why})
		}
	}
}

// entryNames lists the names of the models, seeds and snapshots a property file declares.
func entryNames(data []byte) []string {
	var doc map[string]any
	if err := yamllimit.Unmarshal(data, &doc); err != nil {
		return nil
	}
	var out []string
	for _, key := range []string{"models", "seeds", "snapshots"} {
		list, _ := doc[key].([]any)
		for _, item := range list {
			if m, ok := item.(map[string]any); ok {
				if name, ok := m["name"].(string); ok {
					out = append(out, name)
				}
			}
		}
	}
	return out
}

// RuleUntouchedModel is the note on a model a change lists but did not touch: its entry is
// left as it is.
const RuleUntouchedModel = "untouched-model"

// KeepTouched drops, from a plan made for a change, every edit to the entry of a model the
// change did not touch: one whose SQL is the same at the base and in the head and whose
// configuration did not change. Such a model can only be listed by mistake (a property file
// that reads differently on the two sides), and a review must never edit what the pull
// request did not. A note says, for each model left alone, why.
func (p *Plan) KeepTouched(cs *change.ChangeSet) {
	if cs == nil || cs.Base == nil || cs.Head == nil {
		return
	}
	untouched := map[string]*change.ModelChange{} // entry name -> change
	for _, mc := range cs.Models {
		if mc.Change != change.Modified || len(mc.Config) > 0 {
			continue
		}
		h, b := cs.Head.AnyNode(mc.UniqueID), cs.Base.AnyNode(mc.UniqueID)
		if h == nil || b == nil || h.RawCode != b.RawCode {
			continue
		}
		if change.DroppedEntry(cs, mc) != nil {
			continue // the change dropped its entry (restore.go): that it did touch
		}
		untouched[h.Name] = mc
	}
	if len(untouched) == 0 {
		return
	}
	kept := p.Ops[:0]
	noted := map[string]bool{}
	for _, op := range p.Ops {
		mc, ok := untouched[op.Model]
		if !ok {
			kept = append(kept, op)
			continue
		}
		if !noted[op.Model] {
			noted[op.Model] = true
			p.Notes = append(p.Notes, Note{Rule: RuleUntouchedModel, Severity: SeverityInfo, Path: op.File, Line: 1, Model: op.Model,
				Message: fmt.Sprintf("%s is listed as changed, but its SQL (%s) and configuration are the same at the base: its property entry was left as it is", op.Model, mc.Path)})
		}
	}
	p.Ops = kept
}

// mostCounted is the key counted most, the first by name among equals.
func mostCounted(counts map[string]int) string {
	best, bestN := "", 0
	for k, n := range counts {
		if n > bestN || n == bestN && k < best {
			best, bestN = k, n
		}
	}
	return best
}

// typeKind is what a type name stands for on the adapter, whatever its spelling: BigQuery's
// INT64 is its INTEGER and BIGINT; elsewhere integer is int, bool boolean, text varchar.
// Parameterized types (varchar(20), numeric(10,2)) are their own kind.
func typeKind(adapter, t string) string {
	n := strings.ToLower(strings.Join(strings.Fields(t), ""))
	if strings.ContainsAny(n, "(<") {
		return n
	}
	if adapter == "bigquery" {
		switch n {
		case "int", "integer", "bigint", "smallint", "tinyint", "byteint", "int64":
			return "int64"
		case "float", "float64", "double":
			return "float64"
		case "decimal", "numeric":
			return "numeric"
		case "bigdecimal", "bignumeric":
			return "bignumeric"
		case "string", "varchar", "text":
			return "string"
		case "bool", "boolean":
			return "bool"
		}
		return n
	}
	switch n {
	case "integer", "int4":
		return "int"
	case "bool":
		return "boolean"
	case "text", "string", "charactervarying":
		return "varchar"
	}
	return n
}

// Package schema is the Schema Synthesizer: it keeps a dbt project's property files in step with
// its models. For each changed model (or every model) it adds the columns the SQL now outputs in
// SQL order, renames entries of renamed columns and models (keeping their tests and prose),
// reports or removes entries of columns that are gone, fills data_type where the project wants
// it and descriptions from upstream columns or the team's data dictionary, in the forms the
// project's dbt version expects. It plans edits as plain values; internal/yamledit applies them
// to the text, and the result is validated by reloading the project before anything is written.
// It never writes files itself, never runs project code and reads no settings file: its
// Config and Naming are filled by the caller (internal/cli maps .dataops.yml to them).
package schema

import (
	"path"
	"sort"
	"strings"

	"github.com/dataops-dev/dataops/internal/change"
	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/fsconfine"
	"github.com/dataops-dev/dataops/internal/lazyregexp"
)

// Input is what one synthesis works from.
type Input struct {
	Project *dbt.Project // the head: the version edits apply to
	// Columns are the inferred output columns, keyed by unique id: at least the models to
	// synchronise and what is upstream of them.
	Columns map[string]*change.ModelColumns
	// Change limits the work to what a change touched; nil synchronises every model.
	Change *change.ChangeSet
	// Select keeps only some models (by unique id); nil keeps all.
	Select func(uid string) bool
	Config Config
	// Dictionary gives standard column descriptions; may be nil.
	Dictionary *Dictionary
	// ReadFile reads a file of the head project by path relative to its root.
	ReadFile func(rel string) ([]byte, error)
	// Knowledge is the team's memory of descriptions; nil without one.
	Knowledge Knowledge
	// Types are exact warehouse types by unique id and column (dbt's catalog.json, or a
	// warehouse describe). They describe the relations as last built, so they are used for
	// columns the change did not add or retype; inferred types fill the rest.
	Types map[string][]TypedColumn
}

// TypedColumn is a column and its type as the warehouse reports it.
type TypedColumn struct {
	Name, DataType string
}

// Synthesize plans the property-file edits that bring the selected models' entries in step with
// their SQL. It never fails on a model it cannot read: that becomes a Note.
func Synthesize(in Input) *Plan {
	s := newSynth(in)
	for _, t := range s.targets() {
		s.model(t)
	}
	s.flushNewEntries()
	s.keepInsideProject()
	s.plan.sort()
	return s.plan
}

// keepInsideProject drops the ops on property files outside the project folder, with a note
// per file: a folder the project shares with its repository (model-paths: ["../../shared"])
// is read, but only the project is written, and a plan that cannot be applied must not be
// validated as if it were.
func (s *synth) keepInsideProject() {
	kept := s.plan.Ops[:0]
	noted := map[string]bool{}
	for _, op := range s.plan.Ops {
		if fsconfine.Local(op.File) {
			kept = append(kept, op)
			continue
		}
		if !noted[op.File] {
			noted[op.File] = true
			s.note(Note{Rule: RuleOutsideProject, Severity: SeverityWarning, Path: op.File,
				Message: "property file is outside the project folder; dataops writes only inside the project, so its changes are not made: apply them by hand"})
		}
	}
	s.plan.Ops = kept
}

// Plan is the outcome of Synthesize: edits and notes.
type Plan struct {
	Ops   []Op
	Notes []Note
}

func (p *Plan) sort() {
	sort.SliceStable(p.Notes, func(i, j int) bool {
		if p.Notes[i].Path != p.Notes[j].Path {
			return p.Notes[i].Path < p.Notes[j].Path
		}
		return p.Notes[i].Line < p.Notes[j].Line
	})
}

type target struct {
	node *dbt.Node
	mc   *change.ModelChange // nil when synchronising everything
}

type synth struct {
	in    Input
	p     *dbt.Project
	root  string
	plan  *Plan
	style *projectStyle
	// newEntries groups entries for files that get new model entries, in first-seen order.
	newEntries map[string][]*ModelSpec
	newOrder   []string
	// restored names, by model, the base file of each entry written again (restore.go).
	restored   map[string]string
	fileModels map[string]map[string]bool // cache: models named in a head file
	upRenames  map[string]*upRename       // by head unique id: what the change renamed

	// documented caches the documented columns of the project by folded name (describe.go).
	documented map[string][]documentedColumn
	// blockIx is what the project's columns say of its docs blocks (describe_block.go); nil
	// until read.
	blockIx *blockIndex
	// vocab counts the words of the project's column names (describe_split.go).
	vocab map[string]int
	// english caches whether the team describes its columns in English (describe_lang.go).
	english *bool
	noted   map[Note]bool
	// folderEntries counts, per folder, the root package's models and those of them that have
	// a property entry (folderDocuments).
	folderEntries map[string][2]int
	// entriesByDir holds, per property file folder, the root package's models documented
	// there (entriesByFolder).
	entriesByDir map[string][]*dbt.Node
	// namesByFile and namesByDir count the documented column names of each property file and
	// folder by case (nameCaseFor).
	namesByFile, namesByDir map[string]*nameCounts
	namesInProject          nameCounts
	// changed holds the change's models by head unique id (habitNode).
	changed map[string]*change.ModelChange
}

// upRename is what a change renamed in one model: the model itself (its base node) and columns
// (new folded name -> old name).
type upRename struct {
	fromNode *dbt.Node
	columns  map[string]string
}

func newSynth(in Input) *synth {
	s := &synth{in: in, p: in.Project, plan: &Plan{}, newEntries: map[string][]*ModelSpec{}, restored: map[string]string{}, fileModels: map[string]map[string]bool{}}
	s.root = rootPackage(in.Project)
	s.style = learnStyle(in.Project, s.root)
	s.upRenames = map[string]*upRename{}
	if cs := in.Change; cs != nil {
		for _, mc := range cs.Models {
			r := &upRename{columns: map[string]string{}}
			if mc.Change == change.Renamed && cs.Base != nil {
				r.fromNode = cs.Base.AnyNode(mc.From)
			}
			for _, c := range mc.Columns {
				if c.Change == change.Renamed {
					r.columns[strings.ToLower(c.To)] = c.From
				}
			}
			if r.fromNode != nil || len(r.columns) > 0 {
				s.upRenames[mc.UniqueID] = r
			}
		}
	}
	return s
}

func rootPackage(p *dbt.Project) string {
	for _, pk := range p.Packages {
		if pk.IsRoot {
			return pk.Name
		}
	}
	return p.Name
}

// targets lists the models to work on, sorted by path so edits and notes come out stable.
func (s *synth) targets() []target {
	var out []target
	keep := func(id string) bool { return s.in.Select == nil || s.in.Select(id) }
	if s.in.Change == nil {
		for id, n := range s.p.Nodes {
			if n.ResourceType == dbt.Model && !n.Disabled && n.Package == s.root && keep(id) {
				out = append(out, target{node: n})
			}
		}
		// Models switched off by configuration are the team's too (dbt.Project.OffModels).
		for _, n := range s.p.OffModels(s.root) {
			if keep(n.UniqueID) {
				out = append(out, target{node: n})
			}
		}
	} else {
		for _, mc := range s.in.Change.Models {
			if !keep(mc.UniqueID) {
				continue
			}
			if mc.Change == change.Removed {
				s.removedModel(mc)
				continue
			}
			n := s.p.AnyNode(mc.UniqueID)
			if n == nil || n.Package != s.root || n.Disabled && !mc.Off {
				continue
			}
			if mc.Change == change.Modified && !mc.SQLChanged && len(mc.Config) == 0 && change.DroppedEntry(s.in.Change, mc) == nil {
				continue // a property-only change: nothing for the SQL to say
			}
			out = append(out, target{node: n, mc: mc})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].node.OriginalFilePath < out[j].node.OriginalFilePath })
	return out
}

// removedModel plans the removal of a deleted model's entry when the head still has it.
func (s *synth) removedModel(mc *change.ModelChange) {
	if s.in.Change.Base == nil {
		return
	}
	bn := s.in.Change.Base.AnyNode(mc.UniqueID)
	if bn == nil || bn.Patch == nil || bn.Package != s.root || s.p.OffNode(mc.UniqueID) != nil {
		// (A model the change switched off is still there: its entry stays for the
		// configurations that build it.)
		return
	}
	file := bn.Patch.File
	if !s.headFileHasModel(file, bn.Name) {
		return
	}
	s.plan.Ops = append(s.plan.Ops, Op{Kind: OpRemoveModel, File: file, Model: bn.Name, Key: keyOr(bn.Patch.Key),
		Reason: "model " + bn.Name + " was deleted (" + mc.Path + ")"})
}

func keyOr(k string) string {
	if k == "" {
		return "models"
	}
	return k
}

// headFileHasModel reports whether a head property file still declares an entry by that name.
func (s *synth) headFileHasModel(file, name string) bool {
	m, ok := s.fileModels[file]
	if !ok {
		m = map[string]bool{}
		if s.in.ReadFile != nil {
			if data, err := s.in.ReadFile(file); err == nil {
				for _, n := range entryNames(data) {
					m[n] = true
				}
			}
		}
		s.fileModels[file] = m
	}
	return m[name]
}

// model synchronises one model's entry with its columns.
func (s *synth) model(t target) {
	n := t.node
	cols := s.in.Columns[n.UniqueID]
	var known []change.Column
	// Names recovered past SQL the parser could not read are guesses: the entry is left alone
	// rather than given columns the model may not have.
	usable := cols != nil && (cols.Origin == "sql" || cols.Origin == "warehouse") && len(cols.Columns) > 0 && cols.Unreadable == ""
	if usable {
		for _, c := range cols.Columns {
			if c.Unnamed {
				s.note(Note{Rule: "unnamed-column", Severity: "warning", Path: n.OriginalFilePath, Line: c.Pos.Line,
					Model: n.Name, Column: c.Name, Message: "select item has no alias; the warehouse will name it " + c.Name + ": give it a name to document it"})
				continue
			}
			known = append(known, c)
		}
	}
	if !usable {
		why := "its SQL could not be read"
		if cols != nil && cols.Unreadable != "" {
			why = cols.Unreadable
		} else if cols != nil && len(cols.Unresolved) > 0 {
			why = cols.Unresolved[0]
		} else if n.Language == "python" {
			why = "it is a Python model"
		}
		if t.mc == nil || t.mc.SQLChanged {
			s.note(Note{Rule: "unknown-columns", Severity: "info", Path: n.OriginalFilePath, Line: 1, Model: n.Name,
				Message: "columns of " + n.Name + " are unknown (" + why + "); its property entry was left as it is"})
		}
		return
	}
	resolved := cols.Resolved()
	entry := s.entryOf(t)
	if entry == nil {
		if d := s.droppedEntry(t); d != nil {
			s.restoredEntry(t, d, known)
			return
		}
		if t.mc != nil && t.mc.Change != change.Added && !contractEnforced(n) && s.in.Config.Columns != "all" && !s.refusedBeside(n) &&
			!s.folderDocuments(n) {
			// The team never documented this model: changing it is no reason to start.
			return
		}
		s.newEntry(t, known)
		return
	}
	if entry.versioned {
		s.note(Note{Rule: "versioned-model", Severity: "info", Path: entry.file, Line: entry.line, Model: n.Name,
			Message: "versioned model " + n.Name + ": its versions' columns are left as they are"})
		return
	}
	s.syncEntry(t, entry, known, resolved)
}

// entry is where a model is documented.
type entry struct {
	file      string
	name      string // as the file spells it
	key       string
	line      int
	columns   []*dbt.Column
	versioned bool
	renamed   bool // a rename-model op was planned for it
}

func (s *synth) entryOf(t target) *entry {
	n := t.node
	if n.Patch != nil && n.Patch.File != "" && !strings.Contains(n.Patch.File, "dbt_packages/") {
		return &entry{file: n.Patch.File, name: n.Name, key: keyOr(n.Patch.Key), line: n.Patch.Pos.Line,
			columns: n.Columns, versioned: n.Version != ""}
	}
	// A renamed model whose entry still has the old name: rename the entry, keep everything.
	if t.mc != nil && t.mc.Change == change.Renamed && s.in.Change.Base != nil {
		bn := s.in.Change.Base.AnyNode(t.mc.From)
		if bn != nil && bn.Patch != nil && s.headFileHasModel(bn.Patch.File, bn.Name) {
			s.plan.Ops = append(s.plan.Ops, Op{Kind: OpRenameModel, File: bn.Patch.File, Model: bn.Name, From: bn.Name,
				Key: keyOr(bn.Patch.Key), Column: ColumnSpec{Name: n.Name},
				Reason: "model " + bn.Name + " was renamed to " + n.Name})
			return &entry{file: bn.Patch.File, name: n.Name, key: keyOr(bn.Patch.Key), line: bn.Patch.Pos.Line,
				columns: bn.Columns, renamed: true}
		}
	}
	if e := s.misnamedEntry(t); e != nil {
		return e
	}
	return nil
}

// misnamedEntry finds the entry written for the model under its file's name (`- name:
// daily_revenue.sql`), which dbt matches to nothing (the loader's unknown-patch warning),
// plans the renaming of its name alone and gives it as the model's entry: its description
// and columns are the engineer's docs, which a second entry in a new file would ignore and
// duplicate.
func (s *synth) misnamedEntry(t target) *entry {
	n := t.node
	if s.in.ReadFile == nil {
		return nil
	}
	key := map[string]string{dbt.Model: "models", dbt.Seed: "seeds", dbt.Snapshot: "snapshots"}[n.ResourceType]
	for _, d := range s.p.Diagnostics {
		if d.Kind != dbt.KindUnknownPatch || d.Pos.Path == "" || strings.Contains(d.Pos.Path, "dbt_packages/") {
			continue
		}
		data, err := s.in.ReadFile(d.Pos.Path)
		if err != nil {
			continue
		}
		decls, err := dbt.ParsePropertyFile(d.Pos.Path, data)
		if err != nil {
			continue
		}
		for _, dc := range decls {
			if dc.Key != key || dc.Pos.Line != d.Pos.Line || !dbt.EntryMeans(dc.Name, n.Name) {
				continue
			}
			s.plan.Ops = append(s.plan.Ops, Op{Kind: OpRenameModel, File: d.Pos.Path, Model: dc.Name, From: dc.Name, Key: key,
				Column: ColumnSpec{Name: n.Name},
				Reason: "entry " + dc.Name + " names no model (dbt drops it): " + n.Name + " is the model it documents"})
			return &entry{file: d.Pos.Path, name: n.Name, key: key, line: dc.Pos.Line, columns: dc.Columns, renamed: true}
		}
	}
	return nil
}

// syncEntry plans the column edits of an existing entry.
func (s *synth) syncEntry(t target, e *entry, known []change.Column, resolved bool) {
	n := t.node
	documented := map[string]string{} // folded name -> name as written
	for _, c := range e.columns {
		documented[dbt.ColumnKey(c.Name)] = c.Name
	}
	// An enforced contract needs every column, typed: dbt refuses the model otherwise.
	contract := contractEnforced(n)
	wantAll := t.mc == nil || t.mc.Change == change.Added || s.in.Config.Columns == "all" || contract
	candidates := map[string]bool{}
	renamedFrom := map[string]string{} // new folded name -> old name
	retyped := map[string]bool{}
	removedByChange := map[string]bool{}
	if t.mc != nil {
		for _, cc := range t.mc.Columns {
			switch cc.Change {
			case change.Added:
				candidates[strings.ToLower(cc.Name)] = true
			case change.Renamed:
				renamedFrom[strings.ToLower(cc.To)] = cc.From
				candidates[strings.ToLower(cc.To)] = true
			case change.Retyped:
				retyped[strings.ToLower(cc.Name)] = true
			case change.Removed:
				removedByChange[strings.ToLower(cc.Name)] = true
			}
		}
	}
	// The entry of a model the change added lists what a new entry would (listedColumns).
	var listed map[string]bool
	partial := false // listed is the part of the model the entry lists (listsToTest)
	if wantAll && t.mc != nil && t.mc.Change == change.Added {
		if keys := s.listedColumns(t, e.file, known); len(keys) < len(known) {
			listed = map[string]bool{}
			for _, c := range keys {
				listed[strings.ToLower(c.Name)] = true
			}
		}
	} else if !wantAll && len(candidates) > 0 {
		listed = s.listsToTest(n, e.file, documented, known, candidates)
		partial = listed != nil
	}
	leftOut := false
	writeTypes := s.wantTypes(n, e)
	nc := s.nameCaseFor(e.columns, e.file)
	prev := ""
	// The first documented column that comes before any added one keeps added columns in SQL
	// order: each goes after the closest column above it in the SQL that the entry lists.
	for _, c := range known {
		k := strings.ToLower(c.Name)
		if name, ok := documented[k]; ok {
			prev = name
			if typ := s.typeOf(n, c, retyped[k]); writeTypes && typ != "" {
				if dc := findColumn(e.columns, k); dc != nil && dc.DataType == "" && contract {
					s.plan.Ops = append(s.plan.Ops, Op{Kind: OpSetDataType, File: e.file, Model: e.name, Key: e.key,
						Column: ColumnSpec{Name: name, DataType: typ}, Reason: "the model enforces a contract"})
				} else if dc != nil && dc.DataType != "" && !change.SameType(dc.DataType, typ) && (retyped[k] || t.mc == nil && s.warehouseType(n, c) != "") {
					// Outside a change, only the warehouse's word replaces the type an engineer
					// wrote: an inferred type is a guess from casts and upstream entries.
					s.plan.Ops = append(s.plan.Ops, Op{Kind: OpSetDataType, File: e.file, Model: e.name, Key: e.key,
						Column: ColumnSpec{Name: name, DataType: typ}, Reason: "type changed from " + dc.DataType + " to " + typ})
				}
			}
			continue
		}
		if old, ok := renamedFrom[k]; ok {
			if oldName, has := documented[strings.ToLower(old)]; has {
				s.plan.Ops = append(s.plan.Ops, Op{Kind: OpRenameColumn, File: e.file, Model: e.name, Key: e.key,
					From: oldName, Column: ColumnSpec{Name: spell(c, nc)}, Reason: "column " + oldName + " was renamed to " + c.Name})
				delete(documented, strings.ToLower(old))
				documented[k] = spell(c, nc)
				prev = documented[k]
				continue
			}
		}
		if !wantAll && !candidates[k] {
			// A column the change did not touch is added only when the team's own words
			// describe it (see backfill).
			if !s.backfill(t, e) {
				continue
			}
			spec := s.columnSpec(n, c, nc, writeTypes, false)
			if !knownSource(spec.DescriptionFrom) {
				continue
			}
			s.plan.Ops = append(s.plan.Ops, Op{Kind: OpAddColumn, File: e.file, Model: e.name, Key: e.key, Column: spec, After: prev,
				Reason: "column " + c.Name + " is in the SQL but not documented, and the project describes it"})
			documented[k] = spec.Name
			prev = spec.Name
			continue
		}
		if listed != nil && !listed[k] {
			leftOut = true
			continue
		}
		if !wantAll && len(e.columns) == 0 {
			// The team documents this model without its columns: a change adding one is no
			// reason to start a list of one.
			continue
		}
		spec := s.columnSpec(n, c, nc, writeTypes, candidates[k] || retyped[k])
		s.plan.Ops = append(s.plan.Ops, Op{Kind: OpAddColumn, File: e.file, Model: e.name, Key: e.key, Column: spec, After: prev,
			Reason: "column " + c.Name + " is in the SQL but not documented"})
		documented[k] = spec.Name
		prev = spec.Name
	}
	if leftOut {
		kept := 0
		for _, c := range known {
			if _, ok := documented[strings.ToLower(c.Name)]; ok {
				kept++
			}
		}
		if partial {
			s.partialNote(n, e.file, kept, len(known))
		} else {
			s.fewColumnsNote(n, e.file, kept, len(known))
		}
	}
	if !resolved {
		return
	}
	// Entries of columns the model no longer outputs.
	present := map[string]bool{}
	for _, c := range known {
		present[strings.ToLower(c.Name)] = true
	}
	for _, dc := range e.columns {
		k := dbt.ColumnKey(dc.Name)
		if present[k] {
			continue
		}
		if _, still := documented[k]; !still {
			continue // renamed above
		}
		added := t.mc != nil && t.mc.Change == change.Added
		if t.mc != nil && !added && !removedByChange[k] && s.in.Config.Columns != "all" {
			continue // stale before this change: not this change's business
		}
		line := dc.Pos.Line
		if s.in.Config.RemoveStale {
			s.plan.Ops = append(s.plan.Ops, Op{Kind: OpRemoveColumn, File: e.file, Model: e.name, Key: e.key,
				Column: ColumnSpec{Name: dc.Name}, Reason: "column " + dc.Name + " is no longer in the SQL"})
			continue
		}
		// A model the change adds never output the column: its entry was written for another
		// model (copied) or misspells the column, and the change is the one to fix it.
		verb := " no longer outputs it"
		if added {
			verb = " does not output it"
		}
		s.note(Note{Rule: "stale-column", Severity: "warning", Path: e.file, Line: line, Model: n.Name, Column: dc.Name,
			Message: "column " + dc.Name + " is documented but " + n.Name + verb + " (set schema.remove_stale: true to remove such entries)"})
	}
}

// backfill reports whether the undocumented columns of a changed model that the change did not
// add are candidates too (schema.columns: known): the change added or renamed a column of the
// model and its entry lists columns, so the team documents them one by one, and the engineer
// editing the column list is often the one who completes it. Only columns a source in the team's words describes are
// added (knownSource): a name description of a column nobody touched would be noise in the
// pull request.
func (s *synth) backfill(t target, e *entry) bool {
	if s.in.Config.Columns != ColumnsKnown || t.mc == nil || !t.mc.SQLChanged || len(e.columns) == 0 {
		return false
	}
	// Only a change to the model's column list: a reformatted query or a changed filter is no
	// occasion to document what was there before.
	for _, cc := range t.mc.Columns {
		if cc.Change == change.Added || cc.Change == change.Renamed {
			return true
		}
	}
	return false
}

// knownSource reports whether a description came from the team's words (upstream lineage,
// another model, history, the dictionary, retrieved docs, a language model) rather than from
// the column's name or the placeholder.
func knownSource(from string) bool {
	kind, _, _ := strings.Cut(from, ":")
	return kind != "" && kind != FromName && kind != FromPlaceholder
}

func findColumn(cs []*dbt.Column, folded string) *dbt.Column {
	for _, c := range cs {
		if dbt.ColumnKey(c.Name) == folded {
			return c
		}
	}
	return nil
}

// columnSpec builds a new column entry: its name (in the case nc says), type and description.
func (s *synth) columnSpec(n *dbt.Node, c change.Column, nc nameCase, writeTypes bool, fresh bool) ColumnSpec {
	spec := ColumnSpec{Name: spell(c, nc)}
	if writeTypes {
		spec.DataType = s.typeOf(n, c, fresh)
	}
	spec.Description, spec.DescriptionFrom, spec.DescriptionSource = s.description(n, c)
	return spec
}

// warehouseType is the type the warehouse's catalog gives the column, or "".
func (s *synth) warehouseType(n *dbt.Node, c change.Column) string {
	for _, tc := range s.in.Types[n.UniqueID] {
		if strings.EqualFold(tc.Name, c.Name) && tc.DataType != "" {
			return tc.DataType
		}
	}
	return ""
}

// typeOf is the type to write for a column: the warehouse's exact type when it has one and the
// column is not new or retyped by the change (fresh), else the inferred type; in the case the
// project writes its types in.
func (s *synth) typeOf(n *dbt.Node, c change.Column, fresh bool) string {
	t := c.DataType
	if !fresh {
		if w := s.warehouseType(n, c); w != "" {
			t = w
		}
	}
	// The team's spelling of the same type (int64 where the SQL cast to integer).
	if sp := s.style.spelling[typeKind(s.p.Adapter, t)]; sp != "" && t != "" {
		t = sp
		if !s.style.lowerTypes {
			t = strings.ToUpper(t)
		}
		return t
	}
	if s.style.lowerTypes {
		t = strings.ToLower(t)
	}
	return t
}

// inherited finds the description of the upstream column c passes through unchanged (a copy,
// a rename, or a cast or clean-up under the same name, through any number of CTEs and models),
// up to a few models up, with where it is written. A column fed by several upstream columns of
// one name (a union of sources, a coalesce of two staging models) takes their description when
// they agree. A description that names a role the column does not have in n (a primary key
// copied onto a foreign key, or the reverse) is not inherited: it would be wrong.
func (s *synth) inherited(n *dbt.Node, c change.Column) (string, string, string) {
	name := c.Name
	level := []change.Column{c}
	for depth := 0; depth <= 8 && len(level) > 0; depth++ {
		var ups []change.Upstream
		for _, lc := range level {
			if !passThrough(lc) {
				return "", "", ""
			}
			ups = append(ups, lc.Lineage...)
		}
		var desc, written, from, source string
		var next []change.Column
		for _, u := range ups {
			if d, dc := s.documentedDescription(u); d != "" {
				if desc != "" && strings.TrimSpace(d) != strings.TrimSpace(desc) {
					return "", "", "" // the sources disagree: no one description is right
				}
				desc, written, from, source = d, s.asWritten(u.Node, dc), FromUpstream+":"+u.Node+"."+u.Column, posString(dc.Pos.Path, dc.Pos.Line)
				continue
			}
			if up := s.in.Columns[u.Node]; up != nil {
				if uc := up.Find(u.Column); uc != nil {
					next = append(next, *uc)
				}
			}
		}
		if desc != "" {
			if roleChanged(desc, n.Name, name) {
				return "", "", ""
			}
			return written, from, source
		}
		level = next
	}
	return "", "", ""
}

// passThrough: the column carries one upstream column's meaning: a plain copy or rename, or an
// expression over that one column that keeps its name (a cast, a trim, a coalesce), which
// staging models write for nearly every column.
func passThrough(c change.Column) bool {
	if len(c.Lineage) == 0 {
		return false
	}
	if len(c.Lineage) > 1 {
		// Several inputs carry one meaning only when they are the same column of several
		// relations under the column's own name.
		for _, u := range c.Lineage {
			if !strings.EqualFold(u.Column, c.Name) {
				return false
			}
		}
		return c.Kind == "direct" || c.Kind == "transform"
	}
	switch c.Kind {
	case "direct":
		return true
	case "transform":
		return strings.EqualFold(c.Name, c.Lineage[0].Column)
	}
	return false
}

var (
	primaryKeyProse = lazyregexp.New(`(?i)\b(?:primary|surrogate|natural|business)\s+key\b|\bpk\b|\bunique\s+(?:identifier|id|key)\b|\buniquely\s+identif|\bidentifies\s+(?:each|a|the)\b|\bone\s+row\s+per\b`)
	foreignKeyProse = lazyregexp.New(`(?i)\bforeign\s+key\b|\bfk\b|\breferences?\s+(?:to\s+)?(?:the\s+)?[a-z_]+\b|\brefers\s+to\b|\bkey\s+(?:of|to|into)\s+(?:the\s+)?[a-z_]*(?:dim|table|model)`)
)

// roleChanged reports whether a description states a key role that column does not play in
// model: "Primary key" on a column that is not the model's key, "Foreign key to x" on one that
// is. The model's key is read from names, as a reader would: id, or <entity>_id / _key / _pk /
// _sk where the model is about that entity.
func roleChanged(desc, model, column string) bool {
	isKey := keyByName(model, column)
	switch {
	case foreignKeyProse.MatchString(desc):
		return isKey
	case primaryKeyProse.MatchString(desc):
		return !isKey
	}
	return false
}

// keyByName: id, or a key column whose entity the model's name starts with once its layer and
// source prefixes are stripped (dim_customers.customer_id, stg_shop__orders.order_key).
func keyByName(model, column string) bool {
	col := strings.ToLower(column)
	if col == "id" {
		return true
	}
	m := strings.ToLower(model)
	if i := strings.IndexByte(m, '_'); i > 0 && modelLayers[m[:i]] {
		m = m[i+1:]
	}
	// stg_stripe__customers is about customers; int_customers__joined too.
	entities := []string{m}
	if i := strings.LastIndex(m, "__"); i >= 0 {
		entities = append(entities, m[i+2:])
	}
	for _, suf := range []string{"_id", "_key", "_pk", "_sk"} {
		base, ok := strings.CutSuffix(col, suf)
		if !ok || base == "" {
			continue
		}
		for _, e := range entities {
			if strings.HasPrefix(e, base) || strings.HasPrefix(e, strings.TrimSuffix(base, "y")+"ies") {
				return true
			}
		}
		return false
	}
	return false
}

func (s *synth) documentedDescription(u change.Upstream) (string, *dbt.Column) {
	var cols []*dbt.Column
	model := ""
	if n := s.p.AnyNode(u.Node); n != nil {
		cols, model = n.Columns, n.Name
	} else if src, ok := s.p.Sources[u.Node]; ok {
		cols, model = src.Columns, src.Name
	}
	// The change may rename the upstream model or column; its entry still has the old names
	// until this plan is applied.
	name := u.Column
	if r, ok := s.upRenames[u.Node]; ok {
		if len(cols) == 0 && r.fromNode != nil {
			cols, model = r.fromNode.Columns, r.fromNode.Name
		}
		if old, ok := r.columns[strings.ToLower(u.Column)]; ok && findColumn(cols, strings.ToLower(u.Column)) == nil {
			name = old
		}
	}
	for _, c := range cols {
		if strings.EqualFold(c.Name, name) {
			// A description that says only what the name says is no upstream description:
			// the lineage is followed further up, as it is for an undocumented column.
			if d := strings.TrimSpace(c.Description); d != "" && !s.isPlaceholder(d) && !s.fromItsName(model, c) {
				return c.Description, c
			}
		}
	}
	return "", nil
}

// asWritten is the text a copy of column c of node id writes: the doc() call its entry
// makes, when it makes one and belongs to the root package (whose docs blocks the copy's
// call finds as the original's does), else its description.
func (s *synth) asWritten(id string, c *dbt.Column) string {
	if c.DocDescription == "" {
		return c.Description
	}
	pkg := ""
	if n := s.p.AnyNode(id); n != nil {
		pkg = n.Package
	} else if src, ok := s.p.Sources[id]; ok {
		pkg = src.Package
	}
	if pkg != s.root {
		return c.Description
	}
	return c.DocDescription
}

// fromItsName reports whether the description of column c of model says only what the
// column's name says: marked description_from: name, or the very text the name source (7. in
// docs/schema.md) writes for that column in that model. Such a text is often this plan's own
// output of an earlier --write, and taken for the team's words (upstream, project) it would
// spread to other models' columns, and count as a known source (backfill) the second time but
// not the first: one --write would not be the fixed point. A human who wrote the same words
// added nothing the name source does not write again.
func (s *synth) fromItsName(model string, c *dbt.Column) bool {
	for _, meta := range []any{c.Meta, c.Config["meta"]} {
		if m, ok := meta.(map[string]any); ok && m["description_from"] == FromName {
			return true
		}
	}
	d := strings.TrimSpace(c.Description)
	if d == "" || model == "" {
		return false
	}
	name := strings.Trim(c.Name, "\"'`")
	for _, col := range []string{name, splitJoined(name, s.nameVocabulary())} {
		if t := nameDescription(model, col); t != "" && strings.EqualFold(t, d) {
			return true
		}
	}
	return false
}

// isPlaceholder: a placeholder upstream is not a description worth copying.
func (s *synth) isPlaceholder(d string) bool {
	t := strings.ToLower(strings.TrimSpace(d))
	if s.in.Config.DescriptionPlaceholder != "" && t == strings.ToLower(strings.TrimSpace(s.in.Config.DescriptionPlaceholder)) {
		return true
	}
	// The placeholders the naming conventions know ("N/A", "TBD.", "DESCRIPTION_PLACEHOLDER")
	// are no text to copy either.
	return defaultConventions.isPlaceholder(d, "")
}

var defaultConventions = DefaultConventions()

// wantTypes decides whether data_type is written for this entry (see Config.DataType).
func (s *synth) wantTypes(n *dbt.Node, e *entry) bool {
	switch s.in.Config.DataType {
	case "always":
		return true
	case "never":
		return false
	}
	if contractEnforced(n) {
		return true
	}
	if e != nil {
		typed := 0
		for _, c := range e.columns {
			if c.DataType != "" {
				typed++
			}
		}
		if len(e.columns) > 0 {
			return typed*2 > len(e.columns)
		}
		if f, ok := s.style.typedFiles[e.file]; ok {
			return f
		}
	}
	return s.style.typedProject
}

func contractEnforced(n *dbt.Node) bool {
	c, ok := n.Config["contract"].(map[string]any)
	if !ok {
		return false
	}
	v, _ := c["enforced"].(bool)
	return v
}

// note adds n once: the versions of a versioned model share one property entry, and each
// would otherwise repeat the same note on the same line.
func (s *synth) note(n Note) {
	if s.noted[n] {
		return
	}
	if s.noted == nil {
		s.noted = map[Note]bool{}
	}
	s.noted[n] = true
	s.plan.Notes = append(s.plan.Notes, n)
}

// habitNode is the version of model m that says how the team documents its models. With a
// change, a model the change added says nothing: its entry, when it has one, may be what an
// earlier --write of this same change wrote. A model the change renamed or modified is read as
// it was at the base, before this plan (or an earlier --write) added to its entry. Every other
// model is read as it is: with a change, the Synthesizer never edits the entries of models the
// change did not touch (KeepTouched). So the folders' habits, and every decision taken from
// them, are the same whether or not the files hold the Synthesizer's own earlier output, and
// one --write is the fixed point. nil means m is left out.
func (s *synth) habitNode(m *dbt.Node) *dbt.Node {
	cs := s.in.Change
	if cs == nil {
		return m
	}
	if s.changed == nil {
		s.changed = map[string]*change.ModelChange{}
		for _, mc := range cs.Models {
			s.changed[mc.UniqueID] = mc
		}
	}
	mc := s.changed[m.UniqueID]
	switch {
	case mc == nil:
		return m
	case mc.Change == change.Added:
		return nil
	case cs.Base == nil:
		return m
	}
	from := mc.UniqueID
	if mc.From != "" {
		from = mc.From
	}
	if bn := cs.Base.AnyNode(from); bn != nil {
		return bn
	}
	return m
}

// folderHabitMin is how many other models a folder needs before its habit says anything.
const folderHabitMin = 3

// folderDocuments reports whether the team documents the models of n's folder: at least
// folderHabitMin other models there, nine in ten or more of them with a property entry. A
// model such a team left without one gets an entry when a change touches it, as the team's
// reviewer would ask (cal-itp's engineers wrote one in 2 of the 30 replayed pull requests).
// A folder with too few other models (one the change created, as when a model is renamed
// into a new mart's folder) takes the habit of the nearest enclosing folder that has enough
// models beneath it.
func (s *synth) folderDocuments(n *dbt.Node) bool {
	if s.folderEntries == nil {
		s.folderEntries = map[string][2]int{}
		for _, m := range s.p.Nodes {
			if m.ResourceType != dbt.Model || m.Package != s.root || m.Disabled {
				continue
			}
			hm := s.habitNode(m)
			if hm == nil {
				continue
			}
			count := func(key string) {
				c := s.folderEntries[key]
				c[0]++
				if hm.Patch != nil {
					c[1]++
				}
				s.folderEntries[key] = c
			}
			// Counted for its folder ("d") and for the tree of that folder and of every folder
			// above it ("d/").
			d := path.Dir(m.OriginalFilePath)
			count(d)
			for ; ; d = path.Dir(d) {
				count(d + "/")
				if d == "." || d == "/" {
					break
				}
			}
		}
	}
	d := path.Dir(n.OriginalFilePath)
	c := s.folderEntries[d]
	for c[0]-1 < folderHabitMin && d != "." && d != "/" {
		d = path.Dir(d)
		c = s.folderEntries[d+"/"]
	}
	others := c[0] - 1 // n itself has no entry
	return others >= folderHabitMin && float64(c[1]) >= 0.9*float64(others)
}

// refusedBeside reports whether a property file in n's folder was refused because it leads
// outside the project: the model may well be documented there, and leaving it alone would hide
// that the file cannot be edited.
func (s *synth) refusedBeside(n *dbt.Node) bool {
	dir := path.Dir(n.OriginalFilePath)
	for _, d := range s.p.Diagnostics {
		if d.Kind == "outside-project" && path.Dir(d.Pos.Path) == dir && (strings.HasSuffix(d.Pos.Path, ".yml") || strings.HasSuffix(d.Pos.Path, ".yaml")) {
			return true
		}
	}
	return false
}

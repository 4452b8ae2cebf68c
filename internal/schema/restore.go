package schema

import (
	"strconv"
	"strings"

	"github.com/dataops-dev/dataops/internal/change"
	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/fsconfine"
)

// maxRestoredFile bounds the base property file read for a restored entry.
const maxRestoredFile = 16 << 20

// A pull request that moves or renames a model often moves its documentation too: the old
// property file is deleted and a new one written beside the model. When the new one is
// missing (forgotten, or not yet written), the model that was documented at the base has no
// entry in the head, and its descriptions are lost. The Synthesizer writes the entry again,
// where a new entry for the model would go, with the base entry's description and its
// columns' descriptions as written there ({{ doc() }} calls kept), under their new names.

// FromBase is the description source of a restored entry: the model's own entry at the base.
const FromBase = "base"

// droppedEntry is the base's property entry of a model the change kept (modified or
// renamed) and left without one; nil when there is none.
func (s *synth) droppedEntry(t target) *dbt.Declaration {
	if t.mc == nil || s.in.Change == nil {
		return nil
	}
	bn := change.DroppedEntry(s.in.Change, t.mc)
	if bn == nil || bn.Patch.File == "" || bn.Package != s.root || strings.Contains(bn.Patch.File, "dbt_packages/") {
		return nil
	}
	// Read as the base was loaded: confined to its tree and the roots its links may lead to
	// (a light base links unchanged files to the work tree), nothing beyond.
	base := s.in.Change.Base
	dir, err := fsconfine.Open(base.Root, base.Roots...)
	if err != nil {
		return nil
	}
	defer dir.Close()
	data, err := dir.ReadFileMax(bn.Patch.File, maxRestoredFile)
	if err != nil {
		return nil
	}
	decls, err := dbt.ParsePropertyFile(bn.Patch.File, data)
	if err != nil {
		return nil
	}
	for _, d := range decls {
		if d.Key == keyOr(bn.Patch.Key) && d.Name == bn.Name {
			return d
		}
	}
	return nil
}

// restoredEntry plans the entry of t again from its base entry d: the columns d listed that
// the model still has, under their names now, and the columns the change added.
func (s *synth) restoredEntry(t target, d *dbt.Declaration, known []change.Column) {
	n := t.node
	file := s.fileFor(n)
	if file == "" {
		return
	}
	newName := t.mc.RenamedColumns()
	added := map[string]bool{}
	for _, cc := range t.mc.Columns {
		if cc.Change == change.Added {
			added[strings.ToLower(cc.Name)] = true
		}
	}
	was := map[string]*dbt.Column{} // folded name now -> the base entry's column
	for _, c := range d.Columns {
		k := dbt.ColumnKey(c.Name)
		if to, ok := newName[k]; ok {
			k = to
		}
		was[k] = c
	}
	upper := len(d.Columns) > 0
	for _, c := range d.Columns {
		upper = upper && c.Name == strings.ToUpper(c.Name)
	}
	writeTypes := s.wantTypes(n, &entry{file: file})
	nc := s.nameCaseFor(d.Columns, file)
	oldName := d.Name
	spec := &ModelSpec{Name: n.Name}
	spec.Description, _ = s.headDocs(d.Description, oldName, n.Name)
	if spec.Description == "" {
		spec.Description = s.in.Config.ModelDescriptionPlaceholder
	}
	for _, c := range known {
		k := strings.ToLower(c.Name)
		bc, listed := was[k]
		if len(d.Columns) > 0 && !listed && !added[k] {
			continue
		}
		cs := s.columnSpec(n, c, nc, writeTypes, t.mc != nil)
		switch {
		case listed:
			cs.Name = spelledAs(bc.Name, cs.Name)
		case upper:
			cs.Name = strings.ToUpper(cs.Name)
		}
		if desc, ok := s.headDocs(descOf(bc), oldName, n.Name); listed && ok && desc != "" {
			cs.Description, cs.DescriptionFrom, cs.DescriptionSource = desc, FromBase, d.Pos.Path+":"+strconv.Itoa(bc.Pos.Line)
		}
		if listed && bc.DataType != "" && writeTypes && cs.DataType == "" {
			cs.DataType = bc.DataType
		}
		spec.Columns = append(spec.Columns, cs)
	}
	if _, ok := s.newEntries[file]; !ok {
		s.newOrder = append(s.newOrder, file)
	}
	s.newEntries[file] = append(s.newEntries[file], spec)
	s.restored[n.Name] = d.Pos.Path
}

// spelledAs writes name in the case the base entry wrote its column in (upper, lower or as
// it was): a column renamed keeps the entry's habit.
func spelledAs(was, name string) string {
	switch {
	case strings.EqualFold(was, name):
		return was
	case was == strings.ToUpper(was):
		return strings.ToUpper(name)
	case was == strings.ToLower(was):
		return strings.ToLower(name)
	}
	return name
}

func descOf(c *dbt.Column) string {
	if c == nil {
		return ""
	}
	return c.Description
}

// headDocs is desc with its doc() calls checked against the head's docs blocks: a block the
// change renamed with the model (doc('old_model') now doc('new_model')) is called by its new
// name; ok is false, and desc "", when a call names a block the head does not have.
func (s *synth) headDocs(desc, oldModel, newModel string) (string, bool) {
	for _, name := range dbt.DocCalls(desc) {
		if s.hasDoc(name) {
			continue
		}
		renamed := strings.ReplaceAll(name, oldModel, newModel)
		if renamed == name || !s.hasDoc(renamed) {
			return "", false
		}
		desc = strings.NewReplacer("'"+name+"'", "'"+renamed+"'", `"`+name+`"`, `"`+renamed+`"`).Replace(desc)
	}
	return desc, true
}

func (s *synth) hasDoc(name string) bool {
	for _, pkg := range s.p.Packages {
		if s.p.Docs["doc."+pkg.Name+"."+name] != nil {
			return true
		}
	}
	return false
}

package schema

import (
	"strings"

	"github.com/dataops-dev/dataops/internal/change"
	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/yamledit"
)

// Agent is the name findings of the Schema Synthesizer carry.
const Agent = "schema"

// Finding turns a note into the review contract's finding shape.
func (n Note) Finding() Finding {
	return Finding{Agent: Agent, Rule: n.Rule, Severity: n.Severity, Path: n.Path, Line: n.Line, Message: n.Message}
}

// ConventionFindings checks the team's conventions on what the plan wrote: every column of a
// model entry it created, and the columns it added or renamed in existing entries (with the
// entry itself, so a changed model that lacks a required description is flagged). Columns a
// change did not touch are left to `dataops review` of the whole project: a pull request is not
// the place to relitigate them. Positions are those of the edited files.
func ConventionFindings(c Conventions, p *dbt.Project, plan *Plan, edits []FileEdit, cols map[string]*change.ModelColumns) []Finding {
	newContent := map[string][]byte{}
	for _, e := range edits {
		newContent[e.Path] = e.New
	}
	type target struct {
		file, model string
		isNew       bool
		columns     map[string]bool
	}
	var order []string
	targets := map[string]*target{}
	get := func(file, model string) *target {
		k := file + "\x00" + model
		t := targets[k]
		if t == nil {
			t = &target{file: file, model: model, columns: map[string]bool{}}
			targets[k] = t
			order = append(order, k)
		}
		return t
	}
	fromName := map[string]bool{} // file \0 model \0 folded column
	for _, d := range plan.Descriptions() {
		if d.From == FromName {
			fromName[d.File+"\x00"+d.Model+"\x00"+strings.ToLower(d.Column)] = true
		}
	}
	for _, op := range plan.Ops {
		switch op.Kind {
		case OpAddModel:
			get(op.File, op.Model).isNew = true
		case OpRenameModel:
			get(op.File, op.Column.Name).isNew = true
		case OpAddColumn, OpRenameColumn:
			get(op.File, op.Model).columns[strings.ToLower(op.Column.Name)] = true
		}
	}
	byName := map[string]*dbt.Node{}
	root := rootPackage(p)
	for _, n := range p.Nodes {
		if n.Package == root && n.ResourceType == dbt.Model {
			byName[n.Name] = n
		}
	}
	files := map[string]*yamledit.File{}
	var out []Finding
	for _, k := range order {
		t := targets[k]
		data, ok := newContent[t.file]
		if !ok {
			continue
		}
		f, loaded := files[t.file]
		if !loaded {
			f, _ = yamledit.Load(t.file, data)
			files[t.file] = f
		}
		if f == nil {
			continue
		}
		e := f.Model(t.model)
		n := byName[t.model]
		if e == nil || n == nil {
			continue
		}
		inferred := columnIndex(cols[n.UniqueID])
		facts := ModelFacts{Name: t.model, Path: n.OriginalFilePath, PropertyPath: t.file, Line: e.Line, Description: e.Description}
		for _, ce := range e.Columns {
			if !t.isNew && !t.columns[strings.ToLower(ce.Name)] {
				continue
			}
			cf := ColumnFacts{Name: ce.Name, DataType: ce.DataType, Description: ce.Description, Path: t.file, Line: ce.Line,
				FromName: fromName[t.file+"\x00"+t.model+"\x00"+strings.ToLower(ce.Name)]}
			if cf.DataType == "" {
				if ic := inferred[strings.ToLower(ce.Name)]; ic != nil {
					cf.DataType = ic.DataType
				}
			}
			facts.Columns = append(facts.Columns, cf)
		}
		conv := c
		if !t.isNew || !c.stated[RuleModelPrefix] && !followsPrefixes(c, p, root, n) {
			conv.Disable = append(append([]string{}, c.Disable...), RuleModelPrefix)
		}
		for _, fd := range conv.Check(facts) {
			fd.Agent = Agent
			out = append(out, fd)
		}
	}
	return out
}

// followsPrefixes reports whether the project itself names the models of n's layer with the
// configured prefixes (most of them do). A team with its own naming is not told, on every new
// model, to follow someone else's.
func followsPrefixes(c Conventions, p *dbt.Project, root string, n *dbt.Node) bool {
	parts := strings.Split(n.OriginalFilePath, "/")
	var prefixes []string
	layer := ""
	for _, part := range parts[:len(parts)-1] {
		if pf, ok := c.ModelPrefixes[part]; ok {
			prefixes, layer = pf, part
		}
	}
	if layer == "" {
		return true
	}
	total, following := 0, 0
	for _, m := range p.Nodes {
		if m.Package != root || m.ResourceType != dbt.Model || m.UniqueID == n.UniqueID || !strings.Contains("/"+m.OriginalFilePath, "/"+layer+"/") {
			continue
		}
		total++
		for _, pf := range prefixes {
			if strings.HasPrefix(m.Name, pf) {
				following++
				break
			}
		}
	}
	return total == 0 || following*2 > total
}

// propertyFileFindings validates the edited files as dbt reads them and returns what the edits
// introduced (a finding the file had before is not the edits' doing).
func propertyFileFindings(edits []FileEdit) []Finding {
	var out []Finding
	for _, e := range edits {
		had := map[string]int{}
		if e.Old != nil {
			for _, f := range ValidatePropertyFile(e.Path, e.Old) {
				had[f.Rule+"\x00"+f.Message]++
			}
		}
		for _, f := range ValidatePropertyFile(e.Path, e.New) {
			k := f.Rule + "\x00" + f.Message
			if had[k] > 0 {
				had[k]--
				continue
			}
			f.Agent = Agent
			out = append(out, f)
		}
	}
	return out
}

// columnIndex maps the lowercased names of inferred columns to the first column of each name:
// looking each property column up in the list would be quadratic in a model's width.
func columnIndex(m *change.ModelColumns) map[string]*change.Column {
	if m == nil {
		return nil
	}
	out := make(map[string]*change.Column, len(m.Columns))
	for i := range m.Columns {
		k := strings.ToLower(m.Columns[i].Name)
		if _, dup := out[k]; !dup {
			out[k] = &m.Columns[i]
		}
	}
	return out
}

// LocateNotes gives each note on a file without a line one: the line of its model's entry
// (of its column when it names one) in the file as the edits leave it, else the file's
// first line. A note about a new entry (few-columns, a validation error on an added model)
// is made before the entry has a line; a finding at line 0 points at nothing. A file that
// leads outside the project keeps no line: it is not read, even to be pointed into.
func LocateNotes(notes []Note, edits []FileEdit, read func(rel string) ([]byte, error)) {
	content := map[string][]byte{}
	for _, e := range edits {
		content[e.Path] = e.New
	}
	files := map[string]*yamledit.File{}
	for i := range notes {
		n := &notes[i]
		if n.Path == "" || n.Line >= 1 || n.Rule == RuleOutsideProject {
			// A file that leads outside the project is neither read nor pointed into.
			continue
		}
		n.Line = 1
		if n.Model == "" || !strings.HasSuffix(n.Path, ".yml") && !strings.HasSuffix(n.Path, ".yaml") {
			continue
		}
		f, loaded := files[n.Path]
		if !loaded {
			data, ok := content[n.Path]
			if !ok && read != nil {
				data, _ = read(n.Path)
			}
			if data != nil {
				f, _ = yamledit.Load(n.Path, data)
			}
			files[n.Path] = f
		}
		if f == nil {
			continue
		}
		e := f.Model(n.Model)
		if e == nil {
			continue
		}
		n.Line = e.Line
		for _, c := range e.Columns {
			if n.Column != "" && strings.EqualFold(c.Name, n.Column) {
				n.Line = c.Line
				break
			}
		}
	}
}

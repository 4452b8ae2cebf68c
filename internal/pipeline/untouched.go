package pipeline

import (
	"fmt"
	"strings"

	"github.com/dataops-dev/dataops/internal/change"
	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/fsconfine"
	"github.com/dataops-dev/dataops/internal/yamledit"
)

// untouchedModels are the models a change lists as modified but did not touch: the change
// edits neither their SQL file nor what their property entry says, and no configuration of
// theirs changed (a model listed only because a file reads differently on the two sides). The
// review proposes nothing for them: a pull request's review never edits what it did not touch.
// Which files the change touches comes from git (or the two directories of --base-dir); with
// neither (touches is nil), every listed model counts as touched.
func untouchedModels(cs *change.ChangeSet, touches func(rel string) bool) map[string]bool {
	out := map[string]bool{}
	if cs.Base == nil || touches == nil {
		return out
	}
	for _, m := range cs.Models {
		if m.Change != change.Modified || len(m.Config) > 0 || m.Path == "" || touches(m.Path) {
			continue
		}
		h, b := cs.Head.AnyNode(m.UniqueID), cs.Base.AnyNode(m.UniqueID)
		if h == nil || b == nil || h.RawCode != b.RawCode || change.DroppedEntry(cs, m) != nil {
			continue
		}
		if h.Patch != nil && h.Patch.File != "" && touches(h.Patch.File) && entryText(cs.Head, h) != entryText(cs.Base, b) {
			continue
		}
		out[m.UniqueID] = true
	}
	return out
}

// entryText is what a node's property entry says as written in its file (description,
// columns with their descriptions, types and tests, entry tests); "" when it has none, and
// "\x00" when the file cannot be read, so that counts as a difference.
func entryText(p *dbt.Project, n *dbt.Node) string {
	if n.Patch == nil || n.Patch.File == "" {
		return ""
	}
	data, err := fsconfine.ReadFile(p.Root, n.Patch.File)
	if err != nil {
		return "\x00"
	}
	f, err := yamledit.Load(n.Patch.File, data)
	if err != nil {
		return "\x00"
	}
	e := f.Model(n.Name)
	if e == nil {
		return ""
	}
	var b strings.Builder
	tests := func(ts []*yamledit.TestEntry) {
		for _, t := range ts {
			b.WriteString(" " + t.Key + ":" + t.Name)
		}
	}
	fmt.Fprintf(&b, "%q", e.Description)
	tests(e.Tests)
	for _, c := range e.Columns {
		fmt.Fprintf(&b, "\n%s %q %q", c.Name, c.Description, c.DataType)
		tests(c.Tests)
	}
	return b.String()
}

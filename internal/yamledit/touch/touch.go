// Package touch exercises yamledit on a property file the way the schema synthesizer will: it
// loads the file, checks that an empty plan gives the bytes back, then makes one kind of edit to
// every entry and checks the result reads back with exactly the intended change and that the diff
// holds nothing but that change. The yamledit tests run it over crafted fixtures and
// bench/yamledit runs it over real projects. It never writes files.
package touch

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/dataops-dev/dataops/internal/yamledit"
)

// Result counts what one file went through.
type Result struct {
	Entries  int      // models, seeds, snapshots and source tables in the file (at most 20 are edited)
	Edits    int      // edits tried
	Failures []string // each failure with its file and what went wrong
	Skipped  []string // edits the editor refused with a reason (aliases of shared anchors)
}

// Edit kinds tried on every entry.
var Kinds = []string{"add-column", "add-test", "set-description", "rename-column", "remove-column", "add-model"}

// File runs every edit kind over the file.
func File(path string, data []byte) Result {
	var r Result
	f, err := yamledit.Load(path, data)
	if err != nil {
		r.Failures = append(r.Failures, "load: "+err.Error())
		return r
	}
	out, err := f.Plan().Apply()
	if err != nil || !bytes.Equal(out, data) {
		r.Failures = append(r.Failures, path+": no-op apply changed the file")
	}
	var entries []*yamledit.Entry
	for _, k := range []string{yamledit.Models, yamledit.Seeds, yamledit.Snapshots, yamledit.Sources} {
		entries = append(entries, f.Entries(k)...)
	}
	r.Entries = len(entries)
	// Every edit re-reads the whole file, so a file with hundreds of entries is sampled evenly.
	if len(entries) > maxEntries {
		step := float64(len(entries)) / maxEntries
		var s []*yamledit.Entry
		for i := 0; i < maxEntries; i++ {
			s = append(s, entries[int(float64(i)*step)])
		}
		entries = s
	}
	for _, e := range entries {
		if e.Ref.Name == "" {
			continue
		}
		for _, kind := range Kinds {
			if kind == "add-model" {
				continue
			}
			one(&r, f, path, data, e, kind)
		}
	}
	if len(f.Models()) > 0 {
		one(&r, f, path, data, nil, "add-model")
	}
	return r
}

const newCol = "dataops_touch_col"

// maxEntries bounds the entries edited per file.
const maxEntries = 20

// odd text: needs quoting (": " and a leading "{{"), so quoting rules are exercised too.
const newDesc = "{{ doc('x') }}: it's a \"touch\" # not a comment"

func one(r *Result, f *yamledit.File, path string, data []byte, e *yamledit.Entry, kind string) {
	r.Edits++
	p := f.Plan()
	var err error
	var col *yamledit.ColumnEntry
	if e != nil && len(e.Columns) > 0 {
		col = e.Columns[0]
	}
	addOnly := true
	switch kind {
	case "add-column":
		err = p.AddColumn(e.Ref, -1, yamledit.Column{Name: newCol, Description: newDesc, DataType: "varchar",
			Tests: []yamledit.Test{{Name: "not_null"}, {Name: "accepted_values", Args: []yamledit.KV{{Key: "values", Value: []string{"a", "b: c"}}}}}})
	case "add-test":
		if col == nil || col.Name == "" {
			err = p.AddTest(e.Ref, "", yamledit.Test{Name: "dbt_utils.expression_is_true", Args: []yamledit.KV{{Key: "expression", Value: "a > 0"}}})
		} else {
			err = p.AddTest(e.Ref, col.Name, yamledit.Test{Name: "relationships", Args: []yamledit.KV{{Key: "to", Value: "ref('x')"}, {Key: "field", Value: "id"}}})
		}
	case "set-description":
		addOnly = false
		if col == nil || col.Name == "" {
			err = p.SetDescription(e.Ref, newDesc)
		} else {
			err = p.SetColumnDescription(e.Ref, col.Name, newDesc)
		}
	case "rename-column":
		addOnly = false
		if col == nil || col.Name == "" {
			r.Edits--
			return
		}
		err = p.RenameColumn(e.Ref, col.Name, col.Name+"_renamed")
	case "remove-column":
		addOnly = false
		if col == nil || col.Name == "" {
			r.Edits--
			return
		}
		err = p.RemoveColumn(e.Ref, col.Name)
	case "add-model":
		err = p.AddModel(yamledit.Model{Name: "dataops_touch_model", Description: "Touch: new model",
			Columns: []yamledit.Column{{Name: "id", Tests: []yamledit.Test{{Name: "unique"}}}}})
	}
	where := path
	if e != nil {
		where = fmt.Sprintf("%s: %s: %s", path, e.Ref, kind)
	} else {
		where = fmt.Sprintf("%s: %s", path, kind)
	}
	if err != nil {
		if strings.Contains(err.Error(), "alias") || strings.Contains(err.Error(), "merged anchor") || strings.Contains(err.Error(), "is not a") {
			r.Skipped = append(r.Skipped, where+": "+err.Error())
			return
		}
		r.Failures = append(r.Failures, where+": "+err.Error())
		return
	}
	out, err := p.Apply()
	if err != nil {
		r.Failures = append(r.Failures, where+": "+err.Error())
		return
	}
	if col != nil && col.Alias != "" && kind != "add-column" && kind != "remove-column" {
		// `- *anchor` becomes `- <<: *anchor` plus own keys: that one line changes.
		addOnly = false
		if kind == "rename-column" {
			kind = "rename-alias"
		}
	}
	if problem := checkDiff(string(data), string(out), addOnly, kind); problem != "" {
		r.Failures = append(r.Failures, where+": "+problem+"\n"+yamledit.Diff(path, string(data), string(out)))
		return
	}
	f2, err := yamledit.Load(path, out)
	if err != nil {
		r.Failures = append(r.Failures, where+": reload: "+err.Error())
		return
	}
	if e != nil {
		if msg := checkEntry(f, f2, e, kind); msg != "" {
			r.Failures = append(r.Failures, where+": "+msg+"\n"+yamledit.Diff(path, string(data), string(out)))
		}
	}
}

// checkDiff: additions change no existing line; every edit touches few lines.
func checkDiff(old, new string, addOnly bool, kind string) string {
	d := yamledit.Diff("f", old, new)
	minus, plus := yamledit.Counts(d)
	if addOnly && minus > 0 && !strings.HasSuffix(old, "\n") && strings.HasSuffix(new, "\n") {
		// Appending after a last line without a line break has to end that line.
		minus--
		plus--
	}
	if addOnly && minus > 0 {
		// Adding to a flow list rewrites its one line; anything more is collateral change.
		if minus > 1 || plus > minus+1 && kind != "add-column" && kind != "add-model" {
			return fmt.Sprintf("an addition removed %d lines", minus)
		}
	}
	if kind == "rename-column" && (minus > 1 || plus != 1) {
		return fmt.Sprintf("a rename changed %d/%d lines", minus, plus)
	}
	if plus+minus == 0 {
		return "nothing changed"
	}
	return ""
}

// checkEntry compares the entry before and after: only the intended change happened.
func checkEntry(f, f2 *yamledit.File, e *yamledit.Entry, kind string) string {
	e2 := f2.Find(e.Ref)
	if e2 == nil {
		return "entry missing after edit"
	}
	names := func(x *yamledit.Entry) []string {
		var out []string
		for _, c := range x.Columns {
			out = append(out, c.Name)
		}
		return out
	}
	before, after := names(e), names(e2)
	switch kind {
	case "add-column":
		want := append(append([]string{}, before...), newCol)
		if strings.Join(want, ",") != strings.Join(after, ",") {
			return fmt.Sprintf("columns %v, want %v", after, want)
		}
		c := e2.Columns[len(e2.Columns)-1]
		if c.Description != newDesc || c.DataType != "varchar" || len(c.Tests) != 2 {
			return fmt.Sprintf("new column reads back as %+v", *c)
		}
	case "remove-column":
		if strings.Join(before[1:], ",") != strings.Join(after, ",") {
			return fmt.Sprintf("columns %v after removing the first of %v", after, before)
		}
	case "rename-column", "rename-alias":
		want := append([]string{before[0] + "_renamed"}, before[1:]...)
		if strings.Join(want, ",") != strings.Join(after, ",") {
			return fmt.Sprintf("columns %v, want %v", after, want)
		}
	default:
		if strings.Join(before, ",") != strings.Join(after, ",") {
			return fmt.Sprintf("columns changed: %v -> %v", before, after)
		}
	}
	m2 := f2.Models()
	for i, m := range f.Models() {
		if m.Ref == e.Ref {
			continue
		}
		if i >= len(m2) || m2[i].Ref != m.Ref || len(m2[i].Columns) != len(m.Columns) {
			return fmt.Sprintf("another model changed: %s", m.Ref)
		}
	}
	return ""
}

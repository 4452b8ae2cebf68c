package yamledit

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzApply makes edits chosen by the fuzzer on a property file chosen by the fuzzer. Whatever
// the input, nothing panics, and Apply either refuses with an error or returns YAML that loads
// again (Apply checks each edit's intent itself; this asserts that check is never skipped).
func FuzzApply(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/files/*.yml")
	for _, s := range seeds {
		data, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, []byte{0, 1, 2, 3, 4, 5, 6, 7, 8})
	}
	f.Fuzz(func(t *testing.T, data, ops []byte) {
		file, err := Load("f.yml", data)
		if err != nil {
			return
		}
		if out, err := file.Plan().Apply(); err != nil || string(out) != string(data) {
			t.Fatalf("no-op apply changed the file: %v", err)
		}
		var entries []*Entry
		for _, k := range []string{Models, Seeds, Snapshots, Sources} {
			entries = append(entries, file.Entries(k)...)
		}
		p := file.Plan()
		names := []string{"x", "is_active", "a: b", "{{ doc('d') }}", "multi\nline", "", "'q'", "#c"}
		for i := 0; i+2 < len(ops) && i < 24; i += 3 {
			op, a, b := ops[i], int(ops[i+1]), int(ops[i+2])
			if len(entries) == 0 {
				_ = p.AddModel(Model{Name: names[a%len(names)], Description: names[b%len(names)]})
				continue
			}
			e := entries[a%len(entries)]
			var col string
			if len(e.Columns) > 0 {
				col = e.Columns[b%len(e.Columns)].Name
			}
			name := names[b%len(names)]
			switch op % 9 {
			case 0:
				_ = p.AddColumn(e.Ref, b%(len(e.Columns)+2)-1, Column{Name: name + "_c", Description: names[a%len(names)], Tests: []Test{{Name: "unique"}}})
			case 1:
				_ = p.RemoveColumn(e.Ref, col)
			case 2:
				_ = p.RenameColumn(e.Ref, col, name+"_r")
			case 3:
				_ = p.SetColumnDescription(e.Ref, col, name)
			case 4:
				_ = p.SetColumnDataType(e.Ref, col, "varchar")
			case 5:
				_ = p.AddTest(e.Ref, col, Test{Name: "accepted_values", Args: []KV{{"values", []string{name, "b"}}}})
			case 6:
				_ = p.RemoveTest(e.Ref, col, "unique")
			case 7:
				_ = p.SetDescription(e.Ref, name)
			case 8:
				_ = p.AddModel(Model{Name: name + "_m", Columns: []Column{{Name: "id"}}})
			}
		}
		out, err := p.Apply()
		if err != nil {
			return
		}
		if _, err := Load("f.yml", out); err != nil {
			t.Fatalf("Apply returned YAML that does not load: %v\n%s", err, out)
		}
	})
}

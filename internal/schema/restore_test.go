package schema

import (
	"strings"
	"testing"

	"github.com/dataops-dev/dataops/internal/change"
)

// A model renamed and moved, its property file deleted and none written for its new name:
// the base entry is written again beside it, with its prose (doc() calls kept, a block renamed
// with the model called by its new name) under the columns' new names, and the column the
// change added.
func TestSynthesizeRestoresADroppedEntry(t *testing.T) {
	base := loadFixture(t, map[string]string{
		"models/staging/stg_c.sql": "select id, label from {{ source('raw', 'a') }}\n",
		"models/staging/_stg_c.yml": "version: 2\nmodels:\n  - name: stg_c\n    description: \"{{ doc('stg_c') }}\"\n    columns:\n" +
			"      - name: ID\n        description: \"{{ doc('id') }}\"\n      - name: LABEL\n        description: What the row is called.\n",
	})
	// The change renamed the model's docs block with it; the column's block is the same.
	head := loadFixture(t, map[string]string{"models/core/core_c.sql": "select id, title, note from {{ source('raw', 'a') }}\n",
		"models/docs.md": "{% docs core_c %}One row per c.{% enddocs %}\n{% docs id %}The key.{% enddocs %}\n"})
	src := "source.p.raw.a"
	cols := map[string]*change.ModelColumns{
		"model.p.core_c": {Origin: "sql", Columns: []change.Column{direct("id", src, "id"), direct("title", src, "label"), direct("note", src, "note")}},
	}
	cs := &change.ChangeSet{Base: base, Head: head, Models: []*change.ModelChange{{UniqueID: "model.p.core_c", From: "model.p.stg_c",
		Change: change.Renamed, SQLChanged: true, Columns: []change.ColumnChange{
			{Name: "title", Change: change.Renamed, From: "label", To: "title"}, {Name: "note", Change: change.Added}}}}}
	files, notes := run(t, head, Input{Columns: cols, Change: cs})
	var got string
	for path, text := range files {
		if strings.HasPrefix(path, "models/core/") {
			got = text
		}
	}
	for _, want := range []string{"- name: core_c\n", `description: "{{ doc('core_c') }}"`, "- name: ID\n", `description: "{{ doc('id') }}"`,
		"- name: TITLE\n        description: What the row is called.\n", "- name: NOTE\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("restored entry lacks %q:\n%s\nfiles %v notes %+v", want, got, keys(files), notes)
		}
	}
	// A model the change kept that never had an entry gets none.
	cs.Models[0].From = "model.p.mart_a"
	if files, _ := run(t, head, Input{Columns: cols, Change: cs}); len(files) != 0 {
		t.Errorf("an undocumented model was given an entry: %v", files)
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

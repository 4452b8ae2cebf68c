package schema

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/dataops-dev/dataops/internal/change"
)

// A new model beside entries that list two columns each gets an entry listing its keys; beside
// entries that list every column or a mix (entries listing none left out when three others
// list some), or with schema.columns: all, it lists every column;
// a model of few columns is listed whole, and so is one whose look-alike in the folder (half its
// columns, more than a few) is documented whole.
func TestNewEntryListsKeysWhereTheFolderListsFew(t *testing.T) {
	cols := []change.Column{direct("order_id", "model.p.stg_a", "id"), direct("customer_hk", "model.p.stg_a", "id"),
		direct("status", "model.p.stg_a", "email"), direct("amount", "model.p.stg_a", "email"), direct("placed_at", "model.p.stg_a", "email")}
	fixture := func(listed []int, lookalike bool) map[string]string {
		extra := map[string]string{"models/vault/sat_orders.sql": "select 1 as order_id\n"}
		yml := "version: 2\nmodels:\n"
		for i, n := range listed {
			m := fmt.Sprintf("hub_%d", i)
			extra["models/vault/"+m+".sql"] = "select 1 as id\n"
			if n == 0 {
				yml += "  - name: " + m + "\n    description: described only\n"
				continue
			}
			yml += "  - name: " + m + "\n    columns:\n"
			for j := 0; j < n; j++ {
				yml += fmt.Sprintf("      - name: c%d\n", j)
			}
		}
		if lookalike {
			extra["models/vault/sat_returns.sql"] = "select 1 as id\n"
			yml += "  - name: sat_returns\n    columns:\n"
			for _, c := range []string{"order_id", "customer_hk", "status", "amount", "returned_at"} {
				yml += "      - name: " + c + "\n"
			}
		}
		extra["models/vault/_vault.yml"] = yml
		return extra
	}
	cs := &change.ChangeSet{Models: []*change.ModelChange{{UniqueID: "model.p.sat_orders", Change: change.Added, SQLChanged: true}}}
	listedOf := func(got string) []string {
		var names []string
		_, after, _ := strings.Cut(got, "- name: sat_orders\n")
		for _, line := range strings.Split(after, "\n") {
			if name, ok := strings.CutPrefix(strings.TrimSpace(line), "- name: "); ok {
				names = append(names, name)
			}
		}
		return names
	}
	for _, c := range []struct {
		listed    []int
		columns   []change.Column
		all       bool
		lookalike bool
		want      string
	}{
		{[]int{2, 2, 2}, cols, false, false, "order_id customer_hk"},
		{[]int{6, 6, 6}, cols, false, false, "order_id customer_hk status amount placed_at"},
		{[]int{1, 2, 4, 7}, cols, false, false, "order_id customer_hk status amount placed_at"},
		{[]int{2, 2, 2}, cols, true, false, "order_id customer_hk status amount placed_at"},
		{[]int{2, 2, 2}, cols[2:], false, false, "status amount placed_at"},
		{[]int{2, 2, 2, 2, 2, 2}, cols, false, true, "order_id customer_hk status amount placed_at"},
		// Entries that describe their model only say nothing of how many columns are listed:
		// those that list columns decide, when there are three of them (else all entries do).
		{[]int{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 6, 6, 6}, cols, false, false, "order_id customer_hk status amount placed_at"},
		{[]int{0, 0, 0, 0, 0, 0, 0, 0, 6, 6}, cols, false, false, "order_id customer_hk"},
	} {
		p := loadFixture(t, fixture(c.listed, c.lookalike))
		in := Input{Columns: map[string]*change.ModelColumns{"model.p.sat_orders": {Origin: "sql", Columns: c.columns}}, Change: cs}
		if c.all {
			in.Config.Columns = ColumnsAll
		}
		files, notes := run(t, p, in)
		got := strings.Join(listedOf(files["models/vault/_vault.yml"]), " ")
		if got != c.want {
			t.Errorf("neighbours list %v, all %v, %d columns: sat_orders lists %q, want %q\n%s", c.listed, c.all, len(c.columns), got, c.want, files["models/vault/_vault.yml"])
		}
		noted := false
		// The note is on the entry's line in the file as written, not on line 0.
		var edits []FileEdit
		for path, content := range files {
			edits = append(edits, FileEdit{Path: path, New: []byte(content)})
		}
		LocateNotes(notes, edits, nil)
		entryLine := strings.Count(strings.Split(files["models/vault/_vault.yml"], "- name: sat_orders")[0], "\n") + 1
		for _, n := range notes {
			if n.Rule == RuleFewColumns {
				noted = true
				if n.Line != entryLine {
					t.Errorf("few-columns note at line %d, want the entry's line %d", n.Line, entryLine)
				}
			}
		}
		if noted != (c.want == "order_id customer_hk") {
			t.Errorf("neighbours list %v, all %v: few-columns note %v: %v", c.listed, c.all, noted, notes)
		}
	}
}

// A new folder takes its habit from its sibling folders of one family (one per retailer, each
// entry listing the column the team tests), and the entry lists the columns those entries
// list; a new folder of another name says nothing of the kind and lists every column.
func TestNewEntryInANewFolderListsWhatItsSiblingFoldersList(t *testing.T) {
	for dir, want := range map[string]string{
		"retailer_c": "loyalty_plan_company",
		"summary":    "date category loyalty_plan_company metric_a metric_b",
	} {
		extra := map[string]string{"models/output/" + dir + "/c_view.sql": "select 1 as loyalty_plan_company\n"}
		for _, r := range []string{"a", "b"} {
			yml := "version: 2\nmodels:\n"
			for _, v := range []string{"view", "growth"} {
				m := r + "_" + v
				extra["models/output/retailer_"+r+"/"+m+".sql"] = "select 1 as loyalty_plan_company\n"
				yml += "  - name: " + m + "\n    columns:\n      - name: 'LOYALTY_PLAN_COMPANY'\n"
			}
			extra["models/output/retailer_"+r+"/_retailer_"+r+".yml"] = yml
		}
		p := loadFixture(t, extra)
		var cols []change.Column
		for _, c := range []string{"date", "category", "loyalty_plan_company", "metric_a", "metric_b"} {
			cols = append(cols, direct(c, "model.p.stg_a", "email"))
		}
		cs := &change.ChangeSet{Models: []*change.ModelChange{{UniqueID: "model.p.c_view", Change: change.Added, SQLChanged: true}}}
		in := Input{Columns: map[string]*change.ModelColumns{"model.p.c_view": {Origin: "sql", Columns: cols}}, Change: cs}
		files, notes := run(t, p, in)
		var got []string
		for f, text := range files {
			if !strings.HasPrefix(f, "models/output/"+dir+"/") {
				continue
			}
			_, after, _ := strings.Cut(text, "- name: c_view\n")
			for _, line := range strings.Split(after, "\n") {
				if name, ok := strings.CutPrefix(strings.TrimSpace(line), "- name: "); ok {
					got = append(got, name)
				}
			}
		}
		if strings.Join(got, " ") != want {
			t.Errorf("in %s, c_view lists %v, want %s; files %v; notes %v", dir, got, want, files, notes)
		}
	}
}

// The entry a first --write gave a new model beside entries that list few is what a second run
// finds: it lists the model's keys, and the second run adds nothing. Neither does the entry
// count as the folder's habit: models the change added say nothing of how the team documents
// its models, so two of them documented whole do not make the folder one that lists every
// column.
func TestNewModelEntryListsTheSameColumnsTheSecondTime(t *testing.T) {
	cols := []change.Column{direct("order_id", "model.p.stg_a", "id"), direct("customer_hk", "model.p.stg_a", "id"),
		direct("status", "model.p.stg_a", "email"), direct("amount", "model.p.stg_a", "email"), direct("placed_at", "model.p.stg_a", "email")}
	yml := "version: 2\nmodels:\n"
	extra := map[string]string{}
	for _, m := range []string{"hub_a", "hub_b", "hub_c"} {
		extra["models/vault/"+m+".sql"] = "select 1 as id\n"
		yml += "  - name: " + m + "\n    columns:\n      - name: id\n      - name: code\n"
	}
	added := []*change.ModelChange{{UniqueID: "model.p.sat_orders", Change: change.Added, SQLChanged: true}}
	in := Input{Columns: map[string]*change.ModelColumns{"model.p.sat_orders": {Origin: "sql", Columns: cols}}}
	for _, m := range []string{"sat_orders", "sat_returns", "sat_refunds"} {
		extra["models/vault/"+m+".sql"] = "select 1 as order_id\n"
		listed := "order_id customer_hk"
		if m != "sat_orders" {
			// Two more new models, documented whole in the same change.
			listed = "order_id customer_hk status amount placed_at"
			added = append(added, &change.ModelChange{UniqueID: "model.p." + m, Change: change.Added, SQLChanged: true})
			in.Columns["model.p."+m] = &change.ModelColumns{Origin: "sql", Columns: cols}
		}
		yml += "  - name: " + m + "\n    columns:\n"
		for _, c := range strings.Fields(listed) {
			yml += "      - name: " + c + "\n"
		}
	}
	extra["models/vault/_vault.yml"] = yml
	p := loadFixture(t, extra)
	in.Change = &change.ChangeSet{Models: added}
	files, notes := run(t, p, in)
	if got := files["models/vault/_vault.yml"]; got != "" {
		t.Errorf("a second run edits the entries it wrote:\n%s", got)
	}
	noted := false
	for _, n := range notes {
		noted = noted || n.Rule == RuleFewColumns && n.Model == "sat_orders"
	}
	if !noted {
		t.Errorf("no few-columns note says why sat_orders lists 2 of its 5 columns: %v", notes)
	}
}

// A change adding columns to a model whose entry lists two of its eight columns, in a folder
// whose team tests what it lists, adds the new key and not the other new column; the same
// entry in a folder listing untested columns, or listing most of its model, gets both; a
// second run adds nothing.
func TestChangedEntryListingPartOfItsModelGetsOnlyNewKeys(t *testing.T) {
	var cols []change.Column
	for _, c := range []string{"event_id", "a", "b", "c", "d", "e", "f", "g", "session_id", "browser"} {
		cols = append(cols, direct(c, "model.p.stg_a", "email"))
	}
	fixture := func(tested bool, listed []string) map[string]string {
		test := ""
		if tested {
			test = "        tests: [not_null]\n"
		}
		extra := map[string]string{"models/events/events.sql": "select 1 as event_id\n"}
		yml := "version: 2\nmodels:\n  - name: events\n    columns:\n"
		for _, c := range listed {
			yml += "      - name: " + c + "\n" + test
		}
		for _, m := range []string{"sessions", "pages", "clicks"} {
			extra["models/events/"+m+".sql"] = "select 1 as id\n"
			yml += "  - name: " + m + "\n    columns:\n      - name: id\n" + test + "      - name: kind\n" + test
		}
		extra["models/events/_events.yml"] = yml
		return extra
	}
	mc := &change.ModelChange{UniqueID: "model.p.events", Change: change.Modified, SQLChanged: true,
		Columns: []change.ColumnChange{{Name: "session_id", Change: change.Added}, {Name: "browser", Change: change.Added}}}
	for _, c := range []struct {
		tested bool
		listed []string
		want   string
		note   bool
	}{
		{true, []string{"event_id", "a"}, "session_id", true},
		{false, []string{"event_id", "a"}, "session_id browser", false},
		{true, []string{"event_id", "a", "b", "c", "d", "e"}, "session_id browser", false},
	} {
		p := loadFixture(t, fixture(c.tested, c.listed))
		in := Input{Columns: map[string]*change.ModelColumns{"model.p.events": {Origin: "sql", Columns: cols}},
			Change: &change.ChangeSet{Models: []*change.ModelChange{mc}}}
		files, notes := run(t, p, in)
		var got []string
		_, after, _ := strings.Cut(files["models/events/_events.yml"], "- name: events\n")
		after, _, _ = strings.Cut(after, "  - name: sessions")
		for _, line := range strings.Split(after, "\n") {
			if name, ok := strings.CutPrefix(strings.TrimSpace(line), "- name: "); ok && !slices.Contains(c.listed, name) {
				got = append(got, name)
			}
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("tested %v, listed %v: added %v, want %s\n%s", c.tested, c.listed, got, c.want, files["models/events/_events.yml"])
		}
		noted := false
		for _, n := range notes {
			noted = noted || n.Rule == RuleFewColumns && n.Model == "events" && strings.Contains(n.Message, "lists 3 of its 10")
		}
		if noted != c.note {
			t.Errorf("tested %v, listed %v: few-columns note %v, want %v: %v", c.tested, c.listed, noted, c.note, notes)
		}
	}
}

// A note on a file without a line gets one: its model's entry, its column's entry, else the
// file's first line; a note that has a line keeps it, and one on a file leading outside the
// project gets none (the file is not read).
func TestLocateNotes(t *testing.T) {
	yml := "version: 2\nmodels:\n  - name: a\n  - name: b\n    columns:\n      - name: id\n"
	notes := []Note{
		{Rule: RuleFewColumns, Path: "models/new.yml", Model: "b"},
		{Rule: "validation", Path: "models/new.yml", Model: "b", Column: "ID"},
		{Rule: "validation", Path: "models/new.yml", Model: "gone"},
		{Rule: "validation", Path: "models/old.yml", Model: "a"},
		{Rule: RuleOutsideProject, Path: "models/x.sql", Model: "x"},
		{Rule: "edit", Path: "models/new.yml", Line: 3},
		{Rule: "dbt-parse", Message: "could not run dbt"},
	}
	read := func(rel string) ([]byte, error) {
		if rel == "models/old.yml" {
			return []byte("models:\n\n  - name: a\n"), nil
		}
		return nil, os.ErrNotExist
	}
	LocateNotes(notes, []FileEdit{{Path: "models/new.yml", New: []byte(yml)}}, read)
	var got []int
	for _, n := range notes {
		got = append(got, n.Line)
	}
	if want := []int{4, 6, 1, 3, 0, 3, 0}; !slices.Equal(got, want) {
		t.Errorf("lines %v, want %v", got, want)
	}
}

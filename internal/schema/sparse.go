package schema

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/dataops-dev/dataops/internal/change"
	"github.com/dataops-dev/dataops/internal/dbt"
)

// Some teams list only a few columns of each model in its property entry: its keys, the
// columns they test (Data Vault hubs list their hash and business keys; a Snowflake shop lists
// the id and the column an accepted_values guards). A new entry that lists all thirty
// columns of a new model, with placeholder descriptions, is not what their reviewer asks for.
// When a folder's entries list few columns, a new model's entry lists its keys and the columns
// those entries commonly list.

// RuleFewColumns is the note on a new entry that lists only a model's keys.
const RuleFewColumns = "few-columns"

// sparseListMax is the most columns three in four of a folder's entries list for the folder
// to list few; a model with no more than sparseListMax+1 columns is listed whole anyway.
const sparseListMax = 3

// sparseScope returns the entries that say how a new entry in dir lists its columns, and
// whether they list few: the folder's own when it has folderHabitMin of them, else those of
// its sibling folders of one family (named with the same first word: `retailer__itsu`,
// `retailer__the_works`), at least two of them: a team that keeps one folder per retailer,
// each entry listing the one column it tests, starts a new retailer's folder empty. Folders
// of other names say nothing of a new one (a programme's folder beside its indicators').
// They list few when three in four list sparseListMax columns or fewer.
func (s *synth) sparseScope(dir string) ([]*dbt.Node, bool) {
	byDir := s.entriesByFolder()
	// The entries' order decides nothing below (counts and a sorted list of sizes), so the
	// nodes map's order does not need fixing.
	entries := byDir[dir]
	if len(entries) < folderHabitMin {
		entries = nil
		if family := folderFamily(path.Base(dir)); family != "" {
			folders := 0
			for d := range byDir {
				if d != dir && path.Dir(d) == path.Dir(dir) && folderFamily(path.Base(d)) == family {
					entries = append(entries, byDir[d]...)
					folders++
				}
			}
			if folders < 2 {
				entries = nil
			}
		}
	}
	if len(entries) < folderHabitMin {
		return nil, false
	}
	// An entry that lists no column describes its model only (intermediate models documented
	// by a sentence beside marts documented whole): it says nothing of how many columns the
	// team lists when it lists them. The entries that list columns decide, when there are
	// enough of them.
	var listing []*dbt.Node
	for _, m := range entries {
		if len(m.Columns) > 0 {
			listing = append(listing, m)
		}
	}
	if len(listing) >= folderHabitMin {
		entries = listing
	}
	c := make([]int, len(entries))
	for i, m := range entries {
		c[i] = len(m.Columns)
	}
	// Three in four list few: a folder of small models beside a few documented whole (1, 2,
	// 4 and 7 columns) is not a team that lists keys.
	slices.Sort(c)
	return entries, c[len(c)*3/4] <= sparseListMax
}

// entriesByFolder returns, per property file folder, the root package's models documented
// there (as at the base, for the models the change touched), built on first use.
func (s *synth) entriesByFolder() map[string][]*dbt.Node {
	if s.entriesByDir == nil {
		s.entriesByDir = map[string][]*dbt.Node{}
		for _, hm := range s.p.Nodes {
			if hm.ResourceType != dbt.Model || hm.Package != s.root || hm.Disabled {
				continue
			}
			m := s.habitNode(hm)
			if m == nil || m.Patch == nil || m.Patch.File == "" {
				continue
			}
			d := path.Dir(m.Patch.File)
			s.entriesByDir[d] = append(s.entriesByDir[d], m)
		}
	}
	return s.entriesByDir
}

// folderFamily is a folder name's first word with the separator after it (`retailer__` of
// `retailer__itsu`), or "" for a name of one word.
func folderFamily(name string) string {
	i := strings.IndexAny(name, "_-")
	if i <= 0 {
		return ""
	}
	j := i
	for j < len(name) && (name[j] == '_' || name[j] == '-') {
		j++
	}
	if j == len(name) {
		return ""
	}
	return name[:j]
}

// commonlyListed keeps the columns whose names half the entries list (at least two of
// them): the column a team lists in every model of a kind, often the one it tests.
func commonlyListed(entries []*dbt.Node, cols []change.Column) []change.Column {
	count := map[string]int{}
	for _, m := range entries {
		seen := map[string]bool{}
		for _, c := range m.Columns {
			n := strings.ToLower(strings.Trim(c.Name, "\"'`"))
			if !seen[n] {
				seen[n] = true
				count[n]++
			}
		}
	}
	var out []change.Column
	for _, c := range cols {
		if n := count[strings.ToLower(c.Name)]; n >= 2 && 2*n >= len(entries) {
			out = append(out, c)
		}
	}
	return out
}

// lookalikeListsAll reports whether one of the entries lists more than a few columns, half of
// the new model's columns among them: a folder that lists keys may still document one family
// whole (lab results built by one macro, twenty columns each), and a new member of that family
// is documented like the others.
func lookalikeListsAll(entries []*dbt.Node, known []change.Column) bool {
	names := make(map[string]bool, len(known))
	for _, c := range known {
		names[strings.ToLower(c.Name)] = true
	}
	for _, m := range entries {
		if len(m.Columns) <= sparseListMax {
			continue
		}
		shared := 0
		for _, c := range m.Columns {
			if names[strings.ToLower(c.Name)] {
				shared++
			}
		}
		if shared > sparseListMax && 2*shared >= len(known) {
			return true
		}
	}
	return false
}

// keyColumns keeps the columns named as keys (id, *_id, *_key, hash and business keys of a
// Data Vault, *_uuid) and those the entries list commonly; all of them when none is.
func keyColumns(model string, cols []change.Column, entries []*dbt.Node) []change.Column {
	common := map[string]bool{}
	for _, c := range commonlyListed(entries, cols) {
		common[c.Name] = true
	}
	var out []change.Column
	for _, c := range cols {
		if keyLike(model, c.Name) || common[c.Name] {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		return cols
	}
	return out
}

func keyLike(model, column string) bool {
	col := strings.ToLower(column)
	if col == "id" || keyByName(model, col) {
		return true
	}
	for _, suf := range []string{"_id", "_key", "_hk", "_bk", "_pk", "_sk", "_uuid"} {
		if strings.HasSuffix(col, suf) {
			return true
		}
	}
	return false
}

// Other teams list a column in order to test it: their entries name a fifth of each model,
// nearly every name carrying a test. When such a team's change adds columns to a model whose
// entry lists part of it, the engineer lists the keys the new columns bring, not every new
// column with a placeholder; the rest is the Test Enhancer's to propose.

// partialMin is the fewest columns a model had before the change for its entry's partial
// listing to say anything: an entry of two columns out of three is not a habit.
const partialMin = 6

// listsToTest returns the new columns of a model the change modified that its entry gains:
// those named as keys, when the entry (documented: its columns by folded name) listed under
// half the model's other columns and the team lists columns to test them (testedListing).
// nil: every new column.
func (s *synth) listsToTest(n *dbt.Node, file string, documented map[string]string, known []change.Column, added map[string]bool) map[string]bool {
	before, listedBefore := 0, 0
	for _, c := range known {
		if k := strings.ToLower(c.Name); !added[k] {
			before++
			if _, ok := documented[k]; ok {
				listedBefore++
			}
		}
	}
	if before < partialMin || listedBefore == 0 || 2*listedBefore >= before || !s.testedListing(path.Dir(file)) {
		return nil
	}
	keys := map[string]bool{}
	for _, c := range known {
		if k := strings.ToLower(c.Name); added[k] && keyLike(n.Name, c.Name) {
			keys[k] = true
		}
	}
	return keys
}

// testedListing reports whether the entries that say how dir's team lists columns (the
// folder's own when it has folderHabitMin of them, else the project's) carry a test on two
// in three of the columns they list, and list at least folderHabitMin*2 columns in all.
func (s *synth) testedListing(dir string) bool {
	byDir := s.entriesByFolder()
	entries := byDir[dir]
	if len(entries) < folderHabitMin {
		entries = nil
		for _, es := range byDir {
			entries = append(entries, es...)
		}
	}
	cols, tested := 0, 0
	for _, m := range entries {
		for _, c := range m.Columns {
			cols++
			if len(c.Tests) > 0 {
				tested++
			}
		}
	}
	return cols >= 2*folderHabitMin && 3*tested >= 2*cols
}

// partialNote says why a partial entry gained only the new keys (listsToTest).
func (s *synth) partialNote(n *dbt.Node, file string, listed, all int) {
	s.note(Note{Rule: RuleFewColumns, Severity: "info", Path: file, Model: n.Name,
		Message: fmt.Sprintf("%s's entry lists %d of its %d columns and the team tests the columns it lists: of the new columns, those named as keys are added and the rest left to the Test Enhancer (schema.columns: all lists every one)", n.Name, listed, all)})
}

package schema

import (
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
// When a folder's entries list few columns, a new model's entry lists its keys.

// RuleFewColumns is the note on a new entry that lists only a model's keys.
const RuleFewColumns = "few-columns"

// sparseListMax is the most columns three in four of a folder's entries list for the folder
// to list few; a model with no more than sparseListMax+1 columns is listed whole anyway.
const sparseListMax = 3

// listsFewColumns reports whether the entries of the models documented in dir (a property
// file's folder) list few columns: at least folderHabitMin of them, three in four listing
// sparseListMax columns or fewer.
func (s *synth) listsFewColumns(dir string) bool {
	if s.sparseDirs == nil {
		counts := map[string][]int{}
		for _, m := range s.p.Nodes {
			if m.ResourceType != dbt.Model || m.Package != s.root || m.Disabled || m.Patch == nil || m.Patch.File == "" {
				continue
			}
			d := path.Dir(m.Patch.File)
			counts[d] = append(counts[d], len(m.Columns))
		}
		s.sparseDirs = map[string]bool{}
		for d, c := range counts {
			if len(c) < folderHabitMin {
				continue
			}
			// Three in four list few: a folder of small models beside a few documented
			// whole (1, 2, 4 and 7 columns) is not a team that lists keys.
			slices.Sort(c)
			s.sparseDirs[d] = c[len(c)*3/4] <= sparseListMax
		}
	}
	return s.sparseDirs[dir]
}

// lookalikeListsAll reports whether a model documented in dir lists more than a few columns
// and half of the new model's columns among them: a folder that lists keys may still document
// one family whole (lab results built by one macro, thirty columns each), and a new member of
// that family is documented like the others.
func (s *synth) lookalikeListsAll(dir string, known []change.Column) bool {
	names := make(map[string]bool, len(known))
	for _, c := range known {
		names[strings.ToLower(c.Name)] = true
	}
	for _, m := range s.p.Nodes {
		if m.ResourceType != dbt.Model || m.Package != s.root || m.Disabled || m.Patch == nil ||
			len(m.Columns) <= sparseListMax || path.Dir(m.Patch.File) != dir {
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
// Data Vault, *_uuid); all of them when none is.
func keyColumns(model string, cols []change.Column) []change.Column {
	var out []change.Column
	for _, c := range cols {
		if keyLike(model, c.Name) {
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

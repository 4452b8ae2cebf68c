package testgen

import (
	"github.com/dataops-dev/dataops/internal/change"
	"github.com/dataops-dev/dataops/internal/dbt"
)

// A change that moves or renames a model and deletes its property file without writing a new
// one drops the tests the team wrote on it. Those tests are the strongest evidence there is:
// the team wrote them on this very model. DroppedTests collects them so that the Test
// Enhancer proposes them again, with their arguments as written, on the columns' new names.

// DroppedTests maps each model of the change (head unique id) left without the property
// entry it had at the base to the generic tests that entry declared on its columns: lower-
// cased column name (as named in the head) → test name → arguments.
func DroppedTests(cs *change.ChangeSet) map[string]map[string]map[string]map[string]any {
	out := map[string]map[string]map[string]map[string]any{}
	if cs == nil || cs.Base == nil || cs.Head == nil {
		return out
	}
	for _, m := range cs.Models {
		bn := change.DroppedEntry(cs, m)
		if bn == nil {
			continue
		}
		renamed := m.RenamedColumns()
		cols := map[string]map[string]map[string]any{}
		for _, c := range bn.Columns {
			name := dbt.ColumnKey(c.Name)
			if to, ok := renamed[name]; ok {
				name = to
			}
			for _, t := range c.Tests {
				if t.Namespace != "" {
					continue
				}
				if cols[name] == nil {
					cols[name] = map[string]map[string]any{}
				}
				cols[name][normalizeTest(t.Name)] = t.Args
			}
		}
		if len(cols) > 0 {
			out[m.UniqueID] = cols
		}
	}
	return out
}

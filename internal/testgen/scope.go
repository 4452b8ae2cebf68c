package testgen

import (
	"path"
	"strings"

	"github.com/dataops-dev/dataops/internal/change"
	"github.com/dataops-dev/dataops/internal/dbt"
)

// ChangeScope is what a change asks tests for: every model it added, renamed or modified; a
// new model whole, and of the others only the columns the change added, renamed or retyped,
// newly documented, or made the model's unique_key. A reviewer reads proposals on what the pull request touched; tests missing
// from columns it left alone are the coverage report's business, not this review's.
// A model renamed into another folder that had no test before (a silver model promoted to a
// gold mart) is asked for whole, as a new model: its reviewer reads it as one.
func ChangeScope(cs *change.ChangeSet) (models map[string]bool, columns map[string]map[string]bool) {
	models, columns = map[string]bool{}, map[string]map[string]bool{}
	var tested map[string]bool
	for _, m := range cs.Models {
		if m.Change == change.Removed {
			continue
		}
		models[m.UniqueID] = true
		if m.Change == change.Added {
			continue
		}
		if m.Change == change.Renamed && cs.Base != nil && m.FromPath != "" && path.Dir(m.FromPath) != path.Dir(m.Path) {
			if tested == nil {
				tested = testedNodes(cs.Base)
			}
			if !tested[m.From] {
				continue
			}
		}
		only := map[string]bool{}
		for _, c := range m.Columns {
			switch c.Change {
			case change.Added, change.Retyped:
				only[strings.ToLower(c.Name)] = true
			case change.Renamed:
				only[strings.ToLower(c.To)] = true
			}
		}
		for _, p := range m.Properties {
			if p.What == "column-added" {
				only[strings.ToLower(p.Column)] = true
			}
		}
		// A change that sets or changes an incremental model's unique_key makes those columns
		// the key the merge relies on: their tests are this change's business.
		for _, c := range m.Config {
			if c.Key != "unique_key" {
				continue
			}
			switch v := c.To.(type) {
			case string:
				only[strings.ToLower(strings.TrimSpace(v))] = true
			case []any:
				for _, x := range v {
					if s, ok := x.(string); ok {
						only[strings.ToLower(strings.TrimSpace(s))] = true
					}
				}
			}
		}
		columns[m.UniqueID] = only
	}
	return models, columns
}

// testedNodes lists the nodes some test of p is attached to.
func testedNodes(p *dbt.Project) map[string]bool {
	out := map[string]bool{}
	for _, n := range p.Nodes {
		if n.TestMeta != nil && n.TestMeta.AttachedNode != "" {
			out[n.TestMeta.AttachedNode] = true
		}
	}
	return out
}

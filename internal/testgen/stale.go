package testgen

import (
	"strings"

	"github.com/dataops-dev/dataops/internal/dbt"
)

// refsResolved reports whether every ref and source a model calls names a node the project
// defines. One that does not compiles to a placeholder relation whose columns, if a relation
// of that name is found at all, belong to something else (a package's input model reads a
// relation only its integration project defines): such a model's inferred column list cannot
// say that a documented column is gone.
func refsResolved(p *dbt.Project, m *dbt.Node) bool {
	names := map[string]bool{}
	for _, id := range m.DependsOn.Nodes {
		if n := p.Nodes[id]; n != nil {
			names[strings.ToLower(n.Name)] = true
		} else if s := p.Sources[id]; s != nil {
			names[strings.ToLower(s.SourceName+"."+s.Name)] = true
		}
	}
	for _, r := range m.Refs {
		if !names[strings.ToLower(r.Name)] {
			return false
		}
	}
	for _, s := range m.SourceRefs {
		if !names[strings.ToLower(s.Source+"."+s.Table)] {
			return false
		}
	}
	return true
}

package columns

import (
	"slices"
	"strings"

	"github.com/dataops-dev/dataops/internal/dbt"
)

// relations maps a table reference written in rendered SQL back to the node or source it
// names. Rendered SQL names a model by its relation (`"db"."schema"."alias"`, `schema.alias`),
// by its name when refs render without a target, and an ephemeral model by its CTE name
// `__dbt__cte__name`; a source by its relation or `source_name.table_name`.
type relations struct {
	byKey map[string][]string // folded dotted key -> unique ids
}

func newRelations(p *dbt.Project) *relations {
	r := &relations{byKey: map[string][]string{}}
	for id, n := range p.Nodes {
		if n.Disabled {
			continue
		}
		switch n.ResourceType {
		case dbt.Model, dbt.Seed, dbt.Snapshot:
		default:
			continue
		}
		ident := n.Alias
		if ident == "" {
			ident = n.Name
		}
		r.addRelation(id, n.Database, n.Schema, ident)
		if n.Name != ident {
			r.add(id, n.Name)
		}
		if n.Version != "" {
			r.add(id, n.Name+"_v"+n.Version)
		}
		r.add(id, "__dbt__cte__"+n.Name)
	}
	for id, s := range p.Sources {
		ident := s.Identifier
		if ident == "" {
			ident = s.Name
		}
		r.addRelation(id, s.Database, s.Schema, ident)
		r.add(id, s.SourceName+"."+s.Name)
	}
	return r
}

func (r *relations) addRelation(id, db, schema, ident string) {
	r.add(id, ident)
	if schema != "" {
		r.add(id, schema+"."+ident)
		if db != "" {
			r.add(id, db+"."+schema+"."+ident)
		}
	}
}

func (r *relations) add(id, k string) {
	k = foldName(k)
	for _, x := range r.byKey[k] {
		if x == id {
			return
		}
	}
	r.byKey[k] = append(r.byKey[k], id)
}

// lookup finds the node a table reference names. prefer lists the ids the referring node
// depends on: a bare name that several relations share resolves to the one it depends on.
func (r *relations) lookup(parts []string, prefer []string) (string, bool) {
	if len(parts) == 0 {
		return "", false
	}
	// Try the full name, then drop leading qualifiers (a project ref rendered with a database
	// we do not know matches on schema.identifier).
	for i := 0; i < len(parts); i++ {
		k := foldName(strings.Join(parts[i:], "."))
		ids := r.byKey[k]
		switch {
		case len(ids) == 1:
			if i > 0 && len(parts)-i == 1 && !slices.Contains(prefer, ids[0]) {
				// `other_db.raw.orders` is not our `orders` model unless we depend on it.
				continue
			}
			return ids[0], true
		case len(ids) > 1:
			for _, id := range ids {
				if slices.Contains(prefer, id) {
					return id, true
				}
			}
		}
	}
	return "", false
}

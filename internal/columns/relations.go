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
	// byKey maps a folded dotted key to the unique id it names, more to the further ids of a
	// key several relations share (rare: one allocation per key otherwise).
	byKey map[string]string
	more  map[string][]string
}

func newRelations(p *dbt.Project) *relations {
	// Five keys at most per relation; sized once, the map is not grown key by key (a
	// 3,000-model project is indexed three times per review).
	r := &relations{byKey: make(map[string]string, 4*(len(p.Nodes)+len(p.Sources))), more: map[string][]string{}}
	for id, n := range p.Nodes {
		if n.Disabled {
			continue
		}
		r.addNode(id, n)
	}
	for id, s := range p.Sources {
		ident := s.Identifier
		if ident == "" {
			ident = s.Name
		}
		// A source may spell its parts with the quotes they need (schema: '"REFERENCE"'):
		// the SQL reading it names the bare parts.
		r.addRelation(id, dbt.UnquoteIdent(s.Database), dbt.UnquoteIdent(s.Schema), dbt.UnquoteIdent(ident))
		r.add(id, foldName(s.SourceName)+"."+foldName(s.Name))
	}
	return r
}

// newOffRelations indexes the relations of the models, seeds and snapshots that are off: only
// a model that is off reads them (see lookupRelation).
func newOffRelations(p *dbt.Project) *relations {
	r := &relations{byKey: map[string]string{}, more: map[string][]string{}}
	for id := range p.Disabled {
		if n := p.OffNode(id); n != nil {
			r.addNode(id, n)
		}
	}
	return r
}

// addNode adds the relation of a model, seed or snapshot, and the names its refs render as.
func (r *relations) addNode(id string, n *dbt.Node) {
	switch n.ResourceType {
	case dbt.Model, dbt.Seed, dbt.Snapshot:
	default:
		return
	}
	ident := n.Alias
	if ident == "" {
		ident = n.Name
	}
	r.addRelation(id, n.Database, n.Schema, ident)
	if n.Name != ident {
		r.add(id, foldName(n.Name))
	}
	if n.Version != "" {
		r.add(id, foldName(n.Name+"_v"+n.Version))
	}
	r.add(id, "__dbt__cte__"+foldName(n.Name))
}

// addRelation adds the relation's identifier, schema.identifier and database.schema.identifier,
// each part folded once (folding is per character, so the joined key is the folded key).
func (r *relations) addRelation(id, db, schema, ident string) {
	k := foldName(ident)
	r.add(id, k)
	if schema != "" {
		k = foldName(schema) + "." + k
		r.add(id, k)
		if db != "" {
			r.add(id, foldName(db)+"."+k)
		}
	}
}

// add adds a folded key.
func (r *relations) add(id, k string) {
	first, ok := r.byKey[k]
	switch {
	case !ok:
		r.byKey[k] = id
	case first != id && !slices.Contains(r.more[k], id):
		r.more[k] = append(r.more[k], id)
	}
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
		first, ok := r.byKey[k]
		more := r.more[k]
		switch {
		case !ok:
		case len(more) == 0:
			if i > 0 && len(parts)-i == 1 && !slices.Contains(prefer, first) {
				// `other_db.raw.orders` is not our `orders` model unless we depend on it.
				continue
			}
			return first, true
		default:
			// Which relation came first in the key depends on the order the project's
			// maps were walked: of those the node depends on, the least id answers.
			best := ""
			if slices.Contains(prefer, first) {
				best = first
			}
			for _, id := range more {
				if slices.Contains(prefer, id) && (best == "" || id < best) {
					best = id
				}
			}
			if best != "" {
				return best, true
			}
		}
	}
	return "", false
}

package testgen

import (
	"strings"

	"github.com/dataops-dev/dataops/internal/dbt"
)

// Two systems often carry the same entity under the same key name: a company_id is the key of
// stg_crm__company and of stg_erp__company, of dim_crm__company and of dim_erp__company. dbt's
// naming convention puts the layer and the source (or domain) before the double underscore, so
// a model that names that source, or shares that layer, refers to that system's model: among
// owners no lineage tells apart, the one of most affinity wins, and among equals the best
// scored (the order the owners come in).

// sourceAffinity counts the words of the owner's prefix (up to its double underscore) that
// the referring model's name holds. An owner named without the convention has none.
func sourceAffinity(m, owner *dbt.Node) int {
	prefix := strings.TrimSuffix(sourcePrefix(owner.Name), "__")
	if prefix == "" {
		return 0
	}
	words := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(m.Name), isNameSep) {
		words[w] = true
	}
	n := 0
	seen := map[string]bool{}
	for _, w := range strings.FieldsFunc(prefix, isNameSep) {
		if words[w] && !seen[w] {
			seen[w] = true
			n++
		}
	}
	return n
}

func isNameSep(r rune) bool { return r == '_' }

// mostAffine returns the first owner of the highest affinity with m, or nil.
func mostAffine(m *dbt.Node, os []*keyOwner) *keyOwner {
	var best *keyOwner
	bestN := -1
	for _, o := range os {
		if n := sourceAffinity(m, o.model); n > bestN {
			best, bestN = o, n
		}
	}
	return best
}

// stagingLayers are the layers that read sources, not marts.
var stagingLayers = map[string]bool{"stg": true, "staging": true, "base": true}

// ownSystem moves the team's habit of a relationships target to m's own system: the team
// points company_id at dim_north__company in the north models, and in a south model the same
// habit means dim_south__company, the model of the same layer and entity whose key is that
// field (for a staging model pointed at a mart, the entity's staging model). The habit's target stays unless another such model has more affinity with m (and is
// neither m nor built from it).
func (ix *keyIndex) ownSystem(m *dbt.Node, a map[string]any, down map[string]bool) map[string]any {
	if ix == nil {
		return a
	}
	to, _ := a["to"].(string)
	name, ok := refName(to)
	f := strings.ToLower(field(a))
	if !ok || f == "" {
		return a
	}
	n := ix.byName[strings.ToLower(name)]
	if n == nil {
		return a
	}
	ent, layer := entityOf(n.Name), modelLayer(n)
	// A staging model reads no mart: the habit's mart stands for the entity's staging model
	// of m's own source, when there is one.
	own := ""
	if stagingLayers[modelLayer(m)] && !stagingLayers[layer] {
		own = modelLayer(m)
	}
	best, bestN := n, sourceAffinity(m, n)
	for _, o := range ix.lookups[singular(ent)] {
		if o == n || o == m || down[o.UniqueID] || ix.isKey[colRef{o.UniqueID, f}] == "" {
			continue
		}
		if l := modelLayer(o); l != layer && l != own {
			continue
		}
		if k := sourceAffinity(m, o); k > bestN {
			best, bestN = o, k
		}
	}
	if best == n {
		return a
	}
	out := copyArgs(a)
	out["to"] = "ref('" + best.Name + "')"
	return out
}

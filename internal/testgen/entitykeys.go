package testgen

import (
	"strings"

	"github.com/dataops-dev/dataops/internal/columns"
	"github.com/dataops-dev/dataops/internal/dbt"
)

// A model whose key is a column named plainly `id` or `key` (a surrogate key the SQL builds
// from several columns, so its grain is not read from the SQL) still owns its entity: a
// column named `gtfs_dataset_key` or `vehicle_positions_gtfs_dataset_key` elsewhere refers
// to dim_gtfs_datasets.key whether or not the team has tested that key yet. Only the entity
// lookup learns these keys: a column named `id` is no reference to every model that has one.

// addPlainKeys adds to byEntity the `id` or `key` column of each model or seed whose entity
// has no owner from that model yet.
func (ix *keyIndex) addPlainKeys(nodes []*dbt.Node, inf *columns.Result) {
	for _, n := range nodes {
		if n.ResourceType != dbt.Model && n.ResourceType != dbt.Seed {
			continue
		}
		if l := modelLayer(n); l == "raw" || l == "src" {
			// The raw input a model is built from holds the source's ids, not the entity
			// the project refers to.
			continue
		}
		names, _, _ := columnsOf(n, inf.Node(n.UniqueID), true)
		col := plainKey(names)
		if col == "" {
			continue
		}
		e := singular(entityOf(n.Name))
		if e == "" || ownsEntity(ix.byEntity[e], n) {
			continue
		}
		ix.byEntity[e] = append(ix.byEntity[e], &keyOwner{model: n, column: col})
	}
}

// plainKey is the column of these names called `key` or `id` (`key` first: a model with
// both keeps the source's id beside its own surrogate key), or "".
func plainKey(names []string) string {
	found := ""
	for _, c := range names {
		switch strings.ToLower(c) {
		case "key":
			return "key"
		case "id":
			found = "id"
		}
	}
	return found
}

func ownsEntity(os []*keyOwner, n *dbt.Node) bool {
	for _, o := range os {
		if o.model == n {
			return true
		}
	}
	return false
}

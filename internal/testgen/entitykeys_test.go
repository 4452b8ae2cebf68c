package testgen

import (
	"strings"
	"testing"
)

func TestPlainKeys(t *testing.T) {
	p, _, keys := loadKeys(t, "testdata/plainkeys")
	trips := p.Nodes["model.cases.fct_trips"]
	// The surrogate `key` no test guards yet is still the key of the datasets entity, for
	// the role-prefixed columns too.
	for _, col := range []string{"vehicle_positions_gtfs_dataset_key", "schedule_gtfs_dataset_key"} {
		if o := keys.entityOwner(trips, col, nil); o == nil || o.model.Name != "dim_gtfs_datasets" || o.column != "key" {
			t.Errorf("entityOwner(%s) = %+v, want dim_gtfs_datasets.key", col, o)
		}
	}
	// No model is about users.
	if o := keys.entityOwner(trips, "user_key", nil); o != nil {
		t.Errorf("entityOwner(user_key) = %s.%s, want none", o.model.Name, o.column)
	}
	// Only the entity lookup learns it: a column named key is no reference by its name.
	if len(keys.owners["key"]) != 0 {
		t.Errorf("owners[key] = %+v, want none", keys.owners["key"])
	}
	for names, want := range map[string]string{"id,key": "key", "id,name": "id", "name": "", "KEY": "key"} {
		if got := plainKey(strings.Split(names, ",")); got != want {
			t.Errorf("plainKey(%s) = %q, want %q", names, got, want)
		}
	}
}

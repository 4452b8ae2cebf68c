package testgen

import "testing"

func TestNameKeyIDPrefix(t *testing.T) {
	yes := [][2]string{{"stg_erp__location", "idlocation"}, {"stg_erp__products", "idproduct"}, {"dim_client", "id_client"},
		{"stg_erp__label_family", "idlabel_family"}, {"stg_erp__resources_type", "idresources_type"}}
	no := [][2]string{{"stg_erp__device", "idlocation"}, {"stg_erp__location", "idle_time"}, {"stg_erp__location", "id_"},
		{"stg_erp__label_family", "idlabel"}, {"dim_ideas", "identity"}}
	for _, c := range yes {
		if !nameKey(c[0], c[1]) {
			t.Errorf("nameKey(%s, %s) = false, want true", c[0], c[1])
		}
	}
	for _, c := range no {
		if nameKey(c[0], c[1]) {
			t.Errorf("nameKey(%s, %s) = true, want false", c[0], c[1])
		}
	}
}

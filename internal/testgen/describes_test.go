package testgen

import "testing"

func TestDescribesCode(t *testing.T) {
	for col, want := range map[string]bool{
		"admit_type_description": true, "hcc_desc": true, "Description": true,
		"admit_type_code": false, "description_id": false, "descriptor": false,
	} {
		if got := describesCode(col); got != want {
			t.Errorf("describesCode(%q) = %v, want %v", col, got, want)
		}
	}
}

package dbt

import (
	"strings"
	"testing"
)

// An entry's columns are written in the property file's order, as dbt writes them, and a name
// listed twice once, at its first place with its last entry.
func TestManifestColumnsKeepPropertyOrder(t *testing.T) {
	cols := manifestColumns([]*Column{{Name: "zeta"}, {Name: "alpha", Description: "first"}, {Name: "mid"}, {Name: "alpha", Description: "<last>"}})
	b, err := cols.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	z, a, m := strings.Index(s, `"zeta":`), strings.Index(s, `"alpha":`), strings.Index(s, `"mid":`)
	if z < 0 || a < z || m < a || strings.Count(s, `"alpha":`) != 1 {
		t.Errorf("columns out of the property file's order: %s", s)
	}
	if !strings.Contains(s, `"description":"<last>"`) || strings.Contains(s, `"first"`) {
		t.Errorf("a column listed twice should take its last entry: %s", s)
	}
}

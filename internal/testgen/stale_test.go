package testgen

import "testing"

func TestRefsResolved(t *testing.T) {
	p, _ := loadCase(t, "testdata/cases/unresolved")
	for name, want := range map[string]bool{"input_claims": false, "core_claims": true} {
		if got := refsResolved(p, p.Nodes["model.cases."+name]); got != want {
			t.Errorf("refsResolved(%s) = %v, want %v", name, got, want)
		}
	}
}

package rules

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite docs/rules.md")

// TestReferenceUpToDate keeps docs/rules.md in step with the registry.
func TestReferenceUpToDate(t *testing.T) {
	path := filepath.Join("..", "..", "..", "docs", "rules.md")
	got := Reference()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/lint/rules -update)", err)
	}
	if string(want) != got {
		t.Errorf("docs/rules.md is stale: run go test ./internal/lint/rules -update")
	}
}

// TestRegistry checks every rule has a unique code and name and SQLFluff's code shape.
func TestRegistry(t *testing.T) {
	codes, names := map[string]bool{}, map[string]bool{}
	for _, r := range All() {
		m := r.Meta()
		if len(m.Code) != 4 || codes[m.Code] || names[m.Name] || m.Description == "" {
			t.Errorf("bad or duplicate rule %+v", m)
		}
		codes[m.Code], names[m.Name] = true, true
	}
	for _, want := range []string{"LT01", "LT13", "CP05", "AL09", "AM07", "ST09", "RF06", "CV12", "JJ01"} {
		if !codes[want] {
			t.Errorf("rule %s is not registered", want)
		}
	}
	if len(codes) != 13+5+9+7+9+6+12+1 {
		t.Errorf("%d rules registered", len(codes))
	}
}

package dbt

import (
	"strings"
	"testing"
)

// TestBOMSkipped: files saved with a UTF-8 byte-order mark read as without one.
func TestBOMSkipped(t *testing.T) {
	const bom = "\ufeff"
	dir := writeProject(t, map[string]string{
		"dbt_project.yml":   bom + "name: b\nprofile: none\n",
		"models/m.sql":      bom + "select 1 as id\n",
		"models/schema.yml": bom + "models:\n  - name: m\n    description: M.\n",
	})
	p, err := loadDir(t, dir)
	if err != nil {
		t.Fatalf("a BOM before name: %v", err)
	}
	eq(t, "name", p.Name, "b")
	n := p.Nodes["model.b.m"]
	if n == nil {
		t.Fatalf("model m not found: %v", p.Nodes)
	}
	eq(t, "raw code", n.RawCode, "select 1 as id\n")
	eq(t, "description from a property file whose first key follows a BOM", n.Description, "M.")
}

// TestCycleLocatedAtRefs: a cycle is an error at the ref() that closes it, and its message
// names every ref of the cycle with its file and line.
func TestCycleLocatedAtRefs(t *testing.T) {
	dir := writeProject(t, map[string]string{
		"dbt_project.yml": "name: w\nprofile: none\n",
		"models/a.sql":    "select *\nfrom {{ ref('b') }}\n",
		"models/b.sql":    "select 1 as x\nunion all\nselect * from {{ ref('c') }}\n",
		"models/c.sql":    "select * from {{ ref('a') }}\n",
	})
	p, err := loadDir(t, dir)
	if err != nil {
		t.Fatal(err)
	}
	var cyc []Diagnostic
	for _, d := range p.Diagnostics {
		if d.Kind == "cycle" {
			cyc = append(cyc, d)
		}
	}
	if len(cyc) != 1 {
		t.Fatalf("cycle diagnostics: %+v", p.Diagnostics)
	}
	d := cyc[0]
	if d.Severity != "error" || d.Pos.Path != "models/a.sql" || d.Pos.Line != 2 {
		t.Errorf("cycle at %+v (%s), want an error at models/a.sql:2", d.Pos, d.Severity)
	}
	if len(d.Steps) != 3 || d.Steps[1].Path != "models/b.sql" || d.Steps[1].Line != 3 {
		t.Errorf("steps %+v, want the three refs in cycle order", d.Steps)
	}
	for _, want := range []string{"model.w.a -> model.w.b -> model.w.c -> model.w.a", "models/a.sql:2:", "ref('b')", "models/b.sql:3:", "models/c.sql:1:", "ref('a')"} {
		if !strings.Contains(d.Message, want) {
			t.Errorf("message %q lacks %q", d.Message, want)
		}
	}
}

package dbt

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// aliasBomb is a mapping of anchors, each nine aliases of the one before, indented for a key.
func aliasBomb(indent string, levels int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%sa0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n", indent)
	for i := 1; i <= levels; i++ {
		refs := strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*a%d, ", i-1), 9), ", ")
		fmt.Fprintf(&b, "%sa%d: &a%d [%s]\n", indent, i, i, refs)
	}
	return b.String()
}

func TestAliasBombsAreRefusedWithTheirPosition(t *testing.T) {
	base := "name: p\nprofile: none\n"
	cases := []struct {
		name  string
		files map[string]string
		path  string
		line  int
	}{
		{"meta in a property file", map[string]string{
			"dbt_project.yml": base,
			"models/a.sql":    "select 1 as id",
			"models/s.yml":    "version: 2\nmodels:\n  - name: a\n    meta:\n" + aliasBomb("      ", 9),
		}, "models/s.yml", 11},
		{"vars in dbt_project.yml", map[string]string{
			"dbt_project.yml": base + "vars:\n" + aliasBomb("  ", 9),
		}, "dbt_project.yml", 10},
		{"a profile", map[string]string{
			"dbt_project.yml": base,
			"profiles.yml":    "none:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n" + aliasBomb("      ", 9),
		}, "profiles.yml", 12},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := writeProject(t, c.files)
			_, err := loadDir(t, dir)
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("err = %v, want *InputError", err)
			}
			if !strings.HasSuffix(ie.Pos.Path, c.path) || ie.Pos.Line != c.line || !strings.Contains(ie.Msg, "alias *a5") {
				t.Fatalf("want %s:%d at an alias of a5, got %v", c.path, c.line, err)
			}
		})
	}
}

func TestAliasesOfRealSizeStillLoad(t *testing.T) {
	dir := writeProject(t, map[string]string{
		"dbt_project.yml": "name: p\nprofile: none\nvars:\n" + aliasBomb("  ", 4),
		"models/a.sql":    "select {{ var('a4')[8][8][8][8][0] }} as id",
		"models/s.yml":    "version: 2\nmodels:\n  - name: a\n    meta:\n" + aliasBomb("      ", 4),
	})
	p, err := loadDir(t, dir)
	if err != nil {
		t.Fatal(err)
	}
	n := node(t, p, "model.p.a")
	if !strings.Contains(n.Render.Output, "lol as id") {
		t.Fatalf("output %q", n.Render.Output)
	}
	if l, _ := n.Meta["a4"].([]any); len(l) != 9 {
		t.Fatalf("meta a4 = %v", n.Meta["a4"])
	}
}

func TestProjectConfigCopiedIntoEveryNodeIsBounded(t *testing.T) {
	// 600,000 values of meta (under the per-file limit) given to every model: three models
	// would carry 1.8 million.
	dir := writeProject(t, map[string]string{
		"dbt_project.yml": "name: p\nprofile: none\nmodels:\n  p:\n    +meta:\n" + aliasBomb("      ", 5),
		"models/a.sql":    "select 1 as id",
		"models/b.sql":    "select 1 as id",
		"models/c.sql":    "select 1 as id",
	})
	_, err := loadDir(t, dir)
	var ie *InputError
	if !errors.As(err, &ie) || ie.Pos.Path != "models/b.sql" || !strings.Contains(ie.Msg, "more than 1000000 values") {
		t.Fatalf("want the second model refused, got %v", err)
	}
}

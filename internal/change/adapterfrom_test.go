package change

import (
	"context"
	"testing"

	"github.com/dataops-dev/dataops/internal/columns"
	"github.com/dataops-dev/dataops/internal/dbt"
)

// A project without a profile renders for the adapter its repository installs; its SQL is then
// read in that adapter's dialect on both sides of a change, even when the SQL looks like
// another warehouse's (a project macro named safe_cast). A light base carries the guess over:
// before, it was read in the dialect its SQL looked like, and an untouched timestamp column
// came out retyped.
func TestLightBaseKeepsTheGuessedAdapter(t *testing.T) {
	dir := gitRepo(t, map[string]string{
		"dbt_project.yml": "name: p\nprofile: none\n",
		"macros/m.sql":    "{% macro safe_cast(c) %}{{ c }}{% endmacro %}",
		"models/a.sql":    "select 1::bigint as id, to_timestamp(0) as created_at, {{ safe_cast('1') }} as n",
		"models/b.sql":    "select id, created_at from {{ ref('a') }}",
		"models/c.sql":    "select {{ safe_cast('2') }} as n",
		"models/d.sql":    "select {{ safe_cast('3') }} as n",
	})
	load := func(ctx context.Context, d string, roots []string, _ bool) (*dbt.Project, error) {
		return dbt.Load(ctx, dbt.LoadOptions{Dir: d, Roots: roots, GuessedAdapter: "postgres", GuessedFrom: "requirements.txt",
			Getenv: func(string) (string, bool) { return "", false }})
	}
	write(t, dir, map[string]string{"models/b.sql": "select id, created_at, 2 as m from {{ ref('a') }}"})
	cs, err := Detect(context.Background(), Options{Dir: dir, BaseRef: "HEAD", Load: load, Infer: ColumnsInferrer(columns.Options{})})
	if err != nil {
		t.Fatalf("Detect: %v", err)
	}
	t.Cleanup(cs.Close)
	if !cs.LightBase {
		t.Fatal("the change should take a light base")
	}
	for _, m := range cs.Models {
		for _, c := range m.Columns {
			if c.Change != Added {
				t.Errorf("%s: column %s %s (%s -> %s); only m is added", m.UniqueID, c.Name, c.Change, c.From, c.To)
			}
		}
	}
}

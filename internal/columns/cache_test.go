package columns

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/dataops-dev/dataops/internal/cache"
	"github.com/dataops-dev/dataops/internal/dbt"
)

// columnsProject writes a project whose models read each other through stars, explicit
// columns, joins and CTEs, over sources with declared columns, with a macro in the SQL and a
// snapshot.
func columnsProject(t *testing.T, dir string, models int) {
	t.Helper()
	files := map[string]string{
		"dbt_project.yml":  "name: cz\nversion: '1.0'\nconfig-version: 2\nprofile: cz\n",
		"macros/cents.sql": "{% macro cents(col) %}({{ col }} * 100)::bigint{% endmacro %}\n",
		"snapshots/snap.sql": "{% snapshot snap %}{{ config(unique_key='id', strategy='check', check_cols='all') }}\n" +
			"select * from {{ ref('stg_0') }}\n{% endsnapshot %}\n",
	}
	var src strings.Builder
	src.WriteString("version: 2\nsources:\n  - name: raw\n    tables:\n")
	for i := 0; i < models/3; i++ {
		fmt.Fprintf(&src, "      - name: t%d\n        columns:\n          - name: id\n            data_type: integer\n"+
			"          - name: amount\n            data_type: numeric\n          - name: created_at\n            data_type: timestamp\n", i)
	}
	files["models/staging/_sources.yml"] = src.String()
	for i := 0; i < models; i++ {
		var name, body string
		switch {
		case i < models/3:
			name = fmt.Sprintf("stg_%d", i)
			body = fmt.Sprintf("select id, amount, created_at from {{ source('raw', 't%d') }}", i)
		case i < 2*models/3:
			name = fmt.Sprintf("int_%d", i)
			body = fmt.Sprintf("with s as (select * from {{ ref('stg_%d') }})\nselect *, {{ cents('amount') }} as amount_cents from s", i%(models/3))
		default:
			name = fmt.Sprintf("fct_%d", i)
			a, b := models/3+i%(models/3), i%(models/3)
			body = fmt.Sprintf("select i.*, s.created_at as first_seen, count(*) over () as n\nfrom {{ ref('int_%d') }} i\n"+
				"join {{ ref('stg_%d') }} s using (id)", a, b)
		}
		files[filepath.Join("models", name+".sql")] = body + "\n"
	}
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// inferWith loads dir and infers every node, through a fresh open of the cache at cacheDir
// (none when ""); it returns the result as JSON and the cache's counts.
func inferWith(t *testing.T, dir, cacheDir string, compile bool) (string, cache.Stats, *Result) {
	t.Helper()
	p, err := dbt.Load(context.Background(), dbt.LoadOptions{Dir: dir, Compile: compile, Adapter: "duckdb",
		Now: time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	var c *cache.Cache
	if cacheDir != "" {
		if c, err = cache.New(cacheDir, 0); err != nil {
			t.Fatal(err)
		}
	}
	res := Infer(p, Options{Cache: c})
	out, err := json.MarshalIndent(res, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(out), c.Stats(), res
}

// The stored inference of every model equals a fresh one, field for field, and a second run
// parses no model again.
func TestCachedColumnsEqualFresh(t *testing.T) {
	for _, compile := range []bool{false, true} {
		dir, cacheDir := t.TempDir(), filepath.Join(t.TempDir(), "cache")
		columnsProject(t, dir, 18)
		want, _, fresh := inferWith(t, dir, "", compile)
		inferWith(t, dir, cacheDir, compile)
		got, st, warm := inferWith(t, dir, cacheDir, compile)
		if got != want || !reflect.DeepEqual(warm, fresh) {
			t.Fatalf("compile=%v: stored inference differs:\n%s", compile, firstDiff(want, got))
		}
		if st.Misses != 0 || st.Hits != 19 { // 18 models and the snapshot
			t.Fatalf("compile=%v: stats %+v", compile, st)
		}
	}
}

// A changed upstream model invalidates the columns of the models that read it, and only when
// what they read of it changed.
func TestCachedColumnsInvalidation(t *testing.T) {
	dir, cacheDir := t.TempDir(), filepath.Join(t.TempDir(), "cache")
	const models = 18 // stg_0..5, int_6..11 (int_k reads stg_k-6), fct_12..17 (fct_k reads int_(6+k%6) and stg_(k%6))
	columnsProject(t, dir, models)
	inferWith(t, dir, cacheDir, false)
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, "models", name+".sql"), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	check := func(what string, misses int64) {
		t.Helper()
		want, _, _ := inferWith(t, dir, "", false)
		got, st, _ := inferWith(t, dir, cacheDir, false)
		if got != want {
			t.Fatalf("%s: %s", what, firstDiff(want, got))
		}
		if st.Misses != misses {
			t.Errorf("%s: %d models inferred again, want %d", what, st.Misses, misses)
		}
		if _, st, _ := inferWith(t, dir, cacheDir, false); st.Misses != 0 {
			t.Errorf("%s: %d misses on the next run", what, st.Misses)
		}
	}
	check("unchanged", 0)
	// stg_1 gains a column: itself, int_7 (select * from it), and through int_7 fct_13; and
	// fct_13 reads stg_1 too. The snapshot reads stg_0 only.
	write("stg_1", "select id, amount, created_at, 1 as extra from {{ source('raw', 't1') }}\n")
	check("stg_1 gains a column", 3)
	// A comment changes stg_2's SQL but not its columns: only stg_2 is inferred again.
	write("stg_2", "-- reviewed\nselect id, amount, created_at from {{ source('raw', 't2') }}\n")
	check("stg_2 commented", 1)
	// A column's type changes: stg_3 and its readers (int_9, fct_15 through int_9 and stg_3).
	write("stg_3", "select id, amount::double as amount, created_at from {{ source('raw', 't3') }}\n")
	check("stg_3 retyped", 3)
	// A leaf changes: only itself.
	write("fct_16", "select i.id from {{ ref('int_10') }} i\n")
	check("fct_16 changed", 1)
	// stg_0 feeds the snapshot too.
	write("stg_0", "select id, created_at from {{ source('raw', 't0') }}\n")
	check("stg_0 loses a column", 4) // stg_0, int_6, fct_12, snap
}

// Random edits of models between runs: the inference through the cache always equals a fresh
// one.
func TestCachedColumnsUnderRandomEdits(t *testing.T) {
	dir, cacheDir := t.TempDir(), filepath.Join(t.TempDir(), "cache")
	const models = 24
	columnsProject(t, dir, models)
	rng := rand.New(rand.NewPCG(7, 15))
	edits := []func(string) string{
		func(s string) string { return strings.Replace(s, "select ", "select 1 as x, ", 1) },
		func(s string) string { return strings.Replace(s, "amount", "amount::text as amount", 1) },
		func(s string) string { return strings.Replace(s, "*, ", "id, ", 1) },
		func(s string) string { return "-- edited\n" + s },
		func(s string) string { return strings.Replace(s, "created_at", "created_at::date as created_at", 1) },
		func(s string) string { return strings.Replace(s, "select ", "select distinct ", 1) },
	}
	for round := 0; round < 30; round++ {
		entries, _ := os.ReadDir(filepath.Join(dir, "models"))
		var sqls []string
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), ".sql") {
				sqls = append(sqls, filepath.Join(dir, "models", e.Name()))
			}
		}
		path := sqls[rng.IntN(len(sqls))]
		data, _ := os.ReadFile(path)
		os.WriteFile(path, []byte(edits[rng.IntN(len(edits))](string(data))), 0o644)
		want, _, _ := inferWith(t, dir, "", round%2 == 0)
		got, _, _ := inferWith(t, dir, cacheDir, round%2 == 0)
		if got != want {
			t.Fatalf("round %d, after editing %s: %s", round, filepath.Base(path), firstDiff(want, got))
		}
	}
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) && i < len(bl); i++ {
		if al[i] != bl[i] {
			return fmt.Sprintf("line %d:\n  fresh:  %s\n  cached: %s", i+1, al[i], bl[i])
		}
	}
	return fmt.Sprintf("lengths %d and %d lines", len(al), len(bl))
}

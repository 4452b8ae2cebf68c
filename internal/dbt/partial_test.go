package dbt

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// A changed model is rebuilt on the restored snapshot when nothing else can depend on it, and
// the project is then the one a full load gives; what a rebuild cannot prove is loaded in full.
func TestPartialRebuild(t *testing.T) {
	appendTo := func(path, text string) func(string) {
		return func(dir string) { editFile(t, filepath.Join(dir, path), func(s string) string { return s + text }) }
	}
	replace := func(path, old, new string) func(string) {
		return func(dir string) {
			editFile(t, filepath.Join(dir, path), func(s string) string {
				if !strings.Contains(s, old) {
					t.Fatalf("%s holds no %q", path, old)
				}
				return strings.Replace(s, old, new, 1)
			})
		}
	}
	for _, tc := range []struct {
		name    string
		edit    func(dir string)
		patched int // 0: loaded in full
	}{
		{"body", appendTo("models/intermediate/int_5.sql", "-- a comment\n"), 1},
		{"ref added", appendTo("models/intermediate/int_5.sql", "union all select id, amount, created_at from {{ ref('stg_2') }}\n"), 1},
		{"ref removed", replace("models/intermediate/int_5.sql", "{{ ref('stg_1') }}", "{{ source('raw', 't1') }}"), 1},
		{"ref to nothing", appendTo("models/marts/fct_9.sql", "-- {{ ref('missing') }}\n"), 1},
		{"source to nothing", appendTo("models/marts/fct_9.sql", "-- {{ source('raw', 'missing') }}\n"), 1},
		{"config tags", replace("models/marts/fct_10.sql", "tags=['m1']", "tags=['m1', 'new']"), 1},
		{"config materialized", replace("models/marts/fct_10.sql", "tags=['m1']", "materialized='incremental'"), 1},
		{"render error", appendTo("models/staging/stg_1.sql", "{{ nosuch( }}\n"), 1},
		{"unknown macro", appendTo("models/staging/stg_1.sql", "{{ nosuch_macro('raw', 't2') }}\n"), 1},
		{"several", func(dir string) {
			for _, m := range []string{"staging/stg_0", "staging/stg_2", "intermediate/int_4", "marts/fct_8", "marts/fct_11"} {
				appendTo("models/"+m+".sql", "-- edited\n")(dir)
			}
		}, 5},
		// Another relation: the compiled code of the models reading it changes.
		{"config alias", replace("models/staging/stg_1.sql", "select", "{{ config(alias='other') }}\nselect"), 0},
		{"ephemeral", replace("models/staging/stg_1.sql", "select", "{{ config(materialized='ephemeral') }}\nselect"), 0},
		{"disabled", replace("models/staging/stg_1.sql", "select", "{{ config(enabled=false) }}\nselect"), 0},
		{"cycle", appendTo("models/staging/stg_0.sql", "-- {{ ref('fct_8') }}\n"), 0}, // fct_8 reads int_4, which reads stg_0
		{"clock", appendTo("models/staging/stg_1.sql", "-- {{ run_started_at }}\n"), 0},
		{"model added", func(dir string) {
			writeCacheFile(t, filepath.Join(dir, "models/staging/new.sql"), "select 1 as id\n")
		}, 0},
		{"model removed", func(dir string) {
			if err := os.Remove(filepath.Join(dir, "models/marts/fct_11.sql")); err != nil {
				t.Fatal(err)
			}
		}, 0},
		{"macro", replace("macros/scale.sql", "100", "1000"), 0},
		{"property file", replace("models/_models.yml", "description: model 5", "description: model five"), 0},
	} {
		for _, compile := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/compile=%v", tc.name, compile), func(t *testing.T) {
				loadCached := func(t *testing.T, dir, cacheDir string, env map[string]string) cacheRun {
					return loadCachedOpts(t, dir, cacheDir, env, func(o *LoadOptions) { o.Compile = compile })
				}
				dir, cacheDir := t.TempDir(), filepath.Join(t.TempDir(), "cache")
				cacheProject(t, dir, 12)
				env := map[string]string{"FZ_REGION": "us"}
				// The first load fills the per-file entries and stores the snapshot, which the
				// second restores.
				if r := loadCached(t, dir, cacheDir, env); r.restored {
					t.Fatal("the first load was restored")
				}
				if r := loadCached(t, dir, cacheDir, env); !r.restored {
					t.Fatal("the second load was not restored")
				}
				tc.edit(dir)
				cold := loadCached(t, dir, "", env)
				for i, what := range []string{"after the edit", "again"} {
					warm := loadCached(t, dir, cacheDir, env)
					if warm.manifest != cold.manifest {
						t.Fatalf("%s: differs from a full load, %s", what, firstDifference(cold.manifest, warm.manifest))
					}
					if tc.patched == 0 {
						// Loaded in full, then (finding every entry) keeping a new snapshot, which
						// the next load restores.
						if i == 0 && warm.restored {
							t.Fatalf("%s: restored the snapshot (%d nodes rebuilt)", what, warm.patched)
						}
						continue
					}
					if warm.patched != tc.patched || !warm.restored {
						t.Fatalf("%s: %d nodes rebuilt (restored %v), want %d", what, warm.patched, warm.restored, tc.patched)
					}
					// The snapshot is not stored again: the next load rebuilds the same nodes, from
					// the renders the first one stored.
					if i == 1 && warm.stats.Writes != 0 {
						t.Fatalf("%s: %d entries written on an unchanged project", what, warm.stats.Writes)
					}
				}
				// Field for field, beyond what the manifest shows.
				full, part := cold.project, loadCached(t, dir, cacheDir, env).project
				for _, f := range []struct {
					name string
					a, b any
				}{
					{"parent map", full.ParentMap, part.ParentMap}, {"child map", full.ChildMap, part.ChildMap},
					{"diagnostics", full.Diagnostics, part.Diagnostics},
				} {
					if !reflect.DeepEqual(f.a, f.b) {
						t.Errorf("the rebuilt %s differ from the loaded:\n%v\n%v", f.name, f.a, f.b)
					}
				}
				for id, n := range full.Nodes {
					m := part.Nodes[id]
					if m == nil || !reflect.DeepEqual(n.DependsOn, m.DependsOn) || !reflect.DeepEqual(n.Config, m.Config) ||
						n.CompiledCode != m.CompiledCode || !reflect.DeepEqual(n.Refs, m.Refs) || !reflect.DeepEqual(n.SourceRefs, m.SourceRefs) {
						t.Fatalf("node %s differs from the loaded", id)
					}
				}
			})
		}
	}
}

func editFile(t *testing.T, path string, edit func(string) string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	writeCacheFile(t, path, edit(string(data)))
}

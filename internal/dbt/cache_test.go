package dbt

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dataops-dev/dataops/internal/cache"
	"github.com/dataops-dev/dataops/internal/jinja"
)

// cacheProject writes a project shaped like real ones: sources, staging, intermediate and mart
// models, macros calling macros, a macro reading an env var, vars, property files, a schema
// naming override, config() calls.
func cacheProject(t testing.TB, dir string, models int) {
	t.Helper()
	files := map[string]string{
		"dbt_project.yml": "name: fz\nversion: '1.0'\nconfig-version: 2\nprofile: fz\n" +
			"vars:\n  start_date: '2024-01-01'\n  limit_rows: 10\n" +
			"models:\n  fz:\n    +materialized: view\n    marts:\n      +materialized: table\n",
		"macros/money.sql":  "{% macro money(col) %}({{ col }} / {{ scale() }}){% endmacro %}\n",
		"macros/scale.sql":  "{% macro scale() %}100{% endmacro %}\n",
		"macros/region.sql": "{% macro region() %}'{{ env_var(\"FZ_REGION\", \"eu\") }}'{% endmacro %}\n",
		"macros/start.sql":  "{% macro start() %}'{{ var(\"start_date\") }}'{% endmacro %}\n",
		"macros/naming.sql": "{% macro generate_schema_name(custom, node) %}{% if custom %}x_{{ custom }}{% else %}{{ target.schema }}{% endif %}{% endmacro %}\n",
		// A naming macro rendered per node, calling a macro that reads an env var.
		"macros/alias.sql":  "{% macro generate_alias_name(custom, node) %}{% if custom %}{{ custom }}{% else %}{{ node.name }}{{ alias_suffix() }}{% endif %}{% endmacro %}\n",
		"macros/suffix.sql": "{% macro alias_suffix() %}{% if env_var('FZ_ALIAS', '') %}_{{ env_var('FZ_ALIAS') }}{% endif %}{% endmacro %}\n",
		"models/staging/_sources.yml": "version: 2\nsources:\n  - name: raw\n    tables:\n" + func() string {
			var b strings.Builder
			for i := 0; i < models/3; i++ {
				fmt.Fprintf(&b, "      - name: t%d\n", i)
			}
			return b.String()
		}(),
	}
	var props strings.Builder
	props.WriteString("version: 2\nmodels:\n")
	for i := 0; i < models; i++ {
		var name, body, folder string
		switch {
		case i < models/3:
			folder, name = "staging", fmt.Sprintf("stg_%d", i)
			body = fmt.Sprintf("select id, amount, created_at from {{ source('raw', 't%d') }}", i)
		case i < 2*models/3:
			folder, name = "intermediate", fmt.Sprintf("int_%d", i)
			body = fmt.Sprintf("select id, amount, created_at from {{ ref('stg_%d') }}", i%(models/3))
		default:
			folder, name = "marts", fmt.Sprintf("fct_%d", i)
			body = fmt.Sprintf("{{ config(tags=['m%d']) }}\nselect id, amount, created_at from {{ ref('int_%d') }}", i%3, models/3+i%(models/3))
		}
		if i%3 == 0 {
			body = strings.Replace(body, "amount,", "{{ money('amount') }} as amount,", 1)
		}
		if i%4 == 0 {
			body += "\nwhere region = {{ region() }}"
		} else if i%5 == 0 {
			body += "\nwhere created_at >= {{ start() }}"
		}
		if i%7 == 0 {
			body += "\nlimit {{ var('limit_rows') }}"
		}
		files[fmt.Sprintf("models/%s/%s.sql", folder, name)] = body + "\n"
		fmt.Fprintf(&props, "  - name: %s\n    description: model %d\n", name, i)
		if i%6 == 0 {
			fmt.Fprintf(&props, "    config:\n      schema: s%d\n", i%2)
		}
		fmt.Fprintf(&props, "    columns:\n      - name: id\n        data_tests: [not_null]\n")
	}
	files["models/_models.yml"] = props.String()
	for name, content := range files {
		writeCacheFile(t, filepath.Join(dir, name), content)
	}
}

func writeCacheFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

type cacheRun struct {
	manifest string
	stats    cache.Stats
	restored bool // from the snapshot of an earlier load
	patched  int  // nodes built again on the restored snapshot
	project  *Project
}

// loadCached loads dir with (a fresh open of) the cache at cacheDir, or without a cache when
// cacheDir is "", and returns the manifest with the diagnostics.
func loadCached(t *testing.T, dir, cacheDir string, env map[string]string) cacheRun {
	t.Helper()
	return loadCachedOpts(t, dir, cacheDir, env, nil)
}

// loadCachedOpts is loadCached with the options changed by edit first.
func loadCachedOpts(t *testing.T, dir, cacheDir string, env map[string]string, edit func(*LoadOptions)) cacheRun {
	t.Helper()
	var c *cache.Cache
	if cacheDir != "" {
		var err error
		if c, err = cache.Open(cacheDir, 0); err != nil {
			t.Fatal(err)
		}
		defer c.Close()
	}
	opts := LoadOptions{
		Dir: dir, Compile: true, Cache: c, Getenv: envOf(env),
		EnvVars: jinja.EnvVars{Allow: []string{"FZ_*"}},
		Now:     time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC),
	}
	if edit != nil {
		edit(&opts)
	}
	p, err := Load(context.Background(), opts)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	var b bytes.Buffer
	if err := WriteManifestIndent(&b, p); err != nil {
		t.Fatal(err)
	}
	for _, d := range p.Diagnostics {
		fmt.Fprintf(&b, "%s:%d:%d %s %s\n", d.Pos.Path, d.Pos.Line, d.Pos.Column, d.Kind, d.Message)
	}
	return cacheRun{b.String(), c.Stats(), p.FromSnapshot(), p.Patched(), p}
}

func firstDifference(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) && i < len(bl); i++ {
		if al[i] != bl[i] {
			return fmt.Sprintf("line %d:\n  cold: %s\n  warm: %s", i+1, al[i], bl[i])
		}
	}
	return fmt.Sprintf("lengths %d and %d lines", len(al), len(bl))
}

// Random edits of models, macros, property files, project vars and env vars between runs: the
// load through the cache always equals a load without it.
func TestCacheWarmEqualsColdUnderRandomEdits(t *testing.T) {
	dir, cacheDir := t.TempDir(), filepath.Join(t.TempDir(), "cache")
	const models = 36
	cacheProject(t, dir, models)
	env := map[string]string{"FZ_REGION": "us"}
	rng := rand.New(rand.NewPCG(15, 2))
	model := func() string {
		var paths []string
		filepath.WalkDir(filepath.Join(dir, "models"), func(p string, d os.DirEntry, err error) error {
			if strings.HasSuffix(p, ".sql") {
				paths = append(paths, p)
			}
			return nil
		})
		return paths[rng.IntN(len(paths))]
	}
	edit := func(path, old, new string) string {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		s := string(data)
		if strings.Contains(s, old) {
			s = strings.Replace(s, old, new, 1)
		} else {
			s += new
		}
		writeCacheFile(t, path, s)
		return fmt.Sprintf("%s: %q → %q", filepath.Base(path), old, new)
	}
	var hits, restored, patched int64
	for round := 0; round < 60; round++ {
		var what string
		switch k := rng.IntN(22); k {
		case 0:
			what = edit(model(), "created_at", fmt.Sprintf("created_at, %d as r%d", round, round))
		case 1:
			what = edit(filepath.Join(dir, "macros/scale.sql"), "%}", fmt.Sprintf("%%}%d * ", round+2))
		case 2:
			what = edit(filepath.Join(dir, "macros/money.sql"), "(", fmt.Sprintf("round%d(", round))
		case 3:
			what = edit(filepath.Join(dir, "models/_models.yml"), "description: model", fmt.Sprintf("config:\n      tags: [t%d]\n    description: model", round))
		case 4:
			what = edit(filepath.Join(dir, "dbt_project.yml"), "start_date: '", fmt.Sprintf("start_date: '%d", round))
		case 5:
			env["FZ_REGION"] = fmt.Sprintf("r%d", round)
			what = "FZ_REGION=" + env["FZ_REGION"]
		case 6:
			what = edit(model(), "select", fmt.Sprintf("{{ config(alias='a%d') }}\nselect", round))
		case 7:
			name := fmt.Sprintf("macros/extra_%d.sql", round)
			writeCacheFile(t, filepath.Join(dir, name), fmt.Sprintf("{%% macro scale() %%}%d{%% endmacro %%}\n", round))
			what = "new " + name + " (a second scale())"
			if round%2 == 0 {
				os.Remove(filepath.Join(dir, name))
				what = "none"
			}
		case 8:
			what = edit(filepath.Join(dir, "macros/naming.sql"), "x_", fmt.Sprintf("x%d_", round))
		case 9:
			what = edit(filepath.Join(dir, "macros/suffix.sql"), "_{{", fmt.Sprintf("_%d{{", round))
		case 10:
			env["FZ_ALIAS"] = fmt.Sprintf("a%d", round)
			what = "FZ_ALIAS=" + env["FZ_ALIAS"]
		case 11:
			name := fmt.Sprintf("models/staging/added_%d.sql", round)
			writeCacheFile(t, filepath.Join(dir, name), fmt.Sprintf("select %d as id from {{ ref('stg_1') }}\n", round))
			what = "new " + name
		case 12:
			path := model()
			os.Remove(path)
			what = "removed " + filepath.Base(path)
		case 13:
			// The same length, the same modification time: the change time and the hash tell.
			path := model()
			st, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			what = edit(path, "select", "SELECT")
			os.Chtimes(path, st.ModTime(), st.ModTime())
		case 14:
			// Rewritten with the same bytes: the metadata differ, the hash does not.
			path := model()
			data, _ := os.ReadFile(path)
			writeCacheFile(t, path, string(data))
			what = "rewrote " + filepath.Base(path)
		case 15:
			name := fmt.Sprintf("models/marts/clock_%d.sql", round)
			writeCacheFile(t, filepath.Join(dir, name), "select '{{ run_started_at }}' as at, id from {{ ref('int_13') }}\n")
			what = "new " + name + " reading the clock"
		case 16:
			// A ref added: the model's parents change (a partial rebuild).
			what = edit(model(), "\n", fmt.Sprintf("\n-- {{ ref('stg_%d') }}\n", rng.IntN(models/3)))
		case 17:
			// A ref that names nothing, or a ref taken away.
			if rng.IntN(2) == 0 {
				what = edit(model(), "\n", fmt.Sprintf("\n-- {{ ref('nope_%d') }}\n", round))
			} else {
				what = edit(model(), "{{ ref('", "{{ source('raw', 't1') }} -- ")
			}
		case 18:
			// config() changing the tags (not the relation), or the materialization.
			if rng.IntN(2) == 0 {
				what = edit(model(), "select", fmt.Sprintf("{{ config(tags=['e%d']) }}\nselect", round))
			} else {
				what = edit(model(), "select", "{{ config(materialized='ephemeral') }}\nselect")
			}
		case 19:
			// Several models at once.
			var parts []string
			for i := 0; i < 1+rng.IntN(5); i++ {
				parts = append(parts, edit(model(), "created_at", fmt.Sprintf("created_at, %d as q%d", round, i)))
			}
			what = strings.Join(parts, ", ")
		case 20:
			// A ref that closes a cycle: left to the full load.
			what = edit(model(), "\n", "\n-- {{ ref('fct_"+fmt.Sprint(2*models/3+rng.IntN(models/3))+"') }}\n")
		case 21:
			// A render error, then its diagnostics.
			what = edit(model(), "select", fmt.Sprintf("{{ nosuch_%d( }}\nselect", round))
		}
		cold := loadCached(t, dir, "", env)
		// After the edit: the snapshot does not hold, and what the edit did not touch comes
		// from the per-file entries.
		fill := loadCached(t, dir, cacheDir, env)
		if fill.manifest != cold.manifest {
			t.Fatalf("round %d, after %s: partly warm differs from cold, %s", round, what, firstDifference(cold.manifest, fill.manifest))
		}
		// A load that filled entries keeps no snapshot; the next, finding them all, does.
		kept := loadCached(t, dir, cacheDir, env)
		if kept.manifest != cold.manifest {
			t.Fatalf("round %d, after %s: warm differs from cold, %s", round, what, firstDifference(cold.manifest, kept.manifest))
		}
		warm := loadCached(t, dir, cacheDir, env)
		if warm.manifest != cold.manifest {
			t.Fatalf("round %d, after %s: warm differs from cold, %s", round, what, firstDifference(cold.manifest, warm.manifest))
		}
		if warm.stats.Misses != 0 {
			t.Fatalf("round %d, after %s: %d misses on an unchanged project", round, what, warm.stats.Misses)
		}
		if !warm.restored {
			t.Fatalf("round %d, after %s: an unchanged project was loaded again rather than restored", round, what)
		}
		// (An env var that no render reads, as when the macro reading it no longer compiles,
		// leaves the snapshot standing: the equality above is what matters then.)
		if fill.restored && fill.patched == 0 && what != "none" && !strings.HasPrefix(what, "rewrote") && !strings.HasPrefix(what, "FZ_") {
			t.Fatalf("round %d, after %s: restored a snapshot of the project before the edit", round, what)
		}
		hits += fill.stats.Hits
		restored++
		if fill.patched > 0 {
			patched++
		}
	}
	if hits == 0 || restored == 0 {
		t.Fatal("the warm loads never read the cache")
	}
	if patched == 0 {
		t.Fatal("no load after an edit rebuilt part of the snapshot")
	}
	t.Logf("%d of 60 loads after an edit rebuilt part of the snapshot", patched)
}

// A changed macro invalidates exactly the renders that ran it (directly or through another
// macro); a changed model only itself, not the models built on it.
func TestCacheInvalidatesExactlyTheCallers(t *testing.T) {
	dir, cacheDir := t.TempDir(), filepath.Join(t.TempDir(), "cache")
	const models = 36
	cacheProject(t, dir, models)
	env := map[string]string{}
	loadCached(t, dir, cacheDir, env)
	if r := loadCached(t, dir, cacheDir, env); r.stats.Misses != 0 {
		t.Fatalf("%d misses on a second load", r.stats.Misses)
	}
	// scale() is called by money() only; money() by every third model.
	callers := 0
	for i := 0; i < models; i += 3 {
		callers++
	}
	writeCacheFile(t, filepath.Join(dir, "macros/scale.sql"), "{% macro scale() %}1000{% endmacro %}\n")
	if r := loadCached(t, dir, cacheDir, env); r.stats.Misses != int64(callers) {
		t.Errorf("scale() changed: %d renders again, want its %d callers", r.stats.Misses, callers)
	}
	// stg_1 feeds int_13 and through it marts: only stg_1 renders again.
	writeCacheFile(t, filepath.Join(dir, "models/staging/stg_1.sql"), "select id, amount, created_at, 1 as more from {{ source('raw', 't1') }}\n")
	if r := loadCached(t, dir, cacheDir, env); r.stats.Misses != 1 {
		t.Errorf("stg_1 changed: %d renders again, want 1", r.stats.Misses)
	}
	// An env var read by region() invalidates the models calling region() only.
	env["FZ_REGION"] = "apac"
	regions := 0
	for i := 0; i < models; i += 4 {
		regions++
	}
	if r := loadCached(t, dir, cacheDir, env); r.stats.Misses != int64(regions) {
		t.Errorf("FZ_REGION changed: %d renders again, want %d", r.stats.Misses, regions)
	}
}

// The names a per-node naming macro gave are kept in one entry: valid while the macros it ran
// and the env vars it read are unchanged, whatever else changes.
func TestCacheNamesTable(t *testing.T) {
	dir, cacheDir := t.TempDir(), filepath.Join(t.TempDir(), "cache")
	cacheProject(t, dir, 24)
	env := map[string]string{}
	check := func(what string, misses int64) {
		t.Helper()
		cold := loadCached(t, dir, "", env)
		r := loadCached(t, dir, cacheDir, env)
		if r.manifest != cold.manifest {
			t.Fatalf("%s: %s", what, firstDifference(cold.manifest, r.manifest))
		}
		if r.stats.Misses != misses {
			t.Errorf("%s: %d misses, want %d", what, r.stats.Misses, misses)
		}
		if r := loadCached(t, dir, cacheDir, env); r.stats.Misses != 0 {
			t.Errorf("%s: %d misses on the next load", what, r.stats.Misses)
		}
	}
	loadCached(t, dir, cacheDir, env)
	check("unchanged", 0)
	// alias_suffix() is run by generate_alias_name only: its table is read again, no model is.
	writeCacheFile(t, filepath.Join(dir, "macros/suffix.sql"), "{% macro alias_suffix() %}_s{% endmacro %}\n")
	check("alias_suffix() changed", 1)
	writeCacheFile(t, filepath.Join(dir, "macros/suffix.sql"), "{% macro alias_suffix() %}{{ env_var('FZ_ALIAS', '') }}{% endmacro %}\n")
	check("alias_suffix() reads FZ_ALIAS", 1)
	env["FZ_ALIAS"] = "_x"
	check("FZ_ALIAS set", 1)
	// A model's text is not a naming macro's input: only its own render is done again.
	writeCacheFile(t, filepath.Join(dir, "models/staging/stg_1.sql"), "select 2 as id from {{ source('raw', 't1') }}\n")
	check("stg_1 changed", 1)
	// A new model adds its name to the table.
	writeCacheFile(t, filepath.Join(dir, "models/staging/stg_new.sql"), "select 1 as id\n")
	check("stg_new added", 1)
	if m := loadCached(t, dir, cacheDir, env).manifest; !strings.Contains(m, `"alias": "stg_new_x"`) {
		t.Fatal("the new model's alias is not in the manifest")
	}
}

// A corrupt entry is a miss: the load is the same as without the cache, and the entry is
// written again.
func TestCacheCorruptEntriesAreRewritten(t *testing.T) {
	dir, cacheDir := t.TempDir(), filepath.Join(t.TempDir(), "cache")
	cacheProject(t, dir, 12)
	cold := loadCached(t, dir, "", nil)
	loadCached(t, dir, cacheDir, nil)
	// Every other entry gets its payload's last byte flipped (a segment is a 15-byte magic line
	// and a 32-byte build, then records of a 32-byte key, a 60-byte MAC, a 4-byte little-endian
	// length and the payload).
	const length, header = 32 + 60, 32 + 60 + 4
	damaged := 0
	filepath.WalkDir(cacheDir, func(p string, d os.DirEntry, err error) error {
		if !strings.HasSuffix(p, ".pack") {
			return nil
		}
		data, _ := os.ReadFile(p)
		// The largest is the loaded project's snapshot: damaged too, or the load would not
		// read the others.
		largest := 0
		for off := 47; off+header <= len(data); {
			n := int(binary.LittleEndian.Uint32(data[off+length:]))
			largest = max(largest, n)
			off += header + n
		}
		for off, i := 47, 0; off+header <= len(data); i++ {
			n := int(binary.LittleEndian.Uint32(data[off+length:]))
			if (i%2 == 0 || n == largest) && n > 0 {
				data[off+header+n-1] ^= 1
				damaged++
			}
			off += header + n
		}
		os.WriteFile(p, data, 0o644)
		return nil
	})
	if damaged == 0 {
		t.Fatal("no entry to damage")
	}
	r := loadCached(t, dir, cacheDir, nil)
	if r.manifest != cold.manifest {
		t.Fatalf("with damaged entries: %s", firstDifference(cold.manifest, r.manifest))
	}
	// (Two renders of one key may both meet its damaged entry; one write repairs it.)
	if r.stats.Corrupt == 0 || r.stats.Writes == 0 || r.stats.Writes > r.stats.Corrupt {
		t.Fatalf("stats %+v: the damaged entries should be read as misses and written again", r.stats)
	}
	if r.restored {
		t.Fatal("a damaged snapshot was restored")
	}
	// The damaged snapshot read as none: the load that repaired the entries stored it again.
	if r := loadCached(t, dir, cacheDir, nil); r.stats.Misses != 0 || !r.restored || r.manifest != cold.manifest {
		t.Fatalf("after the rewrite: %d misses, restored %v, same as cold %v", r.stats.Misses, r.restored, r.manifest == cold.manifest)
	}
}

// Loads sharing one cache at once (the base and the head of a change, or two processes) agree
// with a load without it.
func TestCacheConcurrentLoads(t *testing.T) {
	dir, cacheDir := t.TempDir(), filepath.Join(t.TempDir(), "cache")
	cacheProject(t, dir, 24)
	cold := loadCached(t, dir, "", nil)
	out := make(chan string, 4)
	for i := 0; i < 4; i++ {
		go func() { out <- loadCached(t, dir, cacheDir, nil).manifest }()
	}
	for i := 0; i < 4; i++ {
		if m := <-out; m != cold.manifest {
			t.Fatalf("a concurrent load differs: %s", firstDifference(cold.manifest, m))
		}
	}
}

func TestCacheValueRoundTrip(t *testing.T) {
	v := map[string]any{"a": []any{}, "b": nil, "c": []string{"x"}, "d": map[string]any{"e": int64(3), "f": 1.5, "g": 2, "h": true},
		"i": map[string]string{"j": "k"}, "l": []any(nil), "m": map[string]any{}, "n": uint64(1 << 63)}
	var b bytes.Buffer
	if err := encodeValue(&b, v); err != nil {
		t.Fatal(err)
	}
	got, err := decodeValue(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprintf("%#v", got) != fmt.Sprintf("%#v", v) {
		t.Fatalf("got %#v\nwant %#v", got, v)
	}
	if _, err := decodeValue(b.Bytes()[:b.Len()-1]); err == nil {
		t.Fatal("a cut value decoded")
	}
}

// Every property file of the repository's test projects (and of the real-shaped project here)
// decodes from its entry to exactly what parsing it gives, a version's shared columns included.
func TestPropertiesEntryRoundTrip(t *testing.T) {
	dir := t.TempDir()
	cacheProject(t, dir, 12)
	files := []string{filepath.Join(dir, "models/_models.yml"), filepath.Join(dir, "models/staging/_sources.yml")}
	for _, root := range []string{"testdata", "../../testdata"} {
		filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".yml") || strings.HasSuffix(p, ".yaml")) {
				files = append(files, p)
			}
			return nil
		})
	}
	files = append(files, "") // a versioned model, written here
	stored := 0
	for _, p := range files {
		data := []byte("version: 2\nmodels:\n  - name: m\n    latest_version: 2\n    columns:\n      - name: a\n        quote: true\n" +
			"        constraints: [{type: not_null}]\n        tags: []\n      - name: b\n        data_tests: [unique]\n    versions:\n" +
			"      - v: 1\n      - v: 2\n        columns:\n          - include: all\n            exclude: [b]\n          - name: c\n" +
			"sources:\n  - name: s\n    tables:\n      - name: big\n        meta: {n: 18446744073709551615}\n" +
			"exposures:\n  - name: e\n    depends_on: [ref('m')]\nsemantic_models:\n  - name: sm\n")
		if p != "" {
			var err error
			if data, err = os.ReadFile(p); err != nil {
				t.Fatal(err)
			}
		}
		f := &srcFile{pkg: &pkgState{pkg: &Package{Name: "pkg"}}, rel: "models/x.yml", rootRel: "pkg/models/x.yml", data: data}
		want, err := parseProperties(f)
		if err != nil {
			continue // a malformed file is never stored
		}
		w := &propWriter{f: f}
		w.properties(want)
		if w.err != nil {
			t.Errorf("%s: not storable: %v", p, w.err)
			continue
		}
		got, err := decodeProperties(f, w.b.Bytes())
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: decoded differs:\n got %s\nwant %s", p, dumpProps(got), dumpProps(want))
		}
		for i, pt := range want.Patches {
			for j, v := range pt.Versions {
				for k, c := range v.Columns {
					if slices.Contains(pt.Columns, c) != slices.Contains(got.Patches[i].Columns, got.Patches[i].Versions[j].Columns[k]) {
						t.Errorf("%s: %s v%s column %s: shared with the model's list in one and not the other", p, pt.Name, v.V, c.Name)
					}
				}
			}
		}
		if _, err := decodeProperties(f, w.b.Bytes()[:w.b.Len()-1]); err == nil {
			t.Errorf("%s: a cut entry decoded", p)
		}
		stored++
	}
	if stored < 20 {
		t.Fatalf("only %d property files tried", stored)
	}
}

func dumpProps(p *properties) string {
	var b strings.Builder
	for _, pt := range p.Patches {
		fmt.Fprintf(&b, "%+v\n", *pt)
	}
	for _, s := range p.Sources {
		fmt.Fprintf(&b, "%+v\n", *s)
	}
	fmt.Fprintf(&b, "%+v", p.Unparsed)
	return b.String()
}

// The key of a per-node name is the literal of the node's fields the macro reads.
func TestNamerNodeLiteral(t *testing.T) {
	nodes := []*Node{
		{Name: "a", UniqueID: "model.p.a", ResourceType: Model, Package: "p", FQN: []string{"p", "x", "a"}, Path: "x/a.sql",
			OriginalFilePath: "models/x/a.sql", Tags: []string{"t", "it's"}, Config: map[string]any{"materialized": "view", "tags": []any{"t"}, "schema": nil}},
		{Name: "b", UniqueID: "model.p.b.v2", Version: "2", ResourceType: Model, Package: "p", Config: map[string]any{"alias": "bb", "database": "d\\n"}},
		{Name: "c", ResourceType: Snapshot, Tags: []string{}, Config: map[string]any{}},
	}
	for _, attrs := range []map[string]bool{nil, {}, {"name": true}, {"name": true, "version": true}, {"config": true, "fqn": true}, {"tags": true, "unique_id": true, "path": true}, {"schema": true, "database": true}} {
		s := &namer{attrs: attrs}
		for _, n := range nodes {
			at := namedSoFar{database: "db", schema: "it's"}
			if got, want := s.nodeLiteral(n, at), jinjaLiteral(s.nodeFields(n, at)); got != want {
				t.Errorf("attrs %v, node %s:\n got %s\nwant %s", attrs, n.Name, got, want)
			}
		}
	}
}

// The render key spells out jinja.Relation's fields: a new field must be added to it (all
// but PartRead, which the render writes to rather than reads).
func TestRenderKeyCoversRelation(t *testing.T) {
	if n := reflect.TypeOf(jinja.Relation{}).NumField(); n != 6 {
		t.Fatalf("jinja.Relation has %d fields; renderKey hashes 5 and PartRead", n)
	}
}

// A macro defined twice runs its last definition: editing that one renders its callers again,
// though the project's Macros keep the first.
func TestCacheMacroDefinedTwice(t *testing.T) {
	dir, cacheDir := t.TempDir(), filepath.Join(t.TempDir(), "cache")
	cacheProject(t, dir, 6)
	writeCacheFile(t, filepath.Join(dir, "macros/a_scale.sql"), "{% macro scale() %}7{% endmacro %}\n")
	env := map[string]string{"FZ_REGION": "us"}
	loadCached(t, dir, cacheDir, env)
	loadCached(t, dir, cacheDir, env)
	editFile(t, filepath.Join(dir, "macros/scale.sql"), func(s string) string { return strings.Replace(s, "100", "1000", 1) })
	cold := loadCached(t, dir, "", env)
	if !strings.Contains(cold.manifest, "/ 1000)") {
		t.Fatal("the last definition is not the one rendered")
	}
	for _, what := range []string{"after the edit", "again"} {
		if warm := loadCached(t, dir, cacheDir, env); warm.manifest != cold.manifest {
			t.Fatalf("%s: differs from a full load, %s", what, firstDifference(cold.manifest, warm.manifest))
		}
	}
}

// TestNamingMacroFailureSaysWhy: a naming macro that fails is reported with its reason, the
// same cold and warm (the table of names keeps it).
func TestNamingMacroFailureSaysWhy(t *testing.T) {
	for _, c := range []struct{ macro, want string }{
		{"{% macro generate_schema_name(custom, node) %}{{ target.nothing_here }}{% endmacro %}", "it gave an empty name"},
		{"{% macro generate_schema_name(custom, node) %}{{ 'a' ~ '{' }}{% endmacro %}", `it gave "a{", not a name`},
	} {
		dir := writeProject(t, map[string]string{
			"dbt_project.yml":   "name: p\nprofile: none\n",
			"macros/naming.sql": c.macro + "\n",
			"models/a.sql":      "select 1 as x\n",
		})
		cacheDir := t.TempDir()
		for _, run := range []string{"cold", "warm"} {
			r := loadCached(t, dir, cacheDir, nil)
			found := ""
			for _, d := range r.project.Diagnostics {
				if d.Kind == "schema-macro" {
					found = d.Message
				}
			}
			if !strings.Contains(found, c.want) {
				t.Errorf("%s, %s: schema-macro warning %q, want it to say %q", c.macro, run, found, c.want)
			}
		}
	}
}

func TestVolatileNames(t *testing.T) {
	for src, want := range map[string]bool{
		"select {{ run_started_at }}":                   true,
		"{{ invocation_id }}":                           true,
		"{{ modules.datetime.date.today() }}":           true,
		"{{ modules.time.time() }}":                     true,
		"{{ modules['datetime'] }}":                     true,
		"{% set m = modules %}{{ modules }}":            true,
		"{{ modules.re.match('a', 'b') }}":              false,
		"{{ my_modules_list }} {{ modules.itertools }}": false,
		"select 1": false,
		"modules":  false,
	} {
		if got := volatile(src); got != want {
			t.Errorf("volatile(%q) = %v, want %v", src, got, want)
		}
	}
}

// A render reads the clock when the clock's functions say it did; run_started_at and
// invocation_id, plain values, when its template or a macro it ran names them. A macro that
// reads the date only for another target leaves this target's render stable.
func TestVolatileRender(t *testing.T) {
	l := &loader{p: &Project{Macros: map[string]*Macro{
		"macro.p.since":   {SQL: "{% if target.name == 'ci' %}{{ modules.datetime.date.today() }}{% endif %}"},
		"macro.p.stamped": {SQL: "{{ run_started_at }}"},
	}}}
	for _, c := range []struct {
		name   string
		src    string
		called []string
		read   bool
		want   bool
	}{
		{"a ci-only date, not read", "select {{ since() }}", []string{"macro.p.since"}, false, false},
		{"a date read", "select {{ since() }}", []string{"macro.p.since"}, true, true},
		{"a template naming the clock's module, not reading it", "{% if false %}{{ modules.datetime.date.today() }}{% endif %}", nil, false, false},
		{"run_started_at in the template", "select '{{ run_started_at }}'", nil, false, true},
		{"invocation_id in the template", "select '{{ invocation_id }}'", nil, false, true},
		{"run_started_at in a macro", "select {{ stamped() }}", []string{"macro.p.stamped"}, false, true},
		{"nothing", "select 1", nil, false, false},
	} {
		in := &jinja.Input{Source: c.src}
		r := &jinja.Result{MacrosCalled: c.called, ReadClock: c.read}
		if got := l.volatileRender(in, r); got != c.want {
			t.Errorf("%s: volatile %v, want %v", c.name, got, c.want)
		}
	}
}

package dbt

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/dataops-dev/dataops/internal/cache"
	"github.com/dataops-dev/dataops/internal/jinja"
	"github.com/dataops-dev/dataops/internal/secret"
)

// loadWith loads dir with a fresh open of the cache at cacheDir.
func loadWith(t *testing.T, dir, cacheDir string, compile bool, edit func(*LoadOptions)) *Project {
	t.Helper()
	c, err := cache.Open(cacheDir, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	opts := LoadOptions{Dir: dir, Compile: compile, Cache: c, Getenv: envOf(map[string]string{"PROJ_DB": "warehouse_x"}),
		EnvVars: jinja.EnvVars{Allow: []string{"PROJ_*", "FZ_*"}}, Now: time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)}
	if edit != nil {
		edit(&opts)
	}
	p, err := Load(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// errorsAsText makes the renders' errors comparable: a restored one has the text only.
func errorsAsText(nodes map[string]*Node) {
	for _, n := range nodes {
		if n.Render != nil && n.Render.Err != nil {
			n.Render.Err = errors.New(n.Render.Err.Error())
		}
	}
}

// A restored project is the loaded one, field for field, not only as far as the manifest
// shows: offset maps, warnings, column positions, test metadata, diagnostics.
func TestSnapshotRestoresEveryField(t *testing.T) {
	for _, compile := range []bool{false, true} {
		cacheDir := filepath.Join(t.TempDir(), "cache")
		// The first load fills the per-file entries and keeps the snapshot; the second
		// restores it.
		loaded := loadWith(t, "testdata/proj", cacheDir, compile, nil)
		restored := loadWith(t, "testdata/proj", cacheDir, compile, nil)
		if loaded.FromSnapshot() || !restored.FromSnapshot() {
			t.Fatalf("compile %v: first load restored %v, second %v", compile, loaded.FromSnapshot(), restored.FromSnapshot())
		}
		errorsAsText(loaded.Nodes)
		errorsAsText(restored.Nodes)
		for _, f := range []struct {
			name string
			a, b any
		}{
			{"nodes", loaded.Nodes, restored.Nodes}, {"sources", loaded.Sources, restored.Sources},
			{"exposures", loaded.Exposures, restored.Exposures}, {"macros", loaded.Macros, restored.Macros},
			{"docs", loaded.Docs, restored.Docs}, {"unparsed", loaded.Unparsed, restored.Unparsed},
			{"parent map", loaded.ParentMap, restored.ParentMap}, {"child map", loaded.ChildMap, restored.ChildMap},
			{"disabled", loaded.Disabled, restored.Disabled}, {"disabled sources", loaded.DisabledSources, restored.DisabledSources},
			{"diagnostics", loaded.Diagnostics, restored.Diagnostics}, {"packages", loaded.Packages, restored.Packages},
			{"vars", loaded.Vars, restored.Vars}, {"target", loaded.Target, restored.Target},
		} {
			if !reflect.DeepEqual(f.a, f.b) {
				t.Errorf("compile %v: the restored %s differ from the loaded", compile, f.name)
			}
		}
		if restored.Jinja == nil {
			t.Errorf("compile %v: the restored project has no environment to render with", compile)
		}
	}
}

// A model reading the clock is rendered again from the snapshot: its output is this run's.
func TestSnapshotRendersTheClockAgain(t *testing.T) {
	dir, cacheDir := t.TempDir(), filepath.Join(t.TempDir(), "cache")
	cacheProject(t, dir, 12)
	writeCacheFile(t, filepath.Join(dir, "models/marts/clock.sql"), "select '{{ run_started_at }}' as at, {{ money('amount') }} from {{ ref('int_5') }}\n")
	writeCacheFile(t, filepath.Join(dir, "macros/today.sql"), "{% macro today() %}'{{ modules.datetime.date(2024, 1, 2) }}'{% endmacro %}\n")
	writeCacheFile(t, filepath.Join(dir, "models/marts/today.sql"), "select {{ today() }} as d\n")
	at := func(day int) func(*LoadOptions) {
		return func(o *LoadOptions) { o.Now = time.Date(2024, 5, day, 12, 0, 0, 0, time.UTC) }
	}
	loadCachedOpts(t, dir, cacheDir, nil, at(1))
	loadCachedOpts(t, dir, cacheDir, nil, at(1))
	warm := loadCachedOpts(t, dir, cacheDir, nil, at(2))
	cold := loadCachedOpts(t, dir, "", nil, at(2))
	if !warm.restored {
		t.Fatal("a project with a model reading the clock is never restored")
	}
	if warm.manifest != cold.manifest {
		t.Fatalf("restored on another day: %s", firstDifference(cold.manifest, warm.manifest))
	}
	if !strings.Contains(warm.manifest, "2024-05-02") {
		t.Fatal("the clock model kept the first run's time")
	}
}

// The snapshot holds what renders printed: a project whose render printed a secret of the run
// is not kept, as that render is not.
func TestSnapshotKeepsNoSecret(t *testing.T) {
	dir, cacheDir := t.TempDir(), filepath.Join(t.TempDir(), "cache")
	cacheProject(t, dir, 6)
	writeCacheFile(t, filepath.Join(dir, "models/leak.sql"), "select '{{ env_var(\"FZ_TOKEN\") }}' as t\n")
	env := map[string]string{"FZ_TOKEN": "tok-5f1e9a77c3"}
	withSecret := func(o *LoadOptions) { o.Secrets = secret.New("tok-5f1e9a77c3") }
	loadCachedOpts(t, dir, cacheDir, env, withSecret)
	loadCachedOpts(t, dir, cacheDir, env, withSecret)
	if r := loadCachedOpts(t, dir, cacheDir, env, withSecret); r.restored {
		t.Fatal("a project holding a secret was kept")
	}
	if r := loadCachedOpts(t, dir, cacheDir, env, nil); r.restored {
		t.Fatal("a project holding a secret was kept")
	}
}

// A throwaway tree (a change's side built for one run) neither stores nor restores a
// snapshot, and loads the same project.
func TestThrowawayKeepsNoSnapshot(t *testing.T) {
	dir, cacheDir := t.TempDir(), filepath.Join(t.TempDir(), "cache")
	cacheProject(t, dir, 6)
	throwaway := func(o *LoadOptions) { o.Throwaway = true }
	cold := loadCachedOpts(t, dir, "", nil, nil)
	loadCachedOpts(t, dir, cacheDir, nil, throwaway)
	for i := range 2 {
		r := loadCachedOpts(t, dir, cacheDir, nil, throwaway)
		if r.restored || r.stats.Writes != 0 {
			t.Errorf("load %d: restored %v, %d entries written", i+2, r.restored, r.stats.Writes)
		}
		if r.manifest != cold.manifest {
			t.Errorf("load %d: %s", i+2, firstDifference(cold.manifest, r.manifest))
		}
	}
	// The same tree loaded as the project keeps its snapshot as usual.
	loadCachedOpts(t, dir, cacheDir, nil, nil)
	if r := loadCachedOpts(t, dir, cacheDir, nil, nil); !r.restored {
		t.Error("the project's own load kept no snapshot")
	}
}

// What the key holds: another --vars, target or compile mode is another snapshot.
func TestSnapshotKeyedByOptions(t *testing.T) {
	dir, cacheDir := t.TempDir(), filepath.Join(t.TempDir(), "cache")
	cacheProject(t, dir, 12)
	for i, edit := range []func(*LoadOptions){
		nil,
		func(o *LoadOptions) { o.Vars = map[string]any{"limit_rows": 99} },
		func(o *LoadOptions) { o.Compile = false },
		func(o *LoadOptions) { o.Adapter = "bigquery" },
	} {
		first := loadCachedOpts(t, dir, cacheDir, nil, edit)
		cold := loadCachedOpts(t, dir, "", nil, edit)
		again := loadCachedOpts(t, dir, cacheDir, nil, edit)
		if first.restored || !again.restored {
			t.Errorf("options %d: loads restored %v, %v; want only the second", i, first.restored, again.restored)
		}
		if again.manifest != cold.manifest || first.manifest != cold.manifest {
			t.Errorf("options %d: %s", i, firstDifference(cold.manifest, again.manifest))
		}
	}
}

// The manifest of a restored project, written from the template its first load kept, is the
// one WriteManifest writes, timestamps included, compact and indented.
func TestManifestTemplateEqualsManifest(t *testing.T) {
	for _, clock := range []bool{false, true} {
		t.Run(fmt.Sprintf("clock %v", clock), func(t *testing.T) { testManifestTemplate(t, clock) })
	}
}

func testManifestTemplate(t *testing.T, clock bool) {
	dir, cacheDir := t.TempDir(), filepath.Join(t.TempDir(), "cache")
	cacheProject(t, dir, 12)
	if clock {
		writeCacheFile(t, filepath.Join(dir, "models/marts/clock.sql"), "select '{{ run_started_at }}' as at\n")
	}
	c, err := cache.New(cacheDir, 0)
	if err != nil {
		t.Fatal(err)
	}
	load := func(day int) *Project {
		p, err := Load(context.Background(), LoadOptions{Dir: dir, Compile: true, Cache: c, Now: time.Date(2024, 5, day, 12, 0, 0, 0, time.UTC)})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	// The first load fills the per-file entries; the snapshot is kept by the next.
	load(1)
	var templates int64
	for _, indent := range []bool{false, true} {
		for day := 1; day <= 3; day++ {
			p := load(day)
			var want, got bytes.Buffer
			if err := writeManifest(&want, p, indent); err != nil {
				t.Fatal(err)
			}
			before := c.Stats().Hits
			if err := WriteManifestCached(&got, p, c, indent); err != nil {
				t.Fatal(err)
			}
			templates += c.Stats().Hits - before
			if got.String() != want.String() {
				t.Fatalf("indent %v, day %d (restored %v): %s", indent, day, p.FromSnapshot(), firstDifference(want.String(), got.String()))
			}
			if day > 1 && !p.FromSnapshot() {
				t.Fatalf("day %d: not restored", day)
			}
		}
	}
	// With a model printing the run's time, no restored project is its first load's.
	if (templates == 0) != clock {
		t.Fatalf("clock %v: %d templates read", clock, templates)
	}
}

// A template past what the cache keeps is made once: the runs after it write the manifest
// directly instead of making it again to throw it away.
func TestManifestTemplateTooLargeIsMadeOnce(t *testing.T) {
	dir := t.TempDir()
	cacheProject(t, dir, 12)
	p, err := Load(context.Background(), LoadOptions{Dir: dir, Compile: true})
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := writeManifest(&want, p, false); err != nil {
		t.Fatal(err)
	}
	c, err := cache.New(filepath.Join(t.TempDir(), "cache"), int64(want.Len())) // a quarter of it is less than the template
	if err != nil {
		t.Fatal(err)
	}
	// As a restored project whose snapshot was small enough to template.
	p.snapshotID, p.templated = "s1", true
	for run := 1; run <= 3; run++ {
		if err := c.Hold(); err != nil {
			t.Fatal(err)
		}
		before := c.Stats()
		var got bytes.Buffer
		if err := WriteManifestCached(&got, p, c, false); err != nil {
			t.Fatal(err)
		}
		after := c.Stats()
		c.Release()
		if got.String() != want.String() {
			t.Fatalf("run %d: %s", run, firstDifference(want.String(), got.String()))
		}
		if wrote := after.Writes - before.Writes; run == 1 && wrote != 1 || run > 1 && wrote != 0 {
			t.Errorf("run %d wrote %d entries", run, wrote)
		}
		if run > 1 && after.Hits-before.Hits != 1 {
			t.Errorf("run %d: the refusal was not read (%d hits)", run, after.Hits-before.Hits)
		}
	}
}

// A snapshot too large for the cache is refused once: the unchanged runs after it do not
// encode the project again only to drop it, until the bound grows.
func TestSnapshotTooLargeIsEncodedOnce(t *testing.T) {
	dir, cacheDir := t.TempDir(), filepath.Join(t.TempDir(), "cache")
	cacheProject(t, dir, 40)
	load := func(limit int64) *Project {
		t.Helper()
		c, err := cache.New(cacheDir, limit)
		if err != nil {
			t.Fatal(err)
		}
		p, err := Load(context.Background(), LoadOptions{Dir: dir, Compile: true, Cache: c})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	const small = 160 << 10 // the renders fit, a quarter of it does not hold the snapshot
	before := snapshotsEncoded.Load()
	load(small) // cold: the renders are stored, the snapshot is made, and refused
	if n := snapshotsEncoded.Load() - before; n != 1 {
		t.Fatalf("the cold run encoded %d snapshots, want 1", n)
	}
	for run := 0; run < 2; run++ {
		if p := load(small); p.FromSnapshot() {
			t.Fatal("restored a snapshot the bound refused")
		}
	}
	if n := snapshotsEncoded.Load() - before; n != 1 {
		t.Fatalf("the runs after the refusal encoded %d more", n-1)
	}
	// A larger bound tries again, and keeps it.
	load(64 << 20)
	if n := snapshotsEncoded.Load() - before; n != 2 {
		t.Fatalf("a larger bound did not try again (%d encoded)", n)
	}
	if p := load(64 << 20); !p.FromSnapshot() {
		t.Fatal("the snapshot a larger bound kept was not restored")
	}
}

// cutStream cuts manifest, written in pieces of size n, at the time at: the template's
// encoding, or false.
func cutStream(manifest string, stamped, n int, at time.Time) ([]byte, bool) {
	var out bytes.Buffer
	cut := newTemplateCutter(&out, stamped, at, false)
	for rest := manifest; len(rest) > 0; {
		k := min(n, len(rest))
		cut.Write([]byte(rest[:k]))
		rest = rest[k:]
	}
	ok := cut.finish() // before out is read: it writes the end
	return out.Bytes(), ok
}

// A manifest is cut where its timestamps are, however it is written; a project printing the
// run's own stamp is written without a template.
func TestManifestTemplateCut(t *testing.T) {
	at := time.Date(2026, 3, 4, 5, 6, 7, 891011121, time.UTC)
	created, when := stampForms(at, false)
	manifest := `{"g":` + when + `,"r":` + when + `,"n":{"a":{"x":"` + strings.Repeat("y", 300) + `","created_at":` + created +
		`},"b":{"created_at":` + created + `}},"end":1}` + "\n"
	later := at.Add(36 * time.Hour)
	c2, w2 := stampForms(later, false)
	want := strings.NewReplacer(created, c2, when, w2).Replace(manifest)
	for _, n := range []int{1, 2, 3, 7, 64, len(manifest)} {
		enc, ok := cutStream(manifest, 2, n, at)
		if !ok {
			t.Fatalf("pieces of %d: not cut", n)
		}
		tm, err := decodeTemplate(enc)
		if err != nil {
			t.Fatalf("pieces of %d: %v (%q)", n, err, enc)
		}
		if len(tm.Chunks) != 5 {
			t.Fatalf("pieces of %d: %d chunks", n, len(tm.Chunks))
		}
		var b bytes.Buffer
		if err := tm.write(&b, later, false); err != nil || b.String() != want {
			t.Fatalf("pieces of %d: written again as\n%s\nwant\n%s", n, b.String(), want)
		}
	}
	// The project prints the stamp once more than the manifest's timestamps.
	extra := strings.Replace(manifest, `"end":1`, `"end":`+created, 1)
	if _, ok := cutStream(extra, 2, 5, at); ok {
		t.Fatal("a stamp more than expected was cut")
	}
	if _, ok := cutStream(manifest, 3, 5, at); ok {
		t.Fatal("a stamp fewer than expected was cut")
	}
}

// TestPauseGCNested: decodes overlapping in time leave the collector as it was once the last
// resumes, whichever order they end in.
func TestPauseGCNested(t *testing.T) {
	before := debug.SetGCPercent(73)
	defer debug.SetGCPercent(before)
	a := pauseGC()
	b := pauseGC()
	a()
	if got := debug.SetGCPercent(-1); got != -1 {
		t.Errorf("collector back on (%d) while a decode still runs", got)
	}
	b()
	if got := debug.SetGCPercent(73); got != 73 {
		t.Errorf("collector setting %d after both resumed, want 73", got)
	}
}

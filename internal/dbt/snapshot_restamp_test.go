package dbt

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// A snapshot stored just after its files were written has every check read them; the first
// check that finds them unchanged notes their stamps, and the next reads none, yet sees a
// later edit.
func TestSnapshotNotesSettledStamps(t *testing.T) {
	defer func(s time.Duration) { restampSlack = s }(restampSlack)
	restampSlack = -time.Hour // the test's files are as new as its loads: noted at once
	dir, cacheDir := t.TempDir(), filepath.Join(t.TempDir(), "cache")
	cacheProject(t, dir, 12)
	loadWith(t, dir, cacheDir, false, nil) // stores the snapshot, every file within the slack
	for i, want := range []bool{true, false, false} {
		before := filesReadByCheck.Load()
		if p := loadWith(t, dir, cacheDir, false, nil); !p.FromSnapshot() {
			t.Fatalf("load %d not restored", i+2)
		}
		if read := filesReadByCheck.Load() > before; read != want {
			t.Errorf("load %d: files read %v, want %v", i+2, read, want)
		}
	}
	// An edit that keeps the size: the stamp differs, the file is read, its change is seen.
	path := filepath.Join(dir, "models/staging/stg_1.sql")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	edited := []byte(string(data[:len(data)-2]) + "9\n")
	if err := os.WriteFile(path, edited, 0o644); err != nil {
		t.Fatal(err)
	}
	warm := loadWith(t, dir, cacheDir, false, nil)
	cold := loadWith(t, dir, filepath.Join(t.TempDir(), "cache"), false, nil)
	code := func(p *Project) []string {
		var out []string
		for id, n := range p.Nodes {
			out = append(out, id+": "+n.RawCode)
		}
		slices.Sort(out)
		return out
	}
	if !slices.Equal(code(warm), code(cold)) {
		t.Errorf("after an edit, the warm load's models differ from a cold load's")
	}
}

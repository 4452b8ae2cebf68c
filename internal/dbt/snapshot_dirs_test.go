package dbt

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"
)

// A warm load that takes the snapshot's list of files for the listing (its folders unchanged)
// finds the same files as a load without the cache after each kind of change to the folders:
// a file added, removed or renamed, a folder added, a resource path made, a .dbtignore written.
func TestSnapshotFoldersUnchanged(t *testing.T) {
	defer func(s time.Duration) { dirSlack = s }(dirSlack)
	dirSlack = -time.Hour // the test's folders are as new as its loads
	dir, cacheDir := t.TempDir(), filepath.Join(t.TempDir(), "cache")
	cacheProject(t, dir, 12)
	files := func(p *Project) []string {
		var out []string
		for _, n := range p.Nodes {
			out = append(out, n.OriginalFilePath+" "+n.Path)
		}
		for _, m := range p.Macros {
			out = append(out, m.OriginalFilePath)
		}
		slices.Sort(out)
		return out
	}
	loadWith(t, dir, cacheDir, false, nil) // stores the snapshot
	skipped := listingsSkipped.Load()
	if p := loadWith(t, dir, cacheDir, false, nil); !p.FromSnapshot() || listingsSkipped.Load() != skipped+1 {
		t.Fatalf("unchanged project: restored %v, listing skipped %d times", p.FromSnapshot(), listingsSkipped.Load()-skipped)
	}
	write := func(rel, content string) func() {
		return func() { writeCacheFile(t, filepath.Join(dir, rel), content) }
	}
	for _, c := range []struct {
		name string
		do   func()
	}{
		{"a model added", write("models/staging/added.sql", "select 1 as id\n")},
		{"a model removed", func() { os.Remove(filepath.Join(dir, "models/staging/added.sql")) }},
		{"a model renamed", func() {
			os.Rename(filepath.Join(dir, "models/marts/fct_11.sql"), filepath.Join(dir, "models/marts/fct_eleven.sql"))
		}},
		{"a folder added", write("models/extra/deep/x.sql", "select 2 as id\n")},
		{"a resource path made", write("analyses/a.sql", "select 3 as id\n")},
		{"a macro added", write("macros/more/m.sql", "{% macro m() %}1{% endmacro %}\n")},
		{"a .dbtignore", write(".dbtignore", "models/extra/\n")},
	} {
		c.do()
		skipped := listingsSkipped.Load()
		warm := loadWith(t, dir, cacheDir, false, nil)
		if listingsSkipped.Load() != skipped {
			t.Errorf("%s: the snapshot's listing was taken as the project's", c.name)
		}
		cold := loadWith(t, dir, filepath.Join(t.TempDir(), "cache"), false, nil)
		if got, want := files(warm), files(cold); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: warm load's files\n%q\nwant\n%q", c.name, got, want)
		}
		// The load after the change kept the snapshot it had: the next, finding every file
		// in the cache, stores one of the project as it is, which the one after restores.
		loadWith(t, dir, cacheDir, false, nil)
		skipped = listingsSkipped.Load()
		if p := loadWith(t, dir, cacheDir, false, nil); !p.FromSnapshot() || listingsSkipped.Load() != skipped+1 {
			t.Errorf("%s, then unchanged: restored %v, listing skipped %d times", c.name, p.FromSnapshot(), listingsSkipped.Load()-skipped)
		}
	}
}

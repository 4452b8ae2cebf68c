package dbt

import (
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// walkDir visits what filepath.WalkDir visits, in the same order: hidden and skipped folders
// left out, links neither followed nor left out, a root that is a file or a link visited
// itself, a missing root nothing.
func TestWalkDirVisitsAsWalkDir(t *testing.T) {
	root := t.TempDir()
	for _, f := range []string{
		"models/b.sql", "models/a.sql", "models/z/deep/x.sql", "models/z/y.yml", "models/.hidden/h.sql",
		"models/.dot.sql", "models/target/t.sql", "models/a b/space.sql", "models/A/upper.sql", "models/empty/",
	} {
		p := filepath.Join(root, filepath.FromSlash(f))
		if strings.HasSuffix(f, "/") {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("select 1"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(filepath.Join(root, "models", "z"), filepath.Join(root, "models", "linked")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(root, "models", "a.sql"), filepath.Join(root, "models", "c.sql")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(root, "models"), filepath.Join(root, "rootlink")); err != nil {
		t.Fatal(err)
	}
	skip := map[string]bool{filepath.Join(root, "models", "target"): true}
	reference := func(base string) []string {
		var out []string
		_ = filepath.WalkDir(base, func(path string, de fs.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			if de.IsDir() {
				if path != base && (skip[path] || strings.HasPrefix(de.Name(), ".")) {
					return filepath.SkipDir
				}
				return nil
			}
			if !strings.HasPrefix(de.Name(), ".") {
				out = append(out, path)
			}
			return nil
		})
		return out
	}
	ours := func(base string, stamped bool) []string {
		var out []string
		enter := func(path string, de fs.DirEntry) bool { return !skip[path] && !strings.HasPrefix(de.Name(), ".") }
		var seen func(string, fs.FileInfo)
		if stamped { // the listing that notes each directory's stamp reads the same
			seen = func(string, fs.FileInfo) {}
		}
		walkDir(base, enter, func(path string, de fs.DirEntry) {
			if !strings.HasPrefix(de.Name(), ".") {
				out = append(out, path)
			}
		}, seen)
		return out
	}
	for _, base := range []string{
		filepath.Join(root, "models"), filepath.Join(root, "models", "a.sql"), filepath.Join(root, "rootlink"),
		filepath.Join(root, "missing"), filepath.Join(root, "models", "empty"),
	} {
		want, got, stamped := reference(base), ours(base, false), ours(base, true)
		if !reflect.DeepEqual(stamped, want) {
			t.Errorf("%s, stamped:\nwalkDir  %q\nWalkDir  %q", base, stamped, want)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\nwalkDir  %q\nWalkDir  %q", base, got, want)
		}
	}
	if got := ours(filepath.Join(root, "models"), false); len(got) != 8 {
		t.Errorf("visited %d files under models, want 8: %q", len(got), got)
	}
}

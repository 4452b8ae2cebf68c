package change

import (
	"context"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/dataops-dev/dataops/internal/cache"
)

// Kept light trees. A review run again on the same work tree (an engineer pushing fixes, an
// editor asking again) builds the same light base tree every time: what it holds is the base
// commit's version of the changed files, links to the work tree's unchanged ones, the macro
// files and the property files beside the changed ones. Kept under the cache directory, keyed
// by all of that, the tree is built once and its load is restored from the loader's snapshot
// on the next run, which checks every file of the tree (and where its links lead) as for any
// project.
//
// Only a head that is the work tree keeps its tree: an extracted head lives as long as its
// run, and the links would lead nowhere after. The files a changed property file adds (see
// lightBase) depend on the head's content, not on the key: a run that needs them builds a
// tree of its own, as without a kept tree.

// maxKeptTrees bounds the kept trees of one cache directory; older ones than keptTreeAge
// past the bound are removed after a tree is built. A tree is links and a few files.
const (
	maxKeptTrees = 16
	keptTreeAge  = 10 * time.Minute
	keptTreeTag  = "light-tree-1"
)

// keptTreeKey names the tree of a change: the base commit, the work tree it links to, where
// the project sits in the repository and the changed files (which, with the work tree's
// dbt_project.yml, decide every file the tree holds and whether it is fetched or linked).
func (s *sides) keptTreeKey() string {
	changed := slices.Clone(s.changed)
	slices.Sort(changed)
	key := cache.NewHasher(keptTreeTag).String(s.baseCommit).String(s.headDir).String(s.repo.Top).
		String(s.repo.Prefix).Value(changed).Sum()
	return key.String()[:32]
}

// keptTree returns the project directory of the change's kept tree under dir, building it
// when absent; "" when the change cannot keep one (the caller builds a temporary tree).
func (s *sides) keptTree(ctx context.Context, dir string) (string, error) {
	if dir == "" || s.headCommit != "" || len(s.repo.Shared) > 0 {
		return "", nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil || !realDir(dir) {
		return "", nil // no place to keep it: a temporary tree does
	}
	// The trees hold SQL: a `sqlfluff lint .` at the project's root would lint them too (it
	// walks hidden folders), unless told not to.
	if ignore := filepath.Join(dir, ".sqlfluffignore"); !exists(ignore) {
		_ = os.WriteFile(ignore, []byte("*\n"), 0o644)
	}
	key := s.keptTreeKey()
	dest := filepath.Join(dir, key)
	proj := dest
	if s.repo.Prefix != "" {
		proj = filepath.Join(dest, filepath.FromSlash(s.repo.Prefix))
	}
	if realDir(dest) {
		now := time.Now()
		_ = os.Chtimes(dest, now, now) // most recently used
		return proj, nil
	}
	// Built aside and renamed into place: a tree under its key is whole, and two runs
	// building the same one keep the first.
	build, err := os.MkdirTemp(dir, key+".build-")
	if err != nil {
		return "", nil
	}
	if _, err := s.repo.buildTree(ctx, s.baseCommit, s.headDir, s.changed, build, s.lightIncluded); err != nil {
		_ = os.RemoveAll(build)
		return "", err
	}
	readOnly(build)
	if err := os.Rename(build, dest); err != nil {
		_ = os.RemoveAll(build)
		if !realDir(dest) {
			return "", nil
		}
	}
	pruneKeptTrees(dir, key)
	return proj, nil
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// readOnly makes the files written into a kept tree (the base versions of changed files)
// read-only: the tree outlives the run, and one opened from a search and saved by mistake
// would be a wrong base for every later run of the change. Links are left alone.
func readOnly(dir string) {
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			_ = os.Chmod(p, 0o444)
		}
		return nil
	})
}

// realDir says path is a directory and not a link to one: a tree is only ever one this
// tool made there (a checkout that commits a link where the trees go leads nowhere).
func realDir(path string) bool {
	st, err := os.Lstat(path)
	return err == nil && st.IsDir()
}

// pruneKeptTrees removes the least recently used trees past maxKeptTrees (and builds left
// behind by a run that stopped), sparing keep and any touched in the last keptTreeAge: a run
// may be loading it.
func pruneKeptTrees(dir, keep string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	type tree struct {
		name string
		mod  time.Time
	}
	var trees []tree
	for _, e := range entries {
		info, err := e.Info()
		if err != nil || !e.IsDir() || e.Name() == keep {
			continue
		}
		if strings.Contains(e.Name(), ".build-") {
			if time.Since(info.ModTime()) > keptTreeAge {
				_ = os.RemoveAll(filepath.Join(dir, e.Name()))
			}
			continue
		}
		trees = append(trees, tree{e.Name(), info.ModTime()})
	}
	slices.SortFunc(trees, func(a, b tree) int { return b.mod.Compare(a.mod) })
	for i, t := range trees {
		if i+1 >= maxKeptTrees && time.Since(t.mod) > keptTreeAge {
			_ = os.RemoveAll(filepath.Join(dir, t.name))
		}
	}
}

// CleanKeptTrees removes every kept tree under dir (`dataops cache clean`), and dir itself.
func CleanKeptTrees(dir string) (int, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range entries {
		// Only what is named as a tree is: a mistaken directory is left alone.
		name, _, _ := strings.Cut(e.Name(), ".build-")
		if _, err := hex.DecodeString(name); err != nil || len(name) != 32 || !e.IsDir() {
			continue
		}
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			return n, err
		}
		n++
	}
	_ = os.Remove(filepath.Join(dir, ".sqlfluffignore"))
	_ = os.Remove(dir)
	return n, nil
}

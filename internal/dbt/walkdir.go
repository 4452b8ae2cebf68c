package dbt

import (
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
)

// walkDir visits the tree under root as filepath.WalkDir does: entries in lexical order,
// links not followed, a directory that cannot be listed visited with what could be read.
// visit gets every file below root (root itself when it is not a directory); enter says
// whether to go into a directory, and may be called more than once, from several goroutines.
// The directories are listed by several goroutines before anything is visited: the check of a
// warm load's snapshot lists every folder of the project (1,750 for one of spellbook's), and
// one by one that listing was most of its wall time.
//
// seen, when not nil, is told what each directory was like just before it was listed, and
// what root was when it is not a directory (missing: nil), so that a later walk can tell the
// listing unchanged by a stat of each (see dirStamp).
func walkDir(root string, enter func(path string, de fs.DirEntry) bool, visit func(path string, de fs.DirEntry), seen func(path string, st fs.FileInfo)) {
	info, err := os.Lstat(root)
	if err != nil {
		if seen != nil {
			seen(root, nil)
		}
		return
	}
	if !info.IsDir() {
		if seen != nil {
			seen(root, info)
		}
		visit(root, fs.FileInfoToDirEntry(info))
		return
	}
	var (
		mu    sync.Mutex
		lists = map[string][]fs.DirEntry{}
		wg    sync.WaitGroup
		slots = make(chan struct{}, 2*runtime.GOMAXPROCS(0))
	)
	var list func(dir string)
	list = func(dir string) {
		defer wg.Done()
		slots <- struct{}{}
		entries := readDir(dir, seen) // what was read before an error is still walked
		<-slots
		mu.Lock()
		lists[dir] = entries
		mu.Unlock()
		for _, e := range entries {
			if p := filepath.Join(dir, e.Name()); e.IsDir() && enter(p, e) {
				wg.Add(1)
				go list(p)
			}
		}
	}
	wg.Add(1)
	list(root)
	wg.Wait()
	var walk func(dir string)
	walk = func(dir string) {
		for _, e := range lists[dir] {
			p := filepath.Join(dir, e.Name())
			switch {
			case !e.IsDir():
				visit(p, e)
			case enter(p, e):
				walk(p)
			}
		}
	}
	walk(root)
}

// readDir is os.ReadDir, telling seen (when not nil) what the directory was like as it was
// opened: a change to its entries after that changes what a later stat says.
func readDir(dir string, seen func(path string, st fs.FileInfo)) []fs.DirEntry {
	if seen == nil {
		entries, _ := os.ReadDir(dir)
		return entries
	}
	f, err := os.Open(dir)
	if err != nil {
		seen(dir, nil)
		return nil
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		st = nil
	}
	seen(dir, st)
	entries, _ := f.ReadDir(-1)
	slices.SortFunc(entries, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return entries
}

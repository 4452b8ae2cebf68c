package dbt

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// A warm load's check of its snapshot needs the list of the project's files as it is now. A
// folder's entries change only with its stamp (a file added, removed or renamed in it sets its
// modification and change times), so the load that stores the snapshot notes each folder it
// lists as it was just before listing it, and a later check that finds every one of them as
// noted takes the snapshot's list of files as the listing, without reading the folders again
// (some 1,750 for one of spellbook's projects: most of a warm run's system calls). A folder
// changed shortly before the load that noted it (snapshotSlack) is listed again, as a file is
// read again; so is every folder when one differs, or when a .dbtignore did.

// dirSlack is snapshotSlack for folders; a variable so that tests, whose folders are as new as
// their loads, can have them trusted.
var dirSlack = snapshotSlack

// listingsSkipped counts the checks that took a snapshot's list of files as the listing
// (tests read it).
var listingsSkipped atomic.Int64

// Folder states in snapDir.
const (
	dirListed  = iota // a folder listed
	dirMissing        // a resource path that was not there
	dirNotDir         // a resource path that was a file or a link
)

// snapDir is one folder the snapshot's load listed, or a resource path it found no folder at.
type snapDir struct {
	Path  string
	State int
	Stamp fileStamp
}

// dirStamps collects what walkPackage saw of each folder, from the walk's goroutines.
type dirStamps struct {
	mu     sync.Mutex
	at     map[string]int
	dirs   []snapDir
	failed bool // a folder could not be opened or stat'ed: its listing cannot be told unchanged
}

func (d *dirStamps) add(path string, st fs.FileInfo) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, dup := d.at[path]; dup {
		return
	}
	d.at[path] = len(d.dirs)
	e := snapDir{Path: path, State: dirMissing}
	if st != nil {
		e.State, e.Stamp = dirNotDir, stampOf(st)
		if st.IsDir() {
			e.State = dirListed
		}
	} else if _, err := os.Lstat(path); !errors.Is(err, fs.ErrNotExist) {
		d.failed = true // there, but it could not be listed
	}
	d.dirs = append(d.dirs, e)
}

// list is what the snapshot keeps: nil when a folder could not be noted.
func (d *dirStamps) list() []snapDir {
	if d == nil || d.failed {
		return nil
	}
	out := slices.Clone(d.dirs)
	slices.SortFunc(out, func(a, b snapDir) int { return strings.Compare(a.Path, b.Path) })
	return out
}

// holds says the folder is as the snapshot's load saw it, and was not changed within racy.
func (d *snapDir) holds(racy int64) bool {
	st, err := os.Lstat(d.Path)
	if d.State == dirMissing {
		return errors.Is(err, fs.ErrNotExist)
	}
	if err != nil || st.IsDir() != (d.State == dirListed) {
		return false
	}
	s := stampOf(st)
	return s == d.Stamp && s.Mtime < racy && s.Ctime < racy
}

// listedAsBefore is the project's list of files, from the snapshot's header, when every folder
// it was listed from is as it was (see above); false when the folders must be listed again.
func (l *loader) listedAsBefore(hdr *snapHeader) ([]*srcFile, bool) {
	if len(hdr.Dirs) == 0 || len(hdr.Ignores) != len(l.pkgs) {
		return nil, false
	}
	for i, ps := range l.pkgs {
		if _, sum := readIgnoreFile(ps.pkg.Root); sum != hdr.Ignores[i] {
			return nil, false
		}
	}
	racy := hdr.Stamped - int64(dirSlack)
	same := make([]bool, len(hdr.Dirs))
	l.parallel(len(hdr.Dirs), func(i int) { same[i] = hdr.Dirs[i].holds(racy) })
	if slices.Contains(same, false) {
		return nil, false
	}
	files := make([]*srcFile, len(hdr.Files))
	for i := range hdr.Files {
		f := &hdr.Files[i]
		if f.Pkg < 0 || f.Pkg >= len(l.pkgs) {
			return nil, false
		}
		ps := l.pkgs[f.Pkg]
		rel := f.Path
		if ps.pkg.Rel != "" {
			var ok bool
			if rel, ok = strings.CutPrefix(f.Path, ps.pkg.Rel+"/"); !ok {
				return nil, false
			}
		}
		files[i] = newSrcFile(ps, f.Kind, f.Res, filepath.Join(ps.pkg.Root, filepath.FromSlash(rel)), rel)
	}
	listingsSkipped.Add(1)
	return files, true
}

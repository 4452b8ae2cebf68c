package fsconfine

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// A repository's .git directory is never project content, and it holds what a pull request
// must not reach: actions/checkout leaves the job's token in .git/config, and a file written
// under .git/hooks runs on the next git command. So a name that is, or resolves through
// links to, something inside a .git directory is refused like a name outside the project.

// inGitDir reports whether a path (native separators) has a .git component.
func inGitDir(p string) bool {
	return slices.ContainsFunc(strings.Split(filepath.ToSlash(p), "/"), func(c string) bool {
		return strings.EqualFold(c, ".git")
	})
}

// gitRefusal returns ErrOutside for name when it leads into a .git directory: by its own
// components, or because the directory or link it names resolves there. base is the directory
// name is relative to. Only links are resolved, so an ordinary file costs one Lstat.
func (d *Dir) gitRefusal(op, name, native string) error {
	if inGitDir(native) {
		return &fs.PathError{Op: op, Path: name, Err: ErrOutside}
	}
	parent, err := d.realDir(filepath.Dir(native))
	if err != nil {
		return nil // the read itself will say what is wrong
	}
	real := filepath.Join(parent, filepath.Base(native))
	if st, err := os.Lstat(real); err == nil && st.Mode()&fs.ModeSymlink != 0 {
		if r, err := filepath.EvalSymlinks(real); err == nil {
			real = r
		}
	}
	if d.landsInGitDir(real) {
		return &fs.PathError{Op: op, Path: name, Err: ErrOutside}
	}
	return nil
}

// landsInGitDir looks at the part of real below the root it lands in, so that a project that
// itself lives under a folder named .git is still readable; outside every root the read is
// refused anyway.
func (d *Dir) landsInGitDir(real string) bool {
	for _, r := range d.roots {
		if rel, ok := within(r.real, real); ok {
			return inGitDir(rel)
		}
	}
	return false
}

// realDir resolves a directory under d (native, relative) with every link followed, once per
// directory: the loader reads thousands of files from a few hundred folders.
func (d *Dir) realDir(rel string) (string, error) {
	if v, ok := d.dirs.Load(rel); ok {
		return v.(string), nil
	}
	real, err := filepath.EvalSymlinks(filepath.Join(d.path, rel))
	if err != nil {
		return "", err
	}
	d.dirs.Store(rel, real)
	return real, nil
}

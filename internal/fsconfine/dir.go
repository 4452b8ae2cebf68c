package fsconfine

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
)

// ErrOutside is the cause of every refusal: the name, or a symbolic link on its way, leads out
// of the directories a Dir allows.
var ErrOutside = errors.New("leads outside the project")

// Local reports whether name, slash-separated or not, stays inside the directory it is
// relative to: not empty, not absolute, and no ".." that climbs above it. It looks at the text
// only; a Dir also checks where symbolic links lead.
func Local(name string) bool {
	return filepath.IsLocal(filepath.FromSlash(name))
}

// Dir is a directory whose files are read only where they resolve inside it, or inside one of
// the other directories it was opened with. It is safe for concurrent use.
type Dir struct {
	path  string
	roots []root   // the directory itself first
	dirs  sync.Map // directory (relative, native) → its real path, for gitRefusal
	// open holds the directories ReadFileMax opened, each once (see read_unix.go).
	open sync.Map // directory (relative, native) → *os.File, or nil when it has no fast path
}

type root struct {
	abs  string // as given, made absolute
	real string // with every symbolic link resolved
	fs   *os.Root
}

// Open opens dir for confined reads. also lists other directories its files may resolve into
// through symbolic links, or be named in by a relative name that climbs out of dir with ".."
// (a missing one is left out). The caller must Close it.
func Open(dir string, also ...string) (*Dir, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	d := &Dir{path: abs}
	for i, p := range append([]string{abs}, also...) {
		r, err := openRoot(p)
		if err != nil {
			if i == 0 {
				return nil, err
			}
			continue
		}
		d.roots = append(d.roots, r)
	}
	return d, nil
}

func openRoot(dir string) (root, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return root{}, err
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return root{}, err
	}
	r, err := os.OpenRoot(real)
	if err != nil {
		return root{}, err
	}
	return root{abs: abs, real: real, fs: r}, nil
}

// Close releases the directories.
func (d *Dir) Close() error {
	var first error
	d.open.Range(func(k, v any) bool {
		if f, _ := v.(*os.File); f != nil {
			f.Close()
		}
		d.open.Delete(k)
		return true
	})
	for _, r := range d.roots {
		if err := r.fs.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// Path is the directory, absolute, as it was given.
func (d *Dir) Path() string { return d.path }

// Open opens name (relative to the directory) for reading.
func (d *Dir) Open(name string) (*os.File, error) {
	var f *os.File
	err := d.do("open", name, func(r *os.Root, rel string) (err error) {
		f, err = r.Open(rel)
		return err
	})
	return f, err
}

// ErrTooLarge is the error of ReadFileMax for a file larger than its bound.
var ErrTooLarge = errors.New("file too large")

// ReadFileMax reads name whole when it holds at most max bytes, else fails with ErrTooLarge
// without reading it. It refuses what Open refuses; an ordinary file in an ordinary directory
// costs a few system calls (see read_unix.go), which matters to a load reading thousands.
func (d *Dir) ReadFileMax(name string, max int64) ([]byte, error) {
	data, _, err := d.ReadFileMaxStat(name, max)
	return data, err
}

// ReadFileMaxStat is ReadFileMax that also describes the file it opened, as it was before it
// was read (nil when it could not be opened): a load that keeps each file's size and times
// takes them from the read itself instead of resolving the name twice.
func (d *Dir) ReadFileMaxStat(name string, max int64) ([]byte, fs.FileInfo, error) {
	if data, st, ok, err := d.readFast(name, max); ok {
		return data, st, err
	}
	f, err := d.Open(name)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	if st.Size() > max {
		return nil, st, ErrTooLarge
	}
	// Sized up front as os.ReadFile does: one allocation for the common case.
	buf := bytes.NewBuffer(make([]byte, 0, st.Size()+bytes.MinRead))
	if _, err := buf.ReadFrom(io.LimitReader(f, max)); err != nil {
		return nil, st, err
	}
	return buf.Bytes(), st, nil
}

// ReadFile reads name whole.
func (d *Dir) ReadFile(name string) ([]byte, error) {
	var data []byte
	err := d.do("open", name, func(r *os.Root, rel string) (err error) {
		data, err = r.ReadFile(rel)
		return err
	})
	return data, err
}

// Stat describes what name resolves to.
func (d *Dir) Stat(name string) (fs.FileInfo, error) {
	var st fs.FileInfo
	err := d.do("stat", name, func(r *os.Root, rel string) (err error) {
		st, err = r.Stat(rel)
		return err
	})
	return st, err
}

// ReadDir lists the directory name resolves to, sorted by name.
func (d *Dir) ReadDir(name string) ([]fs.DirEntry, error) {
	var out []fs.DirEntry
	err := d.do("open", name, func(r *os.Root, rel string) error {
		f, err := r.Open(rel)
		if err != nil {
			return err
		}
		defer f.Close()
		out, err = f.ReadDir(-1)
		if err == nil {
			sortEntries(out)
		}
		return err
	})
	return out, err
}

// do runs fn on the root name resolves into. The directory's own root is tried first: it
// follows links that stay inside it, which is nearly every file. When it refuses, the name is
// resolved and, if it lands inside one of the roots, fn runs again on that root with the
// resolved name (an absolute link into the project, a link into the trusted work tree).
func (d *Dir) do(op, name string, fn func(r *os.Root, rel string) error) error {
	native := filepath.FromSlash(name)
	local := filepath.IsLocal(native)
	if !local && !d.reachable(native) {
		return &fs.PathError{Op: op, Path: name, Err: ErrOutside}
	}
	if err := d.gitRefusal(op, name, native); err != nil {
		return err
	}
	// A name that climbs out of the directory is never in its own root: it goes straight to
	// the resolution below, which finds the other root it lands in.
	err := error(&fs.PathError{Op: op, Path: name, Err: fs.ErrNotExist})
	if local {
		err = fn(d.roots[0].fs, native)
		if err == nil || errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	full := filepath.Join(d.path, native)
	real, rerr := filepath.EvalSymlinks(full)
	if rerr != nil && errors.Is(rerr, fs.ErrNotExist) {
		// A missing file in a linked folder: where the folder leads decides, and the root
		// then says what is missing.
		if dir, err := filepath.EvalSymlinks(filepath.Dir(full)); err == nil {
			real, rerr = filepath.Join(dir, filepath.Base(full)), nil
		}
	}
	if rerr == nil {
		for _, r := range d.roots {
			if rel, ok := within(r.real, real); ok {
				err := fn(r.fs, rel)
				if escapes(r.fs, err) {
					return &fs.PathError{Op: op, Path: name, Err: ErrOutside}
				}
				return err
			}
		}
	}
	// A link out of the project that leads nowhere is as much a refusal as one that leads
	// somewhere.
	if rerr == nil || escapes(d.roots[0].fs, err) {
		return &fs.PathError{Op: op, Path: name, Err: ErrOutside}
	}
	return err
}

// reachable reports whether a name that is not local (native separators) may still be read:
// it is relative, and joined to the directory and cleaned it lies inside one of the other
// roots, as "../../shared/x.sql" of a project two folders below the top of its repository
// does. Where links on the way lead is checked afterwards, as for any name.
func (d *Dir) reachable(native string) bool {
	if native == "" || filepath.IsAbs(native) || filepath.VolumeName(native) != "" {
		return false
	}
	joined := []string{filepath.Join(d.path, native), filepath.Join(d.roots[0].real, native)}
	for _, r := range d.roots[1:] {
		for _, j := range joined {
			if _, ok := within(r.abs, j); ok {
				return true
			}
			if _, ok := within(r.real, j); ok {
				return true
			}
		}
	}
	return false
}

// Stat describes what name under dir resolves to, refusing a name that leads outside dir.
func Stat(dir, name string) (fs.FileInfo, error) {
	d, err := Open(dir)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	return d.Stat(name)
}

// ReadFile reads name under dir, refusing a name that leads outside dir.
func ReadFile(dir, name string) ([]byte, error) {
	d, err := Open(dir)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	return d.ReadFile(name)
}

// within returns p relative to base when p is base or below it.
func within(base, p string) (string, bool) {
	rel, err := filepath.Rel(base, p)
	if err != nil || !filepath.IsLocal(rel) {
		return "", false
	}
	return rel, true
}

func sortEntries(es []fs.DirEntry) {
	slices.SortFunc(es, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
}

package fsconfine

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
)

// File is one file to write: Name relative to the directory written into, Data its content.
type File struct {
	Name string
	Data []byte
}

// WriteFile replaces name under dir with data, atomically: the data goes to a temporary file
// in name's directory, which is then renamed over name. A symbolic link at name is replaced
// by the file; its target is not touched. Missing directories on the way are created. The
// mode of the file replaced is kept (0644 for a new file). name must stay inside dir: an
// absolute name, a ".." that climbs out, or a symbolic link to a directory outside is refused
// with an error matching ErrOutside. dir itself must exist.
func WriteFile(dir, name string, data []byte) error {
	return WriteFiles(dir, []File{{Name: name, Data: data}})
}

// WriteFiles writes several files as WriteFile does, all temporary files first and the
// renames only once every one is written, so a failure while writing leaves every
// destination as it was.
func WriteFiles(dir string, files []File) error {
	r, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer r.Close()
	var temps []string
	abort := func() {
		for _, t := range temps {
			_ = r.Remove(t)
		}
	}
	for _, f := range files {
		data := f.Data
		tmp, err := stage(r, f.Name, func(w io.Writer) error {
			_, err := w.Write(data)
			return err
		})
		if err != nil {
			abort()
			return err
		}
		temps = append(temps, tmp)
	}
	for i, f := range files {
		if err := r.Rename(temps[i], filepath.FromSlash(f.Name)); err != nil {
			temps = temps[i:]
			abort()
			return err
		}
	}
	return nil
}

// WriteStream writes name under dir as WriteFile does, with what write produces: nothing is
// replaced when write fails.
func WriteStream(dir, name string, write func(io.Writer) error) error {
	r, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer r.Close()
	tmp, err := stage(r, name, write)
	if err != nil {
		return err
	}
	if err := r.Rename(tmp, filepath.FromSlash(name)); err != nil {
		_ = r.Remove(tmp)
		return err
	}
	return nil
}

// stage writes a temporary file next to name and returns its name.
func stage(r *os.Root, name string, write func(io.Writer) error) (string, error) {
	native := filepath.FromSlash(name)
	if !filepath.IsLocal(native) || filepath.Clean(native) == "." {
		return "", &fs.PathError{Op: "write", Path: name, Err: ErrOutside}
	}
	parent := filepath.Dir(native)
	if inGitDir(native) {
		return "", &fs.PathError{Op: "write", Path: name, Err: ErrOutside}
	}
	if parent != "." {
		if err := r.MkdirAll(parent, 0o755); err != nil {
			return "", outside(r, name, err)
		}
	}
	// A folder on the way may be a link into a .git directory (see git.go).
	if top, err := filepath.EvalSymlinks(r.Name()); err == nil {
		if real, err := filepath.EvalSymlinks(filepath.Join(top, parent)); err == nil {
			if rel, ok := within(top, real); ok && inGitDir(rel) {
				return "", &fs.PathError{Op: "write", Path: name, Err: ErrOutside}
			}
		}
	}
	mode := fs.FileMode(0o644)
	if st, err := r.Stat(native); err == nil {
		if st.IsDir() {
			return "", &fs.PathError{Op: "write", Path: name, Err: errors.New("is a directory")}
		}
		mode = st.Mode().Perm()
	}
	var f *os.File
	var tmp string
	for try := 0; ; try++ {
		tmp = filepath.Join(parent, fmt.Sprintf(".%s.tmp-%08x", filepath.Base(native), rand.Uint32()))
		var err error
		f, err = r.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err == nil {
			break
		}
		if !errors.Is(err, fs.ErrExist) || try == 10 {
			return "", outside(r, name, err)
		}
	}
	err := write(f)
	if err == nil {
		// On the open file, not by name: the name could be swapped for a link meanwhile.
		err = f.Chmod(mode)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = r.Remove(tmp)
		return "", err
	}
	return tmp, nil
}

// outside names the destination in os.Root's refusal of a directory on the way out of it.
func outside(r *os.Root, name string, err error) error {
	if escapes(r, err) {
		return &fs.PathError{Op: "write", Path: name, Err: ErrOutside}
	}
	return err
}

// escapes reports whether err is os.Root's refusal of a name that leads outside it. Its cause
// is not exported; naming "..", which a root always refuses, shows it.
func escapes(r *os.Root, err error) bool {
	_, probe := r.Lstat("..")
	if probe == nil || err == nil {
		return false
	}
	for errors.Unwrap(probe) != nil {
		probe = errors.Unwrap(probe)
	}
	return errors.Is(err, probe)
}

//go:build unix

package fsconfine

import (
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"
)

// readFast reads an ordinary file of an ordinary directory of the project with four system
// calls: openat on the directory (opened once through the root, as Open would resolve it),
// fstat, read, close. os.Root walks every component of every name and registers each file with
// the poller, some twenty calls a file. ok is false when the fast path does not apply, and then
// Open decides: the file is a symbolic link (O_NOFOLLOW), not a regular file, missing or
// unreadable, or its directory is not inside the project's own root or lands in a .git
// directory. The directory stays open until Close: one renamed out of the project meanwhile
// is read where it went, as os.Root reads from the root it opened.
func (d *Dir) readFast(name string, max int64) (data []byte, info fs.FileInfo, ok bool, err error) {
	native := filepath.FromSlash(name)
	if !filepath.IsLocal(native) && !d.reachable(native) || inGitDir(native) {
		return nil, nil, false, nil
	}
	dir := d.fastDir(filepath.Dir(native))
	if dir == nil {
		return nil, nil, false, nil
	}
	fd, err := unix.Openat(int(dir.Fd()), filepath.Base(native), unix.O_RDONLY|unix.O_CLOEXEC|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_NOCTTY, 0)
	if err != nil {
		return nil, nil, false, nil
	}
	defer unix.Close(fd)
	st := &fileStat{name: filepath.Base(native)}
	if unix.Fstat(fd, &st.sys) != nil || st.sys.Mode&unix.S_IFMT != unix.S_IFREG {
		return nil, nil, false, nil
	}
	if st.sys.Size > max {
		return nil, st, true, ErrTooLarge
	}
	buf := make([]byte, st.sys.Size)
	n := 0
	for n < len(buf) {
		m, err := unix.Read(fd, buf[n:])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, st, true, &os.PathError{Op: "read", Path: name, Err: err}
		}
		if m == 0 {
			break // shorter than it was a moment ago
		}
		n += m
	}
	return buf[:n], st, true, nil
}

// fileStat describes a regular file from its fstat, as os.File.Stat would; Sys is the
// *unix.Stat_t.
type fileStat struct {
	name string
	sys  unix.Stat_t
}

func (s *fileStat) Name() string      { return s.name }
func (s *fileStat) Size() int64       { return s.sys.Size }
func (s *fileStat) Mode() fs.FileMode { return fs.FileMode(s.sys.Mode & 0o777) }
func (s *fileStat) ModTime() time.Time {
	return time.Unix(int64(s.sys.Mtim.Sec), int64(s.sys.Mtim.Nsec))
}
func (s *fileStat) IsDir() bool { return false }
func (s *fileStat) Sys() any    { return &s.sys }

// fastDir is the directory rel opened through the root it resolves into (the project's own,
// or one of the others: a monorepo's shared folder), or nil when it is not there, is outside
// every root or leads into a .git directory.
func (d *Dir) fastDir(rel string) *os.File {
	if v, ok := d.open.Load(rel); ok {
		f, _ := v.(*os.File)
		return f
	}
	var f *os.File
	if real, err := d.realDir(rel); err == nil && !d.landsInGitDir(real) {
		for _, rt := range d.roots {
			r, ok := within(rt.real, real)
			if !ok {
				continue
			}
			if g, err := rt.fs.Open(r); err == nil {
				if st, err := g.Stat(); err == nil && st.IsDir() {
					f = g
				} else {
					g.Close()
				}
			}
			break
		}
	}
	if prev, loaded := d.open.LoadOrStore(rel, f); loaded {
		if f != nil {
			f.Close()
		}
		f, _ = prev.(*os.File)
	}
	return f
}

//go:build linux

package mcp

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"unsafe"

	"golang.org/x/sys/unix"
)

// watcher counts the changes to the files a load reads, from inotify: a call then knows in a
// few microseconds whether the project changed, where walking a 3,000-model project costs tens
// of milliseconds. The kernel queues an event before the write that causes it returns, so
// draining the queue when a call arrives sees every edit made before the call was sent; no
// goroutine is needed. Any doubt (a full queue, a folder that cannot be watched) counts as a
// change, and an error makes the caller walk the tree instead from then on.
type watcher struct {
	fd   int
	pkgs string // the packages folder, whose linked folders (local packages) are watched too
	dirs map[int]watchDir
	seen map[string]bool // real paths watched, against link loops
	gen  uint64
	buf  []byte
	err  error
}

type watchDir struct {
	abs, rel string // rel is slash-separated from the project's top ("" for the top)
	target   bool   // target/: only catalog.json and manifest.json count
}

const watchMask = unix.IN_CREATE | unix.IN_DELETE | unix.IN_MODIFY | unix.IN_ATTRIB | unix.IN_MOVED_FROM |
	unix.IN_MOVED_TO | unix.IN_DELETE_SELF | unix.IN_MOVE_SELF | unix.IN_ONLYDIR

// newWatcher watches the folders of the project in root that a load reads.
func newWatcher(root, pkgs string, gen uint64) (*watcher, error) {
	fd, err := unix.InotifyInit1(unix.IN_NONBLOCK | unix.IN_CLOEXEC)
	if err != nil {
		return nil, err
	}
	if pkgs == "" {
		pkgs = "dbt_packages"
	}
	w := &watcher{fd: fd, pkgs: pkgs, dirs: map[int]watchDir{}, seen: map[string]bool{}, gen: gen,
		buf: make([]byte, 64<<10)}
	if err := w.addTree(root, ""); err != nil {
		w.close()
		return nil, err
	}
	return w, nil
}

func (w *watcher) close() {
	if w.fd >= 0 {
		unix.Close(w.fd)
		w.fd = -1
	}
}

// add watches one folder.
func (w *watcher) add(abs, rel string, target bool) error {
	wd, err := unix.InotifyAddWatch(w.fd, abs, watchMask)
	if err != nil {
		// A folder removed since it was listed holds nothing to watch; anything else (the
		// user's watch limit) means the tree cannot be watched whole.
		if errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENOTDIR) {
			return nil
		}
		return &os.PathError{Op: "inotify_add_watch", Path: abs, Err: err}
	}
	w.dirs[wd] = watchDir{abs: abs, rel: rel, target: target}
	return nil
}

// addTree watches a folder and the folders below it that a load reads.
func (w *watcher) addTree(abs, rel string) error {
	real, err := filepath.EvalSymlinks(abs)
	if err != nil || w.seen[real] {
		return nil
	}
	w.seen[real] = true
	var werr error
	_ = filepath.WalkDir(real, func(p string, d fs.DirEntry, err error) error {
		if err != nil || werr != nil {
			if d != nil && d.IsDir() && p != real {
				return fs.SkipDir
			}
			return nil
		}
		r := rel
		if x, err := filepath.Rel(real, p); err == nil && x != "." {
			r = path.Join(rel, filepath.ToSlash(x))
		}
		switch {
		case d.IsDir() && p != real && r == "target":
			werr = w.add(p, r, true)
			return fs.SkipDir
		case d.IsDir() && p != real && skipDir(d.Name()):
			return fs.SkipDir
		case d.IsDir():
			werr = w.add(p, r, false)
		case d.Type()&fs.ModeSymlink != 0 && path.Dir(r) == w.pkgs:
			if st, err := os.Stat(p); err == nil && st.IsDir() {
				werr = w.addTree(p, r)
			}
		}
		return nil
	})
	return werr
}

// poll drains the events queued since the last call and returns the count of changes so far.
// ok is false once the watcher failed: the caller walks the tree instead.
func (w *watcher) poll() (gen uint64, ok bool) {
	for w.err == nil {
		n, err := unix.Read(w.fd, w.buf)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if errors.Is(err, unix.EAGAIN) {
			break
		}
		if err != nil {
			w.err = err
			break
		}
		if n <= 0 {
			w.err = errors.New("inotify: empty read")
			break
		}
		for off := 0; off+unix.SizeofInotifyEvent <= n; {
			ev := (*unix.InotifyEvent)(unsafe.Pointer(&w.buf[off]))
			name := ""
			if ev.Len > 0 {
				raw := w.buf[off+unix.SizeofInotifyEvent : off+unix.SizeofInotifyEvent+int(ev.Len)]
				for i, c := range raw {
					if c == 0 {
						raw = raw[:i]
						break
					}
				}
				name = string(raw)
			}
			w.event(int(ev.Wd), ev.Mask, name)
			off += unix.SizeofInotifyEvent + int(ev.Len)
		}
	}
	if w.err != nil {
		return 0, false
	}
	return w.gen, true
}

func (w *watcher) event(wd int, mask uint32, name string) {
	if mask&unix.IN_Q_OVERFLOW != 0 {
		// Events were lost: count a change, and watch again whatever appeared meanwhile.
		w.gen++
		for _, d := range w.dirs {
			if d.rel == "" {
				w.seen = map[string]bool{}
				w.err = w.addTree(d.abs, "")
				return
			}
		}
		return
	}
	d, ok := w.dirs[wd]
	if !ok {
		return
	}
	switch {
	case mask&unix.IN_IGNORED != 0:
		delete(w.dirs, wd)
		return
	case mask&(unix.IN_DELETE_SELF|unix.IN_MOVE_SELF) != 0:
		w.gen++
		return
	}
	if mask&unix.IN_ISDIR != 0 {
		if d.target || skipDir(name) && !(d.rel == "" && name == "target") {
			return
		}
		w.gen++
		if mask&(unix.IN_CREATE|unix.IN_MOVED_TO) != 0 {
			abs, rel := filepath.Join(d.abs, name), path.Join(d.rel, name)
			if rel == "target" {
				w.err = w.add(abs, rel, true)
			} else {
				w.err = w.addTree(abs, rel)
			}
		}
		return
	}
	if d.rel == w.pkgs && mask&(unix.IN_CREATE|unix.IN_MOVED_TO) != 0 {
		// A local package linked in.
		if st, err := os.Stat(filepath.Join(d.abs, name)); err == nil && st.IsDir() {
			w.gen++
			w.err = w.addTree(filepath.Join(d.abs, name), path.Join(d.rel, name))
			return
		}
	}
	if loadsFile(d.rel, name) {
		w.gen++
	}
}

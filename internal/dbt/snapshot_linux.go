//go:build linux

package dbt

import (
	"io/fs"
	"syscall"

	"golang.org/x/sys/unix"
)

// dirStampsHold says a folder's stamp changes with its entries, and cannot be set back by a
// program (its change time): snapshot_dirs.go.
const dirStampsHold = true

// stampOf is what a file's metadata says of its content: its size, its modification and
// change times and its inode. The change time cannot be set back by a program (as `touch -d`
// or an unpacker sets the modification time), and a file replaced by a rename has a new inode.
func stampOf(fi fs.FileInfo) fileStamp {
	s := fileStamp{Size: fi.Size(), Mtime: fi.ModTime().UnixNano()}
	switch st := fi.Sys().(type) {
	case *syscall.Stat_t:
		s.Ctime = int64(st.Ctim.Sec)*1e9 + int64(st.Ctim.Nsec)
		s.Ino = int64(st.Ino)
		s.Dev = int64(st.Dev)
	case *unix.Stat_t: // a file fsconfine read (ReadFileMaxStat)
		s.Ctime = int64(st.Ctim.Sec)*1e9 + int64(st.Ctim.Nsec)
		s.Ino = int64(st.Ino)
		s.Dev = int64(st.Dev)
	}
	return s
}

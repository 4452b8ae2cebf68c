//go:build unix

package fsconfine

import (
	"io/fs"
	"syscall"

	"golang.org/x/sys/unix"
)

// inode is the inode number a FileInfo's Sys holds, whichever stat filled it.
func inode(fi fs.FileInfo) uint64 {
	switch st := fi.Sys().(type) {
	case *syscall.Stat_t:
		return uint64(st.Ino)
	case *unix.Stat_t:
		return uint64(st.Ino)
	}
	return 0
}

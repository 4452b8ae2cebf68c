//go:build unix

package cache

import (
	"os"

	"golang.org/x/sys/unix"
)

// mapFile maps the first size bytes of f read-only: a warm run touches only the pages of the
// entries it reads, and they come from the page cache rather than a copy on the heap. Its
// unmap is nil when the bytes are not mapped.
func mapFile(f *os.File, size int64) ([]byte, func(), error) {
	if size == 0 {
		return nil, nil, nil
	}
	data, err := unix.Mmap(int(f.Fd()), 0, int(size), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		return readAll(f, size)
	}
	return data, func() { _ = unix.Munmap(data) }, nil
}

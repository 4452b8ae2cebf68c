//go:build unix

package embedded

import (
	"os"

	"golang.org/x/sys/unix"
)

// mapFile maps the first size bytes of f read-only. The pages come from the page cache as they
// are touched: opening a store neither copies its vectors nor asks the kernel for fresh memory
// to hold them.
func mapFile(f *os.File, size int64) (data []byte, unmap func(), err error) {
	if size == 0 {
		return nil, func() {}, nil
	}
	data, err = unix.Mmap(int(f.Fd()), 0, int(size), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		return readAll(f, size)
	}
	return data, func() { unix.Munmap(data) }, nil
}

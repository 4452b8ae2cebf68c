//go:build !unix

package embedded

import "os"

func mapFile(f *os.File, size int64) (data []byte, unmap func(), err error) {
	return readAll(f, size)
}

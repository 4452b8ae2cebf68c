//go:build !unix

package cache

import "os"

func mapFile(f *os.File, size int64) ([]byte, func(), error) { return readAll(f, size) }

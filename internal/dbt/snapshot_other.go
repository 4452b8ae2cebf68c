//go:build !linux

package dbt

import "io/fs"

// stampOf is what a file's metadata says of its content: its size and modification time.
func stampOf(fi fs.FileInfo) fileStamp {
	return fileStamp{Size: fi.Size(), Mtime: fi.ModTime().UnixNano()}
}

//go:build !linux

package dbt

import "io/fs"

// dirStampsHold: without a change time, a folder's stamp could be set back (snapshot_dirs.go).
const dirStampsHold = false

// stampOf is what a file's metadata says of its content: its size and modification time.
func stampOf(fi fs.FileInfo) fileStamp {
	return fileStamp{Size: fi.Size(), Mtime: fi.ModTime().UnixNano()}
}

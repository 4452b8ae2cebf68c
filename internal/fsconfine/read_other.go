//go:build !unix

package fsconfine

import "io/fs"

func (d *Dir) readFast(name string, max int64) ([]byte, fs.FileInfo, bool, error) {
	return nil, nil, false, nil
}

//go:build !linux

package cache

// dropWhileRead does nothing where dropping a mapping's pages is not known to leave the file's
// bytes readable.
func dropWhileRead(data []byte) (stop func()) { return func() {} }

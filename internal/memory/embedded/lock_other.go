//go:build !unix

package embedded

import "context"

// fileLock is a no-op where flock does not exist: there, only one process may write the store
// at a time. Writes are still atomic renames, so a reader never sees a partial file.
func fileLock(ctx context.Context, dir string, exclusive bool) (func(), error) {
	return func() {}, ctx.Err()
}

package fsconfine

import (
	"context"
	"fmt"
	"time"

	"github.com/gofrs/flock"
)

// Lock takes an advisory lock on the file at path (created when absent): exclusive for a
// writer, shared for readers. It retries rather than blocks so that a cancelled context ends
// the wait: a stuck holder must fail the command, not hang it. holder names, in the error,
// what else holds the lock. The lock file lives beside the state it guards, which is the
// caller's (a project's .dataops folder), so it is not confined here.
func Lock(ctx context.Context, path string, exclusive bool, holder string) (unlock func(), err error) {
	l := flock.New(path)
	try := l.TryRLockContext
	if exclusive {
		try = l.TryLockContext
	}
	ok, err := try(ctx, 20*time.Millisecond)
	if !ok || err != nil {
		l.Close()
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%s: %s holds the lock: %w", path, holder, ctx.Err())
		}
		return nil, fmt.Errorf("%s: lock: %w", path, err)
	}
	return func() { l.Close() }, nil
}

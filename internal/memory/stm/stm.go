// Package stm is short-term memory: the state of one workflow run (the pull request's diff,
// the ChangeSet, the plan, each agent's progress and results), with locks and idempotency
// keys, kept with a time to live and cleared when the run completes. The in-process store is
// the default; Redis lets workers on several machines share runs.
package stm

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned by Get for a key that is absent or expired.
var ErrNotFound = errors.New("stm: not found")

// ErrLocked is returned by Lock when another holder has the lock.
var ErrLocked = errors.New("stm: locked")

// Store keeps the state of runs. Keys are scoped by run: Clear(run) removes all of a run's
// keys. Implementations are safe for concurrent use.
type Store interface {
	// Set stores value under run/key for ttl (0: until the run is cleared).
	Set(ctx context.Context, run, key string, value []byte, ttl time.Duration) error
	// Get returns the value, or ErrNotFound.
	Get(ctx context.Context, run, key string) ([]byte, error)
	Delete(ctx context.Context, run, key string) error
	// Lock takes the named lock for ttl and returns a token that Unlock needs, or ErrLocked.
	Lock(ctx context.Context, name string, ttl time.Duration) (token string, err error)
	// Unlock releases the lock if token still holds it; releasing a lock held by another
	// token (after expiry) is a no-op that reports false.
	Unlock(ctx context.Context, name, token string) (bool, error)
	// Once records an idempotency key for ttl and reports whether this call was the first.
	Once(ctx context.Context, key string, ttl time.Duration) (first bool, err error)
	// Clear removes every key of the run.
	Clear(ctx context.Context, run string) error
	Close() error
}

package memory

import (
	"errors"
	"fmt"
)

// ErrCorrupt means a store's files failed their checks (a checksum, a length, a half-written
// segment). Its records cannot be trusted: the caller discards the store and rebuilds it from
// its sources. Stores return a *CorruptError, which matches it with errors.Is.
var ErrCorrupt = errors.New("memory store is corrupt")

// ErrEmbedderMismatch means a store holds vectors of another embedder (name or dimension).
// Comparing vectors of two models gives meaningless scores, so the store refuses to mix them:
// the caller re-embeds the records. Stores return an *EmbedderMismatchError, which matches it
// with errors.Is.
var ErrEmbedderMismatch = errors.New("memory store was built with another embedder")

// CorruptError says which store failed which check.
type CorruptError struct {
	Path   string // the store's file or directory
	Reason string // what failed: "checksum mismatch in segment 3", "truncated header", ...
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("%s: memory store is corrupt (%s); it will be rebuilt from its sources", e.Path, e.Reason)
}

func (e *CorruptError) Is(target error) bool { return target == ErrCorrupt }

// EmbedderMismatchError names the embedder a store was built with and the one offered.
type EmbedderMismatchError struct {
	Store                     string // path or URL (credentials masked)
	StoreName, Name           string
	StoreDimension, Dimension int
}

func (e *EmbedderMismatchError) Error() string {
	return fmt.Sprintf("%s: memory store holds vectors of embedder %s (dimension %d), not %s (dimension %d); its records must be re-embedded",
		e.Store, e.StoreName, e.StoreDimension, e.Name, e.Dimension)
}

func (e *EmbedderMismatchError) Is(target error) bool { return target == ErrEmbedderMismatch }

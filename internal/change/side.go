package change

import "context"

// The base of a change is read only to be compared with: a loader may be more forgiving there
// (a property file the change mends must not stop the review of the change that mends it).
// Options.Load learns which side it loads from its context, so its signature stays the one
// every caller already implements.

type baseKey struct{}

func baseSide(ctx context.Context) context.Context { return context.WithValue(ctx, baseKey{}, true) }

// IsBase says whether a Load call loads the change's base.
func IsBase(ctx context.Context) bool {
	b, _ := ctx.Value(baseKey{}).(bool)
	return b
}

// Package remote is what the remote memory stores and embedders share: an HTTP client with
// timeouts and retries that honour Retry-After, errors that name the service and its URL with
// credentials masked (never an API key), the error a store returns when it was built with
// another embedder, and the reciprocal-rank fusion of a store's vector and keyword rankings.
// It never decides what to send: each store or embedder package owns its service's API.
package remote

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// ErrEmbedderMismatch is matched (errors.Is) by every *EmbedderMismatchError.
var ErrEmbedderMismatch = errors.New("memory store built with another embedder")

// EmbedderMismatchError says a store holds vectors of another embedder or dimension than the
// one it was opened with. Mixing them would rank nonsense, so the caller must re-embed into a
// fresh store (or one whose records it deletes first).
type EmbedderMismatchError struct {
	Store          string // the store and where it is, credentials masked
	StoreName      string // embedder the store was built with
	StoreDimension int
	Name           string // embedder it was opened with
	Dimension      int
}

func (e *EmbedderMismatchError) Error() string {
	return fmt.Sprintf("%s: built with embedder %s (dimension %d), opened with %s (dimension %d): re-embed into a new store",
		e.Store, e.StoreName, e.StoreDimension, e.Name, e.Dimension)
}

func (e *EmbedderMismatchError) Is(target error) bool { return target == ErrEmbedderMismatch }

// secretParams are query parameter names, lowercased, whose values MaskURL hides.
var secretParams = []string{"key", "token", "secret", "password", "passwd", "sig", "signature", "credential", "auth", "api-key", "apikey"}

// MaskURL returns raw with a password in its user info and the values of query parameters
// that look like credentials replaced by "***". A URL that does not parse is reduced to its
// scheme and host as far as they can be told, since it may hold anything.
func MaskURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		scheme, rest, ok := strings.Cut(raw, "://")
		if !ok {
			return "(unparseable URL)"
		}
		// Drop everything up to the last '@': a password may hold '/', '?' or '#'.
		if at := strings.LastIndex(rest, "@"); at >= 0 {
			rest = rest[at+1:]
		}
		if i := strings.IndexAny(rest, "/?#"); i >= 0 {
			rest = rest[:i]
		}
		return scheme + "://" + rest + "/(unparseable)"
	}
	if u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "***")
		}
	}
	if u.RawQuery != "" {
		q := u.Query()
		for name := range q {
			if looksSecret(name) {
				q[name] = []string{"***"}
			}
		}
		u.RawQuery = q.Encode()
	}
	s := u.String()
	return strings.ReplaceAll(s, "%2A%2A%2A", "***")
}

func looksSecret(param string) bool {
	p := strings.ToLower(param)
	for _, s := range secretParams {
		if strings.Contains(p, s) {
			return true
		}
	}
	return false
}

// maskSecrets replaces every occurrence of each non-empty secret in s.
func maskSecrets(s string, secrets []string) string {
	for _, v := range secrets {
		if len(v) >= 4 {
			s = strings.ReplaceAll(s, v, "***")
		}
	}
	return s
}

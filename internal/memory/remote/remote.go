// Package remote is what the remote memory stores and embedders share: an HTTP client with
// timeouts and retries that honour Retry-After, errors that name the service and its URL with
// credentials masked (never an API key), the error a store returns when it was built with
// another embedder, and the reciprocal-rank fusion of a store's vector and keyword rankings.
// It never decides what to send: each store or embedder package owns its service's API.
package remote

import (
	"github.com/dataops-dev/dataops/internal/memory"
	"net/url"
	"strings"
)

// ErrEmbedderMismatch and EmbedderMismatchError are memory's, so errors.Is holds for every
// store, embedded or remote.
var ErrEmbedderMismatch = memory.ErrEmbedderMismatch

// EmbedderMismatchError says a store holds vectors of another embedder or dimension than the
// one it was opened with; the caller must re-embed.
type EmbedderMismatchError = memory.EmbedderMismatchError

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

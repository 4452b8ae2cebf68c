package llm

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/dataops-dev/dataops/internal/secret"
)

// KeepOrigin returns a copy of hc that follows redirects only within the first request's
// origin. net/http drops Authorization on a redirect to another host but carries every other
// header, and the providers send their keys in api-key and x-api-key.
func KeepOrigin(hc *http.Client) *http.Client {
	if hc == nil {
		hc = http.DefaultClient
	}
	guarded := *hc
	next := hc.CheckRedirect
	guarded.CheckRedirect = func(r *http.Request, via []*http.Request) error {
		if origin(r.URL) != origin(via[0].URL) {
			return errors.New("redirected to another origin")
		}
		if next != nil {
			return next(r, via)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
	return &guarded
}

// origin is scheme, host and port, the port spelled out.
func origin(u *url.URL) string {
	scheme, port := strings.ToLower(u.Scheme), u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[scheme]
	}
	return scheme + "://" + strings.ToLower(u.Hostname()) + ":" + port
}

// Mask keeps a key out of a message, in the forms secret's masker knows (a server may echo
// what it was sent, encoded or not).
func Mask(s, key string) string {
	if key == "" {
		return s
	}
	return secret.New(key).MaskString(s)
}

package githubapp

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
	gh "github.com/google/go-github/v81/github"

	"github.com/dataops-dev/dataops/internal/github"
)

// Options configure an App.
type Options struct {
	ID  int64
	Key []byte // PEM
	// APIURL is GitHub's REST root; empty means https://api.github.com.
	APIURL string
	// Transport is the base transport (tests pass the fake's); nil means http.DefaultTransport.
	Transport http.RoundTripper
	// Sleep is the retries' wait (tests make it instant); nil means time.Sleep.
	Sleep func(time.Duration)
	Now   func() time.Time
}

// App acts as one GitHub App.
type App struct {
	id     int64
	key    *rsa.PrivateKey
	base   *url.URL
	rt     http.RoundTripper
	now    func() time.Time
	mu     sync.Mutex
	tokens map[int64]token
	// minted remembers every token handed out, so Mask can hide them wherever they surface.
	minted map[string]bool
}

type token struct {
	value   string
	expires time.Time
}

// tokenMargin is how long before its expiry a cached token is replaced: a job started with it
// must be able to finish its calls.
const tokenMargin = 10 * time.Minute

// New parses the key and returns the App. A key that does not parse is reported without any
// of its text.
func New(o Options) (*App, error) {
	if o.ID <= 0 {
		return nil, errors.New("github app: need the App id (GITHUB_APP_ID)")
	}
	if len(o.Key) == 0 {
		return nil, errors.New("github app: need the private key (GITHUB_APP_PRIVATE_KEY or GITHUB_APP_PRIVATE_KEY_PATH)")
	}
	key, err := jwt.ParseRSAPrivateKeyFromPEM(o.Key)
	if err != nil {
		return nil, errors.New("github app: the private key is not an RSA key in PEM form")
	}
	api := strings.TrimRight(o.APIURL, "/")
	if api == "" {
		api = "https://api.github.com"
	}
	base, err := url.Parse(api + "/")
	if err != nil || base.Host == "" {
		return nil, fmt.Errorf("github app: API URL %q does not parse", o.APIURL)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &App{id: o.ID, key: key, base: base, rt: github.RetryTransport(o.Transport, o.Sleep), now: o.Now,
		tokens: map[int64]token{}, minted: map[string]bool{}}, nil
}

// APIURL is the REST root the App talks to, slash-terminated.
func (a *App) APIURL() string { return a.base.String() }

// JWT signs the App's token: issued a minute in the past (clock drift), valid nine minutes.
func (a *App) JWT() (string, error) {
	now := a.now()
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.RegisteredClaims{
		Issuer:    strconv.FormatInt(a.id, 10),
		IssuedAt:  jwt.NewNumericDate(now.Add(-time.Minute)),
		ExpiresAt: jwt.NewNumericDate(now.Add(9 * time.Minute)),
	})
	return t.SignedString(a.key)
}

// client is a go-github client on the App's transport, authenticated by auth.
func (a *App) client(auth string) *gh.Client {
	c := gh.NewClient(&http.Client{Transport: a.rt, Timeout: 60 * time.Second}).WithAuthToken(auth)
	c.BaseURL = a.base
	return c
}

// AppClient authenticates as the App itself (JWT): deliveries, installation tokens.
func (a *App) AppClient() (*gh.Client, error) {
	j, err := a.JWT()
	if err != nil {
		return nil, fmt.Errorf("github app: signing the JWT: %v", err)
	}
	return a.client(j), nil
}

// Token returns an installation access token, from the cache while it has more than
// tokenMargin to live.
func (a *App) Token(ctx context.Context, installation int64) (string, error) {
	a.mu.Lock()
	t, ok := a.tokens[installation]
	a.mu.Unlock()
	if ok && a.now().Add(tokenMargin).Before(t.expires) {
		return t.value, nil
	}
	c, err := a.AppClient()
	if err != nil {
		return "", err
	}
	it, _, err := c.Apps.CreateInstallationToken(ctx, installation, nil)
	if err != nil {
		return "", fmt.Errorf("github app: installation %d token: %w", installation, a.Mask(err))
	}
	t = token{value: it.GetToken(), expires: it.GetExpiresAt().Time}
	if t.expires.IsZero() {
		t.expires = a.now().Add(time.Hour)
	}
	a.mu.Lock()
	a.tokens[installation] = t
	a.minted[t.value] = true
	a.mu.Unlock()
	return t.value, nil
}

// Installation returns a client acting as the installation.
func (a *App) Installation(ctx context.Context, installation int64) (*gh.Client, error) {
	tok, err := a.Token(ctx, installation)
	if err != nil {
		return nil, err
	}
	return a.client(tok), nil
}

// Forget drops an installation's cached token (the App was uninstalled or its token revoked).
func (a *App) Forget(installation int64) {
	a.mu.Lock()
	delete(a.tokens, installation)
	a.mu.Unlock()
}

// Mask returns err with every token this App minted replaced by "***".
func (a *App) Mask(err error) error {
	if err == nil {
		return nil
	}
	s := err.Error()
	a.mu.Lock()
	hit := false
	for v := range a.minted {
		if v != "" && strings.Contains(s, v) {
			s, hit = strings.ReplaceAll(s, v, "***"), true
		}
	}
	a.mu.Unlock()
	if !hit {
		return err
	}
	return errors.New(s)
}

// MaskString is Mask for text.
func (a *App) MaskString(s string) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	for v := range a.minted {
		if v != "" {
			s = strings.ReplaceAll(s, v, "***")
		}
	}
	return s
}

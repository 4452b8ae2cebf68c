package githubapp

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

var (
	keyOnce sync.Once
	testKey *rsa.PrivateKey
)

func key(t *testing.T) (*rsa.PrivateKey, []byte) {
	keyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		testKey = k
	})
	return testKey, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(testKey)})
}

// clock is a settable time for the App and the token server alike.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// tokenServer mints installation tokens valid an hour on the clock, for a JWT whose RS256
// signature the public key verifies; it records the claims it saw.
type tokenServer struct {
	pub    *rsa.PublicKey
	clock  *clock
	mu     sync.Mutex
	minted int
	claims []jwt.RegisteredClaims
	header []map[string]any
	fail   bool
}

func (s *tokenServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	raw, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	var c jwt.RegisteredClaims
	tok, err := jwt.ParseWithClaims(raw, &c, func(*jwt.Token) (any, error) { return s.pub, nil },
		jwt.WithValidMethods([]string{"RS256"}), jwt.WithTimeFunc(s.clock.Now), jwt.WithIssuedAt(), jwt.WithExpirationRequired())
	if err != nil || !tok.Valid {
		http.Error(w, `{"message":"A JSON web token could not be decoded"}`, http.StatusUnauthorized)
		return
	}
	s.claims = append(s.claims, c)
	s.header = append(s.header, tok.Header)
	if r.Method != "POST" || r.URL.Path != "/app/installations/9/access_tokens" {
		http.Error(w, `{"message":"Not Found"}`, http.StatusNotFound)
		return
	}
	s.minted++
	w.Header().Set("Content-Type", "application/json")
	if s.fail {
		// An error that quotes a token back, as a proxy or a misbehaving server might.
		w.WriteHeader(http.StatusUnprocessableEntity)
		fmt.Fprintf(w, `{"message":"token ghs_token_1 is not valid here"}`)
		return
	}
	w.WriteHeader(http.StatusCreated)
	json.NewEncoder(w).Encode(map[string]any{"token": fmt.Sprintf("ghs_token_%d", s.minted), "expires_at": s.clock.Now().Add(time.Hour).UTC().Format(time.RFC3339)})
}

func newApp(t *testing.T) (*App, *tokenServer, *clock) {
	k, pemKey := key(t)
	c := &clock{now: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)}
	s := &tokenServer{pub: &k.PublicKey, clock: c}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	a, err := New(Options{ID: 31337, Key: pemKey, APIURL: srv.URL, Sleep: func(time.Duration) {}, Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	return a, s, c
}

// TestJWT: the App's JWT is RS256, signed by the App's key (verified with the public key),
// issued by the App id, backdated a minute for clock drift and valid at most ten minutes.
func TestJWT(t *testing.T) {
	a, s, c := newApp(t)
	raw, err := a.JWT()
	if err != nil {
		t.Fatal(err)
	}
	var claims jwt.RegisteredClaims
	tok, err := jwt.ParseWithClaims(raw, &claims, func(*jwt.Token) (any, error) { return s.pub, nil },
		jwt.WithValidMethods([]string{"RS256"}), jwt.WithTimeFunc(c.Now))
	if err != nil || !tok.Valid {
		t.Fatalf("the JWT does not verify with the App's public key: %v", err)
	}
	if claims.Issuer != "31337" {
		t.Errorf("iss %q, want the App id", claims.Issuer)
	}
	if iat := claims.IssuedAt.Time; !iat.Equal(c.Now().Add(-time.Minute)) {
		t.Errorf("iat %v, want a minute before %v", iat, c.Now())
	}
	if life := claims.ExpiresAt.Sub(claims.IssuedAt.Time); life <= 0 || life > 10*time.Minute {
		t.Errorf("valid for %v, want at most GitHub's ten minutes", life)
	}
	other, _ := rsa.GenerateKey(rand.Reader, 1024)
	if _, err := jwt.Parse(raw, func(*jwt.Token) (any, error) { return &other.PublicKey, nil }, jwt.WithTimeFunc(c.Now)); err == nil {
		t.Error("the JWT verifies with another key")
	}
}

// TestTokenCache: the installation token is minted once and served from the cache while more
// than ten minutes of it remain, then minted again; Forget drops it.
func TestTokenCache(t *testing.T) {
	a, s, c := newApp(t)
	ctx := context.Background()
	get := func() string {
		t.Helper()
		tok, err := a.Token(ctx, 9)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	if tok := get(); tok != "ghs_token_1" {
		t.Fatalf("token %q", tok)
	}
	c.Add(49 * time.Minute)
	if tok := get(); tok != "ghs_token_1" || s.minted != 1 {
		t.Errorf("after 49 minutes: %q, %d minted; want the cached token", tok, s.minted)
	}
	c.Add(2 * time.Minute) // 9 minutes left: too little for a job
	if tok := get(); tok != "ghs_token_2" || s.minted != 2 {
		t.Errorf("after 51 minutes: %q, %d minted; want a fresh token", tok, s.minted)
	}
	a.Forget(9)
	if tok := get(); tok != "ghs_token_3" {
		t.Errorf("after Forget: %q, want a fresh token", tok)
	}
	for i, cl := range s.claims {
		if cl.Issuer != "31337" {
			t.Errorf("request %d: iss %q", i, cl.Issuer)
		}
		if s.header[i]["alg"] != "RS256" {
			t.Errorf("request %d: alg %v", i, s.header[i]["alg"])
		}
	}
}

// TestTokensMasked: a token the App minted never shows in its errors, even when GitHub's
// answer quotes it; MaskString hides it in any text.
func TestTokensMasked(t *testing.T) {
	a, s, _ := newApp(t)
	ctx := context.Background()
	tok, err := a.Token(ctx, 9)
	if err != nil {
		t.Fatal(err)
	}
	a.Forget(9)
	s.mu.Lock()
	s.fail = true
	s.mu.Unlock()
	_, err = a.Token(ctx, 9)
	if err == nil {
		t.Fatal("a refused token request succeeded")
	}
	if strings.Contains(err.Error(), tok) || !strings.Contains(err.Error(), "***") {
		t.Errorf("error %q shows the token", err)
	}
	if got := a.MaskString("git said: Authorization: " + tok); strings.Contains(got, tok) {
		t.Errorf("MaskString left the token: %q", got)
	}
	if _, err := New(Options{ID: 1, Key: []byte("-----BEGIN RSA PRIVATE KEY-----\nnot a key\n-----END RSA PRIVATE KEY-----\n")}); err == nil || strings.Contains(err.Error(), "not a key") {
		t.Errorf("a bad key: %v", err)
	}
}

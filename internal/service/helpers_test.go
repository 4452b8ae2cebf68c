package service

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/dataops-dev/dataops/internal/github"
	"github.com/dataops-dev/dataops/internal/github/githubtest"
	"github.com/dataops-dev/dataops/internal/githubapp"
	"github.com/dataops-dev/dataops/internal/review"
)

const testSecret = "whsec-test-do-not-log"

var (
	keyOnce sync.Once
	keyPEM  []byte
	keyPub  *rsa.PublicKey
)

// appKey is one RSA key for every test (generating one costs a noticeable fraction of a second).
func appKey(t testing.TB) ([]byte, *rsa.PublicKey) {
	keyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		keyPEM = pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})
		keyPub = &k.PublicKey
	})
	return keyPEM, keyPub
}

func redisURL(t testing.TB) string {
	u := os.Getenv("DATAOPS_TEST_REDIS_URL")
	if u == "" {
		t.Fatal("DATAOPS_TEST_REDIS_URL is not set: the service's tests need a real Redis (scripts/test.sh starts one)")
	}
	return u
}

// testQueue is a queue under a prefix of its own, removed when the test ends.
func testQueue(t testing.TB, url string) *Queue {
	t.Helper()
	ctx := context.Background()
	q, err := NewQueue(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	q.Prefix = "dataops:test:" + hex.EncodeToString(b) + ":"
	if err := q.Init(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		iter := q.R.Scan(ctx, 0, q.Prefix+"*", 1000).Iterator()
		for iter.Next(ctx) {
			q.R.Del(ctx, iter.Val())
		}
		q.Close()
	})
	return q
}

// testApp is the fake GitHub App and an App client for it.
func testApp(t testing.TB) (*githubtest.App, *httptest.Server, *githubapp.App) {
	pemKey, pub := appKey(t)
	fake, srv := githubtest.NewApp(t, 4242, pub)
	app, err := githubapp.New(githubapp.Options{ID: 4242, Key: pemKey, APIURL: srv.URL, Sleep: func(time.Duration) {}})
	if err != nil {
		t.Fatal(err)
	}
	return fake, srv, app
}

// postingRunner posts a review of an empty change with the real publisher, as the CLI's
// runner does after reviewing; before, when set, runs first (a test's hook).
type postingRunner struct {
	app    *githubapp.App
	api    string
	before func(ctx context.Context, j *Job) error
	fix    map[string][]byte
	mu     sync.Mutex
	posted map[string]int // PR@head → reviews posted
}

func (r *postingRunner) Review(ctx context.Context, j *Job) (*Result, error) {
	if r.before != nil {
		if err := r.before(ctx, j); err != nil {
			return nil, err
		}
	}
	tok, err := r.app.Token(ctx, j.Installation)
	if err != nil {
		return nil, err
	}
	p, err := github.New(github.Options{Owner: j.Owner, Repo: j.Repo, PR: j.PR, Token: tok, APIURL: r.api, HeadSHA: j.HeadSHA, Sleep: func(time.Duration) {}})
	if err != nil {
		return nil, err
	}
	rv := &review.Review{Findings: []review.Finding{{Agent: "schema", Rule: "missing-description", Severity: "warning", Path: "models/a.sql", Line: 1, Message: "m"}}}
	rv.Finish()
	if _, err := p.Publish(ctx, rv); err != nil {
		return nil, err
	}
	r.mu.Lock()
	if r.posted == nil {
		r.posted = map[string]int{}
	}
	r.posted[j.PRKey()+"@"+j.HeadSHA]++
	r.mu.Unlock()
	return &Result{Findings: []Finding{{Agent: "schema", Rule: "missing-description"}}, Proposed: 2}, nil
}

func (r *postingRunner) Fix(ctx context.Context, j *Job) (map[string][]byte, error) {
	return r.fix, nil
}

// logBuffer collects JSON log lines safely across goroutines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func jsonLog(w *logBuffer) *slog.Logger { return slog.New(slog.NewJSONHandler(w, nil)) }

func prEvent(owner, repo string, n int, head, base, action string) []byte {
	return []byte(fmt.Sprintf(`{"action":%q,"installation":{"id":77},"repository":{"name":%q,"full_name":"%s/%s","clone_url":"https://git.example/%s/%s.git","owner":{"login":%q}},"sender":{"login":"dev","type":"User"},"pull_request":{"number":%d,"draft":false,"head":{"sha":%q},"base":{"sha":%q}}}`,
		action, repo, owner, repo, owner, repo, owner, n, head, base))
}

func commentEvent(owner, repo string, n int, user, body string) []byte {
	return []byte(fmt.Sprintf(`{"action":"created","installation":{"id":77},"repository":{"name":%q,"full_name":"%s/%s","clone_url":"https://git.example/%s/%s.git","owner":{"login":%q}},"sender":{"login":%q,"type":"User"},"issue":{"number":%d,"pull_request":{"url":"x"}},"comment":{"body":%q,"user":{"login":%q,"type":"User"}}}`,
		repo, owner, repo, owner, repo, owner, user, n, body, user))
}

func sha(s string) string {
	var b [20]byte
	copy(b[:], s)
	return hex.EncodeToString(b[:])
}

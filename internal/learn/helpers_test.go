package learn

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"
	"time"

	"github.com/dataops-dev/dataops/internal/memory"
	"github.com/dataops-dev/dataops/internal/memory/embedded"
)

// openStore opens an embedded store in a fresh directory.
func openStore(t *testing.T) *embedded.Store {
	t.Helper()
	s, err := embedded.Open(context.Background(), t.TempDir(), memory.NewLocalEmbedder())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// queryOnly hides a store's listing, as the server stores have none: the package must then
// find proposals and outcomes by query.
type queryOnly struct{ memory.Store }

// stores runs a test against the embedded store with and without its listing.
func stores(t *testing.T, f func(t *testing.T, s memory.Store)) {
	t.Run("list", func(t *testing.T) { f(t, openStore(t)) })
	t.Run("query", func(t *testing.T) { f(t, queryOnly{openStore(t)}) })
}

func upsert(t *testing.T, s memory.Store, recs ...memory.Record) {
	t.Helper()
	if err := s.Upsert(context.Background(), recs); err != nil {
		t.Fatal(err)
	}
}

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func timeHours(h int) time.Duration { return time.Duration(h) * time.Hour }

func randomHex(t *testing.T) string {
	t.Helper()
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

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

// stores runs a test against a fresh store.
func stores(t *testing.T, f func(t *testing.T, s memory.Store)) {
	f(t, openStore(t))
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

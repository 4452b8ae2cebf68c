package qdrant

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/dataops-dev/dataops/internal/memory"
	"github.com/dataops-dev/dataops/internal/memory/remotetest"
)

const key = "qdrant-test-key-1234"

func TestConformance(t *testing.T) {
	f := newFake(key)
	srv := httptest.NewServer(f)
	defer srv.Close()
	remotetest.Run(t, func(t *testing.T, name, embedder string, dim int) (memory.Store, error) {
		return Open(context.Background(), Config{URL: srv.URL, APIKey: key, Collection: "mem_" + name, Embedder: embedder, Dimension: dim})
	})
	if c := f.colls["mem_hybrid"]; c == nil || c.indexes["source"] != "keyword" || c.sparse["keywords"] != "idf" || c.dense["dense"] != remotetest.Dim {
		t.Fatalf("collection not created as documented: %+v", c)
	}
}

func TestRetriesAndAuth(t *testing.T) {
	f := newFake(key)
	srv := httptest.NewServer(f)
	defer srv.Close()
	sleeps := &remotetest.Sleeps{}
	ctx := context.Background()
	s, err := Open(ctx, Config{URL: srv.URL, APIKey: key, Embedder: "e", Dimension: remotetest.Dim, Transport: sleeps.Transport()})
	if err != nil {
		t.Fatal(err)
	}
	f.faults.Inject(2, http.StatusTooManyRequests, "2")
	if err := s.Upsert(ctx, remotetest.Corpus()); err != nil {
		t.Fatalf("upsert through two 429s: %v", err)
	}
	if len(sleeps.Waits) != 2 || sleeps.Waits[0] != 2*time.Second {
		t.Fatalf("waits %v, want two of Retry-After's 2s", sleeps.Waits)
	}
	if st, err := s.Stats(ctx); err != nil || st.Records != 8 {
		t.Fatalf("stats %+v, %v", st, err)
	}

	_, err = Open(ctx, Config{URL: srv.URL, APIKey: "wrong-key-5678", Embedder: "e", Dimension: remotetest.Dim})
	if err == nil || !strings.Contains(err.Error(), "401") || strings.Contains(err.Error(), "wrong-key-5678") || !strings.Contains(err.Error(), srv.URL+"/collections/dataops_memory") {
		t.Fatalf("wrong key: %v", err)
	}
}

func TestPointIDIsStableUUID(t *testing.T) {
	a, b := PointID("col:orders.id"), PointID("col:orders.id")
	if a != b || len(a) != 36 || PointID("col:orders.id2") == a {
		t.Fatalf("PointID: %s %s", a, b)
	}
}

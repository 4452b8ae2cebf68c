package pinecone

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dataops-dev/dataops/internal/memory"
	"github.com/dataops-dev/dataops/internal/memory/remote"
	"github.com/dataops-dev/dataops/internal/memory/remotetest"
)

const key = "pc-test-key-abcdef"

// TestConformance gives each store name its own index host, as Pinecone indexes are created
// in its console with a fixed dimension.
func TestConformance(t *testing.T) {
	var mu sync.Mutex
	hosts := map[string]*httptest.Server{}
	t.Cleanup(func() {
		for _, s := range hosts {
			s.Close()
		}
	})
	remotetest.Run(t, func(t *testing.T, name, embedder string, dim int) (memory.Store, error) {
		mu.Lock()
		srv, ok := hosts[name]
		if !ok {
			srv = httptest.NewServer(newFake(key, remotetest.Dim))
			hosts[name] = srv
		}
		mu.Unlock()
		return Open(context.Background(), Config{IndexHost: srv.URL, APIKey: key, Embedder: embedder, Dimension: dim})
	})
}

func TestRetriesAuthAndMetric(t *testing.T) {
	f := newFake(key, remotetest.Dim)
	srv := httptest.NewServer(f)
	defer srv.Close()
	ctx := context.Background()
	sleeps := &remotetest.Sleeps{}
	s, err := Open(ctx, Config{IndexHost: srv.URL, APIKey: key, Embedder: "e", Dimension: remotetest.Dim, Transport: sleeps.Transport()})
	if err != nil {
		t.Fatal(err)
	}
	f.faults.Inject(3, http.StatusInternalServerError, "")
	if err := s.Upsert(ctx, remotetest.Corpus()); err != nil {
		t.Fatalf("upsert through three 500s: %v", err)
	}
	if len(sleeps.Waits) != 3 || sleeps.Waits[2] < sleeps.Waits[0] || sleeps.Waits[2] > 8*time.Second {
		t.Fatalf("waits %v, want three growing backoffs", sleeps.Waits)
	}
	if st, err := s.Stats(ctx); err != nil || st.Records != 8 || st.Sources != 4 {
		t.Fatalf("stats %+v, %v", st, err)
	}

	_, err = Open(ctx, Config{IndexHost: srv.URL, APIKey: "bad-key-4321", Embedder: "e", Dimension: remotetest.Dim})
	if remote.StatusOf(err) != http.StatusUnauthorized || strings.Contains(err.Error(), "bad-key-4321") {
		t.Fatalf("bad key: %v", err)
	}
	f.metric = "euclidean"
	if _, err := Open(ctx, Config{IndexHost: srv.URL, APIKey: key, Embedder: "e", Dimension: remotetest.Dim}); err == nil || !strings.Contains(err.Error(), "euclidean") {
		t.Fatalf("euclidean index accepted: %v", err)
	}
	f.metric = "cosine"
	_, err = Open(ctx, Config{IndexHost: srv.URL, APIKey: key, Embedder: "e", Dimension: 8})
	if !errors.Is(err, remote.ErrEmbedderMismatch) {
		t.Fatalf("dimension 8 on a %d index: %v", remotetest.Dim, err)
	}
}

// TestKeywordOnlyWithinCandidates documents the limit of the local keyword re-rank: a
// record the vector search leaves out cannot come back by keyword.
func TestKeywordOnlyWithinCandidates(t *testing.T) {
	srv := httptest.NewServer(newFake(key, remotetest.Dim))
	defer srv.Close()
	ctx := context.Background()
	s, err := Open(ctx, Config{IndexHost: srv.URL, APIKey: key, Embedder: "e", Dimension: remotetest.Dim})
	if err != nil {
		t.Fatal(err)
	}
	var recs []memory.Record
	for i := range 150 {
		recs = append(recs, memory.Record{ID: "filler" + string(rune('a'+i%26)) + strings.Repeat("x", i/26), Kind: memory.KindDocChunk,
			Text: "orders shipped to customers", Vector: remotetest.Embed("orders shipped to customers", remotetest.Dim)})
	}
	recs = append(recs, memory.Record{ID: "needle", Kind: memory.KindDocChunk, Text: "zebra", Vector: remotetest.Embed("zebra", remotetest.Dim)})
	if err := s.Upsert(ctx, recs); err != nil {
		t.Fatal(err)
	}
	hs, err := s.Query(ctx, memory.Query{Text: "zebra", Vector: remotetest.Embed("orders shipped to customers", remotetest.Dim), Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hs {
		if h.ID == "needle" || h.KeywordRank != 0 {
			t.Fatalf("keyword rank outside the vector candidates: %+v", h)
		}
	}
	hs, err = s.Query(ctx, memory.Query{Text: "zebra", Vector: remotetest.Embed("zebra", remotetest.Dim), Limit: 5})
	if err != nil || len(hs) == 0 || hs[0].ID != "needle" || hs[0].KeywordRank != 1 {
		t.Fatalf("needle among candidates: %+v, %v", hs, err)
	}
}

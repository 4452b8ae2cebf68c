package weaviate

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/dataops-dev/dataops/internal/memory"
	"github.com/dataops-dev/dataops/internal/memory/remote"
	"github.com/dataops-dev/dataops/internal/memory/remotetest"
)

const key = "wv-test-key-0987"

func TestConformance(t *testing.T) {
	f := newFake(key)
	srv := httptest.NewServer(f)
	defer srv.Close()
	remotetest.Run(t, func(t *testing.T, name, embedder string, dim int) (memory.Store, error) {
		class := "Mem" + strings.ToUpper(name[:1]) + name[1:]
		return Open(context.Background(), Config{URL: srv.URL, APIKey: key, Class: class, Embedder: embedder, Dimension: dim})
	})
	sawFilter := false
	for _, q := range f.queries {
		if strings.Contains(q, `where: {operands: [{operands: [{operator: Equal, path: ["kind"], valueText: "doc_chunk"}`) {
			sawFilter = true
		}
	}
	if !sawFilter {
		t.Fatalf("no kind filter rendered as a where with enum operators among %d queries", len(f.queries))
	}
}

func TestGetQueryText(t *testing.T) {
	s := &Store{class: "Mem"}
	got := s.getQuery("bm25", map[string]any{"query": `say "hi"` + "\n", "properties": []any{"keywords"}}, memory.Filter{Project: "shop"}, 40)
	want := `{ Get { Mem(bm25: {properties: ["keywords"], query: "say \"hi\"\n"}, limit: 40, where: {operands: [{operator: Equal, path: ["project"], valueText: "shop"}], operator: And}) { ` +
		fields + ` _additional { id } } } }`
	if got != want {
		t.Fatalf("getQuery =\n%s\nwant\n%s", got, want)
	}
}

func TestRetriesAuthAndGraphQLErrors(t *testing.T) {
	f := newFake(key)
	srv := httptest.NewServer(f)
	defer srv.Close()
	ctx := context.Background()
	sleeps := &remotetest.Sleeps{}
	s, err := Open(ctx, Config{URL: srv.URL, APIKey: key, Embedder: "e", Dimension: remotetest.Dim, Transport: sleeps.Transport()})
	if err != nil {
		t.Fatal(err)
	}
	f.faults.Inject(1, http.StatusBadGateway, "")
	if err := s.Upsert(ctx, remotetest.Corpus()); err != nil {
		t.Fatalf("upsert through a 502: %v", err)
	}
	if len(sleeps.Waits) != 1 {
		t.Fatalf("waits %v", sleeps.Waits)
	}
	_, err = Open(ctx, Config{URL: srv.URL, APIKey: "not-the-key-1111", Embedder: "e", Dimension: remotetest.Dim})
	if remote.StatusOf(err) != http.StatusUnauthorized || strings.Contains(err.Error(), "not-the-key-1111") {
		t.Fatalf("bad key: %v", err)
	}
	// A GraphQL error arrives with status 200 and must still fail the query.
	delete(f.classes["DataopsMemory"].props, "keywords")
	_, err = s.Query(ctx, memory.Query{Text: "customer", Vector: remotetest.Embed("customer", remotetest.Dim), Limit: 3})
	if err == nil || !strings.Contains(err.Error(), "graphql") {
		t.Fatalf("GraphQL error not reported: %v", err)
	}
	// So does a per-object batch error.
	f.classes["DataopsMemory"].dim = remotetest.Dim + 1
	if err := s.Upsert(ctx, remotetest.Corpus()[:1]); err == nil || !strings.Contains(err.Error(), "col:customers.email") {
		t.Fatalf("batch object error not reported: %v", err)
	}
}

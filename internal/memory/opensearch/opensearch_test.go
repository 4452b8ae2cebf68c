package opensearch

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

const pass = "os-Secret-pass-99"

func TestConformance(t *testing.T) {
	f := newFake("admin", pass)
	srv := httptest.NewServer(f)
	defer srv.Close()
	url := strings.Replace(srv.URL, "http://", "http://admin:"+pass+"@", 1)
	remotetest.Run(t, func(t *testing.T, name, embedder string, dim int) (memory.Store, error) {
		return Open(context.Background(), Config{URL: url, Index: "mem-" + name, Embedder: embedder, Dimension: dim})
	})
	for _, b := range f.bodies {
		if strings.Contains(b, pass) {
			t.Fatalf("a request body carries the password: %s", b)
		}
	}
}

func TestRetriesAuthAndMasking(t *testing.T) {
	f := newFake("admin", pass)
	srv := httptest.NewServer(f)
	defer srv.Close()
	ctx := context.Background()
	sleeps := &remotetest.Sleeps{}
	s, err := Open(ctx, Config{URL: srv.URL, Username: "admin", Password: pass, Embedder: "e", Dimension: remotetest.Dim, Transport: sleeps.Transport()})
	if err != nil {
		t.Fatal(err)
	}
	f.faults.Inject(1, http.StatusServiceUnavailable, "1")
	if err := s.Upsert(ctx, remotetest.Corpus()); err != nil {
		t.Fatalf("upsert through a 503: %v", err)
	}
	if len(sleeps.Waits) != 1 || sleeps.Waits[0] != time.Second {
		t.Fatalf("waits %v, want Retry-After's 1s", sleeps.Waits)
	}
	if st, err := s.Stats(ctx); err != nil || st.Records != 8 || st.Sources != 4 {
		t.Fatalf("stats %+v, %v", st, err)
	}
	_, err = Open(ctx, Config{URL: strings.Replace(srv.URL, "http://", "http://admin:wrong-pass-777@", 1), Embedder: "e", Dimension: remotetest.Dim})
	if err == nil || strings.Contains(err.Error(), "wrong-pass-777") || !strings.Contains(err.Error(), "opensearch "+srv.URL+" index dataops-memory") {
		t.Fatalf("wrong password: %v", err)
	}
}

func TestBulkRejectionIsReported(t *testing.T) {
	f := newFake("admin", pass)
	srv := httptest.NewServer(f)
	defer srv.Close()
	ctx := context.Background()
	s, err := Open(ctx, Config{URL: srv.URL, Username: "admin", Password: pass, Embedder: "e", Dimension: remotetest.Dim})
	if err != nil {
		t.Fatal(err)
	}
	// Another writer changed the index under us: its mapping now wants a longer vector.
	f.indexes["dataops-memory"].fields["vector"]["dimension"] = float64(remotetest.Dim + 1)
	err = s.Upsert(ctx, remotetest.Corpus()[:1])
	if err == nil || !strings.Contains(err.Error(), "mapper_parsing_exception") || !strings.Contains(err.Error(), "col:customers.email") {
		t.Fatalf("a per-item bulk error must fail the upsert: %v", err)
	}
}

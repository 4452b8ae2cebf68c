package embedded

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dataops-dev/dataops/internal/memory"
)

var ctx = context.Background()

// countingEmbedder is the local embedder under another name or dimension, counting texts.
type countingEmbedder struct {
	name string
	dim  int
	mu   sync.Mutex
	n    int
}

func (e *countingEmbedder) Name() string   { return e.name }
func (e *countingEmbedder) Dimension() int { return e.dim }
func (e *countingEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	e.mu.Lock()
	e.n += len(texts)
	e.mu.Unlock()
	vs, err := memory.NewLocalEmbedder().Embed(ctx, texts)
	for i := range vs {
		vs[i] = vs[i][:e.dim]
	}
	return vs, err
}

func newEmbedder() *countingEmbedder { return &countingEmbedder{name: "test-local", dim: 64} }

func open(t *testing.T, dir string, emb memory.Embedder) *Store {
	t.Helper()
	s, err := Open(ctx, dir, emb)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func columnDoc(id, model, column, text string) memory.Record {
	return memory.Record{ID: id, Kind: memory.KindColumnDoc, Text: text,
		Metadata: memory.Metadata{Project: "shop", Model: model, Column: column, Source: "models/" + model + ".yml", Line: 3}}
}

var shopDocs = []memory.Record{
	columnDoc("c1", "orders", "order_id", "Primary key of the order."),
	columnDoc("c2", "orders", "customer_id", "The customer who placed the order."),
	columnDoc("c3", "orders", "order_date", "The date the order was placed."),
	columnDoc("c4", "orders", "amount", "Total amount of the order in dollars."),
	columnDoc("c5", "customers", "customer_id", "Primary key of the customer."),
	columnDoc("c6", "customers", "first_name", "The customer's first name."),
	columnDoc("c7", "payments", "payment_method", "How the order was paid: credit card, coupon, bank transfer."),
	{ID: "t1", Kind: memory.KindTest, Text: "unique and not_null on orders.order_id",
		Metadata: memory.Metadata{Project: "shop", Model: "orders", Column: "order_id", Source: "models/orders.yml", Line: 9}},
	{ID: "d1", Kind: memory.KindDocChunk, Text: "Orders are placed by customers and paid by one or more payments.",
		Metadata: memory.Metadata{Source: "docs/overview.md", Line: 1}},
}

func hitIDs(hits []memory.Hit) []string {
	var out []string
	for _, h := range hits {
		out = append(out, h.ID)
	}
	return out
}

func query(t *testing.T, s *Store, q memory.Query) []memory.Hit {
	t.Helper()
	hits, err := s.Query(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	return hits
}

func TestUpsertQueryReopen(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, newEmbedder())
	if err := s.Upsert(ctx, shopDocs); err != nil {
		t.Fatal(err)
	}
	check := func(s *Store) {
		t.Helper()
		hits := query(t, s, memory.Query{Text: "cust_id", Limit: 3})
		if len(hits) == 0 || hits[0].Metadata.Column != "customer_id" {
			t.Fatalf("cust_id: %v", hitIDs(hits))
		}
		if h := hits[0]; h.VectorRank == 0 || h.KeywordRank == 0 || h.Score <= 0 || h.Vector != nil {
			t.Fatalf("hit ranks/score/vector: %+v", h)
		}
		st, err := s.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := memory.Stats{Records: 9, ByKind: map[memory.Kind]int{memory.KindColumnDoc: 7, memory.KindTest: 1, memory.KindDocChunk: 1},
			Sources: 4, Embedder: "test-local", Dimension: 64}
		if !reflect.DeepEqual(st, want) {
			t.Fatalf("stats %+v, want %+v", st, want)
		}
	}
	check(s)
	s.Close()
	if _, err := s.Query(ctx, memory.Query{Text: "x"}); err == nil {
		t.Fatal("query on a closed store")
	}
	check(open(t, dir, newEmbedder()))
}

func TestRecordRoundTrip(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, newEmbedder())
	rec := memory.Record{ID: "p1", Kind: memory.KindProposal, Text: "add not_null to orders.amount ✓",
		Metadata: memory.Metadata{Project: "shop", Model: "orders", Column: "amount", Source: "github:pr/7", Line: -1,
			Commit: "abc123", Time: time.Date(2026, 3, 4, 5, 6, 7, 890, time.UTC),
			Extra: map[string]string{"pr": "7", "test": "not_null", "": "empty key"}}}
	if err := s.Upsert(ctx, []memory.Record{rec}); err != nil {
		t.Fatal(err)
	}
	for _, st := range []*Store{s, open(t, dir, newEmbedder())} {
		hits := query(t, st, memory.Query{Text: "not_null amount", Limit: 1})
		if len(hits) != 1 || !reflect.DeepEqual(hits[0].Record, rec) {
			t.Fatalf("got %+v\nwant %+v", hits, rec)
		}
	}
}

func TestUpsertReplacesAndSkipsUnchanged(t *testing.T) {
	dir := t.TempDir()
	emb := newEmbedder()
	s := open(t, dir, emb)
	s.Upsert(ctx, shopDocs)
	embedded, gen := emb.n, s.gen
	if err := s.Upsert(ctx, shopDocs); err != nil {
		t.Fatal(err)
	}
	if emb.n != embedded || s.gen != gen {
		t.Fatalf("unchanged records were embedded (%d texts) or written (generation %d → %d)", emb.n-embedded, gen, s.gen)
	}
	changed := columnDoc("c3", "orders", "order_date", "Shipping date of the parcel.")
	if err := s.Upsert(ctx, []memory.Record{changed}); err != nil {
		t.Fatal(err)
	}
	if emb.n != embedded+1 {
		t.Fatalf("embedded %d texts for one changed record", emb.n-embedded)
	}
	for _, st := range []*Store{s, open(t, dir, newEmbedder())} {
		hits := query(t, st, memory.Query{Text: "parcel shipping", Limit: 1})
		if len(hits) != 1 || hits[0].ID != "c3" || hits[0].Text != changed.Text {
			t.Fatalf("replacement not found: %+v", hits)
		}
		for _, h := range query(t, st, memory.Query{Text: "placed", Filter: memory.Filter{Column: "order_date"}}) {
			if h.Text != changed.Text {
				t.Fatalf("old text still there: %+v", h)
			}
		}
		if hits := query(t, st, memory.Query{Text: "date", Filter: memory.Filter{Column: "order_date"}}); len(hits) != 1 {
			t.Fatalf("one record expected: %+v", hits)
		}
		if n, _ := st.Stats(ctx); n.Records != len(shopDocs) {
			t.Fatalf("%d records after replace", n.Records)
		}
	}
}

func TestUpsertRejectsBadRecords(t *testing.T) {
	s := open(t, t.TempDir(), newEmbedder())
	if err := s.Upsert(ctx, []memory.Record{{Text: "no id"}}); err == nil {
		t.Fatal("record without id accepted")
	}
	if err := s.Upsert(ctx, []memory.Record{{ID: "v", Text: "x", Vector: make([]float32, 3)}}); err == nil || !strings.Contains(err.Error(), "3 dimensions") {
		t.Fatalf("wrong dimension: %v", err)
	}
	if _, err := s.Query(ctx, memory.Query{Vector: make([]float32, 3)}); err == nil {
		t.Fatal("query vector of wrong dimension accepted")
	}
}

func TestFilters(t *testing.T) {
	s := open(t, t.TempDir(), newEmbedder())
	s.Upsert(ctx, shopDocs)
	for _, c := range []struct {
		f    memory.Filter
		want string
	}{
		{memory.Filter{Model: "customers"}, "[c5 c6]"},
		{memory.Filter{Column: "customer_id"}, "[c2 c5]"},
		{memory.Filter{Kinds: []memory.Kind{memory.KindTest, memory.KindDocChunk}}, "[d1 t1]"},
		{memory.Filter{Source: "docs/overview.md"}, "[d1]"},
		{memory.Filter{Project: "shop", Model: "orders", Kinds: []memory.Kind{memory.KindTest}}, "[t1]"},
		{memory.Filter{Project: "other"}, "[]"},
	} {
		// "customer order" matches most records by both rankings; the filter alone decides.
		hits := query(t, s, memory.Query{Text: "customer order key placed name date docs test", Filter: c.f, Limit: 20})
		ids := hitIDs(hits)
		slices.Sort(ids)
		if got := fmt.Sprint(ids); got != c.want {
			t.Errorf("filter %+v: got %s, want %s", c.f, got, c.want)
		}
	}
}

func TestDeleteBySource(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, newEmbedder())
	s.Upsert(ctx, shopDocs)
	n, err := s.DeleteBySource(ctx, "models/orders.yml")
	if err != nil || n != 5 {
		t.Fatalf("deleted %d, %v; want 5", n, err)
	}
	if n, _ := s.DeleteBySource(ctx, "models/orders.yml"); n != 0 {
		t.Fatalf("deleted %d twice", n)
	}
	for _, st := range []*Store{s, open(t, dir, newEmbedder())} {
		if hits := query(t, st, memory.Query{Text: "order", Filter: memory.Filter{Model: "orders"}}); len(hits) != 0 {
			t.Fatalf("deleted records still found: %v", hitIDs(hits))
		}
		if st, _ := st.Stats(ctx); st.Records != 4 {
			t.Fatalf("%d records left", st.Records)
		}
	}
	// Deleted slots are reused, and the new record is the one found.
	s.Upsert(ctx, []memory.Record{columnDoc("n1", "refunds", "refund_amt", "Refunded amount.")})
	if hits := query(t, s, memory.Query{Text: "refund amount", Limit: 1}); len(hits) != 1 || hits[0].ID != "n1" {
		t.Fatalf("after slot reuse: %v", hitIDs(hits))
	}
}

// A record found by both rankings beats records found by one; each hit carries both ranks.
func TestFusionOrder(t *testing.T) {
	s := open(t, t.TempDir(), newEmbedder())
	s.Upsert(ctx, []memory.Record{
		{ID: "both", Kind: memory.KindColumnDoc, Text: "customer lifetime value in dollars"},
		{ID: "keyword", Kind: memory.KindColumnDoc, Text: "ltv"},
		{ID: "other", Kind: memory.KindColumnDoc, Text: "unrelated text about shipping"},
	})
	hits := query(t, s, memory.Query{Text: "customer lifetime value", Limit: 3})
	if len(hits) == 0 || hits[0].ID != "both" || hits[0].VectorRank != 1 || hits[0].KeywordRank != 1 {
		t.Fatalf("got %+v", hits)
	}
	for i := 1; i < len(hits); i++ {
		if hits[i].Score > hits[i-1].Score {
			t.Fatalf("not sorted by score: %+v", hits)
		}
	}
	// With a vector and no text, only the vector ranking counts.
	v, _ := newEmbedder().Embed(ctx, []string{"customer lifetime value"})
	hits = query(t, s, memory.Query{Vector: v[0], Limit: 3})
	if len(hits) == 0 || hits[0].ID != "both" || hits[0].KeywordRank != 0 {
		t.Fatalf("vector only: %+v", hits)
	}
}

// Small writes after a large one merge among themselves: the large segment is never
// rewritten for them, the number of segments stays logarithmic, and what the merged writes
// replaced or deleted in the large segment stays replaced or deleted after a reopen.
func TestMergeSmallWrites(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, newEmbedder())
	var big []memory.Record
	for i := range 400 {
		big = append(big, columnDoc(fmt.Sprint("b", i), fmt.Sprint("m", i%40), fmt.Sprint("col_", i), fmt.Sprintf("column %d of a large model", i)))
	}
	if err := s.Upsert(ctx, big); err != nil {
		t.Fatal(err)
	}
	first := segmentNames(t, dir)[0]
	const writes = 60
	for i := range writes {
		recs := []memory.Record{columnDoc(fmt.Sprint("r", i), fmt.Sprint("p", i), "id", fmt.Sprintf("key of model %d", i))}
		if i == 10 {
			// Replace a record of the large segment.
			recs = append(recs, columnDoc("b7", "m7", "col_7", "rewritten description"))
		}
		if err := s.Upsert(ctx, recs); err != nil {
			t.Fatal(err)
		}
		if i == 20 {
			if n, err := s.DeleteBySource(ctx, "models/m3.yml"); err != nil || n != 10 {
				t.Fatalf("deleted %d, %v", n, err)
			}
		}
	}
	segs := segmentNames(t, dir)
	if segs[0] != first {
		t.Fatalf("the large segment %s was rewritten for small writes: %v", first, segs)
	}
	if len(segs) > 8 {
		t.Fatalf("%d segments after %d small writes: %v", len(segs), writes, segs)
	}
	for _, st := range []*Store{s, open(t, dir, newEmbedder())} {
		if got, _ := st.Stats(ctx); got.Records != 400-10+writes {
			t.Fatalf("%d records, want %d", got.Records, 400-10+writes)
		}
		if hits := query(t, st, memory.Query{Text: "key", Filter: memory.Filter{Model: "p7"}}); len(hits) != 1 || hits[0].ID != "r7" {
			t.Fatalf("after merges: %v", hitIDs(hits))
		}
		recs, err := st.List(ctx, memory.Filter{Columns: []string{"col_7", "col_3", "col_44"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 2 || recs[0].ID != "b44" || recs[1].ID != "b7" || recs[1].Text != "rewritten description" {
			t.Fatalf("listed %+v", recs)
		}
		if hits := query(t, st, memory.Query{Text: "rewritten description"}); len(hits) == 0 || hits[0].ID != "b7" {
			t.Fatalf("keyword index after merges: %v", hitIDs(hits))
		}
	}
}

// Compact rewrites the store as one segment, records and their ranking unchanged.
func TestCompact(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, newEmbedder())
	for i := range 5 {
		recs := []memory.Record{columnDoc(fmt.Sprint("r", i), fmt.Sprint("m", i), "id", fmt.Sprintf("key of model %d", i))}
		if err := s.Upsert(ctx, recs); err != nil {
			t.Fatal(err)
		}
	}
	s.DeleteBySource(ctx, "models/m2.yml")
	before := query(t, s, memory.Query{Text: "key model"})
	if err := s.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	if segs := segmentNames(t, dir); len(segs) != 1 {
		t.Fatalf("segments after Compact: %v", segs)
	}
	s2 := open(t, dir, newEmbedder())
	if st, _ := s2.Stats(ctx); st.Records != 4 {
		t.Fatalf("%d records after Compact", st.Records)
	}
	if after := query(t, s2, memory.Query{Text: "key model"}); !reflect.DeepEqual(hitIDs(after), hitIDs(before)) {
		t.Fatalf("ranking changed: %v, was %v", hitIDs(after), hitIDs(before))
	}
}

func segmentNames(t *testing.T, dir string) []string {
	t.Helper()
	m, err := readManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range m.Segments {
		out = append(out, r.Name)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.seg"))
	if len(files) != len(out) {
		t.Fatalf("%d segment files for %d segments in the manifest", len(files), len(out))
	}
	return out
}

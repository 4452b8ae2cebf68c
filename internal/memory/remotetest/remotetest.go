// Package remotetest is the conformance suite every remote memory store passes (the same
// records, queries, filters, deletes, stats and embedder checks against each engine), with a
// small deterministic embedder for it. It also has the helpers the in-process fakes of the
// services share.
package remotetest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/dataops-dev/dataops/internal/memory"
	"github.com/dataops-dev/dataops/internal/memory/remote"
	"github.com/dataops-dev/dataops/internal/memory/terms"
)

// Embed is a deterministic embedder for tests: each term of the text adds to a few hashed
// dimensions, and the sum is L2-normalised, so texts sharing terms are near.
func Embed(text string, dim int) []float32 {
	v := make([]float32, dim)
	for _, t := range terms.Split(text) {
		id := terms.TermID(t)
		v[id%uint32(dim)] += 1
		v[(id/uint32(dim))%uint32(dim)] += 0.5
	}
	var n float64
	for _, x := range v {
		n += float64(x * x)
	}
	if n == 0 {
		v[0] = 1
		return v
	}
	for i := range v {
		v[i] = float32(float64(v[i]) / math.Sqrt(n))
	}
	return v
}

// Opener opens the store called name (the same name reaches the same data) for embedder
// and dimension. The suite closes what it opens.
type Opener func(t *testing.T, name, embedder string, dimension int) (memory.Store, error)

// Dim is the dimension the suite embeds with: small, so fakes and logs stay readable.
const Dim = 32

var when = time.Date(2025, 2, 3, 4, 5, 6, 0, time.UTC)

// Corpus is the suite's records.
func Corpus() []memory.Record {
	recs := []memory.Record{
		{ID: "col:customers.email", Kind: memory.KindColumnDoc, Text: "The customer's email address, lowercased", Metadata: memory.Metadata{Project: "shop", Model: "customers", Column: "email", Source: "models/schema.yml", Line: 12, Commit: "abc123", Time: when}},
		{ID: "col:orders.amount", Kind: memory.KindColumnDoc, Text: "Order total amount in cents, taxes included", Metadata: memory.Metadata{Project: "shop", Model: "orders", Column: "amount", Source: "models/schema.yml", Line: 30}},
		{ID: "col:orders.customer_id", Kind: memory.KindColumnDoc, Text: "The customer_id who placed the order", Metadata: memory.Metadata{Project: "shop", Model: "orders", Column: "customer_id", Source: "models/schema.yml", Line: 34}},
		{ID: "test:orders.customer_id.not_null", Kind: memory.KindTest, Text: "not_null test on orders.customer_id", Metadata: memory.Metadata{Project: "shop", Model: "orders", Column: "customer_id", Source: "models/schema.yml", Line: 36, Extra: map[string]string{"test": "not_null"}}},
		{ID: "doc:design#payments", Kind: memory.KindDocChunk, Text: "Payments are recorded in cents; refunds are negative amounts", Metadata: memory.Metadata{Project: "shop", Source: "docs/design.md", Line: 5, Extra: map[string]string{"heading": "Payments"}}},
		{ID: "doc:design#customers", Kind: memory.KindDocChunk, Text: "A customer is anyone who placed at least one order", Metadata: memory.Metadata{Project: "shop", Source: "docs/design.md", Line: 20}},
		{ID: "rule:pk", Kind: memory.KindPlaybookRule, Text: "Every primary key needs unique and not_null tests", Metadata: memory.Metadata{Project: "shop", Source: "docs/playbook.md", Line: 3, Extra: map[string]string{"heading": "Keys"}}},
		{ID: "other:customers.email", Kind: memory.KindColumnDoc, Text: "Customer email address", Metadata: memory.Metadata{Project: "crm", Model: "customers", Column: "email", Source: "crm/schema.yml", Line: 8}},
	}
	for i := range recs {
		recs[i].Vector = Embed(recs[i].Text+" "+recs[i].Metadata.Column, Dim)
	}
	return recs
}

func query(text string, f memory.Filter, limit int) memory.Query {
	return memory.Query{Text: text, Vector: Embed(text, Dim), Filter: f, Limit: limit}
}

func ids(hs []memory.Hit) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = h.ID
	}
	return out
}

// Run runs the suite; each subtest opens its own store names.
func Run(t *testing.T, open Opener) {
	ctx := context.Background()
	const emb = "test-embedder-v1"
	openT := func(t *testing.T, name string) memory.Store {
		t.Helper()
		s, err := open(t, name, emb, Dim)
		if err != nil {
			t.Fatalf("open %s: %v", name, err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	filled := func(t *testing.T, name string) memory.Store {
		s := openT(t, name)
		if err := s.Upsert(ctx, Corpus()); err != nil {
			t.Fatalf("upsert: %v", err)
		}
		return s
	}

	t.Run("HybridQuery", func(t *testing.T) {
		s := filled(t, "hybrid")
		hs, err := s.Query(ctx, query("customer email", memory.Filter{}, 3))
		if err != nil {
			t.Fatal(err)
		}
		if len(hs) != 3 {
			t.Fatalf("got %d hits, want 3: %v", len(hs), ids(hs))
		}
		if !slices.Contains([]string{"col:customers.email", "other:customers.email"}, hs[0].ID) {
			t.Fatalf("top hit %s, want a customer email column: %v", hs[0].ID, ids(hs))
		}
		top := hs[0]
		if top.VectorRank == 0 || top.KeywordRank == 0 {
			t.Fatalf("top hit ranks vector %d keyword %d: both lists should hold it", top.VectorRank, top.KeywordRank)
		}
		for i := 1; i < len(hs); i++ {
			if hs[i].Score > hs[i-1].Score {
				t.Fatalf("scores not descending: %v", hs)
			}
		}
		if want := 1.0/float64(60+top.VectorRank) + 1.0/float64(60+top.KeywordRank); math.Abs(top.Score-want) > 1e-9 {
			t.Fatalf("top score %v, want RRF %v", top.Score, want)
		}
	})

	t.Run("KeywordOnlyTermStillFound", func(t *testing.T) {
		s := filled(t, "keyword")
		// "refunds" is in one record only; the query's vector points elsewhere.
		q := memory.Query{Text: "refunds", Vector: Embed("primary key tests", Dim), Limit: 8}
		hs, err := s.Query(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		i := slices.Index(ids(hs), "doc:design#payments")
		if i < 0 || hs[i].KeywordRank != 1 {
			t.Fatalf("doc:design#payments not first by keyword: %+v", hs)
		}
	})

	t.Run("MetadataRoundTrip", func(t *testing.T) {
		s := filled(t, "roundtrip")
		hs, err := s.Query(ctx, query("email address lowercased", memory.Filter{Project: "shop", Model: "customers", Column: "email"}, 5))
		if err != nil {
			t.Fatal(err)
		}
		if len(hs) != 1 {
			t.Fatalf("filter project/model/column gave %v", ids(hs))
		}
		want := Corpus()[0]
		got := hs[0].Record
		if got.ID != want.ID || got.Kind != want.Kind || got.Text != want.Text {
			t.Fatalf("record %+v, want %+v", got, want)
		}
		gm, wm := got.Metadata, want.Metadata
		if gm.Project != wm.Project || gm.Model != wm.Model || gm.Column != wm.Column || gm.Source != wm.Source ||
			gm.Line != wm.Line || gm.Commit != wm.Commit || !gm.Time.Equal(wm.Time) {
			t.Fatalf("metadata %+v, want %+v", gm, wm)
		}
		hs, err = s.Query(ctx, query("not null", memory.Filter{Kinds: []memory.Kind{memory.KindTest}}, 5))
		if err != nil || len(hs) != 1 || hs[0].Metadata.Extra["test"] != "not_null" {
			t.Fatalf("extra lost: %+v, %v", hs, err)
		}
	})

	t.Run("Filters", func(t *testing.T) {
		s := filled(t, "filters")
		cases := []struct {
			f    memory.Filter
			want []string
		}{
			{memory.Filter{Kinds: []memory.Kind{memory.KindDocChunk, memory.KindPlaybookRule}}, []string{"doc:design#customers", "doc:design#payments", "rule:pk"}},
			{memory.Filter{Project: "crm"}, []string{"other:customers.email"}},
			{memory.Filter{Source: "docs/design.md"}, []string{"doc:design#customers", "doc:design#payments"}},
			{memory.Filter{Model: "orders", Kinds: []memory.Kind{memory.KindColumnDoc}}, []string{"col:orders.amount", "col:orders.customer_id"}},
			{memory.Filter{Project: "nobody"}, nil},
		}
		for _, c := range cases {
			hs, err := s.Query(ctx, query("customer order amount payments key email", c.f, 20))
			if err != nil {
				t.Fatalf("%+v: %v", c.f, err)
			}
			got := ids(hs)
			slices.Sort(got)
			if !slices.Equal(got, c.want) {
				t.Errorf("filter %+v: got %v, want %v", c.f, got, c.want)
			}
		}
	})

	t.Run("List", func(t *testing.T) {
		s := filled(t, "list")
		cases := []struct {
			f    memory.Filter
			want []string
		}{
			{memory.Filter{Columns: []string{"customer_id", "email"}}, []string{"col:customers.email", "col:orders.customer_id", "other:customers.email", "test:orders.customer_id.not_null"}},
			{memory.Filter{Columns: []string{"customer_id", "nowhere"}, Kinds: []memory.Kind{memory.KindTest}, Project: "shop"}, []string{"test:orders.customer_id.not_null"}},
			{memory.Filter{Column: "email", Project: "crm"}, []string{"other:customers.email"}},
			{memory.Filter{Extra: map[string]string{"heading": "Keys"}}, []string{"rule:pk"}},
			{memory.Filter{Extra: map[string]string{"test": "not_null"}, Model: "orders"}, []string{"test:orders.customer_id.not_null"}},
			{memory.Filter{Kinds: []memory.Kind{memory.KindDocChunk}, Source: "docs/design.md"}, []string{"doc:design#customers", "doc:design#payments"}},
			{memory.Filter{Project: "nobody"}, nil},
		}
		for _, c := range cases {
			recs, err := s.List(ctx, c.f)
			if err != nil {
				t.Fatalf("%+v: %v", c.f, err)
			}
			var got []string
			for _, r := range recs {
				got = append(got, r.ID)
				if r.Vector != nil {
					t.Errorf("%s listed with its vector", r.ID)
				}
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("List %+v: got %v, want %v (ordered by id)", c.f, got, c.want)
			}
			hs, err := s.Query(ctx, query("customer order amount payments key email refunds tests", c.f, 20))
			if err != nil {
				t.Fatalf("%+v: %v", c.f, err)
			}
			got = ids(hs)
			slices.Sort(got)
			if !slices.Equal(got, c.want) {
				t.Errorf("Query %+v: got %v, want %v", c.f, got, c.want)
			}
		}
		recs, err := s.List(ctx, memory.Filter{Column: "email", Project: "shop"})
		if err != nil || len(recs) != 1 {
			t.Fatalf("email: %v, %v", recs, err)
		}
		want := Corpus()[0]
		got := recs[0]
		if got.Text != want.Text || got.Metadata.Line != want.Metadata.Line || got.Metadata.Commit != want.Metadata.Commit ||
			!got.Metadata.Time.Equal(want.Metadata.Time) || got.Metadata.Source != want.Metadata.Source {
			t.Fatalf("listed %+v, want %+v", got, want)
		}
	})

	t.Run("ListPages", func(t *testing.T) {
		// More records than one page of any store's listing.
		s := openT(t, "pages")
		var recs []memory.Record
		for i := range 2500 {
			recs = append(recs, memory.Record{ID: fmt.Sprintf("r%05d", i), Kind: memory.KindColumnDoc, Text: fmt.Sprint("column ", i),
				Metadata: memory.Metadata{Project: "big", Model: fmt.Sprint("m", i%7), Column: fmt.Sprint("c", i%3), Source: "models/big.yml"},
				Vector:   Embed(fmt.Sprint("column ", i), Dim)})
		}
		if err := s.Upsert(ctx, recs); err != nil {
			t.Fatal(err)
		}
		got, err := s.List(ctx, memory.Filter{Columns: []string{"c0", "c2"}})
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for i := range 2500 {
			if i%3 != 1 {
				want = append(want, fmt.Sprintf("r%05d", i))
			}
		}
		var gotIDs []string
		for _, r := range got {
			gotIDs = append(gotIDs, r.ID)
		}
		if !slices.Equal(gotIDs, want) {
			t.Fatalf("listed %d records, want %d", len(gotIDs), len(want))
		}
	})

	t.Run("UpsertReplacesDeleteBySourceStats", func(t *testing.T) {
		s := filled(t, "lifecycle")
		st, err := s.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st.Records != 8 || st.ByKind[memory.KindColumnDoc] != 4 || st.ByKind[memory.KindDocChunk] != 2 || st.Sources != 4 ||
			st.Embedder != emb || st.Dimension != Dim {
			t.Fatalf("stats %+v", st)
		}
		r := Corpus()[1]
		r.Text = "Order revenue in euros"
		r.Vector = Embed(r.Text, Dim)
		if err := s.Upsert(ctx, []memory.Record{r}); err != nil {
			t.Fatal(err)
		}
		hs, err := s.Query(ctx, query("revenue euros", memory.Filter{}, 1))
		if err != nil || len(hs) != 1 || hs[0].ID != r.ID || hs[0].Text != r.Text {
			t.Fatalf("after replace: %+v, %v", hs, err)
		}
		n, err := s.DeleteBySource(ctx, "models/schema.yml")
		if err != nil || n != 4 {
			t.Fatalf("DeleteBySource = %d, %v; want 4", n, err)
		}
		if n, err := s.DeleteBySource(ctx, "models/schema.yml"); err != nil || n != 0 {
			t.Fatalf("second DeleteBySource = %d, %v; want 0", n, err)
		}
		hs, err = s.Query(ctx, query("customer email order amount", memory.Filter{}, 20))
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range hs {
			if h.Metadata.Source == "models/schema.yml" {
				t.Fatalf("deleted record %s still found", h.ID)
			}
		}
		st, err = s.Stats(ctx)
		if err != nil || st.Records != 4 || st.Sources != 3 || st.ByKind[memory.KindColumnDoc] != 1 || st.ByKind[memory.KindTest] != 0 {
			t.Fatalf("stats after delete %+v, %v", st, err)
		}
	})

	t.Run("WrongDimensionRefused", func(t *testing.T) {
		s := openT(t, "dimension")
		r := Corpus()[0]
		r.Vector = r.Vector[:Dim-1]
		if err := s.Upsert(ctx, []memory.Record{r}); err == nil {
			t.Fatal("upsert of a short vector accepted")
		}
		if _, err := s.Query(ctx, memory.Query{Text: "x", Vector: make([]float32, Dim+1), Limit: 1}); err == nil {
			t.Fatal("query with a long vector accepted")
		}
	})

	t.Run("EmbedderMismatch", func(t *testing.T) {
		s := filled(t, "mismatch")
		s.Close()
		for _, c := range []struct {
			name string
			dim  int
		}{{"another-embedder", Dim}, {emb, Dim * 2}} {
			_, err := open(t, "mismatch", c.name, c.dim)
			var me *remote.EmbedderMismatchError
			if !errors.Is(err, remote.ErrEmbedderMismatch) || !errors.As(err, &me) || me.StoreName != emb || me.Name != c.name {
				t.Fatalf("reopen with %s/%d: %v", c.name, c.dim, err)
			}
		}
		again := openT(t, "mismatch")
		st, err := again.Stats(ctx)
		if err != nil || st.Records != 8 {
			t.Fatalf("reopened with the same embedder: %+v, %v", st, err)
		}
	})
}

package memorytest

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/dataops-dev/dataops/internal/memory"
)

// RunStore is the conformance suite of long-term stores: every engine must filter, replace,
// delete by source, rank and report the same way. open returns an empty store for one subtest
// (the suite closes it). Records and queries carry vectors of the local embedder, so a store
// that does not embed by itself passes too.
func RunStore(t *testing.T, open func(t *testing.T) memory.Store) {
	for _, c := range []struct {
		name string
		fn   func(t *testing.T, s memory.Store)
	}{
		{"UpsertQueryStats", upsertQueryStats},
		{"RoundTrip", roundTrip},
		{"Replace", replace},
		{"DeleteBySource", deleteBySource},
		{"Filters", filters},
		{"Ranks", ranks},
		{"List", list},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := open(t)
			defer func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			}()
			c.fn(t, s)
		})
	}
}

var ctx = context.Background()

func embed(t *testing.T, recs ...memory.Record) []memory.Record {
	t.Helper()
	texts := make([]string, len(recs))
	for i := range recs {
		texts[i] = recs[i].Text
	}
	vs, err := memory.NewLocalEmbedder().Embed(ctx, texts)
	if err != nil {
		t.Fatal(err)
	}
	out := slices.Clone(recs)
	for i := range out {
		out[i].Vector = vs[i]
	}
	return out
}

func query(t *testing.T, s memory.Store, text string, f memory.Filter, limit int) []memory.Hit {
	t.Helper()
	v, _ := memory.NewLocalEmbedder().Embed(ctx, []string{text})
	hits, err := s.Query(ctx, memory.Query{Text: text, Vector: v[0], Filter: f, Limit: limit})
	if err != nil {
		t.Fatal(err)
	}
	return hits
}

func ids(hits []memory.Hit) []string {
	out := []string{}
	for _, h := range hits {
		out = append(out, h.ID)
	}
	return out
}

func col(id, model, column, text string) memory.Record {
	return memory.Record{ID: id, Kind: memory.KindColumnDoc, Text: text,
		Metadata: memory.Metadata{Project: "shop", Model: model, Column: column, Source: "models/" + model + ".yml", Line: 7}}
}

// shop is a small project: columns of two models, a test, a doc chunk, a playbook rule.
func shop(t *testing.T) []memory.Record {
	return embed(t,
		col("orders.order_id", "orders", "order_id", "Primary key of the order."),
		col("orders.customer_id", "orders", "customer_id", "The customer who placed the order."),
		col("orders.order_date", "orders", "order_date", "The date the order was placed."),
		col("orders.amount", "orders", "amount", "Total amount of the order in dollars."),
		col("customers.customer_id", "customers", "customer_id", "Primary key of the customer."),
		col("customers.first_name", "customers", "first_name", "The customer's first name."),
		memory.Record{ID: "test.orders.order_id.unique", Kind: memory.KindTest, Text: "unique on orders.order_id",
			Metadata: memory.Metadata{Project: "shop", Model: "orders", Column: "order_id", Source: "models/orders.yml", Line: 12}},
		memory.Record{ID: "docs/overview.md#1", Kind: memory.KindDocChunk, Text: "Orders are placed by customers and paid by payments.",
			Metadata: memory.Metadata{Project: "shop", Source: "docs/overview.md", Line: 1}},
		memory.Record{ID: "playbook#3", Kind: memory.KindPlaybookRule, Text: "Every primary key has unique and not_null tests.",
			Metadata: memory.Metadata{Project: "shop", Source: "docs/playbook.md", Line: 3, Extra: map[string]string{"heading": "Keys"}}},
	)
}

func upsertQueryStats(t *testing.T, s memory.Store) {
	if err := s.Upsert(ctx, shop(t)); err != nil {
		t.Fatal(err)
	}
	hits := query(t, s, "customer_id", memory.Filter{}, 3)
	if len(hits) == 0 || hits[0].Metadata.Column != "customer_id" {
		t.Fatalf("customer_id: %v", ids(hits))
	}
	if len(hits) > 3 {
		t.Fatalf("limit 3: %d hits", len(hits))
	}
	st, err := s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Records != 9 || st.ByKind[memory.KindColumnDoc] != 6 || st.ByKind[memory.KindTest] != 1 || st.Sources != 4 {
		t.Fatalf("stats %+v", st)
	}
}

func roundTrip(t *testing.T, s memory.Store) {
	rec := embed(t, memory.Record{ID: "proposal-1", Kind: memory.KindProposal, Text: "not_null on orders.amount",
		Metadata: memory.Metadata{Project: "shop", Model: "orders", Column: "amount", Source: "github:pr/7", Line: 3,
			Commit: "abc123", Time: time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC), Extra: map[string]string{"pr": "7", "test": "not_null"}}})
	if err := s.Upsert(ctx, rec); err != nil {
		t.Fatal(err)
	}
	hits := query(t, s, "not_null amount", memory.Filter{}, 1)
	if len(hits) != 1 {
		t.Fatalf("got %d hits", len(hits))
	}
	got, want := hits[0].Record, rec[0]
	got.Vector, want.Vector = nil, nil
	if !got.Metadata.Time.Equal(want.Metadata.Time) {
		t.Fatalf("time %v, want %v", got.Metadata.Time, want.Metadata.Time)
	}
	got.Metadata.Time, want.Metadata.Time = time.Time{}, time.Time{}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}
}

func replace(t *testing.T, s memory.Store) {
	s.Upsert(ctx, shop(t))
	changed := embed(t, col("orders.order_date", "orders", "order_date", "Shipping date of the parcel."))
	if err := s.Upsert(ctx, changed); err != nil {
		t.Fatal(err)
	}
	hits := query(t, s, "parcel shipping", memory.Filter{}, 1)
	if len(hits) != 1 || hits[0].ID != "orders.order_date" || hits[0].Text != changed[0].Text {
		t.Fatalf("replacement: %+v", hits)
	}
	for _, h := range query(t, s, "date placed", memory.Filter{Column: "order_date"}, 10) {
		if h.Text != changed[0].Text {
			t.Fatalf("old text still there: %+v", h)
		}
	}
	if st, _ := s.Stats(ctx); st.Records != 9 {
		t.Fatalf("%d records after a replace", st.Records)
	}
}

func deleteBySource(t *testing.T, s memory.Store) {
	s.Upsert(ctx, shop(t))
	n, err := s.DeleteBySource(ctx, "models/orders.yml")
	if err != nil || n != 5 {
		t.Fatalf("deleted %d, %v; want 5", n, err)
	}
	if n, err := s.DeleteBySource(ctx, "models/orders.yml"); err != nil || n != 0 {
		t.Fatalf("second delete: %d, %v", n, err)
	}
	if hits := query(t, s, "order", memory.Filter{Model: "orders"}, 10); len(hits) != 0 {
		t.Fatalf("deleted records found: %v", ids(hits))
	}
	if st, _ := s.Stats(ctx); st.Records != 4 {
		t.Fatalf("%d records left", st.Records)
	}
}

func filters(t *testing.T, s memory.Store) {
	s.Upsert(ctx, shop(t))
	for _, c := range []struct {
		f    memory.Filter
		want []string
	}{
		{memory.Filter{Model: "customers"}, []string{"customers.customer_id", "customers.first_name"}},
		{memory.Filter{Column: "customer_id"}, []string{"customers.customer_id", "orders.customer_id"}},
		{memory.Filter{Kinds: []memory.Kind{memory.KindTest, memory.KindPlaybookRule}}, []string{"playbook#3", "test.orders.order_id.unique"}},
		{memory.Filter{Source: "docs/overview.md"}, []string{"docs/overview.md#1"}},
		{memory.Filter{Project: "shop", Model: "orders", Kinds: []memory.Kind{memory.KindTest}}, []string{"test.orders.order_id.unique"}},
		{memory.Filter{Project: "elsewhere"}, []string{}},
	} {
		// The query matches every record by some word; the filter alone decides.
		got := ids(query(t, s, "customer order key placed name date payments tests unique", c.f, 20))
		slices.Sort(got)
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("filter %+v: got %v, want %v", c.f, got, c.want)
		}
	}
}

// Hits are ordered by fused score, carry their ranks, and a record both rankings place first
// comes first with both ranks 1.
func ranks(t *testing.T, s memory.Store) {
	s.Upsert(ctx, embed(t,
		memory.Record{ID: "both", Kind: memory.KindColumnDoc, Text: "customer lifetime value in dollars"},
		memory.Record{ID: "short", Kind: memory.KindColumnDoc, Text: "ltv"},
		memory.Record{ID: "other", Kind: memory.KindColumnDoc, Text: "unrelated text about shipping"},
	))
	hits := query(t, s, "customer lifetime value", memory.Filter{}, 3)
	if len(hits) == 0 || hits[0].ID != "both" || hits[0].VectorRank != 1 || hits[0].KeywordRank != 1 {
		t.Fatalf("got %+v", hits)
	}
	want := 2.0 / float64(memory.RRFK+1)
	if d := hits[0].Score - want; d > 1e-9 || d < -1e-9 {
		t.Fatalf("score %v, want 2/(k+1) = %v", hits[0].Score, want)
	}
	for i := 1; i < len(hits); i++ {
		if hits[i].Score > hits[i-1].Score {
			t.Fatalf("not sorted by score: %+v", hits)
		}
		if hits[i].VectorRank == 0 && hits[i].KeywordRank == 0 {
			t.Fatalf("hit without a rank: %+v", hits[i])
		}
	}
}

// list: every record passing the filter, ordered by id, without vectors, metadata whole; the
// filters on several columns and on extras apply to queries alike.
func list(t *testing.T, s memory.Store) {
	s.Upsert(ctx, shop(t))
	for _, c := range []struct {
		f    memory.Filter
		want []string
	}{
		{memory.Filter{Columns: []string{"customer_id", "amount"}}, []string{"customers.customer_id", "orders.amount", "orders.customer_id"}},
		{memory.Filter{Columns: []string{"order_id", "nowhere"}, Kinds: []memory.Kind{memory.KindTest}}, []string{"test.orders.order_id.unique"}},
		{memory.Filter{Column: "customer_id", Model: "orders"}, []string{"orders.customer_id"}},
		{memory.Filter{Extra: map[string]string{"heading": "Keys"}}, []string{"playbook#3"}},
		{memory.Filter{Extra: map[string]string{"heading": "Other"}}, []string{}},
		{memory.Filter{Kinds: []memory.Kind{memory.KindDocChunk, memory.KindPlaybookRule}}, []string{"docs/overview.md#1", "playbook#3"}},
		{memory.Filter{Project: "elsewhere"}, []string{}},
	} {
		recs, err := s.List(ctx, c.f)
		if err != nil {
			t.Fatal(err)
		}
		got := []string{}
		for _, r := range recs {
			got = append(got, r.ID)
			if r.Vector != nil {
				t.Errorf("listed %s with its vector", r.ID)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("List %+v: got %v, want %v", c.f, got, c.want)
		}
		hits := ids(query(t, s, "customer order key placed name date payments tests unique", c.f, 20))
		slices.Sort(hits)
		if fmt.Sprint(hits) != fmt.Sprint(c.want) {
			t.Errorf("Query %+v: got %v, want %v", c.f, hits, c.want)
		}
	}
	recs, err := s.List(ctx, memory.Filter{Kinds: []memory.Kind{memory.KindPlaybookRule}})
	if err != nil || len(recs) != 1 {
		t.Fatalf("rules: %v, %v", recs, err)
	}
	want := shop(t)[8]
	want.Vector = nil
	if !reflect.DeepEqual(recs[0], want) {
		t.Fatalf("listed %+v\nwant %+v", recs[0], want)
	}
}

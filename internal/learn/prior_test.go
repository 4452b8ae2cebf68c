package learn

import (
	"context"
	"strings"
	"testing"

	"github.com/dataops-dev/dataops/internal/memory"
	"github.com/dataops-dev/dataops/internal/schema"
)

// outcome records a resolved proposal directly.
func outcome(t *testing.T, s memory.Store, p Proposal, state string) {
	t.Helper()
	p.State = state
	upsert(t, s, p.proposalRecord(), p.outcomeRecord())
}

func TestTestMemoryEvidence(t *testing.T) {
	stores(t, func(t *testing.T, s memory.Store) {
		ctx := context.Background()
		for i, state := range []string{Rejected, Rejected, Rejected, Accepted} {
			p := proposal(KindTest, "not_null", "orders", []string{"shipped_at", "created_at", "paid_at", "shipped_at"}[i], TestValue("not_null", nil))
			p.PR = string(rune('a' + i))
			p.New, p.Documented = true, true
			outcome(t, s, p, state)
		}
		// A proposal on a column the change did not add, or that the team left undocumented,
		// teaches nothing.
		old := proposal(KindTest, "not_null", "orders", "shipped_at", TestValue("not_null", nil))
		old.PR, old.Documented = "z", true
		outcome(t, s, old, Rejected)
		undocumented := proposal(KindTest, "not_null", "orders", "shipped_at", TestValue("not_null", nil))
		undocumented.PR, undocumented.New = "y", true
		outcome(t, s, undocumented, Rejected)
		// History: shipped_at was added twice, with not_null once.
		upsert(t, s,
			memory.Record{ID: "h1", Kind: memory.KindColumnDoc, Text: "shipped_at: When it left.", Metadata: memory.Metadata{Project: "shop", Model: "orders", Column: "shipped_at", Source: "git:models/a.yml", Commit: "c1", Extra: map[string]string{"origin": "history", "description": "When it left."}}},
			memory.Record{ID: "h2", Kind: memory.KindColumnDoc, Text: "shipped_at: Shipping time.", Metadata: memory.Metadata{Project: "shop", Model: "returns", Column: "shipped_at", Source: "git:models/b.yml", Commit: "c2", Extra: map[string]string{"origin": "history", "description": "Shipping time."}}},
			memory.Record{ID: "h3", Kind: memory.KindTest, Text: "orders.shipped_at not_null", Metadata: memory.Metadata{Project: "shop", Model: "orders", Column: "shipped_at", Source: "git:models/a.yml", Commit: "c1", Extra: map[string]string{"test": "not_null", "origin": "history"}}},
			// The project's current files are not history.
			memory.Record{ID: "p1", Kind: memory.KindTest, Text: "orders.shipped_at unique", Metadata: memory.Metadata{Project: "shop", Model: "orders", Column: "shipped_at", Source: "models/a.yml", Extra: map[string]string{"test": "unique", "origin": "property_file"}}},
		)
		m, err := LoadTestMemory(ctx, s, "shop", []string{"shipped_at"})
		if err != nil {
			t.Fatal(err)
		}
		ev := m.Evidence("shipped_at", "*_at", "not_null")
		if len(ev) != 3 {
			t.Fatalf("evidence = %+v", ev)
		}
		if ev[0].N != 2 || ev[0].K != 1 || !strings.Contains(ev[0].Why, "history") {
			t.Errorf("history: %+v", ev[0])
		}
		if ev[1].N != 4 || ev[1].K != 1 || !strings.Contains(ev[1].Why, "*_at") {
			t.Errorf("pattern: %+v", ev[1])
		}
		if ev[2].N != 2 || ev[2].K != 1 {
			t.Errorf("name: %+v", ev[2])
		}
		if ev := m.Evidence("shipped_at", "*_at", "unique"); len(ev) != 1 || ev[0].K != 0 || ev[0].N != 2 {
			t.Errorf("unique from history: %+v", ev)
		}
		if ev := m.Evidence("order_id", "*_id", "not_null"); len(ev) != 0 {
			t.Errorf("evidence for an unrelated column: %+v", ev)
		}
	})
}

func TestSourceOrderLearns(t *testing.T) {
	s := openStore(t)
	ctx := context.Background()
	if order, err := SourceOrder(ctx, s, "shop"); err != nil || order != nil {
		t.Fatalf("without outcomes: %v %v", order, err)
	}
	// The team rewrites what the project source gives and keeps name descriptions.
	for i := range 12 {
		p := proposal(KindDescription, "project", "orders", "c"+string(rune('a'+i)), "x")
		outcome(t, s, p, Rejected)
		q := proposal(KindDescription, "name", "orders", "d"+string(rune('a'+i)), "y")
		outcome(t, s, q, Accepted)
	}
	order, err := SourceOrder(ctx, s, "shop")
	if err != nil {
		t.Fatal(err)
	}
	pos := map[string]int{}
	for i, src := range order {
		pos[src] = i
	}
	if len(order) != len(schema.DefaultSourceOrder) || pos[schema.FromName] > pos[schema.FromProject] || pos[schema.FromUpstream] != 0 {
		t.Errorf("order = %v", order)
	}
}

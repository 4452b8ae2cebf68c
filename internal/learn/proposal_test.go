package learn

import (
	"context"
	"testing"

	"github.com/dataops-dev/dataops/internal/memory"
)

func proposal(kind, rule, model, column, value string) Proposal {
	agent := AgentSchema
	if kind == KindTest {
		agent = AgentTests
	}
	return Proposal{Repository: "acme/shop", PR: "7", Head: "aaaa", Project: "shop", Agent: agent, Kind: kind, Rule: rule,
		Model: model, Column: column, File: "models/_models.yml", Value: value, Time: t0}
}

func TestRecordIsIdempotentAndKeepsOutcomes(t *testing.T) {
	stores(t, func(t *testing.T, s memory.Store) {
		ctx := context.Background()
		ps := []Proposal{
			proposal(KindDescription, "upstream", "orders", "customer_id", "The customer."),
			proposal(KindTest, "not_null", "orders", "customer_id", TestValue("not_null", nil)),
		}
		for range 2 {
			if err := Record(ctx, s, ps); err != nil {
				t.Fatal(err)
			}
		}
		got, err := Proposals(ctx, s, "shop")
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].State != Open || got[1].State != Open {
			t.Fatalf("proposals = %+v", got)
		}
		// A newer head of the same pull request replaces the open proposal.
		again := ps[0]
		again.Head = "bbbb"
		if err := Record(ctx, s, []Proposal{again}); err != nil {
			t.Fatal(err)
		}
		got, _ = Proposals(ctx, s, "shop")
		heads := map[string]bool{}
		for _, p := range got {
			heads[p.Head] = true
		}
		if len(got) != 2 || !heads["bbbb"] {
			t.Fatalf("after a new head: %+v", got)
		}
		// Resolved, then proposed again: the outcome stays.
		st := NewState(map[string][]byte{"models/_models.yml": []byte("models:\n  - name: orders\n    columns:\n      - name: customer_id\n        description: The customer.\n")})
		if _, err := Resolve(ctx, s, st, Scope{Project: "shop", Repository: "acme/shop", PR: "7", Commit: "cccc"}); err != nil {
			t.Fatal(err)
		}
		if err := Record(ctx, s, ps); err != nil {
			t.Fatal(err)
		}
		got, _ = Proposals(ctx, s, "shop")
		states := map[string]string{}
		for _, p := range got {
			states[p.Kind] = p.State
		}
		if states[KindDescription] != Accepted || states[KindTest] != Open {
			t.Errorf("states after re-recording = %v", states)
		}
	})
}

func TestProposalSourceGroupsAPullRequest(t *testing.T) {
	p := proposal(KindColumn, "add-column", "orders", "x", "x")
	if p.Source() != "dataops:acme/shop#7" {
		t.Errorf("Source() = %q", p.Source())
	}
	p.PR = ""
	p.Head = "0123456789abcdef0123"
	if p.Source() != "dataops:acme/shop@0123456789ab" {
		t.Errorf("Source() = %q", p.Source())
	}
	if PRNumber("#12") != "12" || PRNumber("x") != "" {
		t.Error("PRNumber")
	}
}

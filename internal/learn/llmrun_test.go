package learn

import (
	"context"
	"testing"
	"time"

	"github.com/dataops-dev/dataops/internal/memory"
)

// Runs come back from the store as they were recorded (with and without a listing), and the
// tally gives each language agent its runs, tokens, median latency, outcomes and the team's
// verdict on the proposals it wrote; the engine's proposals are not counted there.
func TestRunsAndTallyLLM(t *testing.T) {
	stores(t, func(t *testing.T, s memory.Store) {
		ctx := context.Background()
		run := func(agent string, ms, in int, budget bool, i int) Run {
			r := Run{Repository: "acme/shop", Head: "abc", Project: "shop", Command: "review", Agent: agent, Provider: "openai", Model: "m",
				Calls: 1, Input: in, Output: 10, Cost: 0.001, Latency: time.Duration(ms) * time.Millisecond, OK: 1, Kept: 2, Dropped: 1,
				Time: t0.Add(time.Duration(i) * time.Minute)}
			if budget {
				r.OK, r.BudgetSpent = 0, 1
			}
			return r
		}
		if err := RecordRuns(ctx, s, []Run{run("rules", 100, 800, false, 1), run("rules", 300, 900, true, 2), run("rules", 200, 700, false, 3),
			run("describe", 50, 1000, false, 1)}); err != nil {
			t.Fatal(err)
		}
		upsert(t, s, memory.Record{ID: "doc", Kind: memory.KindDocChunk, Text: "llm run: not a run, a document"})
		runs, err := Runs(ctx, s, "shop")
		if err != nil || len(runs) != 4 {
			t.Fatalf("%d runs, %v", len(runs), err)
		}
		ps := []Proposal{{Agent: AgentTests, Kind: KindTest, LLM: "rules", State: Accepted}, {Agent: AgentTests, Kind: KindTest, LLM: "rules", State: Rejected},
			{Agent: AgentTests, Kind: KindTest, State: Accepted}, {Agent: AgentSchema, Kind: KindDescription, LLM: "describe", State: Edited}}
		us := TallyLLM(runs, ps)
		if len(us) != 2 || us[0].Agent != "describe" || us[1].Agent != "rules" {
			t.Fatalf("%+v", us)
		}
		r := us[1]
		if r.Runs != 3 || r.InputTokens != 2400 || r.OutputTokens != 30 || r.MedianLatencyMS != 200 || r.OK != 2 || r.BudgetSpent != 1 ||
			r.Kept != 6 || r.Dropped != 3 || r.Proposals != (Count{Proposed: 2, Accepted: 1, Rejected: 1}) || r.Cost < 0.0029 {
			t.Errorf("rules: %+v", r)
		}
		if d := us[0]; d.Proposals != (Count{Proposed: 1, Edited: 1}) || d.MedianLatencyMS != 50 {
			t.Errorf("describe: %+v", d)
		}
	})
}

// Which language agent wrote a proposal survives the store.
func TestProposalKeepsItsLanguageAgent(t *testing.T) {
	s := openStore(t)
	ctx := context.Background()
	p := Proposal{Repository: "acme/shop", Head: "abc", Project: "shop", Agent: AgentTests, Kind: KindTest, Rule: "accepted_range",
		Model: "fct_payments", Column: "amount", Value: `{"test":"dbt_utils.accepted_range"}`, LLM: "rules", Time: t0}
	if err := Record(ctx, s, []Proposal{p}); err != nil {
		t.Fatal(err)
	}
	got, err := Proposals(ctx, s, "shop")
	if err != nil || len(got) != 1 || got[0].LLM != "rules" {
		t.Fatalf("%+v %v", got, err)
	}
}

package learn

import (
	"context"
	"os"
	"testing"

	"github.com/dataops-dev/dataops/internal/memory/stm"
)

// workflowStores runs a test against the in-process store and against Redis at
// DATAOPS_TEST_REDIS_URL (which must be set: scripts/test.sh provides one).
func workflowStores(t *testing.T, f func(t *testing.T, s stm.Store)) {
	t.Run("memory", func(t *testing.T) {
		s := stm.NewMemory()
		t.Cleanup(func() { s.Close() })
		f(t, s)
	})
	t.Run("redis", func(t *testing.T) {
		u := os.Getenv("DATAOPS_TEST_REDIS_URL")
		if u == "" {
			t.Fatal("DATAOPS_TEST_REDIS_URL is not set: give a Redis to test against (scripts/test.sh starts one)")
		}
		s, err := stm.Open(context.Background(), u)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		f(t, s)
	})
}

func TestWorkflow(t *testing.T) {
	workflowStores(t, func(t *testing.T, s stm.Store) {
		ctx := context.Background()
		// A head unique to this run, so a Redis shared with earlier runs starts clean.
		head := t.Name() + "-" + randomHex(t)
		w, err := StartWorkflow(ctx, s, "acme/shop", "7", head, []string{"schema", "tests"})
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		if ok, err := w.Get(ctx, "plan", &plan); !ok || err != nil || len(plan) != 2 {
			t.Fatalf("plan = %v %v %v", plan, ok, err)
		}
		type result struct{ Proposals []Proposal }
		in := result{Proposals: []Proposal{proposal(KindTest, "unique", "orders", "order_id", TestValue("unique", nil))}}
		if err := w.Agent(ctx, "tests", "done", in); err != nil {
			t.Fatal(err)
		}
		var out result
		if ok, err := w.AgentResult(ctx, "tests", &out); !ok || err != nil || len(out.Proposals) != 1 || out.Proposals[0].Rule != "unique" {
			t.Fatalf("result = %+v %v %v", out, ok, err)
		}
		if ok, _ := w.AgentResult(ctx, "schema", &out); ok {
			t.Error("a result for an agent that left none")
		}
		// The idempotency key of the head: the first run records, a second does nothing.
		first, err := w.FirstRecord(ctx)
		if err != nil || !first {
			t.Fatalf("first record: %v %v", first, err)
		}
		again, _ := StartWorkflow(ctx, s, "acme/shop", "7", head, nil)
		if second, err := again.FirstRecord(ctx); err != nil || second {
			t.Errorf("second record of the same head: %v %v", second, err)
		}
		other, _ := StartWorkflow(ctx, s, "acme/shop", "7", head+"-next", nil)
		if first, _ := other.FirstRecord(ctx); !first {
			t.Error("a new head of the pull request was taken for recorded")
		}
		// Completed: the run's state is gone.
		if err := w.Finish(ctx); err != nil {
			t.Fatal(err)
		}
		if ok, _ := w.Get(ctx, "plan", &plan); ok {
			t.Error("plan kept after the run completed")
		}
		if ok, _ := w.AgentResult(ctx, "tests", &out); ok {
			t.Error("agent result kept after the run completed")
		}
	})
}

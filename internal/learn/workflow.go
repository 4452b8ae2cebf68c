package learn

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/dataops-dev/dataops/internal/memory/stm"
)

// Workflow is the short-term state of one review run in an stm.Store: the change set's
// summary, the plan, each agent's progress and results. Every key lives at most TTL, so an
// abandoned run disappears by itself; Finish clears the run when it completes. With Redis,
// other workers see a run's progress while it goes.
type Workflow struct {
	store stm.Store
	run   string
	ttl   time.Duration
	// once is the idempotency key of this pull request head: proposals are recorded once.
	once string
}

// WorkflowTTL bounds how long a run's state outlives a crash.
const WorkflowTTL = time.Hour

// RecordedTTL is how long a head's proposals are remembered as recorded: longer than any
// re-run of the same head is likely to come.
const RecordedTTL = 30 * 24 * time.Hour

// Progress is one agent's state in a run.
type Progress struct {
	State  string          `json:"state"` // running, done, failed
	Result json.RawMessage `json:"result,omitempty"`
}

// StartWorkflow opens the state of a review of one head of a pull request (pr "" for a local
// run) and stores the plan.
func StartWorkflow(ctx context.Context, s stm.Store, repository, pr, head string, plan []string) (*Workflow, error) {
	scope := repository + "#" + pr
	if pr == "" {
		scope = repository
	}
	w := &Workflow{store: s, run: "review/" + scope + "@" + head, ttl: WorkflowTTL, once: "proposals/" + scope + "@" + head}
	if err := w.Put(ctx, "plan", plan); err != nil {
		return nil, err
	}
	return w, nil
}

// Run names the run's keys in the store.
func (w *Workflow) Run() string { return w.run }

// Put stores a value of the run as JSON.
func (w *Workflow) Put(ctx context.Context, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if err := w.store.Set(ctx, w.run, key, b, w.ttl); err != nil {
		return fmt.Errorf("workflow state %s: %w", key, err)
	}
	return nil
}

// Get reads a value of the run; false when it is absent or expired.
func (w *Workflow) Get(ctx context.Context, key string, v any) (bool, error) {
	b, err := w.store.Get(ctx, w.run, key)
	if errors.Is(err, stm.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("workflow state %s: %w", key, err)
	}
	return true, json.Unmarshal(b, v)
}

// Agent records an agent's progress and, when done, its result.
func (w *Workflow) Agent(ctx context.Context, agent, state string, result any) error {
	p := Progress{State: state}
	if result != nil {
		b, err := json.Marshal(result)
		if err != nil {
			return err
		}
		p.Result = b
	}
	return w.Put(ctx, "agent/"+agent, p)
}

// AgentResult reads the result an agent stored; false when it has none.
func (w *Workflow) AgentResult(ctx context.Context, agent string, v any) (bool, error) {
	var p Progress
	ok, err := w.Get(ctx, "agent/"+agent, &p)
	if !ok || err != nil || len(p.Result) == 0 {
		return false, err
	}
	return true, json.Unmarshal(p.Result, v)
}

// FirstRecord reports whether this run is the first to record the proposals of its head;
// a second review of the same head records nothing.
func (w *Workflow) FirstRecord(ctx context.Context) (bool, error) {
	first, err := w.store.Once(ctx, w.once, RecordedTTL)
	if err != nil {
		return false, fmt.Errorf("workflow state: %w", err)
	}
	return first, nil
}

// Finish clears the run's state.
func (w *Workflow) Finish(ctx context.Context) error {
	return w.store.Clear(ctx, w.run)
}

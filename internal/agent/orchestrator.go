package agent

import (
	"context"
	"encoding/json"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/dataops-dev/dataops/internal/change"
	"github.com/dataops-dev/dataops/internal/memory/stm"
	"github.com/dataops-dev/dataops/internal/review"
	"github.com/dataops-dev/dataops/internal/schema"
	"github.com/dataops-dev/dataops/internal/sql/dialect"
	"github.com/dataops-dev/dataops/internal/sql/lexer"
)

// Orchestrator decides, per change, which agents run and in what order, gives each the facts
// and tools it needs, and keeps the run's plan and each agent's outcome in short-term memory.
type Orchestrator struct {
	Runtime  *Runtime
	Facts    *Facts
	State    stm.Store // nil: outcomes are kept in the process only
	Run      string    // the run's key in State
	MinScore float64
	By       string
	Redact   func(string) string
	PRText   string
	// On says whether an agent is enabled by the settings.
	On func(agent string) bool

	mu       sync.Mutex
	outcomes []Outcome
}

// Plan is what the orchestrator decided for a change.
type Plan struct {
	// Describe: models whose new columns may need words (the describer is asked only about
	// columns no deterministic source covered, so it may still make no call).
	Describe []string `json:"describe"`
	// Review: the narrator runs when a model's SQL was added or changed.
	Review bool `json:"review"`
	// Rules: the rules agent may look at the documents of the models the Test Enhancer
	// proposes on (it makes a call only for a model a sentence states a rule about).
	Rules bool `json:"rules"`
}

// Plan decides which agents the change needs: nothing, and so no token, when no model's SQL
// was added or changed.
func (o *Orchestrator) Plan(ctx context.Context) Plan {
	p := Plan{Describe: []string{}}
	if cs := o.Facts.Change; cs != nil {
		for _, m := range cs.Models {
			if m.Change == change.Removed || !(m.SQLChanged || m.Change == change.Added) {
				continue
			}
			if m.Change == change.Modified && len(m.Columns) == 0 && o.layoutOnly(cs, m) {
				continue // comments and layout: nothing for language to add
			}
			p.Review = true
			for _, c := range m.Columns {
				if c.Change == change.Added || c.Change == change.Renamed {
					p.Describe = append(p.Describe, m.UniqueID)
					break
				}
			}
		}
	} else {
		for id := range o.Facts.Columns {
			p.Describe = append(p.Describe, id)
		}
	}
	sort.Strings(p.Describe)
	p.Rules = o.on(AgentRules)
	p.Review = p.Review && o.on(AgentReview)
	if !o.on(AgentDescribe) {
		p.Describe = []string{}
	}
	o.put(ctx, "plan", p)
	return p
}

// layoutOnly reports whether a model's SQL changed only in whitespace and comments: the same
// tokens, trivia aside.
func (o *Orchestrator) layoutOnly(cs *change.ChangeSet, m *change.ModelChange) bool {
	if cs.Base == nil || cs.Head == nil {
		return false
	}
	from := m.UniqueID
	if m.From != "" {
		from = m.From
	}
	b, h := cs.Base.Nodes[from], cs.Head.Nodes[m.UniqueID]
	if b == nil || h == nil {
		return false
	}
	d, _ := dialect.Lookup(cs.Head.Adapter)
	meaning := func(src string) []string {
		var out []string
		for _, t := range lexer.Lex(src, d) {
			if !t.Kind.Trivia() {
				out = append(out, t.Text)
			}
		}
		return out
	}
	return slices.Equal(meaning(b.RawCode), meaning(h.RawCode))
}

func (o *Orchestrator) on(agent string) bool { return o.On == nil || o.On(agent) }

// Describer is the Schema Synthesizer's agent, or nil when the plan has no model for it.
func (o *Orchestrator) Describer(p Plan) schema.Describer {
	if len(p.Describe) == 0 {
		return nil
	}
	return &Describer{Runtime: o.Runtime, Facts: o.Facts, MinScore: o.MinScore, By: o.By, Redact: o.Redact, Record: o.record}
}

// Narrator is the review's agent, or nil when the plan does not run it.
func (o *Orchestrator) Narrator(p Plan) review.Narrator {
	if !p.Review {
		return nil
	}
	return &Narrator{Runtime: o.Runtime, Facts: o.Facts, MinScore: o.MinScore, By: o.By, Redact: o.Redact, PRText: o.PRText, Record: o.record}
}

// Ruler is the Test Enhancer's rules agent, or nil when the plan does not run it. utils says
// the project declares dbt_utils; compile and has are the engine's checks (Ruler).
func (o *Orchestrator) Ruler(p Plan, utils bool, compile func(RuleTest) error, has func(id, column, test string) bool) *Ruler {
	if !p.Rules {
		return nil
	}
	return &Ruler{Runtime: o.Runtime, Facts: o.Facts, Redact: o.Redact, Record: o.record, Utils: utils, Compile: compile, Has: has}
}

func (o *Orchestrator) record(oc Outcome) {
	o.mu.Lock()
	o.outcomes = append(o.outcomes, oc)
	n := len(o.outcomes)
	o.mu.Unlock()
	o.put(context.Background(), "outcome/"+oc.Agent+"/"+oc.Subject+"/"+itoa(n), oc)
}

// Outcomes are the agents' outcomes in the order they finished.
func (o *Orchestrator) Outcomes() []Outcome {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]Outcome(nil), o.outcomes...)
}

// Stored reads back an outcome kept in short-term memory.
func (o *Orchestrator) Stored(ctx context.Context, key string) ([]byte, error) {
	if o.State == nil {
		return nil, stm.ErrNotFound
	}
	return o.State.Get(ctx, o.Run, key)
}

// put keeps a value of the run for an hour; short-term memory that fails costs only the record.
func (o *Orchestrator) put(ctx context.Context, key string, v any) {
	if o.State == nil {
		return
	}
	b, err := json.Marshal(v)
	if err == nil {
		_ = o.State.Set(ctx, o.Run, key, b, time.Hour)
	}
}

// Close clears the run's short-term memory.
func (o *Orchestrator) Close(ctx context.Context) {
	if o.State != nil {
		_ = o.State.Clear(ctx, o.Run)
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

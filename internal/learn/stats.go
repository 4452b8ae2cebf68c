package learn

import (
	"sort"
)

// Count is how many proposals of one group were made and what became of them.
type Count struct {
	Proposed int `json:"proposed"`
	Accepted int `json:"accepted"`
	Edited   int `json:"edited"`
	Rejected int `json:"rejected"`
	Open     int `json:"open"`
}

// Acceptance is the share of resolved proposals the team kept as proposed; -1 when none
// is resolved.
func (c Count) Acceptance() float64 {
	r := c.Accepted + c.Edited + c.Rejected
	if r == 0 {
		return -1
	}
	return float64(c.Accepted) / float64(r)
}

// Kept is the share of resolved proposals the team kept, as proposed or edited; -1 when
// none is resolved.
func (c Count) Kept() float64 {
	r := c.Accepted + c.Edited + c.Rejected
	if r == 0 {
		return -1
	}
	return float64(c.Accepted+c.Edited) / float64(r)
}

func (c *Count) add(state string) {
	c.Proposed++
	switch state {
	case Accepted:
		c.Accepted++
	case Edited:
		c.Edited++
	case Rejected:
		c.Rejected++
	default:
		c.Open++
	}
}

// Row is the count of one group.
type Row struct {
	Agent string `json:"agent,omitempty"`
	Kind  string `json:"kind,omitempty"`
	Rule  string `json:"rule,omitempty"`
	Count
}

// Stats is what `dataops memory stats` shows: acceptance by agent, by kind and by rule.
type Stats struct {
	Total   Count `json:"total"`
	ByAgent []Row `json:"by_agent"`
	ByKind  []Row `json:"by_kind"`
	ByRule  []Row `json:"by_rule"`
	// LLM is the language agents' account, when any ran (TallyLLM).
	LLM []AgentUsage `json:"llm,omitempty"`
}

// Tally counts proposals by agent, by agent and kind, and by agent, kind and rule.
func Tally(ps []Proposal) Stats {
	var st Stats
	agent, kind, rule := map[string]*Row{}, map[string]*Row{}, map[string]*Row{}
	get := func(m map[string]*Row, r Row) *Row {
		k := r.Agent + "\x00" + r.Kind + "\x00" + r.Rule
		if m[k] == nil {
			m[k] = &r
		}
		return m[k]
	}
	for _, p := range ps {
		st.Total.add(p.State)
		get(agent, Row{Agent: p.Agent}).add(p.State)
		get(kind, Row{Agent: p.Agent, Kind: p.Kind}).add(p.State)
		get(rule, Row{Agent: p.Agent, Kind: p.Kind, Rule: p.Rule}).add(p.State)
	}
	st.ByAgent, st.ByKind, st.ByRule = rows(agent), rows(kind), rows(rule)
	return st
}

func rows(m map[string]*Row) []Row {
	out := make([]Row, 0, len(m))
	for _, r := range m {
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Agent != b.Agent {
			return a.Agent < b.Agent
		}
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		return a.Rule < b.Rule
	})
	return out
}

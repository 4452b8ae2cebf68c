package learn

import "testing"

func TestTally(t *testing.T) {
	var ps []Proposal
	add := func(agent, kind, rule, state string, n int) {
		for range n {
			ps = append(ps, Proposal{Agent: agent, Kind: kind, Rule: rule, State: state})
		}
	}
	add(AgentTests, KindTest, "not_null", Accepted, 3)
	add(AgentTests, KindTest, "not_null", Rejected, 1)
	add(AgentTests, KindTest, "unique", Edited, 1)
	add(AgentTests, KindTest, "unique", Open, 2)
	add(AgentSchema, KindDescription, "upstream", Accepted, 2)
	st := Tally(ps)
	if st.Total != (Count{Proposed: 9, Accepted: 5, Edited: 1, Rejected: 1, Open: 2}) {
		t.Errorf("total = %+v", st.Total)
	}
	if len(st.ByAgent) != 2 || st.ByAgent[1].Agent != AgentTests || st.ByAgent[1].Acceptance() != 0.6 || st.ByAgent[1].Kept() != 0.8 {
		t.Errorf("by agent = %+v", st.ByAgent)
	}
	if len(st.ByRule) != 3 || st.ByRule[1].Rule != "not_null" || st.ByRule[1].Accepted != 3 {
		t.Errorf("by rule = %+v", st.ByRule)
	}
	if len(st.ByKind) != 2 {
		t.Errorf("by kind = %+v", st.ByKind)
	}
	if (Count{Open: 3}).Acceptance() != -1 {
		t.Error("acceptance with nothing resolved")
	}
}

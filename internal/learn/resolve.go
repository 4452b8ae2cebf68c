package learn

import (
	"context"
	"slices"
	"time"

	"github.com/dataops-dev/dataops/internal/memory"
)

// Scope says which open proposals a State can resolve, and what an absence means.
type Scope struct {
	Project    string
	Repository string
	// PR resolves the proposals of this pull request; Heads, those made on these commits
	// (a local run has no pull request). One of the two is needed.
	PR    string
	Heads []string
	// Merged says the State is the merged result: a proposal absent from it was rejected.
	// Otherwise (the same pull request at a newer head) an absent proposal stays open.
	Merged bool
	// Commit is where the State was read, recorded with each outcome.
	Commit string
	Time   time.Time
}

// Resolution counts what Resolve decided.
type Resolution struct {
	Accepted, Edited, Rejected, Open int
}

func (r *Resolution) add(o Resolution) {
	r.Accepted += o.Accepted
	r.Edited += o.Edited
	r.Rejected += o.Rejected
	r.Open += o.Open
}

// Resolve compares the open proposals in scope with a State and records an outcome for each
// that is decided: accepted (there as proposed), edited (there, changed: the team's version
// is kept with the outcome as the better example), rejected (absent from a merged State).
func Resolve(ctx context.Context, s memory.Store, st *State, sc Scope) (Resolution, error) {
	var res Resolution
	if sc.PR == "" && len(sc.Heads) == 0 {
		return res, nil
	}
	ps, err := Proposals(ctx, s, sc.Project)
	if err != nil {
		return res, err
	}
	var recs []memory.Record
	for i := range ps {
		p := &ps[i]
		if p.State != Open || p.Repository != sc.Repository {
			continue
		}
		if sc.PR != "" && p.PR != sc.PR || sc.PR == "" && !slices.Contains(sc.Heads, p.Head) {
			continue
		}
		v, final := st.verdict(p)
		if v == Open && sc.Merged {
			v = Rejected
		}
		switch v {
		case Open:
			res.Open++
			continue
		case Accepted:
			res.Accepted++
		case Edited:
			res.Edited++
		case Rejected:
			res.Rejected++
		}
		p.State, p.Final, p.Resolved = v, final, sc.Commit
		p.Documented = st.documents(p)
		if !sc.Time.IsZero() {
			p.Time = sc.Time
		}
		recs = append(recs, p.proposalRecord(), p.outcomeRecord())
	}
	if len(recs) == 0 {
		return res, nil
	}
	return res, s.Upsert(ctx, recs)
}

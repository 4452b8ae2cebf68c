package learn

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/dataops-dev/dataops/internal/memory"
	"github.com/dataops-dev/dataops/internal/schema"
	"github.com/dataops-dev/dataops/internal/testgen"
)

// tally counts cases and those that had the test (or were accepted).
type tally struct{ n, k float64 }

// TestMemory is the Test Enhancer's view of memory (testgen.Memory): the outcomes of its
// past proposals on columns the changes added and the team documented, per test and column
// pattern and per test and column name, and, from the
// project's history, how often the team wrote a test on columns of a name when adding them.
type TestMemory struct {
	outcomes map[string]*tally // test \0 p=pattern | test \0 n=name
	written  map[string]*tally // test \0 name: new columns of the name in history, and those with the test
}

// LoadTestMemory reads what memory holds for a project's tests: every outcome of the Test
// Enhancer's proposals, and the history of the columns named (those a run is about).
func LoadTestMemory(ctx context.Context, s memory.Store, project string, columns []string) (*TestMemory, error) {
	m := &TestMemory{outcomes: map[string]*tally{}, written: map[string]*tally{}}
	outs, err := Outcomes(ctx, s, project)
	if err != nil {
		return nil, err
	}
	for i := range outs {
		o := &outs[i]
		// A verdict on the test: a column the change added and the team documented, with or
		// without the test. A column left undocumented says nothing about its tests.
		if o.Agent != AgentTests || o.Kind != KindTest || !o.New || !o.Documented {
			continue
		}
		k := 0.0
		switch o.State {
		case Accepted, Edited:
			k = 1
		case Rejected:
		default:
			continue
		}
		for _, key := range []string{o.Rule + "\x00p=" + ColumnPattern(o.Column), o.Rule + "\x00n=" + strings.ToLower(o.Column)} {
			t := m.outcomes[key]
			if t == nil {
				t = &tally{}
				m.outcomes[key] = t
			}
			t.n++
			t.k += k
		}
	}
	if err := m.loadHistory(ctx, s, project, columns); err != nil {
		return nil, err
	}
	return m, nil
}

// loadHistory counts, per column name, the columns of that name engineers added in past
// commits (column_doc records from history) and the tests they wrote on them then.
func (m *TestMemory) loadHistory(ctx context.Context, s memory.Store, project string, columns []string) error {
	added := map[string]map[string]bool{}  // name -> model@commit
	tested := map[string]map[string]bool{} // test \0 name -> model@commit
	use := func(r *memory.Record) {
		name := strings.ToLower(r.Metadata.Column)
		if name == "" {
			return
		}
		at := strings.ToLower(r.Metadata.Model) + "@" + r.Metadata.Commit
		switch r.Kind {
		case memory.KindColumnDoc:
			if added[name] == nil {
				added[name] = map[string]bool{}
			}
			added[name][at] = true
		case memory.KindTest:
			t := TestName(r.Metadata.Extra["test"])
			if t == "" {
				return
			}
			k := t + "\x00" + name
			if tested[k] == nil {
				tested[k] = map[string]bool{}
			}
			tested[k][at] = true
		}
	}
	var names []string
	for _, c := range uniqueFold(columns) {
		names = append(names, c)
		if l := strings.ToLower(c); l != c {
			names = append(names, l)
		}
	}
	if len(names) > 0 {
		// What engineers wrote in past commits: records of the history ingest.
		recs, err := s.List(ctx, memory.Filter{Kinds: []memory.Kind{memory.KindColumnDoc, memory.KindTest}, Columns: names,
			Extra: map[string]string{"origin": "history"}})
		if err != nil {
			return err
		}
		for i := range recs {
			if sameProject(recs[i].Metadata.Project, project) {
				use(&recs[i])
			}
		}
	}
	for k, models := range tested {
		_, name, _ := strings.Cut(k, "\x00")
		n := len(added[name])
		if n == 0 {
			continue
		}
		hit := 0
		for at := range models {
			if added[name][at] {
				hit++
			}
		}
		m.written[k] = &tally{n: float64(n), k: float64(hit)}
	}
	// A name added in history with no test of a kind is evidence against it too.
	for name, models := range added {
		for _, t := range []string{testgen.NotNull, testgen.Unique, testgen.AcceptedValues, testgen.Relationships} {
			k := t + "\x00" + name
			if m.written[k] == nil {
				m.written[k] = &tally{n: float64(len(models))}
			}
		}
	}
	return nil
}

func uniqueFold(cs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, c := range cs {
		if k := strings.ToLower(c); k != "" && !seen[k] {
			seen[k] = true
			out = append(out, c)
		}
	}
	sort.Strings(out)
	return out
}

// recordsAbout returns the records that pass f about columns of one name (in any case the
// sources wrote it), of the project or of none in particular.
func recordsAbout(ctx context.Context, s memory.Store, project, column string, f memory.Filter) ([]memory.Record, error) {
	f.Columns = []string{column}
	if l := strings.ToLower(column); l != column {
		f.Columns = append(f.Columns, l)
	}
	recs, err := s.List(ctx, f)
	if err != nil {
		return nil, err
	}
	out := recs[:0]
	for _, r := range recs {
		if sameProject(r.Metadata.Project, project) {
			out = append(out, r)
		}
	}
	return out, nil
}

// Evidence implements testgen.Memory: history of the name first, then outcomes by pattern,
// then by name (the most specific last, so it has the last word).
func (m *TestMemory) Evidence(column, pattern, test string) []testgen.Evidence {
	if m == nil {
		return nil
	}
	var out []testgen.Evidence
	if t := m.written[test+"\x00"+column]; t != nil && t.n > 0 {
		out = append(out, testgen.Evidence{N: t.n, K: t.k,
			Why: fmt.Sprintf("engineers wrote %s on %d of %d %s columns they added in this repository's history", test, int(t.k), int(t.n), column)})
	}
	if t := m.outcomes[test+"\x00p="+pattern]; t != nil && t.n > 0 {
		out = append(out, testgen.Evidence{N: t.n, K: t.k,
			Why: fmt.Sprintf("the team kept %d of %d %s tests dataops proposed on %s columns", int(t.k), int(t.n), test, pattern)})
	}
	if t := m.outcomes[test+"\x00n="+column]; t != nil && t.n > 0 {
		out = append(out, testgen.Evidence{N: t.n, K: t.k,
			Why: fmt.Sprintf("the team kept %d of %d %s tests dataops proposed on %s columns", int(t.k), int(t.n), test, column)})
	}
	return out
}

// sourceShrink is how many outcomes the default order of a description source is worth.
const sourceShrink = 5.0

// SourceOrder orders the description sources by what the team kept of the descriptions each
// gave (an edited one counts half: the human kept the column documented but rewrote it),
// starting from the default order, worth sourceShrink outcomes each. Nil without outcomes.
func SourceOrder(ctx context.Context, s memory.Store, project string) ([]string, error) {
	outs, err := Outcomes(ctx, s, project)
	if err != nil {
		return nil, err
	}
	kept := map[string]*tally{}
	for i := range outs {
		o := &outs[i]
		if o.Agent != AgentSchema || o.Kind != KindDescription {
			continue
		}
		src, _, _ := strings.Cut(o.Rule, ":")
		t := kept[src]
		if t == nil {
			t = &tally{}
			kept[src] = t
		}
		t.n++
		switch o.State {
		case Accepted:
			t.k++
		case Edited:
			t.k += 0.5
		}
	}
	if len(kept) == 0 {
		return nil, nil
	}
	order := slices.Clone(schema.DefaultSourceOrder)
	score := map[string]float64{}
	for i, src := range order {
		// The default order as a prior: 0.9 for the first source, a tenth less for each next.
		prior := 0.9 - 0.1*float64(i)
		t := kept[src]
		if t == nil {
			t = &tally{}
		}
		score[src] = (t.k + sourceShrink*prior) / (t.n + sourceShrink)
	}
	sort.SliceStable(order, func(i, j int) bool { return score[order[i]] > score[order[j]] })
	return order, nil
}

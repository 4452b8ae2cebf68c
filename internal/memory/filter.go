package memory

import (
	"slices"
	"strings"
)

// Match reports whether r passes the filter: each non-empty field must equal the record's,
// and the record's kind must be one of Kinds when Kinds is set.
func (f Filter) Match(r *Record) bool {
	if len(f.Kinds) > 0 && !slices.Contains(f.Kinds, r.Kind) {
		return false
	}
	m := &r.Metadata
	return (f.Project == "" || f.Project == m.Project) &&
		(f.Model == "" || f.Model == m.Model) &&
		(f.Column == "" || f.Column == m.Column) &&
		(len(f.Columns) == 0 || slices.Contains(f.Columns, m.Column)) &&
		(f.Source == "" || f.Source == m.Source) &&
		f.MatchExtra(m.Extra)
}

// MatchExtra reports whether extra holds every value of f.Extra.
func (f Filter) MatchExtra(extra map[string]string) bool {
	for k, v := range f.Extra {
		if got, ok := extra[k]; !ok || got != v {
			return false
		}
	}
	return true
}

// IsZero reports whether the filter lets every record through.
func (f Filter) IsZero() bool {
	return len(f.Kinds) == 0 && f.Project == "" && f.Model == "" && f.Column == "" && len(f.Columns) == 0 &&
		f.Source == "" && len(f.Extra) == 0
}

// SortRecords orders records by id, as List returns them.
func SortRecords(recs []Record) {
	slices.SortFunc(recs, func(a, b Record) int { return strings.Compare(a.ID, b.ID) })
}

// KeepExtra keeps, in place, the hits whose extras pass f: for stores that keep extras
// unindexed, so that this part of a filter applies to what the server returns.
func (f Filter) KeepExtra(hits []Hit) []Hit {
	if len(f.Extra) == 0 {
		return hits
	}
	out := hits[:0]
	for _, h := range hits {
		if f.MatchExtra(h.Metadata.Extra) {
			out = append(out, h)
		}
	}
	return out
}

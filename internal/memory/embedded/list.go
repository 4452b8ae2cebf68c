package embedded

import (
	"context"
	"slices"

	"github.com/dataops-dev/dataops/internal/memory"
)

// List returns every record that passes the filter, without vectors, ordered by id. A filter
// on columns reads the slots of those columns from the store's column index; any other looks
// at each slot's kind, project, model and source in memory. Either way only the records that
// pass are decoded, so listing what a review is about costs what it finds, not what the store
// holds.
func (s *Store) List(ctx context.Context, f memory.Filter) ([]memory.Record, error) {
	if err := s.refresh(ctx); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return nil, s.closedErr()
	}
	var out []memory.Record
	take := func(i int) {
		if s.matches(i, &f) {
			out = append(out, s.record(i))
		}
	}
	switch {
	case f.Column != "":
		for _, i := range s.byColumn[f.Column] {
			take(int(i))
		}
	case len(f.Columns) > 0 && !slices.Contains(f.Columns, ""):
		// (Records about no column are not in the index.)
		var at []int32
		for _, c := range f.Columns {
			at = append(at, s.byColumn[c]...)
		}
		slices.Sort(at)
		for _, i := range slices.Compact(at) {
			take(int(i))
		}
	default:
		for i := range s.recs {
			take(i)
		}
	}
	memory.SortRecords(out)
	return out, nil
}

package embedded

import (
	"context"

	"github.com/dataops-dev/dataops/internal/memory"
)

// List returns every record that passes the filter, without vectors, ordered by id. A filter
// on columns or kinds reads their slots from the store's index; any other looks at each
// slot's project, model and source in memory. Either way only the records that pass are
// decoded, so listing what a review is about costs what it finds, not what the store holds.
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
	if at, ok := s.candidates(&f); ok {
		for _, i := range at {
			if s.matches(int(i), &f) {
				out = append(out, s.record(int(i)))
			}
		}
	} else {
		for i := range s.recs {
			if s.matches(i, &f) {
				out = append(out, s.record(i))
			}
		}
	}
	memory.SortRecords(out)
	return out, nil
}

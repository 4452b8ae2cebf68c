package embedded

import (
	"context"
	"maps"
	"sort"

	"github.com/dataops-dev/dataops/internal/memory"
)

// List returns every record that passes the filter, without vectors, ordered by id. Callers
// that count or resolve records of a kind (proposals, outcomes) need all of them, which a
// ranked query cannot promise.
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
	for i := range s.recs {
		sl := &s.recs[i]
		if !sl.live || !f.Match(&sl.rec) {
			continue
		}
		r := sl.rec
		r.Vector = nil
		r.Metadata.Extra = maps.Clone(r.Metadata.Extra)
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

package embedded

import (
	"container/heap"
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/dataops-dev/dataops/internal/memory"
)

// rankDepth is how deep each ranking goes before fusion: a record past rank 50 adds less than
// 1/110 to its fused score, too little to lift it into a top ten.
const rankDepth = 50

// defaultLimit applies when a query sets none.
const defaultLimit = 10

// Query ranks the records that pass q.Filter by cosine similarity to q.Vector (or to the
// embedding of q.Text) and by BM25 on q.Text, and fuses the two rankings (memory.Fuse). Only
// positive similarities count as a vector rank. Hits carry no vector.
func (s *Store) Query(ctx context.Context, q memory.Query) ([]memory.Hit, error) {
	if err := s.refresh(ctx); err != nil {
		return nil, err
	}
	qv := q.Vector
	if qv == nil && q.Text != "" {
		vs, err := s.emb.Embed(ctx, []string{q.Text})
		if err != nil {
			return nil, fmt.Errorf("embedding the query with %s: %w", s.name, err)
		}
		qv = vs[0]
	}
	if qv != nil && len(qv) != s.dim {
		return nil, fmt.Errorf("query vector of %d dimensions, the store's embedder %s has %d", len(qv), s.name, s.dim)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = defaultLimit
	}
	depth := max(limit, rankDepth)

	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return nil, s.closedErr()
	}
	var allowed []bool // nil: every live record
	if !q.Filter.IsZero() {
		allowed = make([]bool, len(s.recs))
		for i := range s.recs {
			allowed[i] = s.matches(i, &q.Filter)
		}
	}
	var byVector []string
	if qv != nil {
		unit := append([]float32(nil), qv...)
		memory.Normalize(unit)
		byVector = s.vectorRank(unit, allowed, depth)
	}
	var byKeyword []string
	if q.Text != "" {
		byKeyword = s.keywordRank(q.Text, allowed, depth)
	}
	fused := memory.Fuse(byVector, byKeyword, limit)
	hits := make([]memory.Hit, len(fused))
	for i, f := range fused {
		rec := s.record(int(s.byID[f.ID]))
		hits[i] = memory.Hit{Record: rec, Score: f.Score, VectorRank: f.VectorRank, KeywordRank: f.KeywordRank}
	}
	return hits, nil
}

// vectorRank returns the ids of the depth records most similar to the unit vector q, among
// the allowed ones (all live records when allowed is nil).
func (s *Store) vectorRank(q []float32, allowed []bool, depth int) []string {
	n := len(s.recs)
	if n == 0 {
		return nil
	}
	scores := make([]float32, n)
	if allowed == nil || count(allowed) > n/8 {
		// Scoring every row with the chunked matrix-vector product (on all CPUs) beats a dot
		// product per candidate unless the filter leaves few.
		s.scores(q, scores)
	} else {
		for i, ok := range allowed {
			if ok {
				scores[i] = s.dot(q, i)
			}
		}
	}
	h := &rankHeap{}
	for i, sc := range scores {
		if sc <= 0 || !s.recs[i].live || (allowed != nil && !allowed[i]) {
			continue
		}
		c := ranked{score: sc, id: s.recs[i].id}
		if h.Len() < depth {
			heap.Push(h, c)
		} else if c.beats((*h)[0]) {
			(*h)[0] = c
			heap.Fix(h, 0)
		}
	}
	out := make([]string, h.Len())
	for i := len(out) - 1; i >= 0; i-- {
		out[i] = heap.Pop(h).(ranked).id
	}
	return out
}

// keywordRank returns the ids of the depth records that rank best by BM25 on text, among the
// allowed ones. Document frequencies count live records only, and each segment's postings of
// the query's terms are read where they lie: a query costs what its terms' postings hold, not
// what the store holds.
func (s *Store) keywordRank(text string, allowed []bool, depth int) []string {
	n := len(s.byID)
	if n == 0 {
		return nil
	}
	qtf := map[string]float64{}
	for _, t := range memory.Terms(text) {
		qtf[t]++
	}
	avg := float64(s.totalLen) / float64(n)
	if avg == 0 {
		avg = 1
	}
	// Scores are kept for the records the postings touch only, so that a query costs what its
	// terms' postings hold rather than a pass over every record.
	var scores []float32
	var touched []int32
	lists := make([][]uint32, len(s.segs))
	// Terms in order: float sums then come out the same on every run, and so do near-ties.
	for _, t := range slices.Sorted(maps.Keys(qtf)) {
		qw := qtf[t]
		df := 0
		for k, g := range s.segs {
			ps := g.postings(t)
			lists[k] = ps
			for j := 0; j < len(ps); j += 2 {
				if r := int(ps[j]); r < g.rows && s.recs[g.base+r].live {
					df++
				}
			}
		}
		if df == 0 {
			continue
		}
		if scores == nil {
			scores = make([]float32, len(s.recs))
		}
		for k, g := range s.segs {
			ps := lists[k]
			for j := 0; j < len(ps); j += 2 {
				r := int(ps[j])
				if r >= g.rows {
					continue
				}
				i := g.base + r
				if sl := &s.recs[i]; sl.live {
					if scores[i] == 0 {
						touched = append(touched, int32(i))
					}
					scores[i] += float32(qw * memory.BM25(float64(ps[j+1]), float64(df), float64(n), float64(sl.len), avg))
				}
			}
		}
	}
	h := &rankHeap{}
	for _, i := range touched {
		sc := scores[i]
		if sc <= 0 || (allowed != nil && !allowed[i]) {
			continue
		}
		c := ranked{score: sc, id: s.recs[i].id}
		if h.Len() < depth {
			heap.Push(h, c)
		} else if c.beats((*h)[0]) {
			(*h)[0] = c
			heap.Fix(h, 0)
		}
	}
	out := make([]string, h.Len())
	for i := len(out) - 1; i >= 0; i-- {
		out[i] = heap.Pop(h).(ranked).id
	}
	return out
}

func count(bs []bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}

type ranked struct {
	score float32
	id    string
}

// beats orders by score, then by id so that equal scores rank the same on every run.
func (a ranked) beats(b ranked) bool {
	if a.score != b.score {
		return a.score > b.score
	}
	return a.id < b.id
}

// rankHeap keeps the worst kept candidate on top.
type rankHeap []ranked

func (h rankHeap) Len() int           { return len(h) }
func (h rankHeap) Less(i, j int) bool { return h[j].beats(h[i]) }
func (h rankHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *rankHeap) Push(v any)        { *h = append(*h, v.(ranked)) }
func (h *rankHeap) Pop() any {
	old := *h
	v := old[len(old)-1]
	*h = old[:len(old)-1]
	return v
}

package embedded

import (
	"container/heap"
	"context"
	"fmt"
	"maps"

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
			allowed[i] = s.recs[i].live && q.Filter.Match(&s.recs[i].rec)
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
		allow := func(id string) bool { return allowed == nil || allowed[s.byID[id]] }
		for _, h := range s.kw.Search(q.Text, allow, depth) {
			byKeyword = append(byKeyword, h.ID)
		}
	}
	fused := memory.Fuse(byVector, byKeyword, limit)
	hits := make([]memory.Hit, len(fused))
	for i, f := range fused {
		rec := s.recs[s.byID[f.ID]].rec
		rec.Metadata.Extra = maps.Clone(rec.Metadata.Extra)
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
		s.vecs.scores(q, scores)
	} else {
		for i, ok := range allowed {
			if ok {
				scores[i] = s.vecs.dot(q, i)
			}
		}
	}
	h := &rankHeap{}
	for i, sc := range scores {
		if sc <= 0 || !s.recs[i].live || (allowed != nil && !allowed[i]) {
			continue
		}
		c := ranked{score: sc, id: s.recs[i].rec.ID}
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

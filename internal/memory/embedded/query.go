package embedded

import (
	"container/heap"
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"

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
	nAllowed := len(s.byID)
	if !q.Filter.IsZero() {
		buf := getBools(len(s.recs))
		defer putBools(buf)
		allowed, nAllowed = *buf, 0
		if at, ok := s.candidates(&q.Filter); ok {
			clear(allowed)
			for _, i := range at {
				if s.matches(int(i), &q.Filter) {
					allowed[i] = true
					nAllowed++
				}
			}
		} else {
			for i := range s.recs {
				allowed[i] = s.matches(i, &q.Filter)
				if allowed[i] {
					nAllowed++
				}
			}
		}
	}
	var byVector []string
	if qv != nil && nAllowed > 0 {
		unit := append([]float32(nil), qv...)
		memory.Normalize(unit)
		byVector = s.vectorRank(unit, allowed, nAllowed, depth)
	}
	var byKeyword []string
	if q.Text != "" && nAllowed > 0 {
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

// Per-query buffers of one entry per slot, reused between queries: a query at 50,000 records
// would otherwise allocate (and the collector scan) a few hundred kilobytes.
var (
	floatBufs sync.Pool
	boolBufs  sync.Pool
)

func getFloats(n int) *[]float32 {
	if b, ok := floatBufs.Get().(*[]float32); ok && cap(*b) >= n {
		*b = (*b)[:n]
		return b
	}
	b := make([]float32, n)
	return &b
}

func putFloats(b *[]float32) { floatBufs.Put(b) }

func getBools(n int) *[]bool {
	if b, ok := boolBufs.Get().(*[]bool); ok && cap(*b) >= n {
		*b = (*b)[:n]
		return b
	}
	b := make([]bool, n)
	return &b
}

func putBools(b *[]bool) { boolBufs.Put(b) }

// vectorRank returns the ids of the depth records most similar to the unit vector q, among
// the allowed ones (all live records when allowed is nil; nAllowed of them).
func (s *Store) vectorRank(q []float32, allowed []bool, nAllowed, depth int) []string {
	n := len(s.recs)
	buf := getFloats(n)
	defer putFloats(buf)
	scores := *buf
	if allowed == nil || nAllowed > n/8 {
		// Scoring every row with a matrix-vector product beats a dot product per candidate
		// unless the filter leaves few.
		s.scores(q, scores)
	} else {
		for i, ok := range allowed {
			if ok {
				scores[i] = s.dot(q, i)
			}
		}
	}
	var top topK
	top.depth = depth
	for i, sc := range scores {
		if sc > 0 && s.alive[i] && (allowed == nil || allowed[i]) {
			top.offer(ranked{score: sc, id: s.recs[i].id})
		}
	}
	return top.ids()
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
			terms := s.terms[g.base : g.base+g.rows]
			for j := 0; j < len(ps); j += 2 {
				if r := int(ps[j]); r < len(terms) && terms[r] > 0 {
					df++
				}
			}
		}
		if df == 0 {
			continue
		}
		if scores == nil {
			buf := getFloats(len(s.recs))
			defer putFloats(buf)
			scores = *buf
			clear(scores)
		}
		idf := memory.BM25IDF(float64(df), float64(n))
		for k, g := range s.segs {
			ps := lists[k]
			terms := s.terms[g.base : g.base+g.rows]
			for j := 0; j < len(ps); j += 2 {
				r := int(ps[j])
				if r >= len(terms) || terms[r] == 0 {
					continue
				}
				i := g.base + r
				if scores[i] == 0 {
					touched = append(touched, int32(i))
				}
				scores[i] += float32(qw * memory.BM25Term(idf, float64(ps[j+1]), float64(terms[r]), avg))
			}
		}
	}
	var top topK
	top.depth = depth
	for _, i := range touched {
		if sc := scores[i]; sc > 0 && (allowed == nil || allowed[i]) {
			top.offer(ranked{score: sc, id: s.recs[i].id})
		}
	}
	return top.ids()
}

// topK keeps the depth best candidates offered, the worst kept on top of a heap.
type topK struct {
	depth int
	h     rankHeap
}

func (t *topK) offer(c ranked) {
	if t.h.Len() < t.depth {
		heap.Push(&t.h, c)
	} else if t.depth > 0 && c.beats(t.h[0]) {
		t.h[0] = c
		heap.Fix(&t.h, 0)
	}
}

// ids returns the kept candidates' ids, best first.
func (t *topK) ids() []string {
	out := make([]string, t.h.Len())
	for i := len(out) - 1; i >= 0; i-- {
		out[i] = heap.Pop(&t.h).(ranked).id
	}
	return out
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

package embedded

import (
	"container/heap"
	"context"
	"fmt"
	"maps"
	"runtime"
	"sync"

	"github.com/dataops-dev/dataops/internal/memory"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
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
		return nil, errClosed
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

// parallelFrom is the slab size (floats) from which the scan is split across CPUs: below it,
// starting goroutines costs more than it saves.
const parallelFrom = 1 << 20

// vectorRank returns the ids of the depth records most similar to the unit vector q. The scan
// is a matrix-vector product over the slab (gonum's assembly kernels) when every record is a
// candidate, a dot product per candidate otherwise.
func (s *Store) vectorRank(q []float32, allowed []bool, depth int) []string {
	n := len(s.recs)
	if n == 0 {
		return nil
	}
	scores := make([]float32, n)
	qv := blas32.Vector{N: s.dim, Inc: 1, Data: q}
	if allowed == nil {
		parts := 1
		if len(s.vecs) >= parallelFrom {
			parts = runtime.GOMAXPROCS(0)
		}
		per := (n + parts - 1) / parts
		var wg sync.WaitGroup
		for lo := 0; lo < n; lo += per {
			hi := min(lo+per, n)
			wg.Go(func() {
				a := blas32.General{Rows: hi - lo, Cols: s.dim, Stride: s.dim, Data: s.vecs[lo*s.dim : hi*s.dim]}
				blas32.Gemv(blas.NoTrans, 1, a, qv, 0, blas32.Vector{N: hi - lo, Inc: 1, Data: scores[lo:hi]})
			})
		}
		wg.Wait()
	} else {
		for i, ok := range allowed {
			if ok {
				scores[i] = blas32.Dot(qv, blas32.Vector{N: s.dim, Inc: 1, Data: s.vecs[i*s.dim : (i+1)*s.dim]})
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

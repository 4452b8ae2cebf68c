package pgstore

import (
	"cmp"
	"container/heap"
	"slices"
)

type scored struct {
	id    string
	score float32
}

// topK keeps the k best-scoring IDs seen, in a min-heap on score (ties: larger ID worse, so
// the order is deterministic).
type topK struct {
	k int
	h scoredHeap
}

func newTopK(k int) *topK { return &topK{k: k} }

func (t *topK) offer(id string, score float32) {
	if len(t.h) < t.k {
		heap.Push(&t.h, scored{id, score})
		return
	}
	if worse(t.h[0], scored{id, score}) {
		t.h[0] = scored{id, score}
		heap.Fix(&t.h, 0)
	}
}

// ids returns the kept IDs, best first.
func (t *topK) ids() []string {
	s := slices.Clone(t.h)
	slices.SortFunc(s, func(a, b scored) int {
		if c := cmp.Compare(b.score, a.score); c != 0 {
			return c
		}
		return cmp.Compare(a.id, b.id)
	})
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = x.id
	}
	return out
}

// worse reports whether a ranks below b.
func worse(a, b scored) bool {
	if a.score != b.score {
		return a.score < b.score
	}
	return a.id > b.id
}

type scoredHeap []scored

func (h scoredHeap) Len() int           { return len(h) }
func (h scoredHeap) Less(i, j int) bool { return worse(h[i], h[j]) }
func (h scoredHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *scoredHeap) Push(x any)        { *h = append(*h, x.(scored)) }
func (h *scoredHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

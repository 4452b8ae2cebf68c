package remote

import (
	"cmp"
	"slices"

	"github.com/dataops-dev/dataops/internal/memory"
)

// rrfK is the constant of reciprocal-rank fusion. 60 is the value of Cormack, Clarke and
// Büttcher's paper, which also works well here: it keeps one list's first place from drowning
// a record that ranks well in both.
const rrfK = 60

// Fuse merges a vector ranking and a keyword ranking, each best first, by reciprocal-rank
// fusion: a record's score is the sum over the lists it appears in of 1/(60+rank). It returns
// at most limit hits (all when limit <= 0), best first, with VectorRank and KeywordRank set.
// Ties go to the record with the better single rank, then to the smaller ID, so the order is
// stable across runs and stores.
func Fuse(vector, keyword []memory.Hit, limit int) []memory.Hit {
	byID := make(map[string]int, len(vector)+len(keyword))
	var out []memory.Hit
	add := func(h memory.Hit, rank int, isVector bool) {
		i, ok := byID[h.ID]
		if !ok {
			i = len(out)
			byID[h.ID] = i
			h.Score, h.VectorRank, h.KeywordRank = 0, 0, 0
			out = append(out, h)
		}
		o := &out[i]
		if isVector {
			if o.VectorRank != 0 {
				return // a duplicate within one list counts once, at its best rank
			}
			o.VectorRank = rank
		} else {
			if o.KeywordRank != 0 {
				return
			}
			o.KeywordRank = rank
		}
		o.Score += 1 / float64(rrfK+rank)
	}
	for i, h := range vector {
		add(h, i+1, true)
	}
	for i, h := range keyword {
		add(h, i+1, false)
	}
	slices.SortFunc(out, func(a, b memory.Hit) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		if c := cmp.Compare(bestRank(a), bestRank(b)); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}

func bestRank(h memory.Hit) int {
	r := h.VectorRank
	if r == 0 || (h.KeywordRank != 0 && h.KeywordRank < r) {
		r = h.KeywordRank
	}
	return r
}

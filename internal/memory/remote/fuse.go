package remote

import "github.com/dataops-dev/dataops/internal/memory"

// Fuse merges a vector ranking and a keyword ranking of hits, each best first, with memory's
// reciprocal-rank fusion (memory.Fuse, k = memory.RRFK), and returns at most limit hits (all
// when limit <= 0), best first, with Score, VectorRank and KeywordRank set. A duplicate within
// one list counts once, at its best rank.
func Fuse(vector, keyword []memory.Hit, limit int) []memory.Hit {
	byID := make(map[string]memory.Hit, len(vector)+len(keyword))
	ids := func(hits []memory.Hit) []string {
		out := make([]string, 0, len(hits))
		for _, h := range hits {
			if _, ok := byID[h.ID]; !ok {
				byID[h.ID] = h
			}
			out = append(out, h.ID)
		}
		return out
	}
	fused := memory.Fuse(ids(vector), ids(keyword), limit)
	out := make([]memory.Hit, len(fused))
	for i, f := range fused {
		h := byID[f.ID]
		h.Score, h.VectorRank, h.KeywordRank = f.Score, f.VectorRank, f.KeywordRank
		out[i] = h
	}
	return out
}

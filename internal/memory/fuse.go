package memory

import "sort"

// RRFK is the k of reciprocal-rank fusion: a record's fused score is the sum, over the
// rankings it appears in, of 1/(RRFK + rank). Fusing ranks rather than scores needs no
// calibration between cosine similarity and BM25, whose scales differ per query; k = 60 (the
// value of Cormack, Clarke and Büttcher, SIGIR 2009) keeps the head of each list from
// drowning the other, so a record ranked well by both beats one ranked first by one only.
const RRFK = 60

// Fused is a record id with its fused score and 1-based ranks (0: absent from that ranking).
type Fused struct {
	ID          string
	Score       float64
	VectorRank  int
	KeywordRank int
}

// Fuse merges a vector ranking and a keyword ranking (ids, best first) by reciprocal-rank
// fusion and returns at most limit results (all when limit <= 0), best first. Ties go to the
// record with the better single rank, then to the smaller id, so the order is deterministic.
func Fuse(vector, keyword []string, limit int) []Fused {
	byID := make(map[string]*Fused, len(vector)+len(keyword))
	var out []*Fused
	get := func(id string) *Fused {
		f, ok := byID[id]
		if !ok {
			f = &Fused{ID: id}
			byID[id] = f
			out = append(out, f)
		}
		return f
	}
	for i, id := range vector {
		if f := get(id); f.VectorRank == 0 {
			f.VectorRank = i + 1
			f.Score += 1 / float64(RRFK+i+1)
		}
	}
	for i, id := range keyword {
		if f := get(id); f.KeywordRank == 0 {
			f.KeywordRank = i + 1
			f.Score += 1 / float64(RRFK+i+1)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Score != b.Score {
			return a.Score > b.Score
		}
		if ra, rb := bestRank(a), bestRank(b); ra != rb {
			return ra < rb
		}
		return a.ID < b.ID
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	res := make([]Fused, len(out))
	for i, f := range out {
		res[i] = *f
	}
	return res
}

func bestRank(f *Fused) int {
	switch {
	case f.VectorRank == 0:
		return f.KeywordRank
	case f.KeywordRank == 0:
		return f.VectorRank
	}
	return min(f.VectorRank, f.KeywordRank)
}

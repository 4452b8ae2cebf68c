package embedded

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/dataops-dev/dataops/internal/memory"
	"github.com/dataops-dev/dataops/internal/memory/memorytest"
)

// Rows across chunk and segment boundaries, scanned serially and in parallel, score as a
// plain dot product of the vector each record was given.
func TestScores(t *testing.T) {
	for _, rows := range []int{1, scanChunk + 1, parallelFrom + scanChunk/2} {
		emb := &countingEmbedder{name: "test-local", dim: 8}
		s := open(t, t.TempDir(), emb)
		vec := func(i int) []float32 {
			v := make([]float32, 8)
			for j := range v {
				v[j] = float32((i+1)*(j+1)%7) - 3
			}
			if memory.Dot(v, v) == 0 {
				v[0] = 1
			}
			return v
		}
		var recs []memory.Record
		for i := range rows {
			recs = append(recs, memory.Record{ID: fmt.Sprint(i), Kind: memory.KindDocChunk, Text: "x", Vector: vec(i)})
		}
		// Two segments (the first large enough next to the second to stay apart), the first
		// cut inside a chunk.
		cut := rows * 3 / 4
		if err := s.Upsert(ctx, recs[:cut]); err != nil {
			t.Fatal(err)
		}
		if err := s.Upsert(ctx, recs[cut:]); err != nil {
			t.Fatal(err)
		}
		q := []float32{1, -2, 3, -4, 5, -6, 7, -8}
		out := make([]float32, len(s.recs))
		s.scores(q, out)
		for i := range rows {
			slot := int(s.byID[fmt.Sprint(i)])
			want := vec(i)
			memory.Normalize(want)
			d := memory.Dot(q, want)
			if math.Abs(float64(out[slot]-d)) > 1e-4 || math.Abs(float64(s.dot(q, slot)-d)) > 1e-4 {
				t.Fatalf("%d rows: record %d scored %v (dot %v), want %v", rows, i, out[slot], s.dot(q, slot), d)
			}
		}
	}
}

// The keyword ranking read from the segments' postings is the one memory.KeywordIndex gives
// over the live records, after replacements and deletes spread over several segments.
func TestKeywordRankMatchesIndex(t *testing.T) {
	c := memorytest.NewCorpus(40)
	recs := c.Records(700)
	s := open(t, t.TempDir(), newEmbedder())
	idx := memory.NewKeywordIndex()
	for lo := 0; lo < len(recs); lo += 200 {
		part := recs[lo:min(lo+200, len(recs))]
		if err := s.Upsert(ctx, part); err != nil {
			t.Fatal(err)
		}
		for _, r := range part {
			idx.Add(r.ID, r.Text)
		}
	}
	// Replace some texts, delete a source.
	repl := slices.Clone(recs[100:150])
	for i := range repl {
		repl[i].Text += " customer lifetime value"
		repl[i].Vector = nil
		idx.Add(repl[i].ID, repl[i].Text)
	}
	if err := s.Upsert(ctx, repl); err != nil {
		t.Fatal(err)
	}
	src := recs[300].Metadata.Source
	if _, err := s.DeleteBySource(ctx, src); err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if r.Metadata.Source == src {
			idx.Remove(r.ID)
		}
	}
	if len(s.segs) < 3 {
		t.Fatalf("%d segments", len(s.segs))
	}
	// The same scores rank the same; two sums of the same terms in another order may differ in
	// the last bit, so a near-tie may come out either way.
	for _, q := range c.Queries(60) {
		score := map[string]float64{}
		for _, h := range idx.Search(q.Text, nil, len(recs)) {
			score[h.ID] = h.Score
		}
		want := idx.Search(q.Text, nil, 50)
		got := s.keywordRank(q.Text, nil, 50)
		if len(got) != len(want) {
			t.Fatalf("%q: %d hits, the index %d", q.Text, len(got), len(want))
		}
		for k, id := range got {
			if d := math.Abs(score[id] - want[k].Score); d > 1e-5*want[k].Score {
				t.Fatalf("%q: rank %d is %s (index score %v), the index has %s (%v)", q.Text, k+1, id, score[id], want[k].ID, want[k].Score)
			}
		}
	}
}

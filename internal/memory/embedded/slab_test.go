package embedded

import (
	"math"
	"testing"

	"github.com/dataops-dev/dataops/internal/memory"
)

// Rows across chunk boundaries, scanned serially and in parallel, score as a plain dot product.
func TestSlabScores(t *testing.T) {
	for _, rows := range []int{1, slabChunk + 1, parallelFrom + slabChunk/2} {
		s := slab{dim: 8}
		for i := range rows {
			r := s.row(s.add())
			for j := range r {
				r[j] = float32((i+1)*(j+1)%7) - 3
			}
		}
		q := []float32{1, -2, 3, -4, 5, -6, 7, -8}
		out := make([]float32, rows)
		s.scores(q, out)
		for i := range rows {
			want := memory.Dot(q, s.row(i))
			if math.Abs(float64(out[i]-want)) > 1e-4 || math.Abs(float64(s.dot(q, i)-want)) > 1e-4 {
				t.Fatalf("%d rows: row %d scored %v (dot %v), want %v", rows, i, out[i], s.dot(q, i), want)
			}
		}
	}
}

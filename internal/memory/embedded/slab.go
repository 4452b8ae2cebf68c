package embedded

import (
	"runtime"
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// slabChunk is the number of vectors per chunk of the slab (8 MB at 512 dimensions). Chunks
// let the slab grow without copying what it holds, cap the memory a store has allocated but
// not used at one chunk, and are the unit the scan is split by across CPUs.
const slabChunk = 4096

// slab holds the vectors of all slots, row i for slot i, in fixed-size chunks.
type slab struct {
	dim    int
	rows   int
	chunks [][]float32
}

// add appends a zero row and returns its index.
func (s *slab) add() int {
	if s.rows == len(s.chunks)*slabChunk {
		s.chunks = append(s.chunks, make([]float32, slabChunk*s.dim))
	}
	s.rows++
	return s.rows - 1
}

func (s *slab) row(i int) []float32 {
	c := s.chunks[i/slabChunk]
	j := (i % slabChunk) * s.dim
	return c[j : j+s.dim : j+s.dim]
}

// parallelFrom is the number of rows from which the scan is split across CPUs: below it,
// starting goroutines costs more than it saves.
const parallelFrom = 2 * slabChunk

// scores sets out[i] to the dot product of q with row i, for every row: a matrix-vector
// product per chunk with gonum's assembly kernels, chunks shared among the CPUs.
func (s *slab) scores(q []float32, out []float32) {
	qv := blas32.Vector{N: s.dim, Inc: 1, Data: q}
	scan := func(c int) {
		lo := c * slabChunk
		n := min(slabChunk, s.rows-lo)
		a := blas32.General{Rows: n, Cols: s.dim, Stride: s.dim, Data: s.chunks[c][:n*s.dim]}
		blas32.Gemv(blas.NoTrans, 1, a, qv, 0, blas32.Vector{N: n, Inc: 1, Data: out[lo : lo+n]})
	}
	workers := min(runtime.GOMAXPROCS(0), len(s.chunks))
	if s.rows < parallelFrom || workers < 2 {
		for c := range s.chunks {
			scan(c)
		}
		return
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for c := w; c < len(s.chunks); c += workers {
				scan(c)
			}
		})
	}
	wg.Wait()
}

// dot is the similarity of q to row i alone, for scans restricted by a filter.
func (s *slab) dot(q []float32, i int) float32 {
	return blas32.Dot(blas32.Vector{N: s.dim, Inc: 1, Data: q}, blas32.Vector{N: s.dim, Inc: 1, Data: s.row(i)})
}

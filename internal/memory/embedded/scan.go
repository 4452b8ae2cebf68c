package embedded

import (
	"runtime"
	"sort"
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// scanChunk is the number of vectors one matrix-vector product covers (8 MB at 512
// dimensions): the unit the scan is split by across CPUs.
const scanChunk = 4096

// parallelFrom is the number of rows from which the scan is split across CPUs: below it,
// starting goroutines costs more than it saves.
const parallelFrom = 2 * scanChunk

// segOf returns the segment holding slot i.
func (s *Store) segOf(i int) *segment {
	k := sort.Search(len(s.segs), func(k int) bool { return s.segs[k].base+s.segs[k].rows > i })
	return s.segs[k]
}

// row is the vector of slot i, where its segment lies.
func (s *Store) row(i int) []float32 {
	g := s.segOf(i)
	return g.row(i-g.base, s.dim)
}

// scores sets out[i] to the dot product of q with slot i's vector, for every slot: a
// matrix-vector product per chunk of each segment's vectors with gonum's assembly kernels,
// chunks shared among the CPUs. (Scanning on one core instead was measured at the same CPU
// time per query and a slightly worse wall-clock tail on a loaded machine: docs/measurements.md.)
func (s *Store) scores(q []float32, out []float32) {
	type chunk struct {
		g      *segment
		lo, hi int
	}
	var chunks []chunk
	for _, g := range s.segs {
		for lo := 0; lo < g.rows; lo += scanChunk {
			chunks = append(chunks, chunk{g, lo, min(lo+scanChunk, g.rows)})
		}
	}
	qv := blas32.Vector{N: s.dim, Inc: 1, Data: q}
	scan := func(c chunk) {
		n := c.hi - c.lo
		a := blas32.General{Rows: n, Cols: s.dim, Stride: s.dim, Data: c.g.vecs[c.lo*s.dim : c.hi*s.dim]}
		o := c.g.base + c.lo
		blas32.Gemv(blas.NoTrans, 1, a, qv, 0, blas32.Vector{N: n, Inc: 1, Data: out[o : o+n]})
	}
	workers := min(runtime.GOMAXPROCS(0), len(chunks))
	if len(out) < parallelFrom || workers < 2 {
		for _, c := range chunks {
			scan(c)
		}
		return
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(chunks); i += workers {
				scan(chunks[i])
			}
		})
	}
	wg.Wait()
}

// dot is the similarity of q to slot i alone, for scans restricted by a filter.
func (s *Store) dot(q []float32, i int) float32 {
	return blas32.Dot(blas32.Vector{N: s.dim, Inc: 1, Data: q}, blas32.Vector{N: s.dim, Inc: 1, Data: s.row(i)})
}

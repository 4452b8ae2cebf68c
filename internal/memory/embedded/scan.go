package embedded

import (
	"sort"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// scanChunk is the number of vectors one matrix-vector product covers (8 MB at 512
// dimensions).
const scanChunk = 4096

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
// matrix-vector product per chunk of each segment's vectors with gonum's assembly kernels.
// One query scans on one core: split across cores it finished sooner on an idle machine, but
// on a busy one it waited for a second core's turn, which is what made its slow tail
// (docs/memory.md); queries that run at once (agents, a server) use the cores anyway.
func (s *Store) scores(q []float32, out []float32) {
	qv := blas32.Vector{N: s.dim, Inc: 1, Data: q}
	for _, g := range s.segs {
		for lo := 0; lo < g.rows; lo += scanChunk {
			hi := min(lo+scanChunk, g.rows)
			n := hi - lo
			a := blas32.General{Rows: n, Cols: s.dim, Stride: s.dim, Data: g.vecs[lo*s.dim : hi*s.dim]}
			o := g.base + lo
			blas32.Gemv(blas.NoTrans, 1, a, qv, 0, blas32.Vector{N: n, Inc: 1, Data: out[o : o+n]})
		}
	}
}

// dot is the similarity of q to slot i alone, for scans restricted by a filter.
func (s *Store) dot(q []float32, i int) float32 {
	return blas32.Dot(blas32.Vector{N: s.dim, Inc: 1, Data: q}, blas32.Vector{N: s.dim, Inc: 1, Data: s.row(i)})
}

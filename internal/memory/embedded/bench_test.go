package embedded

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/dataops-dev/dataops/internal/memory"
	"github.com/dataops-dev/dataops/internal/memory/memorytest"
)

// The benchmarks use the synthetic corpus of a project with ~17 records per model (50,000
// records ≈ 3,000 models with docs and history) and vectors of the local embedder computed
// beforehand. bench/memory.sh runs the same workload per process, with RSS and CPU time, and
// against the other engines considered.

func corpus(b *testing.B, n int) (*memorytest.Corpus, []memory.Record) {
	c := memorytest.NewCorpus(max(1, n/17))
	recs := c.Records(n)
	texts := make([]string, n)
	for i := range recs {
		texts[i] = recs[i].Text
	}
	vs, err := memory.NewLocalEmbedder().Embed(ctx, texts)
	if err != nil {
		b.Fatal(err)
	}
	for i := range recs {
		recs[i].Vector = vs[i]
	}
	return c, recs
}

func build(b *testing.B, dir string, recs []memory.Record) {
	s, err := Open(ctx, dir, memory.NewLocalEmbedder())
	if err != nil {
		b.Fatal(err)
	}
	for lo := 0; lo < len(recs); lo += 1000 {
		if err := s.Upsert(ctx, recs[lo:min(lo+1000, len(recs))]); err != nil {
			b.Fatal(err)
		}
	}
	s.Close()
}

func diskMB(dir string) float64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return float64(n) / 1e6
}

// BenchmarkUpsert: one op is the whole corpus, upserted in batches of 1,000.
func BenchmarkUpsert(b *testing.B) {
	for _, n := range []int{20_000, 100_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			_, recs := corpus(b, n)
			var dir string
			for b.Loop() {
				b.StopTimer()
				if dir != "" {
					os.RemoveAll(dir)
				}
				dir = b.TempDir() + "/store"
				b.StartTimer()
				build(b, dir, recs)
			}
			b.ReportMetric(diskMB(dir), "disk-MB")
		})
	}
}

func BenchmarkOpen(b *testing.B) {
	for _, n := range []int{50_000, 100_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			_, recs := corpus(b, n)
			dir := b.TempDir()
			build(b, dir, recs)
			for b.Loop() {
				s, err := Open(ctx, dir, memory.NewLocalEmbedder())
				if err != nil {
					b.Fatal(err)
				}
				s.Close()
			}
		})
	}
}

// BenchmarkQuery reports the latency distribution of hybrid queries (the embedding of the
// query text included) besides the mean.
func BenchmarkQuery(b *testing.B) {
	for _, n := range []int{20_000, 50_000, 100_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			c, recs := corpus(b, n)
			dir := b.TempDir()
			build(b, dir, recs)
			s, err := Open(ctx, dir, memory.NewLocalEmbedder())
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			qs := c.Queries(500)
			var lat []time.Duration
			i := 0
			for b.Loop() {
				t := time.Now()
				if _, err := s.Query(ctx, qs[i%len(qs)]); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t))
				i++
			}
			slices.Sort(lat)
			ms := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
			b.ReportMetric(ms(0.5), "p50-ms")
			b.ReportMetric(ms(0.95), "p95-ms")
		})
	}
}

// BenchmarkOpenReview is what a review with memory asks of the store, from opening it: the
// listings the agents make (the history, tests and proposals of the columns a change adds,
// the dictionary, the outcomes), the stats and a dozen queries, with and without filters.
func BenchmarkOpenReview(b *testing.B) {
	for _, n := range []int{12_000, 50_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			c, recs := corpus(b, n)
			dir := b.TempDir()
			build(b, dir, recs)
			qs := c.Queries(12)
			// The columns a change adds: what the agents list.
			var cols []string
			for i := 0; len(cols) < 12 && i < len(recs); i++ {
				if col := recs[i].Metadata.Column; col != "" && !slices.Contains(cols, col) {
					cols = append(cols, col)
				}
			}
			list := func(s *Store, f memory.Filter) {
				if _, err := s.List(ctx, f); err != nil {
					b.Fatal(err)
				}
			}
			for b.Loop() {
				s, err := Open(ctx, dir, memory.NewLocalEmbedder())
				if err != nil {
					b.Fatal(err)
				}
				list(s, memory.Filter{Kinds: []memory.Kind{memory.KindColumnDoc, memory.KindTest}, Columns: cols})
				list(s, memory.Filter{Kinds: []memory.Kind{memory.KindColumnDoc}, Extra: map[string]string{"origin": "dictionary"}})
				for _, col := range cols {
					list(s, memory.Filter{Kinds: []memory.Kind{memory.KindColumnDoc}, Columns: []string{col}, Extra: map[string]string{"origin": "history"}})
				}
				list(s, memory.Filter{Kinds: []memory.Kind{memory.KindProposal}, Columns: cols})
				list(s, memory.Filter{Kinds: []memory.Kind{memory.KindOutcome}})
				if _, err := s.Stats(ctx); err != nil {
					b.Fatal(err)
				}
				for _, q := range qs {
					if _, err := s.Query(ctx, q); err != nil {
						b.Fatal(err)
					}
				}
				s.Close()
			}
		})
	}
}

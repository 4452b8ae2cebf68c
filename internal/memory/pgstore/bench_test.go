package pgstore

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dataops-dev/dataops/internal/memory"
)

// BenchmarkExactScan compares ways to rank 50k stored embeddings without pgvector: the
// store's path with its in-memory copy current, the same with a reload per query (packed
// float32 bytea read and scored in Go), real[] decoded and scored in Go, and real[] scored in
// SQL over unnest. Besides wall time it reports the CPU time of this
// process and of the server backends (read from /proc, so only for a server on this
// machine): on 2 shared cores wall time alone misleads. DATAOPS_BENCH_ROWS and
// DATAOPS_BENCH_DIM change the size.
func BenchmarkExactScan(b *testing.B) {
	rows, dim := envInt("DATAOPS_BENCH_ROWS", 50000), envInt("DATAOPS_BENCH_DIM", 384)
	ctx := context.Background()
	schema := schemaPrefix(b) + "_bench"
	s, err := Open(ctx, testURL(), Options{Schema: schema, Embedder: "bench", Dimension: dim, Exact: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	r := rand.New(rand.NewPCG(1, 2))
	vec := func() []float32 {
		v := make([]float32, dim)
		for i := range v {
			v[i] = float32(r.NormFloat64())
		}
		return normalized(v)
	}
	kinds := []memory.Kind{memory.KindColumnDoc, memory.KindDocChunk, memory.KindTest}
	for start := 0; start < rows; start += 5000 {
		batch := make([]memory.Record, 0, 5000)
		for i := start; i < min(start+5000, rows); i++ {
			batch = append(batch, memory.Record{ID: fmt.Sprint("r", i), Kind: kinds[i%3], Text: fmt.Sprintf("column c%d of model m%d", i, i%500),
				Metadata: memory.Metadata{Project: "p", Model: fmt.Sprint("m", i%500), Source: fmt.Sprintf("models/m%d.yml", i%500)}, Vector: vec()})
		}
		if err := s.Upsert(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	records := pgx.Identifier{schema, "records"}.Sanitize()
	if _, err := s.pool.Exec(ctx, `alter table `+records+` add column emb real[]`); err != nil {
		b.Fatal(err)
	}
	loadReal(ctx, b, s, records)
	if _, err := s.pool.Exec(ctx, `vacuum analyze `+records); err != nil {
		b.Fatal(err)
	}
	q := vec()
	b.Run("store-cached", func(b *testing.B) {
		measure(b, s, func() {
			if _, err := s.Query(ctx, memory.Query{Text: "", Vector: q, Limit: 10}); err != nil {
				b.Fatal(err)
			}
		})
	})
	// Every query reloads the copy, as the first query after a write does.
	b.Run("store-reload-bytea-go", func(b *testing.B) {
		measure(b, s, func() {
			s.cache.gen = -1
			if _, err := s.Query(ctx, memory.Query{Text: "", Vector: q, Limit: 10}); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("real-array-go", func(b *testing.B) {
		measure(b, s, func() {
			rs, err := s.pool.Query(ctx, `select id, emb from `+records+` where true`)
			if err != nil {
				b.Fatal(err)
			}
			top := newTopK(40)
			var id string
			var v []float32
			for rs.Next() {
				if err := rs.Scan(&id, &v); err != nil {
					b.Fatal(err)
				}
				var d float32
				for i := range v {
					d += v[i] * q[i]
				}
				top.offer(id, d)
			}
			if rs.Err() != nil {
				b.Fatal(rs.Err())
			}
		})
	})
	b.Run("real-array-sql", func(b *testing.B) {
		measure(b, s, func() {
			rs, err := s.pool.Query(ctx, `select id from `+records+` where true order by (select sum(a*b) from unnest(emb, $1::real[]) t(a, b)) desc limit 40`, q)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := pgx.CollectRows(rs, pgx.RowTo[string]); err != nil {
				b.Fatal(err)
			}
		})
	})
}

// loadReal fills emb with the same vectors as the packed embeddings.
func loadReal(ctx context.Context, b *testing.B, s *Store, records string) {
	rs, err := s.pool.Query(ctx, `select id, embedding from `+records)
	if err != nil {
		b.Fatal(err)
	}
	var rows [][]any
	for rs.Next() {
		var id string
		var emb []byte
		if err := rs.Scan(&id, &emb); err != nil {
			b.Fatal(err)
		}
		v := make([]float32, len(emb)/4)
		for i := range v {
			v[i] = math.Float32frombits(binary.LittleEndian.Uint32(emb[4*i:]))
		}
		rows = append(rows, []any{id, v})
	}
	if rs.Err() != nil {
		b.Fatal(rs.Err())
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `create temporary table real_stage (id text, emb real[]) on commit drop`); err != nil {
		b.Fatal(err)
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"real_stage"}, []string{"id", "emb"}, pgx.CopyFromRows(rows)); err != nil {
		b.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `update `+records+` r set emb = t.emb from real_stage t where t.id = r.id`); err != nil {
		b.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		b.Fatal(err)
	}
}

func measure(b *testing.B, s *Store, op func()) {
	op() // warm the cache and the pool
	c0, s0 := processCPU(), serverCPU(s)
	b.ResetTimer()
	for b.Loop() {
		op()
	}
	b.StopTimer()
	n := float64(b.N)
	b.ReportMetric(float64((processCPU()-c0).Microseconds())/1000/n, "client-cpu-ms/op")
	if s0 >= 0 {
		b.ReportMetric(float64((serverCPU(s)-s0).Microseconds())/1000/n, "server-cpu-ms/op")
	}
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// serverCPU sums the CPU time of the store's backends, -1 when /proc does not show them.
func serverCPU(s *Store) time.Duration {
	rs, err := s.pool.Query(context.Background(), `select pid from pg_stat_activity where application_name = 'dataops-memory'`)
	if err != nil {
		return -1
	}
	pids, err := pgx.CollectRows(rs, pgx.RowTo[int])
	if err != nil || len(pids) == 0 {
		return -1
	}
	tick := 10 * time.Millisecond // USER_HZ is 100 on Linux
	var total time.Duration
	for _, pid := range pids {
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return -1
		}
		f := strings.Fields(string(data)[strings.LastIndexByte(string(data), ')')+2:])
		u, _ := strconv.Atoi(f[11])
		st, _ := strconv.Atoi(f[12])
		total += time.Duration(u+st) * tick
	}
	return total
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

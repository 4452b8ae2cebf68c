// Command memory measures candidate engines for the embedded long-term memory store on a
// synthetic corpus shaped like a large dbt project with docs and history: upsert time, open
// time, query latency (p50/p95), disk size and peak RSS, with CPU time beside wall time since
// benchmark machines are often shared. Run one engine, size and phase per process, so that
// the peak RSS belongs to that phase alone (bench/memory.sh does).
//
//	go run . -engine own|chromem|bleve -n 50000 -dir /tmp/x -phase build|query
package main

import (
	"context"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"time"

	"github.com/dataops-dev/dataops/internal/memory"
	"github.com/dataops-dev/dataops/internal/memory/memorytest"
)

func main() {
	name := flag.String("engine", "own", "own, chromem or bleve")
	n := flag.Int("n", 50000, "records")
	dir := flag.String("dir", "", "store directory (build empties it)")
	phase := flag.String("phase", "build", "build: upsert n records; query: open and run queries")
	nq := flag.Int("queries", 400, "queries to time")
	batch := flag.Int("batch", 1000, "records per upsert")
	flag.Parse()
	ctx := context.Background()
	emb := memory.NewLocalEmbedder()
	c := memorytest.NewCorpus(max(1, *n/17)) // ~17 records per model: 3,000 models ≈ 50k records
	var err error
	switch *phase {
	case "build":
		err = build(ctx, *name, *dir, emb, c, *n, *batch)
	case "query":
		err = queries(ctx, *name, *dir, emb, c, *n, *nq)
	default:
		err = fmt.Errorf("unknown phase %q", *phase)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// clock reads wall and CPU (user+system) time of this process.
type clock struct {
	wall time.Time
	cpu  time.Duration
}

func now() clock {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return clock{time.Now(), time.Duration(ru.Utime.Nano() + ru.Stime.Nano())}
}

func (c clock) since() string {
	d := now()
	return fmt.Sprintf("%.2fs wall %.2fs cpu", d.wall.Sub(c.wall).Seconds(), (d.cpu - c.cpu).Seconds())
}

func peakRSS() string {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return fmt.Sprintf("%d MB", ru.Maxrss/1024)
}

func diskSize(dir string) string {
	var total int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				total += fi.Size()
			}
		}
		return nil
	})
	return fmt.Sprintf("%.1f MB", float64(total)/1e6)
}

func build(ctx context.Context, name, dir string, emb memory.Embedder, c *memorytest.Corpus, n, batch int) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	// Records are embedded batch by batch, as ingestion does, so that the peak RSS is the
	// store's and not that of a corpus held whole with its vectors.
	recs := c.Records(n)
	var embedWall, embedCPU time.Duration
	t := now()
	e, err := openEngine(ctx, name, dir, emb)
	if err != nil {
		return err
	}
	for lo := 0; lo < len(recs); lo += batch {
		part := recs[lo:min(lo+batch, len(recs))]
		te := now()
		texts := make([]string, len(part))
		for i := range part {
			texts[i] = part[i].Text
		}
		vs, err := emb.Embed(ctx, texts)
		if err != nil {
			return err
		}
		for i := range part {
			part[i].Vector = vs[i]
		}
		d := now()
		embedWall += d.wall.Sub(te.wall)
		embedCPU += d.cpu - te.cpu
		if err := e.upsert(ctx, part); err != nil {
			return err
		}
		for i := range part {
			part[i].Vector = nil
		}
	}
	if err := e.close(); err != nil {
		return err
	}
	d := now()
	upsert := fmt.Sprintf("%.2fs wall %.2fs cpu", (d.wall.Sub(t.wall) - embedWall).Seconds(), (d.cpu - t.cpu - embedCPU).Seconds())
	embedTime := fmt.Sprintf("%.2fs wall %.2fs cpu", embedWall.Seconds(), embedCPU.Seconds())
	fmt.Printf("%s n=%d build: embed %s; upsert (batches of %d) %s; disk %s; peak RSS %s\n",
		name, n, embedTime, batch, upsert, diskSize(dir), peakRSS())
	return nil
}

func queries(ctx context.Context, name, dir string, emb memory.Embedder, c *memorytest.Corpus, n, nq int) error {
	c.Records(n) // advance the generator as build did, so queries draw from the same stream
	qs := c.Queries(nq + 20)
	for i := range qs {
		v, _ := emb.Embed(ctx, []string{qs[i].Text})
		qs[i].Vector = v[0]
	}
	t := now()
	e, err := openEngine(ctx, name, dir, emb)
	if err != nil {
		return err
	}
	openTime := t.since()
	for _, q := range qs[:20] { // warm caches
		if _, err := e.query(ctx, q); err != nil {
			return err
		}
	}
	lat := make([]time.Duration, 0, nq)
	t = now()
	empty := 0
	for _, q := range qs[20:] {
		s := time.Now()
		ids, err := e.query(ctx, q)
		if err != nil {
			return err
		}
		lat = append(lat, time.Since(s))
		if len(ids) == 0 {
			empty++
		}
	}
	cpu := now().cpu - t.cpu
	slices.Sort(lat)
	pct := func(p float64) string {
		return fmt.Sprintf("%.1fms", float64(lat[int(p*float64(len(lat)-1))].Microseconds())/1000)
	}
	kw := ""
	if keywordTime > 0 {
		kw = fmt.Sprintf(" (keyword ranking %.1fms/query)", float64(keywordTime.Microseconds())/1000/float64(nq+20))
	}
	fmt.Printf("%s n=%d query: open %s; %d queries p50 %s p95 %s%s, %.1fms cpu/query; %d empty; peak RSS %s\n",
		name, n, openTime, nq, pct(0.5), pct(0.95), kw, float64(cpu.Microseconds())/1000/float64(nq), empty, peakRSS())
	return e.close()
}

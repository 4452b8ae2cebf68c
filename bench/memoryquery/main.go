// Command memoryquery times hybrid queries on a project's memory after `dataops memory
// ingest`, in one process: the store is opened once (timed), then each query embeds its text
// and asks the store, as the agents do. Queries are drawn from the project's own property
// files: a column name alone, a column name within its model, and the first words of a
// description among column descriptions.
//
//	go run ./bench/memoryquery -project DIR [-n 400] [-cpuprofile FILE]
package main

import (
	"context"
	"flag"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/memory"
	"github.com/dataops-dev/dataops/internal/memory/embedded"
)

func main() {
	project := flag.String("project", ".", "the dbt project, ingested")
	n := flag.Int("n", 400, "queries")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the queries to this file")
	flag.Parse()
	ctx := context.Background()

	type col struct{ model, name, desc string }
	var cols []col
	filepath.WalkDir(*project, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			if p != *project && (strings.HasPrefix(d.Name(), ".") || d.Name() == "dbt_packages" || d.Name() == "target") {
				return filepath.SkipDir
			}
			return nil
		}
		if ext := filepath.Ext(p); ext != ".yml" && ext != ".yaml" {
			return nil
		}
		data, _ := os.ReadFile(p)
		decls, err := dbt.ParsePropertyFile(p, data)
		if err != nil {
			return nil
		}
		for _, dc := range decls {
			for _, c := range dc.Columns {
				cols = append(cols, col{dc.Name, c.Name, c.Description})
			}
		}
		return nil
	})
	if len(cols) == 0 {
		fmt.Fprintln(os.Stderr, "memoryquery: no columns in the project's property files")
		os.Exit(2)
	}

	cpu0 := cpuTime()
	t0 := time.Now()
	emb := memory.NewLocalEmbedder()
	s, err := embedded.Open(ctx, filepath.Join(*project, ".dataops/memory"), emb)
	if err != nil {
		fmt.Fprintln(os.Stderr, "memoryquery:", err)
		os.Exit(2)
	}
	defer s.Close()
	openWall, openCPU := time.Since(t0), cpuTime()-cpu0
	st, _ := s.Stats(ctx)

	rng := rand.New(rand.NewPCG(1, 2))
	var walls []time.Duration
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "memoryquery:", err)
			os.Exit(2)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	cpu1 := cpuTime()
	for i := range *n {
		c := cols[rng.IntN(len(cols))]
		q := memory.Query{Text: c.name, Limit: 10}
		switch i % 3 {
		case 1:
			q.Filter = memory.Filter{Model: c.model}
		case 2:
			words := strings.Fields(c.desc)
			if len(words) > 4 {
				words = words[:4]
			}
			if len(words) > 0 {
				q.Text = strings.Join(words, " ")
			}
			q.Filter = memory.Filter{Kinds: []memory.Kind{memory.KindColumnDoc}}
		}
		start := time.Now()
		vs, err := emb.Embed(ctx, []string{q.Text})
		if err == nil {
			q.Vector = vs[0]
			_, err = s.Query(ctx, q)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "memoryquery:", err)
			os.Exit(3)
		}
		walls = append(walls, time.Since(start))
	}
	queryCPU := cpuTime() - cpu1
	slices.Sort(walls)
	pct := func(p float64) time.Duration { return walls[min(len(walls)-1, int(p*float64(len(walls))))] }
	fmt.Printf("store: %d records; open %.2f s wall, %.2f s CPU\n", st.Records, openWall.Seconds(), openCPU.Seconds())
	fmt.Printf("queries: %d; wall p50 %.1f ms, p95 %.1f ms, max %.1f ms; CPU %.1f ms per query\n", len(walls),
		ms(pct(0.50)), ms(pct(0.95)), ms(walls[len(walls)-1]), ms(queryCPU)/float64(len(walls)))
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

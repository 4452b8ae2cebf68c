package columns

import (
	"context"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/dataops-dev/dataops/internal/dbt"
)

// BenchmarkInfer measures parsing and inferring the columns of every model of a loaded
// project: examples/shop by default, or the project in DATAOPS_BENCH_PROJECT (the 3,000-model
// Artemis project is what bench/columns_time.sh runs it on), with DATAOPS_BENCH_DIALECT.
func BenchmarkInfer(b *testing.B) {
	dir := os.Getenv("DATAOPS_BENCH_PROJECT")
	if dir == "" {
		dir = "../../examples/shop"
	}
	p, err := dbt.Load(context.Background(), dbt.LoadOptions{Dir: dir, Compile: true, Adapter: os.Getenv("DATAOPS_BENCH_DIALECT")})
	if err != nil {
		b.Fatal(err)
	}
	models, asked := 0, 0
	for _, n := range p.Nodes {
		if n.ResourceType == dbt.Model && !n.Disabled {
			models++
			if n.Render != nil && n.Render.AskedColumns {
				asked++ // rendered again during inference (as are callers of macros that ask when executing)
			}
		}
	}
	// CPU seconds per inference, next to wall time: on a shared machine the wall time says more
	// about the neighbours than about us; CPU time divided by the cores is the idle wall time.
	start := cpuTime()
	n := 0
	b.ResetTimer()
	for b.Loop() {
		Infer(p, Options{})
		n++
	}
	b.StopTimer()
	b.ReportMetric((cpuTime()-start).Seconds()/float64(n), "cpu-s/op")
	// reported after the loop: ResetTimer drops metrics reported before it
	b.ReportMetric(float64(models), "models")
	b.ReportMetric(float64(asked), "rerendered")
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkRelations measures indexing every relation of a loaded project, which each
// inference does once (the same projects as BenchmarkInfer).
func BenchmarkRelations(b *testing.B) {
	dir := os.Getenv("DATAOPS_BENCH_PROJECT")
	if dir == "" {
		dir = "../../examples/shop"
	}
	p, err := dbt.Load(context.Background(), dbt.LoadOptions{Dir: dir, Adapter: os.Getenv("DATAOPS_BENCH_DIALECT")})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		newRelations(p)
	}
}

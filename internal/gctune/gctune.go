// Package gctune paces the garbage collector of a dataops process by its live heap.
//
// A load renders and parses every file of a project and allocates several times its live heap
// on the way: with Go's default pacing (a collection each time the heap doubles) a third of a
// cold parse's CPU went to the collector on 2,000-model projects. Pacing it less often while
// the live heap is small trades memory the process has to spare for that CPU; past a budget the
// pacing falls back to the default, so a 50,000-model project's peak is what it always was
// rather than a collector fighting a limit (a fixed GOMEMLIMIT below the live heap doubles a
// run's CPU).
package gctune

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

const (
	// maxPercent is the most GOGC is raised to: past it the gain in CPU is small and the
	// heap's growth is not.
	maxPercent = 300
	// minPercent is Go's default, never lowered.
	minPercent = 100
)

// Percent is the GOGC that keeps a heap of live bytes under budget at its next collection
// (a collection is due when the heap reaches live × (1 + GOGC/100)), between Go's default and
// maxPercent.
func Percent(live, budget uint64) int {
	if live == 0 {
		return maxPercent
	}
	return int(min(max(int64(budget/live)*100-100, minPercent), maxPercent))
}

var start sync.Once

// Start paces the collector for the rest of the process so that the heap stays under budget
// bytes while the live heap allows, re-tuned after every collection. It does nothing when the
// user set GOGC or GOMEMLIMIT: theirs win.
func Start(budget uint64) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	start.Do(func() {
		t := &tuner{budget: budget, sample: []metrics.Sample{{Name: "/gc/heap/live:bytes"}}}
		debug.SetGCPercent(maxPercent)
		t.arm()
	})
}

type tuner struct {
	budget uint64
	sample []metrics.Sample
}

// sentinel is garbage from birth: its finalizer runs after each collection, re-tunes and
// arms a new one.
type sentinel struct{ t *tuner }

func (t *tuner) arm() {
	runtime.SetFinalizer(&sentinel{t: t}, func(s *sentinel) {
		s.t.tune()
		s.t.arm()
	})
}

func (t *tuner) tune() {
	metrics.Read(t.sample)
	if t.sample[0].Value.Kind() != metrics.KindUint64 {
		return
	}
	debug.SetGCPercent(Percent(t.sample[0].Value.Uint64(), t.budget))
}

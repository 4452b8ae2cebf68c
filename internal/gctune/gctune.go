// Package gctune paces the garbage collector of a dataops process by its live heap.
//
// A load renders and parses every file of a project and allocates several times its live heap
// on the way: with Go's default pacing (a collection each time the heap doubles) a third of a
// cold parse's CPU went to the collector on 2,000-model projects. Pacing it less often while
// the live heap is small trades memory the process has to spare for that CPU; past a budget the
// pacing falls back to the default, so a 50,000-model project's peak is what it always was
// rather than a collector fighting a limit (a fixed GOMEMLIMIT below the live heap doubles a
// run's CPU).
//
// The pacing bounds the heap's goal, not the process's memory: the runtime keeps the pages the
// collector freed and the free slots of spans still in use, a third to a half of the goal again
// at a 20,000-model load's peak. So while the live heap is under half the budget, the budget is
// also the runtime's memory limit, which returns those pages to the system as the heap nears it;
// past that the limit is lifted with the pacing's fall-back, never binding a heap that needs
// more.
package gctune

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"sync/atomic"
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

// Limit is the memory limit for a live heap of live bytes under budget: the budget while the
// live heap is under half of it, else none (the pacing's goal, twice the live heap, would be
// past it, and the collector would run ever more often to hold it).
func Limit(live, budget uint64) int64 {
	if live >= budget/2 {
		return math.MaxInt64
	}
	return int64(budget)
}

// paused counts the pauses of the collector under way (Pause), and saved is the setting the
// first of them found. The setting is the process's: two decodes at once (a service's workers,
// a review's base and head) must not have the first to finish turn it back on under the
// other, nor the second restore the first's -1.
var paused struct {
	sync.Mutex
	n     int
	saved int
}

// Pause turns the collector off (GOGC off, the memory limit lifted) until every caller has
// called the resume it returns, for a decode that allocates what stays live: a collection
// meanwhile would find little to free, and its write barriers slow every pointer the decode
// stores. The collector comes back as AfterPause says.
func Pause() (resume func()) {
	paused.Lock()
	if paused.n == 0 {
		paused.saved = debug.SetGCPercent(-1)
		Unlimited()
	}
	paused.n++
	paused.Unlock()
	return sync.OnceFunc(func() {
		paused.Lock()
		paused.n--
		if paused.n == 0 {
			debug.SetGCPercent(AfterPause(paused.saved))
		}
		paused.Unlock()
	})
}

// Unlimited lifts the memory limit for a pause of the collector (GOGC off while a decode
// allocates what stays live), which the limit would otherwise end; AfterPause sets it again.
// It does nothing unless Start's pacing is on.
func Unlimited() {
	if active.Load() != nil {
		lifted.Store(true)
		debug.SetMemoryLimit(math.MaxInt64)
	}
}

// lifted is set from Unlimited to AfterPause: a collection's tune leaves the limit alone.
var lifted atomic.Bool

var start sync.Once

// active is the tuner Start made, nil until then (and for good when the user's settings win).
var active atomic.Pointer[tuner]

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
		debug.SetMemoryLimit(Limit(0, budget))
		active.Store(t)
		t.arm()
	})
}

// heapMinimum is the runtime's smallest heap goal at GOGC 100 (its defaultHeapMinimum): before
// the first collection the goal is heapMinimum × GOGC/100.
const heapMinimum = 4 << 20

// AfterPause is the GOGC to set when a pause of the collector (GOGC off while a decode allocates
// what stays live) ends, saved being the setting before it. Turned back on, the collector would
// find the heap far past a goal computed from the heap before the pause and mark the whole of it
// at once, though nearly all of it is live: a warm run spent a tenth of its CPU there, and a
// short command ends before it needs the memory back. So while Start's pacing is on, the next
// collection is put where a collection right after the pause would have put it (the heap as it
// is now, taken as live, and the percent tune gives it); that collection's tune then paces the
// heap as usual; the memory limit Unlimited lifted is set for that heap. Otherwise, or with
// the collector off, saved is returned.
func AfterPause(saved int) int {
	t := active.Load()
	if t == nil || saved < 0 {
		return saved
	}
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/gc/heap/live:bytes"},
		{Name: "/gc/scan/stack:bytes"}, {Name: "/gc/scan/globals:bytes"}}
	metrics.Read(s)
	for _, v := range s {
		if v.Value.Kind() != metrics.KindUint64 {
			return saved
		}
	}
	heap, live := s[0].Value.Uint64(), s[1].Value.Uint64()
	if lifted.Swap(false) {
		debug.SetMemoryLimit(Limit(heap, t.budget))
	}
	goal := heap + heap/100*uint64(Percent(heap, t.budget))
	// The runtime's goal is live + (live + stacks + globals) × GOGC/100, and at least
	// heapMinimum × GOGC/100.
	per := max(live+s[2].Value.Uint64()+s[3].Value.Uint64(), heapMinimum)
	var percent uint64
	if goal > live {
		percent = (goal - live) / max(per/100, 1)
	}
	return int(min(max(percent, uint64(saved)), 1<<30))
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
	// A collection during a pause (Reserve's) must not turn the collector back on.
	paused.Lock()
	defer paused.Unlock()
	// Only the active tuner sets anything: a finalizer queued before another took its place
	// (as tests do) must not undo that one's settings.
	if paused.n > 0 || active.Load() != t {
		return
	}
	metrics.Read(t.sample)
	if t.sample[0].Value.Kind() != metrics.KindUint64 {
		return
	}
	live := t.sample[0].Value.Uint64()
	debug.SetGCPercent(Percent(live, t.budget))
	if !lifted.Load() {
		debug.SetMemoryLimit(Limit(live, t.budget))
	}
}

package gctune

import (
	"math"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"
)

func TestPercent(t *testing.T) {
	const mib = 1 << 20
	for _, c := range []struct {
		live uint64
		want int
	}{
		{0, maxPercent},
		{1, maxPercent},
		{100 * mib, maxPercent},  // 768 MiB budget holds 7.68× the live heap
		{256 * mib, 200},         // 3× fits
		{384 * mib, 100},         // 2× fits exactly
		{600 * mib, minPercent},  // past the budget: Go's default, never less
		{5000 * mib, minPercent}, // far past it
	} {
		if got := Percent(c.live, 768*mib); got != c.want {
			t.Errorf("Percent(%d MiB) = %d, want %d", c.live/mib, got, c.want)
		}
	}
}

// TestStartRetunes checks that the tuner follows the live heap: with a budget far below what
// the test keeps alive, the collections that follow put GOGC back to the default.
func TestStartRetunes(t *testing.T) {
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	Start(1 << 20)
	if got := debug.SetGCPercent(maxPercent); got != maxPercent {
		t.Fatalf("GOGC after Start = %d, want %d", got, maxPercent)
	}
	keep := make([][]byte, 0, 64)
	for range 64 {
		keep = append(keep, make([]byte, 64<<10))
	}
	for range 3 {
		runtime.GC()
		runtime.Gosched()
	}
	// The finalizer runs on its own goroutine after the collection; wait for it.
	for range 100 {
		runtime.GC()
		time.Sleep(time.Millisecond)
		if got := debug.SetGCPercent(maxPercent); got == minPercent {
			runtime.KeepAlive(keep)
			if limit := debug.SetMemoryLimit(-1); limit != math.MaxInt64 {
				t.Fatalf("memory limit %d with a live heap past the budget, want none", limit)
			}
			return
		}
	}
	t.Fatalf("GOGC never returned to %d with a live heap past the budget", minPercent)
}

func TestLimit(t *testing.T) {
	const mib = 1 << 20
	for _, c := range []struct {
		live uint64
		want int64
	}{
		{0, 768 * mib},
		{383 * mib, 768 * mib},      // twice the live heap fits
		{384 * mib, math.MaxInt64},  // the pacing's goal reaches the budget: no limit
		{5000 * mib, math.MaxInt64}, // far past it
	} {
		if got := Limit(c.live, 768*mib); got != c.want {
			t.Errorf("Limit(%d MiB) = %d, want %d", c.live/mib, got, c.want)
		}
	}
}

// TestAfterPause: once a pause that allocated a live heap ends, the collection the runtime
// plans is not before that heap has grown by the percent tune would give it; without the
// pacing, the setting before the pause comes back as it was.
func TestAfterPause(t *testing.T) {
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	defer active.Store(active.Load())
	active.Store(nil)
	if got := AfterPause(73); got != 73 {
		t.Fatalf("AfterPause(73) without the pacing = %d", got)
	}
	active.Store(&tuner{budget: 1 << 40})
	if got := AfterPause(-1); got != -1 {
		t.Fatalf("AfterPause(-1) = %d, want the collector left off", got)
	}
	runtime.GC()
	saved := debug.SetGCPercent(-1)
	Unlimited()
	if limit := debug.SetMemoryLimit(-1); limit != math.MaxInt64 {
		t.Fatalf("memory limit during the pause %d, want none", limit)
	}
	keep := make([][]byte, 0, 256)
	for range 256 {
		keep = append(keep, make([]byte, 256<<10))
	}
	p := AfterPause(saved)
	debug.SetGCPercent(p)
	if limit := debug.SetMemoryLimit(-1); limit != 1<<40 {
		t.Errorf("memory limit after the pause %d, want the budget", limit)
	}
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/gc/heap/goal:bytes"}}
	metrics.Read(s)
	heap, goal := s[0].Value.Uint64(), s[1].Value.Uint64()
	if want := heap + heap/100*maxPercent*9/10; goal < want {
		t.Errorf("goal %d MB after the pause with %d MB of heap (GOGC %d), want at least %d MB", goal>>20, heap>>20, p, want>>20)
	}
	runtime.KeepAlive(keep)
}

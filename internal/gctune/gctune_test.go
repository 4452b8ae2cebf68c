package gctune

import (
	"runtime"
	"runtime/debug"
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
			return
		}
	}
	t.Fatalf("GOGC never returned to %d with a live heap past the budget", minPercent)
}

package gctune

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"
)

// TestTuneDuringPause: a collection while the collector is paused (Reserve runs one) leaves it
// paused; the tuner's re-tune after that collection does not turn it back on.
func TestTuneDuringPause(t *testing.T) {
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	Start(1 << 30)
	resume := Pause()
	// The tuner re-tunes from a finalizer, on its own goroutine after the collection.
	for range 20 {
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
	got := debug.SetGCPercent(-1)
	resume()
	if got != -1 {
		t.Fatalf("GOGC %d during a pause, want -1 (off)", got)
	}
	if got := debug.SetGCPercent(100); got < 0 {
		t.Fatalf("GOGC %d after the pause, want the collector on", got)
	}
}

// TestReserve: where huge pages are given on request, what Reserve prepared is free in the
// heap, not returned to the system, for the allocations that follow; the collector stays
// paused.
func TestReserve(t *testing.T) {
	if hugePageAdvised() == 0 {
		t.Skip("transparent huge pages are not in madvise mode here")
	}
	resume := Pause()
	defer resume()
	const n = 64 << 20
	Reserve(n)
	s := []metrics.Sample{{Name: "/memory/classes/heap/free:bytes"}}
	metrics.Read(s)
	if free := s[0].Value.Uint64(); free < n {
		t.Errorf("%d bytes free in the heap after reserving %d", free, n)
	}
	if got := debug.SetGCPercent(-1); got != -1 {
		t.Errorf("GOGC %d after Reserve, want -1 (off)", got)
	}
}

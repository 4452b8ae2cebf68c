package gctune

import (
	"runtime/debug"
	"runtime/metrics"
	"testing"
)

// TestReserve: what Reserve prepares is free in the heap, not returned to the system, for the
// allocations that follow; the collector stays paused. grow is what Reserve does where huge
// pages are given on request, so it is checked on any Linux machine.
func TestReserve(t *testing.T) {
	resume := Pause()
	defer resume()
	const n = 64 << 20
	grow(n, 2<<20)
	s := []metrics.Sample{{Name: "/memory/classes/heap/free:bytes"}}
	metrics.Read(s)
	if free := s[0].Value.Uint64(); free < n {
		t.Errorf("%d bytes free in the heap after reserving %d", free, n)
	}
	if got := debug.SetGCPercent(-1); got != -1 {
		t.Errorf("GOGC %d after Reserve, want -1 (off)", got)
	}
}

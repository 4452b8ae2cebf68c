package gctune

import (
	"runtime"
	"runtime/debug"
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

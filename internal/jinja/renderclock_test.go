package jinja

import (
	"runtime"
	"testing"
	"time"
)

// A render waiting for a core is not charged for the wait: a thread that computes for a
// while and then sleeps is charged about its computing, never more than the wall time.
func TestRenderClockChargesTheThreadsCPU(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var c renderClock
	c.start()
	if _, _, ok := threadCPU(); !ok {
		// Without a thread clock the charge is the wall time.
		if got := c.charge(5 * time.Millisecond); got != 5*time.Millisecond {
			t.Fatalf("charge without a thread clock = %v, want the wall time", got)
		}
		return
	}
	t0 := time.Now()
	x := 0
	for time.Since(t0) < 30*time.Millisecond {
		x++
	}
	time.Sleep(120 * time.Millisecond)
	wall := time.Since(t0)
	got := c.charge(wall)
	if got <= 0 || got > wall || got > wall/2 {
		t.Fatalf("charge = %v for %v of wall time of which 120ms asleep (x=%d)", got, wall, x)
	}
	// An interval too short to have used any CPU is charged at most its wall time.
	if got := c.charge(time.Microsecond); got > time.Microsecond {
		t.Fatalf("charge of 1µs = %v", got)
	}
}

// A render resumed on another thread cannot be measured and is charged at most settleEvery.
func TestRenderClockAfterAMoveIsCapped(t *testing.T) {
	c := renderClock{tid: -1, ok: true}
	if _, _, ok := threadCPU(); !ok {
		if got := c.charge(time.Second); got != time.Second {
			t.Fatalf("charge without a thread clock = %v, want the wall time", got)
		}
		return
	}
	if got := c.charge(time.Second); got != settleEvery {
		t.Fatalf("charge after a move = %v, want %v", got, settleEvery)
	}
}

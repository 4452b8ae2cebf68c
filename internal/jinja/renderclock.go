package jinja

import "time"

// A render's time is the CPU its thread spent on it where the platform can tell, not the wall
// clock: on a busy machine a render waits for a core as long as it runs, and the budget meant
// to stop a runaway template stopped ordinary projects instead (renders of a 735-model project
// summed past 60 s of wall time at a load of 12 while they used a tenth of it). The wall clock
// is read every few steps (cheap); the thread's CPU only once a millisecond of wall time has
// passed, since reading it is a system call.

// settleEvery is how much wall time passes before the thread's CPU time is read and the time
// spent is charged to the render and the budget.
const settleEvery = time.Millisecond

// renderClock charges the time of a render: its thread's CPU time over each interval, capped
// by the interval's wall time.
type renderClock struct {
	tid int
	cpu time.Duration
	ok  bool
}

func (c *renderClock) start() { c.tid, c.cpu, c.ok = threadCPU() }

// charge returns the render time of an interval of the given wall time ending now. A render
// that stayed on one thread is charged that thread's CPU time; one that moved (the scheduler
// resumed it elsewhere) cannot be measured and is charged at most settleEvery, about what an
// interval costs when it runs uninterrupted. Without a thread clock it is the wall time.
func (c *renderClock) charge(wall time.Duration) time.Duration {
	tid, cpu, ok := threadCPU()
	prevTid, prevCPU, prevOK := c.tid, c.cpu, c.ok
	c.tid, c.cpu, c.ok = tid, cpu, ok
	if !ok || !prevOK {
		return wall
	}
	if tid != prevTid {
		return min(wall, settleEvery)
	}
	return max(0, min(wall, cpu-prevCPU))
}

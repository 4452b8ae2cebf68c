package jinja

import (
	"time"

	"golang.org/x/sys/unix"
)

// threadCPU returns the calling thread's id and the CPU time it has used.
func threadCPU() (int, time.Duration, bool) {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		return 0, 0, false
	}
	return unix.Gettid(), time.Duration(ts.Nano()), true
}

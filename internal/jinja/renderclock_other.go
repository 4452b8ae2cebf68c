//go:build !linux

package jinja

import "time"

// threadCPU has no thread clock to read here: renders are charged their wall time.
func threadCPU() (int, time.Duration, bool) { return 0, 0, false }

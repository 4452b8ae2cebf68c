//go:build pprof

// Profiling build: `go build -tags pprof ./cmd/dataops`, then DATAOPS_CPUPROFILE=FILE writes a
// CPU profile of one run, for `go tool pprof`. Kept out of the release binary.
package main

import (
	"os"
	"runtime/pprof"
)

func init() {
	path := os.Getenv("DATAOPS_CPUPROFILE")
	if path == "" {
		return
	}
	f, err := os.Create(path)
	if err != nil {
		panic(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		panic(err)
	}
	stopProfile = func() { pprof.StopCPUProfile(); _ = f.Close() }
}

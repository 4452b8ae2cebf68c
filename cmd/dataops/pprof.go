//go:build pprof

// Profiling build: `go build -tags pprof ./cmd/dataops`, then DATAOPS_CPUPROFILE=FILE writes a
// CPU profile of one run and DATAOPS_MEMPROFILE=FILE the heap as the run ends (what the loaded
// project holds, and with -sample_index=alloc_space everything allocated), for `go tool pprof`.
// Kept out of the release binary.
package main

import (
	"os"
	"runtime"
	"runtime/pprof"
)

func init() {
	var stops []func()
	if path := os.Getenv("DATAOPS_CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			panic(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			panic(err)
		}
		stops = append(stops, func() { pprof.StopCPUProfile(); _ = f.Close() })
	}
	if path := os.Getenv("DATAOPS_MEMPROFILE"); path != "" {
		stops = append(stops, func() {
			f, err := os.Create(path)
			if err != nil {
				panic(err)
			}
			runtime.GC()
			_ = pprof.WriteHeapProfile(f)
			_ = f.Close()
		})
	}
	stopProfile = func() {
		for _, stop := range stops {
			stop()
		}
	}
}

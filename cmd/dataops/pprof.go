//go:build pprof

// Profiling build: `go build -tags pprof ./cmd/dataops`, then DATAOPS_CPUPROFILE=FILE writes a
// CPU profile of one run and DATAOPS_MEMPROFILE=FILE the heap as the run ends (what the loaded
// project holds, and with -sample_index=alloc_space everything allocated), for `go tool pprof`.
// DATAOPS_PEAKPROFILE=FILE writes the heap profile nearest the run's largest live heap. Kept out of
// the release binary.
package main

import (
	"bytes"
	"os"
	"runtime"
	"runtime/pprof"
	"time"
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
	if path := os.Getenv("DATAOPS_PEAKPROFILE"); path != "" {
		// The heap as the run ends holds little of what it held at its largest (the renders,
		// the snapshot being encoded): every 100 ms the live heap is read, and a new largest one
		// has its profile written, so the file ends as the profile nearest the peak.
		done := make(chan struct{})
		finished := make(chan struct{})
		go func() {
			defer close(finished)
			var peak uint64
			var ms runtime.MemStats
			for {
				select {
				case <-done:
					return
				case <-time.After(100 * time.Millisecond):
				}
				runtime.ReadMemStats(&ms)
				if ms.HeapAlloc <= peak+peak/20 {
					continue
				}
				peak = ms.HeapAlloc
				var buf bytes.Buffer
				if pprof.Lookup("heap").WriteTo(&buf, 0) == nil {
					_ = os.WriteFile(path, buf.Bytes(), 0o644)
				}
			}
		}()
		stops = append(stops, func() { close(done); <-finished })
	}
	stopProfile = func() {
		for _, stop := range stops {
			stop()
		}
	}
}

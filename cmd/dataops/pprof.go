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
	"runtime/metrics"
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
		// the snapshot being encoded). A heap profile is as of the last collection, so every
		// 100 ms the live heap that collection left is read, and a new largest one has its
		// profile written: the file ends as the profile of the largest live heap, the part of
		// the peak that collecting more often would not free.
		done := make(chan struct{})
		finished := make(chan struct{})
		go func() {
			defer close(finished)
			var peak uint64
			sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
			for {
				select {
				case <-done:
					return
				case <-time.After(100 * time.Millisecond):
				}
				metrics.Read(sample)
				if sample[0].Value.Kind() != metrics.KindUint64 {
					continue
				}
				if live := sample[0].Value.Uint64(); live <= peak {
					continue
				} else {
					peak = live
				}
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

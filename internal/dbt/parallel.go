package dbt

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// parallel runs fn on the load's workers (LoadOptions.Threads).
func (l *loader) parallel(n int, fn func(i int)) { parallelN(l.opts.Threads, n, fn) }

// parallelN runs fn(0..n-1) on at most workers goroutines (0: GOMAXPROCS).
func parallelN(workers, n int, fn func(i int)) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	if workers > n {
		workers = n
	}
	if workers <= 1 {
		for i := 0; i < n; i++ {
			fn(i)
		}
		return
	}
	var next int64 = -1
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(atomic.AddInt64(&next, 1))
				if i >= n {
					return
				}
				fn(i)
			}
		}()
	}
	wg.Wait()
}

package mcp

import (
	"context"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dataops-dev/dataops/internal/columns"
	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/jinja"
	"github.com/dataops-dev/dataops/internal/lineage"
)

// warm keeps one loaded project for every call. Before a call is answered the project's files
// are fingerprinted (calls that arrive while a fingerprint is being taken share the next one);
// a different fingerprint loads the project again. Loads run on the server's context, not the
// caller's: a caller that gives up does not waste the load for the others.
type warm struct {
	eng Engine
	dir string
	bg  context.Context

	mu      sync.Mutex
	cur     *snapshot // the newest finished load
	pending *loadJob  // the newest load in flight
	failed  *loadJob  // the newest load that failed, until the files change
	gen     int
	dirty   bool // files were written: load again even if the fingerprint matches

	checkMu   sync.Mutex
	watch     *watcher // nil where inotify is not available or failed: every call walks
	walk      bool     // walk even where a watcher could run (Options.WalkFiles)
	ticket    atomic.Uint64
	checkedAt uint64 // the ticket count when the last fingerprint was started
	lastPrint uint64
}

type loadJob struct {
	print uint64
	gen   int
	done  chan struct{}
	snap  *snapshot
	err   error
}

// snapshot is one load of the project and what has been computed from it.
type snapshot struct {
	gen      int
	p        *dbt.Project
	budget   *jinja.Budget
	print    uint64
	loadedAt time.Time
	took     time.Duration

	full *future[*inferred] // every node's columns, computed in the background
	// warmSpent is the render time the budget had spent when full was done: the load's and
	// the inference's renders, which a later load would spend again.
	warmSpent atomic.Int64

	mu      sync.Mutex
	partial map[string]*columns.Result // a node and its upstream, until full is done

	testsOnce sync.Once
	testsOf   map[string][]string // tested node -> its test nodes
}

type inferred struct {
	res *columns.Result
	ix  *lineage.Index
}

// future is a value computed once, in the background.
type future[T any] struct {
	done chan struct{}
	v    T
}

func goFuture[T any](f func() T) *future[T] {
	fu := &future[T]{done: make(chan struct{})}
	go func() {
		defer close(fu.done)
		fu.v = f()
	}()
	return fu
}

func (f *future[T]) wait(ctx context.Context) (T, error) {
	select {
	case <-f.done:
		return f.v, nil
	case <-ctx.Done():
		var zero T
		return zero, context.Cause(ctx)
	}
}

func (f *future[T]) ready() (T, bool) {
	select {
	case <-f.done:
		return f.v, true
	default:
		var zero T
		return zero, false
	}
}

func newWarm(bg context.Context, eng Engine, dir string, walk bool) *warm {
	return &warm{eng: eng, dir: dir, bg: bg, walk: walk}
}

// close stops watching the files.
func (w *warm) close() {
	w.checkMu.Lock()
	defer w.checkMu.Unlock()
	if w.watch != nil {
		w.watch.close()
		w.watch = nil
	}
}

// print returns what identifies the project's files as they are for a call that arrived with
// ticket t: the watcher's count of changes, or a fingerprint from a walk that started after
// the call arrived.
func (w *warm) print(t uint64) uint64 {
	w.checkMu.Lock()
	defer w.checkMu.Unlock()
	pkgs := ""
	w.mu.Lock()
	if w.cur != nil {
		pkgs = w.cur.p.PackagesInstallPath
	}
	w.mu.Unlock()
	if w.watch != nil && pkgs != "" && pkgs != w.watch.pkgs {
		// The project installs packages elsewhere: watch the local packages linked there.
		gen, _ := w.watch.poll()
		w.watch.close()
		w.watch, _ = newWatcher(w.dir, pkgs, gen)
	}
	if w.watch != nil {
		if gen, ok := w.watch.poll(); ok {
			return gen
		}
		w.watch.close()
		w.watch = nil
		w.checkedAt = 0
	}
	if w.checkedAt >= t {
		return w.lastPrint
	}
	w.checkedAt = w.ticket.Load()
	w.lastPrint = fingerprint(w.dir, pkgs)
	return w.lastPrint
}

// start watches the project and begins the first load without waiting for it, so that the
// first call finds it under way.
func (w *warm) start() {
	if !w.walk {
		w.checkMu.Lock()
		w.watch, _ = newWatcher(w.dir, "", 1)
		w.checkMu.Unlock()
	}
	fp := w.print(w.ticket.Add(1))
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.pending == nil && w.cur == nil {
		w.load(fp)
	}
}

// invalidate makes the next call load the project again: its files were just written.
func (w *warm) invalidate() {
	w.mu.Lock()
	w.dirty = true
	w.mu.Unlock()
}

// get returns the project as its files are now, loading it again when they changed.
func (w *warm) get(ctx context.Context) (*snapshot, error) {
	fp := w.print(w.ticket.Add(1))
	w.mu.Lock()
	var job *loadJob
	switch {
	case w.pending != nil && w.pending.print == fp && !w.dirty:
		job = w.pending
	case w.cur != nil && w.cur.print == fp && !w.dirty && !w.cur.spent():
		s := w.cur
		w.mu.Unlock()
		return s, nil
	case w.failed != nil && w.failed.print == fp && !w.dirty:
		err := w.failed.err
		w.mu.Unlock()
		return nil, err
	default:
		job = w.load(fp)
	}
	w.mu.Unlock()
	select {
	case <-job.done:
		return job.snap, job.err
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
}

// spent reports whether the renders since the project became warm (lint, inline compiles)
// have used half of the render budget the load and the inference left: a server running for
// days would otherwise run out, so the project is loaded afresh. A load that left nothing is
// not loaded again for it: another would leave nothing either.
func (s *snapshot) spent() bool {
	b := s.budget
	if b == nil || b.Time() <= 0 {
		return false
	}
	if _, ok := s.full.ready(); !ok {
		return false
	}
	at := time.Duration(s.warmSpent.Load())
	left := b.Time() - at
	return left > 0 && b.Spent()-at > left/2
}

// load starts loading the project whose files have fingerprint fp. w.mu must be held.
func (w *warm) load(fp uint64) *loadJob {
	w.gen++
	w.dirty = false
	job := &loadJob{print: fp, gen: w.gen, done: make(chan struct{})}
	w.pending = job
	go func() {
		t0 := time.Now()
		l, err := w.eng.Load(w.bg)
		var s *snapshot
		if err == nil {
			s = &snapshot{gen: job.gen, p: l.Project, budget: l.Budget, print: fp, loadedAt: time.Now(), took: time.Since(t0)}
			s.full = goFuture(func() *inferred {
				res := w.eng.Infer(w.bg, s.p, nil)
				if s.budget != nil {
					s.warmSpent.Store(int64(s.budget.Spent()))
				}
				return &inferred{res: res, ix: lineage.NewIndex(res)}
			})
		}
		w.mu.Lock()
		job.snap, job.err = s, err
		if w.pending == job {
			w.pending = nil
		}
		if err != nil {
			if w.failed == nil || w.failed.gen < job.gen {
				w.failed = job
			}
		} else if w.cur == nil || w.cur.gen < job.gen {
			w.cur = s
			if w.failed != nil && w.failed.gen < job.gen {
				w.failed = nil
			}
		}
		w.mu.Unlock()
		close(job.done)
	}()
	return job
}

// columnsOf returns inferred columns holding node id and everything upstream of it: every
// node's once the background inference is done, else an inference of just those.
func (s *snapshot) columnsOf(ctx context.Context, eng Engine, id string) *columns.Result {
	if full, ok := s.full.ready(); ok {
		return full.res
	}
	s.mu.Lock()
	res := s.partial[id]
	s.mu.Unlock()
	if res != nil {
		return res
	}
	res = eng.Infer(ctx, s.p, []string{id})
	s.mu.Lock()
	if s.partial == nil {
		s.partial = map[string]*columns.Result{}
	}
	s.partial[id] = res
	s.mu.Unlock()
	return res
}

// inferredAll waits for every node's columns.
func (s *snapshot) inferredAll(ctx context.Context) (*inferred, error) {
	return s.full.wait(ctx)
}

// testsOn lists the test nodes attached to a node, sorted.
func (s *snapshot) testsOn(id string) []string {
	s.testsOnce.Do(func() {
		s.testsOf = map[string][]string{}
		for tid, n := range s.p.Nodes {
			if n.ResourceType != dbt.Test {
				continue
			}
			attached := ""
			if n.TestMeta != nil {
				attached = n.TestMeta.AttachedNode
			}
			if attached == "" && len(n.DependsOn.Nodes) == 1 {
				attached = n.DependsOn.Nodes[0]
			}
			if attached != "" {
				s.testsOf[attached] = append(s.testsOf[attached], tid)
			}
		}
		for _, l := range s.testsOf {
			sort.Strings(l)
		}
	})
	return s.testsOf[id]
}

package dbt

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// Progress is one line on a terminal saying what the loads of a command are doing, shown once
// they have run for a second and redrawn four times a second; it is erased when the last load
// ends. Loads running at once (the base and the head of a change) share it and their counts
// add up. The caller decides where it goes: a terminal's stderr, never an output stream.
type Progress struct {
	w io.Writer

	mu     sync.Mutex
	active int
	since  time.Time
	stage  string
	counts map[string]*[2]int // stage → done, total
	shown  bool
	stop   chan struct{}
	done   chan struct{}
}

// NewProgress shows progress on w.
func NewProgress(w io.Writer) *Progress {
	return &Progress{w: w, counts: map[string]*[2]int{}}
}

func (p *Progress) begin() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.active++
	if p.active > 1 {
		return
	}
	p.since = time.Now()
	p.counts = map[string]*[2]int{}
	p.stop, p.done = make(chan struct{}), make(chan struct{})
	go p.run(p.stop, p.done)
}

func (p *Progress) end() {
	if p == nil {
		return
	}
	p.mu.Lock()
	p.active--
	if p.active > 0 {
		p.mu.Unlock()
		return
	}
	stop, done := p.stop, p.done
	p.mu.Unlock()
	close(stop)
	<-done
}

func (p *Progress) run(stop, done chan struct{}) {
	defer close(done)
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			p.mu.Lock()
			if p.shown {
				fmt.Fprint(p.w, "\r\x1b[K")
				p.shown = false
			}
			p.mu.Unlock()
			return
		case <-tick.C:
			p.mu.Lock()
			if time.Since(p.since) >= time.Second && p.stage != "" {
				line := "dataops: " + p.stage
				if c := p.counts[p.stage]; c != nil && c[1] > 0 {
					line += fmt.Sprintf(" %d/%d", c[0], c[1])
				}
				fmt.Fprintf(p.w, "\r\x1b[K%s (%.0fs)", line, time.Since(p.since).Seconds())
				p.shown = true
			}
			p.mu.Unlock()
		}
	}
}

// step says a load entered a stage of total items (0: not counted).
func (p *Progress) step(stage string, total int) {
	if p == nil {
		return
	}
	p.mu.Lock()
	p.stage = stage
	c := p.counts[stage]
	if c == nil {
		c = &[2]int{}
		p.counts[stage] = c
	}
	c[1] += total
	p.mu.Unlock()
}

// add counts n items of stage done.
func (p *Progress) add(stage string, n int) {
	if p == nil {
		return
	}
	p.mu.Lock()
	if c := p.counts[stage]; c != nil {
		c[0] += n
	}
	p.mu.Unlock()
}

// Stage is one stage of a command outside its loads (inferring columns, linting), shown on
// the same line as the loads' stages, counted over its items. A nil Stage (from a nil
// Progress) does nothing.
type Stage struct {
	p     *Progress
	label string
	once  sync.Once
}

// Stage starts a stage of total items (0: not counted); Done ends it.
func (p *Progress) Stage(label string, total int) *Stage {
	if p == nil {
		return nil
	}
	p.begin()
	p.step(label, total)
	return &Stage{p: p, label: label}
}

// Add counts n items of the stage done.
func (s *Stage) Add(n int) {
	if s != nil {
		s.p.add(s.label, n)
	}
}

// Done ends the stage: the line is erased when nothing else runs.
func (s *Stage) Done() {
	if s != nil {
		s.once.Do(s.p.end)
	}
}

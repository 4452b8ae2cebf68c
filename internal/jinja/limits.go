package jinja

import (
	"context"
	"fmt"
	"io"
	"sync/atomic"
	"time"
)

// Budget is what all the renders of one command may spend together: a pull request with a
// thousand models that each take just under the per-render limit must not keep the command
// busy for hours, nor fill memory with a thousand outputs just under the size limit. One
// Budget is shared by every Env of a command (Options.Budget); it is safe for concurrent use.
// Time is the sum of the renders' own durations (two renders running at once spend twice),
// each the CPU time of its thread where the platform tells it (renderclock.go).
type Budget struct {
	time  time.Duration
	bytes int64

	spentTime  atomic.Int64 // nanoseconds
	spentBytes atomic.Int64
}

// DefaultBudgetBytes bounds the output of all renders of one command. The compiled SQL of the
// largest real projects is a few tens of megabytes.
const DefaultBudgetBytes = 512 << 20

// NewBudget returns a budget of total render time (and DefaultBudgetBytes of output).
func NewBudget(total time.Duration) *Budget {
	return &Budget{time: total, bytes: DefaultBudgetBytes}
}

// Time is the render time the budget allows.
func (b *Budget) Time() time.Duration { return b.time }

// Spent is the render time spent so far.
func (b *Budget) Spent() time.Duration { return time.Duration(b.spentTime.Load()) }

// spend adds render time and reports whether the budget is used up.
func (b *Budget) spend(d time.Duration) bool {
	if b == nil {
		return false
	}
	if d > 0 {
		b.spentTime.Add(int64(d))
	}
	return b.time > 0 && time.Duration(b.spentTime.Load()) > b.time
}

// output adds the size of a finished render's output and reports whether the budget allows
// it.
func (b *Budget) output(n int) bool {
	if b == nil {
		return true
	}
	return b.spentBytes.Add(int64(n)) <= b.bytes
}

// exhausted reports whether nothing is left: renders that start now stop at once.
func (b *Budget) exhausted() bool {
	return b != nil && ((b.time > 0 && time.Duration(b.spentTime.Load()) > b.time) || b.spentBytes.Load() > b.bytes)
}

// checkEvery is how many steps pass between two looks at the clock and the context: a step
// is a statement or a loop iteration, a few microseconds at most.
const checkEvery = 16

// step counts one executed statement or loop iteration against the budget, and every
// checkEvery steps looks at the time and at the context.
func (st *renderState) step() error {
	if st.abort != nil {
		return errAborted
	}
	st.steps++
	if st.steps > st.env.limits.MaxSteps {
		st.limitExceeded("render stopped after %d template steps (the limit of one render)", st.env.limits.MaxSteps)
		return errAborted
	}
	if st.steps%checkEvery == 0 {
		return st.checkTime()
	}
	return nil
}

// checkTime stops the render when the command was cancelled, the render took longer than
// Limits.MaxTime, or the command's renders together used up their Budget.
func (st *renderState) checkTime() error {
	if st.abort != nil {
		return errAborted
	}
	now := time.Now()
	st.pending += now.Sub(st.lastTick)
	st.lastTick = now
	if st.ctx != nil && st.ctx.Err() != nil {
		st.limitExceeded("render stopped: %s", interruption(st.ctx))
		return errAborted
	}
	if st.pending < settleEvery {
		return nil
	}
	if st.settle() {
		st.limitExceeded("render stopped: the renders of this run took more than %s together", st.budget.time)
		return errAborted
	}
	if st.used > st.env.limits.MaxTime {
		st.limitExceeded("render stopped after %s (the limit of one render)", st.env.limits.MaxTime)
		return errAborted
	}
	return nil
}

// settle charges the wall time pending since the last charge, as render time (see
// renderClock), to the render and to the budget, and reports whether the budget is used up.
func (st *renderState) settle() bool {
	d := st.clock.charge(st.pending)
	st.pending = 0
	st.used += d
	return st.budget.spend(d)
}

func interruption(ctx context.Context) string {
	if cause := context.Cause(ctx); cause != nil && cause != context.Canceled {
		return cause.Error()
	}
	return "interrupted"
}

// maxWritten bounds the bytes one render writes in total, into its output and into the
// buffers of macro calls, {% set %} and {% call %} blocks and filters, which gonja grows
// without limit. Real renders write a few times their output.
func (l Limits) maxWritten() int { return 16 * l.MaxOutput }

// countingWriter counts what statements write against the render's budget of writes; it
// wraps whatever a statement writes to (the output, or a block's buffer).
type countingWriter struct {
	w  io.Writer
	st *renderState
}

func (c *countingWriter) Write(p []byte) (int, error) {
	if err := c.st.wrote(len(p)); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}

func (c *countingWriter) WriteString(s string) (int, error) {
	if err := c.st.wrote(len(s)); err != nil {
		return 0, err
	}
	return io.WriteString(c.w, s)
}

func (st *renderState) wrote(n int) error {
	if st.abort != nil {
		return errAborted
	}
	st.written += n
	if limit := st.env.limits.maxWritten(); st.written > limit {
		st.limitExceeded("render stopped: it wrote more than %d bytes", limit)
		return errAborted
	}
	return nil
}

// boundedBuffer collects the output of a macro call or an inline template: no larger than a
// render's output may be.
type boundedBuffer struct {
	buf []byte
	st  *renderState
}

func (b *boundedBuffer) Write(p []byte) (int, error) {
	if limit := b.st.env.limits.MaxOutput; len(b.buf)+len(p) > limit {
		b.st.limitExceeded("render stopped: a macro produced more than %d bytes", limit)
		return 0, errAborted
	}
	b.buf = append(b.buf, p...)
	return len(p), nil
}

func (b *boundedBuffer) WriteString(s string) (int, error) {
	if limit := b.st.env.limits.MaxOutput; len(b.buf)+len(s) > limit {
		b.st.limitExceeded("render stopped: a macro produced more than %d bytes", limit)
		return 0, errAborted
	}
	b.buf = append(b.buf, s...)
	return len(s), nil
}

func (b *boundedBuffer) String() string { return string(b.buf) }

// Limits on what one render collects besides its output: every ref, source and warning is
// kept, printed and compared later.
const (
	maxCollected   = 100_000 // refs and sources of one render
	maxWarnings    = 1_000
	maxMessageSize = 2_000 // bytes of one warning's message
	maxNameSize    = 4_096 // bytes of one ref or source argument
)

// truncateMessage cuts a diagnostic message (exceptions.raise_compiler_error may be handed a
// megabyte) at a character boundary.
func truncateMessage(s string) string {
	if len(s) <= maxMessageSize {
		return s
	}
	cut := maxMessageSize
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut] + fmt.Sprintf("... (%d more bytes)", len(s)-cut)
}

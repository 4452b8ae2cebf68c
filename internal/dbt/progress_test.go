package dbt

import (
	"strings"
	"testing"
	"time"
)

// writes passes each write of the progress line to the test.
type writes chan string

func (w writes) Write(p []byte) (int, error) {
	w <- string(p)
	return len(p), nil
}

// A stage running over a second is shown with its count and erased when it ends; a stage
// that ends sooner shows nothing.
func TestProgressStage(t *testing.T) {
	out := make(writes, 1000)
	p := NewProgress(out)
	quick := p.Stage("linting", 3)
	quick.Add(3)
	quick.Done()
	quick.Done() // ending twice is ending once
	if len(out) > 0 {
		t.Fatalf("a stage under a second printed %q", <-out)
	}

	st := p.Stage("inferring columns", 10)
	st.Add(4)
	timeout := time.After(5 * time.Second)
	for shown := false; !shown; {
		select {
		case s := <-out:
			shown = strings.Contains(s, "dataops: inferring columns 4/10")
		case <-timeout:
			t.Fatal("no progress line after a second")
		}
	}
	st.Done()
	last := ""
	for len(out) > 0 {
		last = <-out
	}
	if last != "\r\x1b[K" {
		t.Errorf("the line is not erased at the end: last write %q", last)
	}
	var none *Progress
	none.Stage("x", 1).Add(1) // a nil Progress shows nothing and does not fail
	none.Stage("x", 1).Done()
}

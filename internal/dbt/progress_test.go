package dbt

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer the progress goroutine and the test may share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// A stage running over a second is shown with its count and erased when it ends; a stage
// that ends sooner shows nothing.
func TestProgressStage(t *testing.T) {
	var out syncBuffer
	p := NewProgress(&out)
	quick := p.Stage("linting", 3)
	quick.Add(3)
	quick.Done()
	quick.Done() // ending twice is ending once
	if out.String() != "" {
		t.Fatalf("a stage under a second printed %q", out.String())
	}

	st := p.Stage("inferring columns", 10)
	st.Add(4)
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(out.String(), "dataops: inferring columns 4/10") {
		if time.Now().After(deadline) {
			t.Fatalf("no progress line after a second: %q", out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	st.Done()
	if s := out.String(); !strings.HasSuffix(s, "\r\x1b[K") {
		t.Errorf("the line is not erased at the end: %q", s)
	}
	var none *Progress
	none.Stage("x", 1).Add(1) // a nil Progress shows nothing and does not fail
	none.Stage("x", 1).Done()
}

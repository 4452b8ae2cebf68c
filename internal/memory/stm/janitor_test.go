package stm

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// clock is a time source the test moves by hand.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func TestMemoryTTLWithClock(t *testing.T) {
	ctx := context.Background()
	c := &clock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	m := newMemory(c.Now, time.Hour)
	defer m.Close()
	m.Set(ctx, "r", "k", []byte("v"), time.Minute)
	tok, _ := m.Lock(ctx, "l", time.Minute)
	m.Once(ctx, "o", time.Minute)

	c.Add(time.Minute - time.Nanosecond)
	if _, err := m.Get(ctx, "r", "k"); err != nil {
		t.Fatalf("expired early: %v", err)
	}
	if _, err := m.Lock(ctx, "l", time.Minute); !errors.Is(err, ErrLocked) {
		t.Fatalf("lock expired early: %v", err)
	}
	c.Add(time.Nanosecond)
	if _, err := m.Get(ctx, "r", "k"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("not expired at its ttl: %v", err)
	}
	if ok, _ := m.Unlock(ctx, "l", tok); ok {
		t.Fatal("an expired lock was released")
	}
	if first, _ := m.Once(ctx, "o", time.Minute); !first {
		t.Fatal("expired idempotency key still counted")
	}
}

// The janitor frees expired entries that nobody reads again, and only those.
func TestMemorySweep(t *testing.T) {
	ctx := context.Background()
	c := &clock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	m := newMemory(c.Now, time.Hour)
	defer m.Close()
	m.Set(ctx, "gone", "a", []byte("v"), time.Second)
	m.Set(ctx, "kept", "a", []byte("v"), time.Second)
	m.Set(ctx, "kept", "b", []byte("v"), 0)
	m.Lock(ctx, "l", time.Second)
	m.Once(ctx, "o", time.Second)
	m.Once(ctx, "o2", 0)
	c.Add(2 * time.Second)
	m.sweep()
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.runs["gone"]; ok {
		t.Error("a run whose keys all expired is still held")
	}
	if k := m.runs["kept"]; len(k) != 1 || k["b"].value == nil {
		t.Errorf("kept run: %v", k)
	}
	if len(m.locks) != 0 || len(m.once) != 1 {
		t.Errorf("locks %d, once %d after sweep; want 0, 1", len(m.locks), len(m.once))
	}
}

// The ticker drives the sweep; Close returns only once the janitor has stopped.
func TestMemoryJanitorRunsAndStops(t *testing.T) {
	ctx := context.Background()
	c := &clock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	m := newMemory(c.Now, time.Millisecond)
	m.Set(ctx, "r", "k", []byte("v"), time.Second)
	c.Add(time.Hour)
	deadline := time.Now().Add(10 * time.Second)
	for {
		m.mu.Lock()
		n := len(m.runs)
		m.mu.Unlock()
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the janitor never swept")
		}
		time.Sleep(time.Millisecond)
	}
	m.Close()
	select {
	case <-m.done:
	default:
		t.Fatal("Close returned before the janitor stopped")
	}
	m.Close() // twice is fine
}

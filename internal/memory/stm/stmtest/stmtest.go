// Package stmtest is the conformance suite every short-term Store passes: the in-process
// store and Redis run the same cases, so a workflow behaves the same on either.
package stmtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/dataops-dev/dataops/internal/memory/stm"
)

// Run runs the suite. open returns a fresh store for one subtest (its Close is the suite's
// job); stores may share a server, since every case uses names of its own.
func Run(t *testing.T, open func(t *testing.T) stm.Store) {
	cases := []struct {
		name string
		fn   func(t *testing.T, s stm.Store, n names)
	}{
		{"SetGetDelete", setGetDelete},
		{"RunsAreSeparate", runsAreSeparate},
		{"BinaryValues", binaryValues},
		{"TTLExpires", ttlExpires},
		{"Clear", clear},
		{"Lock", lock},
		{"LockExpires", lockExpires},
		{"LockConcurrent", lockConcurrent},
		{"Once", once},
		{"OnceConcurrent", onceConcurrent},
		{"CancelledContext", cancelled},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			c.fn(t, s, newNames(t))
		})
	}
}

// names makes run, lock and key names no other case (or concurrent test process) uses.
type names string

func newNames(t *testing.T) names {
	var b [6]byte
	rand.Read(b[:])
	return names(t.Name() + "-" + hex.EncodeToString(b[:]))
}

func (n names) of(s string) string { return string(n) + "/" + s }

var ctx = context.Background()

func mustGet(t *testing.T, s stm.Store, run, key string, want []byte) {
	t.Helper()
	got, err := s.Get(ctx, run, key)
	if err != nil {
		t.Fatalf("Get(%q, %q): %v", run, key, err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("Get(%q, %q) = %q, want %q", run, key, got, want)
	}
}

func mustMiss(t *testing.T, s stm.Store, run, key string) {
	t.Helper()
	if got, err := s.Get(ctx, run, key); !errors.Is(err, stm.ErrNotFound) {
		t.Fatalf("Get(%q, %q) = %q, %v; want ErrNotFound", run, key, got, err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func setGetDelete(t *testing.T, s stm.Store, n names) {
	run := n.of("run")
	mustMiss(t, s, run, "plan")
	must(t, s.Set(ctx, run, "plan", []byte("v1"), 0))
	mustGet(t, s, run, "plan", []byte("v1"))
	must(t, s.Set(ctx, run, "plan", []byte("v2"), time.Minute))
	mustGet(t, s, run, "plan", []byte("v2"))
	must(t, s.Delete(ctx, run, "plan"))
	mustMiss(t, s, run, "plan")
	must(t, s.Delete(ctx, run, "never-set"))
	// The store keeps its own copy of a value.
	v := []byte("abc")
	must(t, s.Set(ctx, run, "copy", v, 0))
	v[0] = 'X'
	got, err := s.Get(ctx, run, "copy")
	must(t, err)
	got[1] = 'Y'
	mustGet(t, s, run, "copy", []byte("abc"))
	must(t, s.Clear(ctx, run))
}

// Names that would collide if run and key were joined naively must stay apart.
func runsAreSeparate(t *testing.T, s stm.Store, n names) {
	a, b := n.of("a:b"), n.of("a")
	must(t, s.Set(ctx, a, "c", []byte("1"), 0))
	must(t, s.Set(ctx, b, "b:c", []byte("2"), 0))
	must(t, s.Set(ctx, n.of("a%3Ab"), "c", []byte("3"), 0))
	mustGet(t, s, a, "c", []byte("1"))
	mustGet(t, s, b, "b:c", []byte("2"))
	mustGet(t, s, n.of("a%3Ab"), "c", []byte("3"))
	must(t, s.Clear(ctx, a))
	mustMiss(t, s, a, "c")
	mustGet(t, s, b, "b:c", []byte("2"))
	mustGet(t, s, n.of("a%3Ab"), "c", []byte("3"))
	must(t, s.Clear(ctx, b))
	must(t, s.Clear(ctx, n.of("a%3Ab")))
}

func binaryValues(t *testing.T, s stm.Store, n names) {
	run := n.of("run")
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	must(t, s.Set(ctx, run, "bytes", all, 0))
	mustGet(t, s, run, "bytes", all)
	must(t, s.Set(ctx, run, "empty", []byte{}, 0))
	mustGet(t, s, run, "empty", []byte{})
	big := bytes.Repeat([]byte("diff "), 200_000) // a large PR diff
	must(t, s.Set(ctx, run, "big", big, 0))
	mustGet(t, s, run, "big", big)
	must(t, s.Set(ctx, run, "ключ ✓", []byte("unicode key"), 0))
	mustGet(t, s, run, "ключ ✓", []byte("unicode key"))
	must(t, s.Clear(ctx, run))
}

// Expiry is checked after waiting well past the ttl: the stores promise that an expired key
// is gone, not when a live one disappears.
func ttlExpires(t *testing.T, s stm.Store, n names) {
	run := n.of("run")
	must(t, s.Set(ctx, run, "short", []byte("x"), 30*time.Millisecond))
	must(t, s.Set(ctx, run, "long", []byte("y"), time.Minute))
	must(t, s.Set(ctx, run, "forever", []byte("z"), 0))
	time.Sleep(150 * time.Millisecond)
	mustMiss(t, s, run, "short")
	mustGet(t, s, run, "long", []byte("y"))
	mustGet(t, s, run, "forever", []byte("z"))
	// Setting again after expiry works, and Clear still removes everything.
	must(t, s.Set(ctx, run, "short", []byte("again"), time.Minute))
	mustGet(t, s, run, "short", []byte("again"))
	must(t, s.Clear(ctx, run))
	for _, k := range []string{"short", "long", "forever"} {
		mustMiss(t, s, run, k)
	}
}

func clear(t *testing.T, s stm.Store, n names) {
	run, other := n.of("run"), n.of("other")
	for i := range 1200 { // more than one batch of a store that clears in batches
		must(t, s.Set(ctx, run, fmt.Sprint("k", i), []byte("v"), time.Duration(i%3)*time.Minute))
	}
	must(t, s.Set(ctx, other, "k0", []byte("kept"), 0))
	must(t, s.Clear(ctx, run))
	for _, i := range []int{0, 1, 2, 599, 1199} {
		mustMiss(t, s, run, fmt.Sprint("k", i))
	}
	mustGet(t, s, other, "k0", []byte("kept"))
	must(t, s.Clear(ctx, run)) // clearing twice, or an unknown run, is fine
	must(t, s.Clear(ctx, n.of("unknown")))
	// A cleared run can be used again.
	must(t, s.Set(ctx, run, "k0", []byte("new"), 0))
	mustGet(t, s, run, "k0", []byte("new"))
	must(t, s.Clear(ctx, run))
	must(t, s.Clear(ctx, other))
}

func lock(t *testing.T, s stm.Store, n names) {
	name := n.of("lock")
	tok, err := s.Lock(ctx, name, time.Minute)
	must(t, err)
	if tok == "" {
		t.Fatal("empty token")
	}
	if _, err := s.Lock(ctx, name, time.Minute); !errors.Is(err, stm.ErrLocked) {
		t.Fatalf("second Lock: %v, want ErrLocked", err)
	}
	if ok, err := s.Unlock(ctx, name, "not-the-token"); ok || err != nil {
		t.Fatalf("Unlock with a wrong token = %v, %v; want false", ok, err)
	}
	if _, err := s.Lock(ctx, name, time.Minute); !errors.Is(err, stm.ErrLocked) {
		t.Fatalf("a wrong token released the lock: %v", err)
	}
	if ok, err := s.Unlock(ctx, name, tok); !ok || err != nil {
		t.Fatalf("Unlock = %v, %v; want true", ok, err)
	}
	if ok, _ := s.Unlock(ctx, name, tok); ok {
		t.Fatal("Unlock twice reported true")
	}
	tok2, err := s.Lock(ctx, name, time.Minute)
	must(t, err)
	if tok2 == tok {
		t.Fatal("tokens repeat")
	}
	s.Unlock(ctx, name, tok2)
	if _, err := s.Lock(ctx, n.of("no-ttl"), 0); err == nil {
		t.Fatal("a lock without ttl was granted")
	}
}

// A holder whose lock expired must not release the lock its successor took.
func lockExpires(t *testing.T, s stm.Store, n names) {
	name := n.of("lock")
	old, err := s.Lock(ctx, name, 30*time.Millisecond)
	must(t, err)
	time.Sleep(150 * time.Millisecond)
	next, err := s.Lock(ctx, name, time.Minute)
	if err != nil {
		t.Fatalf("Lock after expiry: %v", err)
	}
	if ok, _ := s.Unlock(ctx, name, old); ok {
		t.Fatal("the expired holder released its successor's lock")
	}
	if _, err := s.Lock(ctx, name, time.Minute); !errors.Is(err, stm.ErrLocked) {
		t.Fatalf("successor's lock lost: %v", err)
	}
	if ok, _ := s.Unlock(ctx, name, next); !ok {
		t.Fatal("successor could not unlock")
	}
}

func lockConcurrent(t *testing.T, s stm.Store, n names) {
	name := n.of("lock")
	const workers = 16
	var mu sync.Mutex
	var wg sync.WaitGroup
	won := 0
	for range workers {
		wg.Go(func() {
			_, err := s.Lock(ctx, name, time.Minute)
			switch {
			case err == nil:
				mu.Lock()
				won++
				mu.Unlock()
			case !errors.Is(err, stm.ErrLocked):
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if won != 1 {
		t.Fatalf("%d of %d workers took the lock, want 1", won, workers)
	}
}

func once(t *testing.T, s stm.Store, n names) {
	key := n.of("delivery-123")
	for i, want := range []bool{true, false, false} {
		first, err := s.Once(ctx, key, time.Minute)
		must(t, err)
		if first != want {
			t.Fatalf("call %d: first = %v, want %v", i+1, first, want)
		}
	}
	short := n.of("short")
	if first, _ := s.Once(ctx, short, 30*time.Millisecond); !first {
		t.Fatal("first call not first")
	}
	time.Sleep(150 * time.Millisecond)
	if first, _ := s.Once(ctx, short, time.Minute); !first {
		t.Fatal("an expired idempotency key still counted")
	}
	forever := n.of("forever")
	if first, _ := s.Once(ctx, forever, 0); !first {
		t.Fatal("first call not first")
	}
	if first, _ := s.Once(ctx, forever, 0); first {
		t.Fatal("a key without ttl was forgotten")
	}
}

func onceConcurrent(t *testing.T, s stm.Store, n names) {
	key := n.of("event")
	var mu sync.Mutex
	var wg sync.WaitGroup
	firsts := 0
	for range 16 {
		wg.Go(func() {
			first, err := s.Once(ctx, key, time.Minute)
			if err != nil {
				t.Error(err)
			}
			if first {
				mu.Lock()
				firsts++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if firsts != 1 {
		t.Fatalf("%d callers were first, want 1", firsts)
	}
}

func cancelled(t *testing.T, s stm.Store, n names) {
	c, cancel := context.WithCancel(ctx)
	cancel()
	run := n.of("run")
	if err := s.Set(c, run, "k", []byte("v"), 0); !errors.Is(err, context.Canceled) {
		t.Fatalf("Set: %v, want context.Canceled", err)
	}
	if _, err := s.Get(c, run, "k"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Get: %v, want context.Canceled", err)
	}
	if _, err := s.Lock(c, n.of("lock"), time.Minute); !errors.Is(err, context.Canceled) {
		t.Fatalf("Lock: %v, want context.Canceled", err)
	}
	mustMiss(t, s, run, "k")
}

package stm

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"sync"
	"time"
)

// Memory is the in-process Store: the default when no Redis is configured, for a run that
// lives in one process. A janitor frees expired keys every sweep interval, so a long-lived
// process (the webhook service) does not keep every expired run in memory; Close stops it.
type Memory struct {
	mu    sync.Mutex
	now   func() time.Time
	runs  map[string]map[string]entry
	locks map[string]entry // value: the holder's token
	once  map[string]entry

	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

// entry is a value and when it expires (zero: never).
type entry struct {
	value   []byte
	expires time.Time
}

func (e entry) live(now time.Time) bool { return e.expires.IsZero() || now.Before(e.expires) }

// NewMemory returns an empty in-process store whose janitor sweeps once a minute.
func NewMemory() *Memory { return newMemory(time.Now, time.Minute) }

// newMemory takes the clock and the sweep interval as parameters so that tests can move time.
func newMemory(now func() time.Time, sweep time.Duration) *Memory {
	m := &Memory{
		now:   now,
		runs:  map[string]map[string]entry{},
		locks: map[string]entry{},
		once:  map[string]entry{},
		stop:  make(chan struct{}),
		done:  make(chan struct{}),
	}
	go m.janitor(sweep)
	return m
}

func (m *Memory) janitor(every time.Duration) {
	defer close(m.done)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-m.stop:
			return
		case <-t.C:
			m.sweep()
		}
	}
}

// sweep drops every expired key, lock and idempotency key, and runs left empty.
func (m *Memory) sweep() {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	for run, keys := range m.runs {
		for k, e := range keys {
			if !e.live(now) {
				delete(keys, k)
			}
		}
		if len(keys) == 0 {
			delete(m.runs, run)
		}
	}
	for _, table := range []map[string]entry{m.locks, m.once} {
		for k, e := range table {
			if !e.live(now) {
				delete(table, k)
			}
		}
	}
}

func (m *Memory) expiry(ttl time.Duration) time.Time {
	if ttl <= 0 {
		return time.Time{}
	}
	return m.now().Add(ttl)
}

func (m *Memory) Set(ctx context.Context, run, key string, value []byte, ttl time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	keys := m.runs[run]
	if keys == nil {
		keys = map[string]entry{}
		m.runs[run] = keys
	}
	keys[key] = entry{value: append([]byte{}, value...), expires: m.expiry(ttl)}
	return nil
}

func (m *Memory) Get(ctx context.Context, run, key string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.runs[run][key]
	if !ok || !e.live(m.now()) {
		return nil, ErrNotFound
	}
	return append([]byte{}, e.value...), nil
}

func (m *Memory) Delete(ctx context.Context, run, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if keys := m.runs[run]; keys != nil {
		delete(keys, key)
		if len(keys) == 0 {
			delete(m.runs, run)
		}
	}
	return nil
}

func (m *Memory) Lock(ctx context.Context, name string, ttl time.Duration) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if ttl <= 0 {
		return "", errLockTTL
	}
	token, err := newToken()
	if err != nil {
		return "", err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if e, ok := m.locks[name]; ok && e.live(m.now()) {
		return "", ErrLocked
	}
	m.locks[name] = entry{value: []byte(token), expires: m.expiry(ttl)}
	return token, nil
}

func (m *Memory) Unlock(ctx context.Context, name, token string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.locks[name]
	if !ok || !e.live(m.now()) || string(e.value) != token {
		return false, nil
	}
	delete(m.locks, name)
	return true, nil
}

func (m *Memory) Once(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if e, ok := m.once[key]; ok && e.live(m.now()) {
		return false, nil
	}
	m.once[key] = entry{expires: m.expiry(ttl)}
	return true, nil
}

func (m *Memory) Clear(ctx context.Context, run string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.runs, run)
	return nil
}

// Close stops the janitor and waits for it, so no goroutine outlives the store.
func (m *Memory) Close() error {
	m.closeOnce.Do(func() { close(m.stop) })
	<-m.done
	return nil
}

// errLockTTL: a lock without expiry would stay taken forever if its holder died.
var errLockTTL = errors.New("stm: a lock needs a positive ttl")

// newToken returns 128 random bits: a holder's proof of ownership that no other worker can guess.
func newToken() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(b[:]), nil
}

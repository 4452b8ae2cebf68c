// Package cache is a content-addressed store of the results of expensive per-file work
// (renders, property files, inferred columns), so a run costs what changed since the last one.
//
// A Key is the SHA-256 of everything a result depends on, so an entry is never updated in
// place: a changed input makes a new key and the old entry ages out. Entries live in a few
// segment files under the cache directory (default <project>/.dataops/cache): a run that wrote
// anything adds a segment or a few, each written as a temporary file and renamed into place
// once complete, so concurrent runs never see a torn one; segments are mapped into memory when
// the cache is held, so a warm run reads its entries with no system call per entry. Each entry carries its key and a MAC
// of key and payload under a secret of this user's (secret.go): a damaged or foreign entry is
// a miss and is written again. The directory is bounded (see segment.go).
//
// A nil *Cache is valid and caches nothing, so callers need no branch for "no cache".
package cache

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io/fs"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"unsafe"
)

// Version changes whenever the meaning of an entry changes; it is part of every key.
const Version = "2"

// DefaultLimit bounds the cache directory when no limit is given. A bound, not a reservation:
// a 3,000-model project's cache holds some 100 MB; a 50,000-model project's snapshot alone
// is 150 MB, and no entry may take more than a quarter of the bound (snapshot.go).
const DefaultLimit int64 = 2048 << 20

// Key names one entry.
type Key [32]byte

func (k Key) String() string { return hex.EncodeToString(k[:]) }

// Hasher builds a Key from the parts a result depends on. Parts are length-prefixed, so
// ("ab","c") and ("a","bc") differ. The key is the SHA-256 of the parts written one after the
// other: short parts gather in b, and a long one (a model's SQL, 150 KB in generated
// projects) goes to the digest as it is, not copied into a buffer grown to hold it. A warm
// run computes the keys of every model it reads from the cache, so the copies were most of
// what a key cost.
type Hasher struct {
	b []byte
	d hash.Hash // nil until a part is long enough to go to it directly
}

// hashDirect is the length from which a part is written to the digest rather than gathered.
const hashDirect = 1 << 10

// NewHasher starts a key in a namespace (the kind of result: "render", "columns", ...).
func NewHasher(namespace string) *Hasher {
	h := &Hasher{b: make([]byte, 0, 512)}
	h.String("dataops-cache/" + Version + "/" + namespace)
	return h
}

// flush moves what b gathered into the digest.
func (h *Hasher) flush() {
	if h.d == nil {
		h.d = sha256.New()
	}
	h.d.Write(h.b)
	h.b = h.b[:0]
}

// String adds one part.
func (h *Hasher) String(s string) *Hasher {
	h.b = binary.AppendUvarint(h.b, uint64(len(s)))
	if len(s) < hashDirect {
		h.b = append(h.b, s...)
		return h
	}
	h.flush()
	// The digest reads the bytes and keeps none of them.
	h.d.Write(unsafe.Slice(unsafe.StringData(s), len(s)))
	return h
}

// Bytes adds one part.
func (h *Hasher) Bytes(b []byte) *Hasher {
	h.b = binary.AppendUvarint(h.b, uint64(len(b)))
	if len(b) < hashDirect {
		h.b = append(h.b, b...)
		return h
	}
	h.flush()
	h.d.Write(b)
	return h
}

// Int adds one part.
func (h *Hasher) Int(n int) *Hasher {
	h.b = append(h.b, 'i')
	h.b = binary.AppendVarint(h.b, int64(n))
	return h
}

// Value adds a Go value: maps in key order, every scalar with its type, so equal values give
// equal parts and 1 differs from 1.0.
func (h *Hasher) Value(v any) *Hasher {
	h.b = appendValue(h.b, v)
	if len(h.b) >= hashDirect {
		h.flush()
	}
	return h
}

// appendValue writes v with a tag byte per type (a nil list or map apart from an empty one) and
// every length up front, so two different values never write the same bytes. The common types of configs and vars are written directly:
// formatting them with fmt cost more than the rest of a render key.
func appendValue(b []byte, v any) []byte {
	str := func(b []byte, s string) []byte {
		return append(binary.AppendUvarint(b, uint64(len(s))), s...)
	}
	switch x := v.(type) {
	case nil:
		return append(b, 'n')
	case string:
		return str(append(b, 's'), x)
	case bool:
		if x {
			return append(b, 't')
		}
		return append(b, 'f')
	case int:
		return binary.AppendVarint(append(b, 'i'), int64(x))
	case int64:
		return binary.AppendVarint(append(b, 'I'), x)
	case float64:
		return binary.BigEndian.AppendUint64(append(b, 'F'), math.Float64bits(x))
	case []string:
		if x == nil {
			return append(b, 'b')
		}
		b = binary.AppendUvarint(append(b, 'S'), uint64(len(x)))
		for _, e := range x {
			b = str(b, e)
		}
		return b
	case []any:
		if x == nil {
			return append(b, 'a')
		}
		b = binary.AppendUvarint(append(b, 'L'), uint64(len(x)))
		for _, e := range x {
			b = appendValue(b, e)
		}
		return b
	case map[string]any:
		if x == nil {
			return append(b, 'c')
		}
		b = binary.AppendUvarint(append(b, 'M'), uint64(len(x)))
		for _, k := range slices.Sorted(maps.Keys(x)) {
			b = appendValue(str(b, k), x[k])
		}
		return b
	case map[string]string:
		if x == nil {
			return append(b, 'e')
		}
		b = binary.AppendUvarint(append(b, 'D'), uint64(len(x)))
		for _, k := range slices.Sorted(maps.Keys(x)) {
			b = str(str(b, k), x[k])
		}
		return b
	}
	// Anything else: its type and Go syntax (%#v sorts the keys of a map and quotes strings).
	return str(append(b, 'g'), fmt.Sprintf("%T(%#v)", v, v))
}

// Sum is the key.
func (h *Hasher) Sum() Key {
	if h.d == nil {
		return sha256.Sum256(h.b)
	}
	h.flush()
	var k Key
	h.d.Sum(k[:0])
	return k
}

// Sum256 is the hash of one byte string, as a short hex digest to store beside a result.
func Sum256(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:16])
}

// Stats counts what a run did with the cache.
type Stats struct {
	Hits, Misses, Writes, Corrupt int64
}

// Cache is one cache directory.
type Cache struct {
	dir   string
	limit int64

	// Allow, when set, says whether a payload may be stored: Put drops the others. The
	// commands refuse any payload holding a secret value of the run, whatever stage made it.
	Allow func(payload []byte) bool

	mu    sync.Mutex
	users int
	// view is the segments mapped by the first Hold, and their index; nil when not held.
	// It does not change while held, so Get reads it without a lock.
	view atomic.Pointer[view]

	// pending holds what this process stored since the cache was held: the two sides of a
	// comparison see each other's results at once, and the last Release writes them out.
	pending sync.Map // Key → []byte, or *spilled for a payload written to a file (spill.go)

	hits, misses, writes, corrupt atomic.Int64
}

// New prepares the cache directory dir (created if needed) without holding it open: every
// user holds it (Hold) while it works, and the last to let go writes what was stored, bounds
// the directory and unmaps it, so a long-lived process keeps nothing open between loads.
// limit bounds its size in bytes; 0 means DefaultLimit.
func New(dir string, limit int64) (*Cache, error) {
	if limit <= 0 {
		limit = DefaultLimit
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	// A cache directory that is committed by mistake should not show up as changes.
	if _, err := os.Lstat(filepath.Join(dir, ".gitignore")); errors.Is(err, fs.ErrNotExist) {
		_ = os.WriteFile(filepath.Join(dir, ".gitignore"), []byte("*\n"), 0o644)
	}
	return &Cache{dir: dir, limit: limit}, nil
}

// Open is New and Hold: the cache is usable until Close.
func Open(dir string, limit int64) (*Cache, error) {
	c, err := New(dir, limit)
	if err != nil {
		return nil, err
	}
	if err := c.Hold(); err != nil {
		return nil, err
	}
	return c, nil
}

// Hold makes the cache usable for one more user; Release lets go. The first user maps the
// segments.
func (c *Cache) Hold() error {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.users == 0 {
		v, err := openView(c.dir)
		if err != nil {
			return err
		}
		c.view.Store(v)
	}
	c.users++
	return nil
}

// Release lets go of a Hold. The last user puts what was stored in place as new segments (the
// files it was written to, renamed: see commit in segment.go), bounds the directory when it
// wrote, and unmaps the segments: a payload Get returned is valid until then.
func (c *Cache) Release() error {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.users == 0 {
		return nil
	}
	c.users--
	if c.users > 0 {
		return nil
	}
	v := c.view.Swap(nil)
	defer v.close()
	defer v.pend.remove()
	var pending []record
	c.pending.Range(func(k, p any) bool {
		r := record{key: k.(Key)}
		if sp, ok := p.(*spilled); ok {
			r.spill = sp
		} else {
			r.payload = p.([]byte)
		}
		pending = append(pending, r)
		c.pending.Delete(k)
		return true
	})
	v.touch()
	if len(pending) == 0 {
		return nil
	}
	if err := v.commit(pending); err != nil {
		return err
	}
	return v.bound(c.limit, pending)
}

// Close is Release.
func (c *Cache) Close() error { return c.Release() }

// Limit is the bound on the directory's size, in bytes.
func (c *Cache) Limit() int64 {
	if c == nil {
		return 0
	}
	return c.limit
}

// Dir is the cache directory.
func (c *Cache) Dir() string {
	if c == nil {
		return ""
	}
	return c.dir
}

// Stats reports the hits and misses so far.
func (c *Cache) Stats() Stats {
	if c == nil {
		return Stats{}
	}
	return Stats{Hits: c.hits.Load(), Misses: c.misses.Load(), Writes: c.writes.Load(), Corrupt: c.corrupt.Load()}
}

// Get returns the payload stored under k. The payload may be memory the cache maps: the caller
// must not change it, and must copy what it keeps past the Release of its Hold.
func (c *Cache) Get(k Key) ([]byte, bool) {
	if c == nil {
		return nil, false
	}
	if p, ok := c.pending.Load(k); ok {
		data, ok := pendingPayload(p)
		if !ok {
			c.misses.Add(1)
			return nil, false
		}
		c.hits.Add(1)
		return data, true
	}
	v := c.view.Load()
	if v == nil {
		c.misses.Add(1)
		return nil, false
	}
	payload, found, ok := v.get(k)
	switch {
	case !found:
		c.misses.Add(1)
		return nil, false
	case !ok:
		c.corrupt.Add(1)
		c.misses.Add(1)
		return nil, false
	}
	c.hits.Add(1)
	return payload, true
}

// Peek is Get without counting a hit or a miss: for an entry that stands for many (a loaded
// project's snapshot), whose outcome the caller reports itself.
func (c *Cache) Peek(k Key) ([]byte, bool) {
	payload, _, _, ok := c.lookup(k)
	return payload, ok
}

// lookup finds k among the entries this run stored and in the view, counting a damaged entry;
// v and seg say where a stored entry was read (nil for one of this run).
func (c *Cache) lookup(k Key) (payload []byte, v *view, seg *segment, ok bool) {
	if c == nil {
		return nil, nil, nil, false
	}
	if p, ok := c.pending.Load(k); ok {
		data, ok := pendingPayload(p)
		return data, nil, nil, ok
	}
	if v = c.view.Load(); v == nil {
		return nil, nil, nil, false
	}
	payload, seg, found, ok := v.getIn(k)
	if found && !ok {
		c.corrupt.Add(1)
	}
	return payload, v, seg, found && ok
}

// StoredSize is the size of the payload stored under k in the cache's files, found without
// reading or authenticating it: for a caller that readies itself for a large entry (Keep)
// while the entry is checked. false when there is none, or k was stored by this run; the
// entry may still prove damaged.
func (c *Cache) StoredSize(k Key) (int64, bool) {
	if c == nil {
		return 0, false
	}
	if _, ok := c.pending.Load(k); ok {
		return 0, false
	}
	v := c.view.Load()
	if v == nil {
		return 0, false
	}
	l, found := v.index[k]
	if !found {
		return 0, false
	}
	_, _, payload := l.parts()
	return int64(len(payload)), true
}

// Keep is Peek for a payload the caller keeps, unchanged, past the Release of its Hold (it may
// hold views of it): the payload is left in the cache's mapping, which then stays for the rest
// of the process (see pins in segment.go), or copied when the mappings kept so would pass the
// cache's limit.
func (c *Cache) Keep(k Key) ([]byte, bool) {
	payload, v, seg, ok := c.lookup(k)
	if !ok || v == nil {
		return payload, ok
	}
	if !v.pin(seg, c.limit) {
		payload = bytes.Clone(payload)
	}
	return payload, true
}

// Put stores payload under k. A failure to write is not an error of the run: the result is
// simply not cached. Put does nothing unless the cache is held.
func (c *Cache) Put(k Key, payload []byte) {
	if c == nil {
		return
	}
	v := c.view.Load()
	if v == nil {
		return
	}
	if c.Allow != nil && !c.Allow(payload) {
		return
	}
	if was, ok := c.pending.Load(k); ok {
		if b, isBytes := was.([]byte); isBytes && bytes.Equal(b, payload) {
			return
		}
		if sp, ok := was.(*spilled); ok && sp.size == int64(len(payload)) {
			if b, ok := sp.load(); ok && bytes.Equal(b, payload) {
				return
			}
		}
	}
	if was, _, ok := v.get(k); ok && bytes.Equal(was, payload) {
		return // another run stored the same meanwhile
	}
	var p any = slices.Clip(payload)
	if sp := v.pend.add(k, payload); sp != nil {
		p = sp
	}
	if was, loaded := c.pending.Swap(k, p); loaded {
		if sp, ok := was.(*spilled); ok {
			sp.remove()
		}
	}
	c.writes.Add(1)
}

// pendingPayload is the payload of a pending entry: a spilled one is read back.
func pendingPayload(p any) ([]byte, bool) {
	if sp, ok := p.(*spilled); ok {
		return sp.load()
	}
	return p.([]byte), true
}

// Reject says an entry Get returned turned out stale (what it depends on changed): it counts
// as a miss.
func (c *Cache) Reject() {
	if c == nil {
		return
	}
	c.hits.Add(-1)
	c.misses.Add(1)
}

var toolVersion = sync.OnceValue(func() string {
	// The running binary's identity: any rebuild (a new release or a local change) changes
	// its size or time, and with them every key. Hashing its content would cost more than a
	// warm run.
	exe, err := os.Executable()
	if err != nil {
		return "unknown"
	}
	st, err := os.Stat(exe)
	if err != nil {
		return "unknown"
	}
	return fmt.Sprintf("%s|%d|%d", exe, st.Size(), st.ModTime().UnixNano())
})

// ToolVersion identifies the build of the running tool, for keys.
func ToolVersion() string { return toolVersion() }

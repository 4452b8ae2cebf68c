// Package cache is a content-addressed store of the results of expensive per-file work
// (renders, parses, inferred columns), so a run costs what changed since the last one.
//
// A Key is the SHA-256 of everything a result depends on, so an entry is never updated in
// place: a changed input makes a new key and the old entry ages out. Entries are files under
// the cache directory (default <project>/.dataops/cache), written through one os.Root as a
// temporary file and a rename, so concurrent runs never see a torn entry. Each entry carries
// its key and a checksum of its payload: a damaged entry is a miss and is rewritten. The
// directory is bounded: when a run has written and the total passes the limit, the entries
// used least recently are removed (a hit refreshes an entry's time at most once an hour).
//
// A nil *Cache is valid and caches nothing, so callers need no branch for "no cache".
package cache

import (
	"bytes"
	"crypto/hmac"
	crand "crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Version changes whenever the meaning of an entry changes; it is part of every key.
const Version = "1"

// DefaultLimit bounds the cache directory when no limit is given.
const DefaultLimit int64 = 512 << 20

// Key names one entry.
type Key [32]byte

func (k Key) String() string { return hex.EncodeToString(k[:]) }

// Hasher builds a Key from the parts a result depends on. Parts are length-prefixed, so
// ("ab","c") and ("a","bc") differ.
type Hasher struct{ h hash.Hash }

// NewHasher starts a key in a namespace (the kind of result: "render", "columns", ...).
func NewHasher(namespace string) *Hasher {
	h := &Hasher{h: sha256.New()}
	h.String("dataops-cache/" + Version + "/" + namespace)
	return h
}

// String adds one part.
func (h *Hasher) String(s string) *Hasher {
	fmt.Fprintf(h.h, "%d:", len(s))
	h.h.Write([]byte(s))
	return h
}

// Bytes adds one part.
func (h *Hasher) Bytes(b []byte) *Hasher {
	fmt.Fprintf(h.h, "%d:", len(b))
	h.h.Write(b)
	return h
}

// Value adds a Go value: maps in key order, every scalar with its type, so equal values give
// equal parts and 1 differs from 1.0.
func (h *Hasher) Value(v any) *Hasher {
	var b bytes.Buffer
	writeValue(&b, v)
	return h.Bytes(b.Bytes())
}

func writeValue(b *bytes.Buffer, v any) {
	switch x := v.(type) {
	case map[string]any:
		b.WriteString("{")
		for _, k := range slices.Sorted(maps.Keys(x)) {
			fmt.Fprintf(b, "%q:", k)
			writeValue(b, x[k])
			b.WriteString(",")
		}
		b.WriteString("}")
	case []any:
		b.WriteString("[")
		for _, e := range x {
			writeValue(b, e)
			b.WriteString(",")
		}
		b.WriteString("]")
	default:
		// %#v sorts the keys of any other map type and quotes strings.
		fmt.Fprintf(b, "%T(%#v)", v, v)
	}
}

// Sum is the key.
func (h *Hasher) Sum() Key {
	var k Key
	copy(k[:], h.h.Sum(nil))
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

// Cache is one open cache directory.
type Cache struct {
	dir   string
	root  *os.Root
	limit int64

	// mem holds what this process read or wrote, so the two sides of a comparison share one
	// decode and a result computed by one load is seen by the other at once.
	mem sync.Map // Key → []byte

	// subs holds the fan-out directories opened so far (two hex digits → *os.Root): an
	// operation on a name inside one costs fewer system calls than a path through the root.
	subs sync.Map

	hits, misses, writes, corrupt atomic.Int64
	written                       atomic.Int64

	mu    sync.Mutex
	users int
}

// New prepares the cache directory dir (created if needed) without holding it open: every
// user holds it (Hold) while it works, and the last to let go bounds it and closes it, so a
// long-lived process keeps no descriptors between loads. limit bounds its size in bytes; 0
// means DefaultLimit.
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

// Hold opens the directory for one more user; Release lets go.
func (c *Cache) Hold() error {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.users == 0 {
		r, err := os.OpenRoot(c.dir)
		if err != nil {
			return err
		}
		c.root = r
	}
	c.users++
	return nil
}

// Release lets go of a Hold; the last user bounds the directory (when anything was written)
// and closes it.
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
	var err error
	if c.written.Swap(0) > 0 {
		_, err = prune(c.dir, c.limit)
	}
	c.subs.Range(func(k, r any) bool {
		r.(*os.Root).Close()
		c.subs.Delete(k)
		return true
	})
	if cerr := c.root.Close(); err == nil {
		err = cerr
	}
	c.root = nil
	return err
}

// Close is Release.
func (c *Cache) Close() error { return c.Release() }

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

func entryName(k Key) string {
	s := k.String()
	return filepath.Join(s[:2], s[2:])
}

// sub opens (creating it when create is set) the fan-out directory of k, and returns it with
// the entry's name inside it.
func (c *Cache) sub(k Key, create bool) (*os.Root, string, error) {
	if c.root == nil {
		return nil, "", fs.ErrClosed
	}
	s := k.String()
	if r, ok := c.subs.Load(s[:2]); ok {
		return r.(*os.Root), s[2:], nil
	}
	if create {
		if err := c.root.Mkdir(s[:2], 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
			return nil, "", err
		}
	}
	r, err := c.root.OpenRoot(s[:2])
	if err != nil {
		return nil, "", err
	}
	if prev, loaded := c.subs.LoadOrStore(s[:2], r); loaded {
		r.Close()
		r = prev.(*os.Root)
	}
	return r, s[2:], nil
}

// magic starts every entry file; the key and the payload's checksum follow.
var magic = []byte("dataops-cache2\n")

const headerLen = 15 + 32 + 32

// Get returns the payload stored under k.
func (c *Cache) Get(k Key) ([]byte, bool) {
	if c == nil {
		return nil, false
	}
	if v, ok := c.mem.Load(k); ok {
		c.hits.Add(1)
		return v.([]byte), true
	}
	dir, name, err := c.sub(k, false)
	if err != nil {
		c.misses.Add(1)
		return nil, false
	}
	data, mod, err := read(dir, name)
	if err != nil {
		c.misses.Add(1)
		return nil, false
	}
	payload, ok := decode(k, data)
	if !ok {
		c.corrupt.Add(1)
		c.misses.Add(1)
		return nil, false
	}
	c.hits.Add(1)
	c.mem.Store(k, payload)
	// A hit marks the entry used, for the LRU bound; at most once an hour per entry, so
	// warm runs do not rewrite the metadata of every file.
	if now := time.Now(); now.Sub(mod) > time.Hour {
		_ = dir.Chtimes(name, now, now)
	}
	return payload, true
}

// read reads one entry and its modification time through one open.
func read(dir *os.Root, name string) ([]byte, time.Time, error) {
	f, err := dir.Open(name)
	if err != nil {
		return nil, time.Time{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, time.Time{}, err
	}
	data := make([]byte, st.Size())
	if _, err := io.ReadFull(f, data); err != nil {
		return nil, time.Time{}, err
	}
	return data, st.ModTime(), nil
}

func decode(k Key, data []byte) ([]byte, bool) {
	if len(data) < headerLen || !bytes.Equal(data[:len(magic)], magic) {
		return nil, false
	}
	h := data[len(magic):]
	if !bytes.Equal(h[:32], k[:]) {
		return nil, false
	}
	payload := data[headerLen:]
	sum, ok := seal(k, payload)
	if !ok || !hmac.Equal(h[32:64], sum) {
		return nil, false
	}
	return payload, true
}

// seal authenticates payload under k with the machine's secret; false when there is none.
func seal(k Key, payload []byte) ([]byte, bool) {
	secret, err := machineSecret()
	if err != nil {
		return nil, false
	}
	m := hmac.New(sha256.New, secret)
	m.Write(k[:])
	m.Write(payload)
	return m.Sum(nil), true
}

// SecretFile is where the secret that authenticates entries is kept: in this user's cache
// folder, never in a project, so nothing a pull request adds can forge an entry. A variable so
// tests can point it elsewhere.
var SecretFile = defaultSecretFile

func defaultSecretFile() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "dataops", "cache.key"), nil
}

var (
	secretMu  sync.Mutex
	secretFor string
	secretVal []byte
)

// machineSecret reads the secret, making it on first use (32 random bytes, readable by this
// user only). Two processes making it at once agree on whichever file the last rename left:
// each reads the file back after writing.
func machineSecret() ([]byte, error) {
	file, err := SecretFile()
	if err != nil {
		return nil, err
	}
	secretMu.Lock()
	defer secretMu.Unlock()
	if secretFor == file && secretVal != nil {
		return secretVal, nil
	}
	if b, err := os.ReadFile(file); err == nil && len(b) == 32 {
		secretFor, secretVal = file, b
		return b, nil
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return nil, err
	}
	b := make([]byte, 32)
	if _, err := crand.Read(b); err != nil {
		return nil, err
	}
	tmp := fmt.Sprintf("%s.tmp-%08x", file, rand.Uint32())
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return nil, err
	}
	if _, err := os.Stat(file); err == nil {
		os.Remove(tmp) // another process made it meanwhile
	} else if err := os.Rename(tmp, file); err != nil {
		os.Remove(tmp)
		return nil, err
	}
	got, err := os.ReadFile(file)
	if err != nil || len(got) != 32 {
		return nil, fmt.Errorf("cache secret %s: unreadable", file)
	}
	secretFor, secretVal = file, got
	return got, nil
}

// Put stores payload under k. A failure to write is not an error of the run: the result is
// simply not cached.
func (c *Cache) Put(k Key, payload []byte) {
	if c == nil {
		return
	}
	payload = slices.Clip(payload)
	if was, ok := c.mem.Load(k); ok && bytes.Equal(was.([]byte), payload) {
		return
	}
	c.mem.Store(k, payload)
	dir, name, err := c.sub(k, true)
	if err != nil {
		return
	}
	sum, ok := seal(k, payload)
	if !ok {
		return // no secret: nothing can be stored that a later run could trust
	}
	buf := make([]byte, 0, headerLen+len(payload))
	buf = append(append(append(append(buf, magic...), k[:]...), sum[:]...), payload...)
	tmp := fmt.Sprintf("%s.tmp-%08x", name, rand.Uint32())
	f, err := dir.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return
	}
	_, err = f.Write(buf)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = dir.Rename(tmp, name)
	}
	if err != nil {
		_ = dir.Remove(tmp)
		return
	}
	c.writes.Add(1)
	c.written.Add(int64(len(buf)))
}

type entryInfo struct {
	path string
	size int64
	mod  time.Time
}

// walk lists the entries (and left-over temporary files) of dir.
func walk(dir string) ([]entryInfo, error) {
	var out []entryInfo
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if d.IsDir() || d.Name() == ".gitignore" {
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return nil // removed meanwhile by another run
		}
		out = append(out, entryInfo{p, info.Size(), info.ModTime()})
		return nil
	})
	return out, err
}

// prune removes the least recently used entries until dir holds at most 90% of limit, and
// temporary files a killed run left more than an hour ago. It returns the bytes left.
func prune(dir string, limit int64) (int64, error) {
	entries, err := walk(dir)
	if err != nil {
		return 0, err
	}
	var total int64
	live := entries[:0]
	for _, e := range entries {
		if isTemp(e.path) {
			if time.Since(e.mod) > time.Hour {
				_ = os.Remove(e.path)
			}
			continue
		}
		if !entryNamed(dir, e.path) {
			continue // not ours: never removed
		}
		total += e.size
		live = append(live, e)
	}
	if total <= limit {
		return total, nil
	}
	slices.SortFunc(live, func(a, b entryInfo) int { return a.mod.Compare(b.mod) })
	goal := limit / 10 * 9
	for _, e := range live {
		if total <= goal {
			break
		}
		if rerr := os.Remove(e.path); rerr == nil || errors.Is(rerr, fs.ErrNotExist) {
			total -= e.size
		}
	}
	return total, nil
}

func isTemp(p string) bool {
	base := filepath.Base(p)
	i := len(base) - len(".tmp-00000000")
	return i > 0 && base[i:i+5] == ".tmp-"
}

// Usage is what a cache directory holds.
type Usage struct {
	Entries int
	Bytes   int64
}

// Status reports the entries and bytes under dir (a missing directory holds nothing).
func Status(dir string) (Usage, error) {
	entries, err := walk(dir)
	if err != nil {
		return Usage{}, err
	}
	var u Usage
	for _, e := range entries {
		if entryNamed(dir, e.path) {
			u.Entries++
			u.Bytes += e.size
		}
	}
	return u, nil
}

// Clean removes every entry under dir, and dir itself when nothing else is left in it. Only
// what looks like a cache entry is removed, so a mistaken --cache-dir does not empty an
// unrelated directory.
func Clean(dir string) (Usage, error) {
	entries, err := walk(dir)
	if err != nil {
		return Usage{}, err
	}
	var u Usage
	for _, e := range entries {
		if !isTemp(e.path) && !isEntry(dir, e.path) {
			continue
		}
		if err := os.Remove(e.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return u, err
		}
		u.Entries++
		u.Bytes += e.size
	}
	// Empty fan-out directories, then the .gitignore and the directory when nothing else is left.
	subs, _ := os.ReadDir(dir)
	for _, s := range subs {
		if s.IsDir() && len(s.Name()) == 2 {
			_ = os.Remove(filepath.Join(dir, s.Name()))
		}
	}
	if rest, _ := os.ReadDir(dir); len(rest) == 1 && rest[0].Name() == ".gitignore" {
		_ = os.Remove(filepath.Join(dir, ".gitignore"))
		_ = os.Remove(dir)
	}
	return u, nil
}

// entryNamed reports whether p is named like an entry: two hex digits, then 62.
func entryNamed(dir, p string) bool {
	rel, err := filepath.Rel(dir, p)
	if err != nil {
		return false
	}
	d, f := filepath.Split(rel)
	if len(d) != 3 || len(f) != 62 {
		return false
	}
	_, err = hex.DecodeString(d[:2] + f)
	return err == nil
}

// isEntry reports whether p is named like an entry and starts with the entry header.
func isEntry(dir, p string) bool {
	if !entryNamed(dir, p) {
		return false
	}
	fh, err := os.Open(p)
	if err != nil {
		return false
	}
	defer fh.Close()
	head := make([]byte, len(magic))
	n, _ := fh.Read(head)
	return n == len(magic) && bytes.Equal(head, magic)
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

// Reject says an entry Get returned turned out stale (what it depends on changed): it counts
// as a miss.
func (c *Cache) Reject() {
	if c == nil {
		return
	}
	c.hits.Add(-1)
	c.misses.Add(1)
}

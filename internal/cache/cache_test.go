package cache

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func key(s string) Key { return NewHasher("test").String(s).Sum() }

func TestRoundTripAcrossOpens(t *testing.T) {
	dir := t.TempDir()
	c, err := Open(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	c.Put(key("a"), []byte("alpha"))
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	c2, _ := Open(dir, 0)
	defer c2.Close()
	got, ok := c2.Get(key("a"))
	if !ok || string(got) != "alpha" {
		t.Fatalf("got %q %v", got, ok)
	}
	if _, ok := c2.Get(key("b")); ok {
		t.Fatal("hit on a key never written")
	}
	if s := c2.Stats(); s.Hits != 1 || s.Misses != 1 {
		t.Fatalf("stats %+v", s)
	}
}

// StoredSize is the size of what a later Get returns, for an entry in the cache's files only.
func TestStoredSize(t *testing.T) {
	dir := t.TempDir()
	c, err := Open(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	c.Put(key("a"), []byte("alpha"))
	if _, ok := c.StoredSize(key("a")); ok {
		t.Error("a size for an entry this run has not written out")
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	c2, _ := Open(dir, 0)
	defer c2.Close()
	if n, ok := c2.StoredSize(key("a")); !ok || n != int64(len("alpha")) {
		t.Errorf("StoredSize = %d, %v", n, ok)
	}
	if _, ok := c2.StoredSize(key("b")); ok {
		t.Error("a size for a key never written")
	}
	var none *Cache
	if _, ok := none.StoredSize(key("a")); ok {
		t.Error("a size without a cache")
	}
}

// A key is the SHA-256 of its parts written one after the other, long or short: a long part
// goes to the digest directly, and the key must be the one the gathered bytes give, so that
// entries stored before stay found.
func TestKeyOfLongParts(t *testing.T) {
	long := strings.Repeat("select 1 as x\n", 500)
	big := map[string]any{"v": strings.Repeat("y", 3000), "w": []any{1, "z"}}
	gather := func(parts ...any) Key {
		var b []byte
		b = binary.AppendUvarint(b, uint64(len("dataops-cache/"+Version+"/n")))
		b = append(b, "dataops-cache/"+Version+"/n"...)
		for _, p := range parts {
			switch x := p.(type) {
			case string:
				b = binary.AppendUvarint(b, uint64(len(x)))
				b = append(b, x...)
			case []byte:
				b = binary.AppendUvarint(b, uint64(len(x)))
				b = append(b, x...)
			case int:
				b = binary.AppendVarint(append(b, 'i'), int64(x))
			default:
				b = appendValue(b, x)
			}
		}
		return sha256.Sum256(b)
	}
	cases := []struct {
		got  Key
		want Key
	}{
		{NewHasher("n").String("a").Sum(), gather("a")},
		{NewHasher("n").String(long).Sum(), gather(long)},
		{NewHasher("n").String("a").String(long).Int(7).String("b").Sum(), gather("a", long, 7, "b")},
		{NewHasher("n").Bytes([]byte(long)).String(long[:1023]).String(long[:1024]).Sum(), gather([]byte(long), long[:1023], long[:1024])},
		{NewHasher("n").Value(big).String("c").Value(1).Sum(), gather(big, "c", 1)},
	}
	for i, c := range cases {
		if c.got != c.want {
			t.Errorf("case %d: the key is not the SHA-256 of its parts", i)
		}
	}
}

func TestKeyPartsAreDelimited(t *testing.T) {
	a := NewHasher("n").String("ab").String("c").Sum()
	b := NewHasher("n").String("a").String("bc").Sum()
	if a == b {
		t.Fatal("parts run together")
	}
	// Values that differ in type or shape never hash alike.
	values := []any{nil, "", "1", 1, int64(1), 1.0, true, false, []any{}, []any(nil), []string{}, []string(nil), map[string]any{}, map[string]any(nil), []any{"a", "b"}, []any{"ab"},
		[]string{"a", "b"}, []string{"ab"}, map[string]any{"x": 1}, map[string]any{"x": 1.0}, map[string]any{"x": "1"},
		map[string]any{"x": []any{"y"}}, map[string]any{"xy": nil}, map[string]string{"x": "1"}, [2]int{1, 2}, struct{ A string }{"1"}}
	seen := map[Key]int{}
	for i, v := range values {
		k := NewHasher("n").Value(v).Sum()
		if j, dup := seen[k]; dup {
			t.Errorf("%#v and %#v hash alike", values[j], v)
		}
		seen[k] = i
	}
	// Maps hash in key order.
	m1, m2 := map[string]any{}, map[string]any{}
	for i := 0; i < 50; i++ {
		m1[fmt.Sprint(i)] = i
		m2[fmt.Sprint(49-i)] = 49 - i
	}
	if NewHasher("n").Value(m1).Sum() != NewHasher("n").Value(m2).Sum() {
		t.Fatal("equal maps hash differently")
	}
}

// segments lists the segment files of dir, oldest first.
func segments(t *testing.T, dir string) []string {
	t.Helper()
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	names, _ := listDir(root)
	out := make([]string, len(names.segs))
	for i, n := range names.segs {
		out[i] = filepath.Join(dir, n)
	}
	return out
}

// An entry moved under another key, with its MAC and payload, is not that key's entry.
func TestMovedEntryIsNotBelieved(t *testing.T) {
	dir := t.TempDir()
	c, _ := Open(dir, 0)
	c.Put(key("a"), []byte("payload"))
	c.Close()
	segs := segments(t, dir)
	data, err := os.ReadFile(segs[0])
	if err != nil {
		t.Fatal(err)
	}
	b := key("b")
	copy(data[segHeader:], b[:])
	if err := os.WriteFile(segs[0], data, 0o644); err != nil {
		t.Fatal(err)
	}
	c2, _ := Open(dir, 0)
	defer c2.Close()
	if got, ok := c2.Get(key("b")); ok {
		t.Fatalf("the entry of another key was returned: %q", got)
	}
	if s := c2.Stats(); s.Corrupt != 1 {
		t.Fatalf("stats %+v, want the moved entry counted as damaged", s)
	}
}

// A damaged entry (flipped byte, cut short, someone else's key) is a miss, and the next Put
// writes it again.
func TestCorruptEntriesAreIgnoredAndRewritten(t *testing.T) {
	payloadAt := segHeader + recHeader
	for name, tc := range map[string]struct {
		damage  func([]byte) []byte
		corrupt int64 // found but not authentic (a record cut short is not found at all)
	}{
		"flipped":   {func(b []byte) []byte { b[len(b)-1] ^= 1; return b }, 1},
		"mac":       {func(b []byte) []byte { b[segHeader+40] ^= 1; return b }, 1},
		"tag":       {func(b []byte) []byte { b[segHeader+32+macSize-1] ^= 1; return b }, 1},
		"truncated": {func(b []byte) []byte { return b[:len(b)-2] }, 0},
		"empty":     {func([]byte) []byte { return nil }, 0},
		"length":    {func(b []byte) []byte { b[payloadAt-1] = 0xff; return b }, 0},
		"other key": {func(b []byte) []byte { b[segHeader] ^= 1; return b }, 0},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			c, _ := Open(dir, 0)
			c.Put(key("a"), []byte("payload"))
			c.Close()
			segs := segments(t, dir)
			if len(segs) != 1 {
				t.Fatalf("%d segments after one run", len(segs))
			}
			data, err := os.ReadFile(segs[0])
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(segs[0], tc.damage(data), 0o644); err != nil {
				t.Fatal(err)
			}
			c2, _ := Open(dir, 0)
			if _, ok := c2.Keep(key("a")); ok {
				t.Fatal("a damaged entry was kept")
			}
			if _, ok := c2.Get(key("a")); ok {
				t.Fatal("a damaged entry was returned")
			}
			if s := c2.Stats(); s.Corrupt != 2*tc.corrupt || s.Misses != 1 {
				t.Fatalf("stats %+v", s)
			}
			c2.Put(key("a"), []byte("payload"))
			c2.Close()
			c3, _ := Open(dir, 0)
			defer c3.Close()
			if got, ok := c3.Get(key("a")); !ok || string(got) != "payload" {
				t.Fatalf("not rewritten: %q %v", got, ok)
			}
		})
	}
}

// A payload Keep returned stays readable after the cache is released; a later hold of the same
// segment uses the same mapping; past the limit, Keep copies.
func TestKeptPayloadOutlivesRelease(t *testing.T) {
	dir := t.TempDir()
	c, _ := Open(dir, 0)
	c.Put(key("a"), bytes.Repeat([]byte("alpha"), 1000))
	c.Close()
	var kept [][]byte
	for range 3 {
		if err := c.Hold(); err != nil {
			t.Fatal(err)
		}
		p, ok := c.Keep(key("a"))
		if !ok {
			t.Fatal("miss")
		}
		kept = append(kept, p)
		if err := c.Release(); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range kept {
		if !bytes.Equal(p, bytes.Repeat([]byte("alpha"), 1000)) {
			t.Fatal("a kept payload changed after the release")
		}
	}
	if &kept[0][0] != &kept[2][0] {
		t.Error("the segment was mapped again")
	}
	// A limit below what is pinned already (the 5 kB segment above): this one is copied.
	small, _ := Open(t.TempDir(), 3000)
	small.Put(key("b"), []byte("beta"))
	small.Close()
	small.Hold()
	p, ok := small.Keep(key("b"))
	small.Release()
	if !ok || string(p) != "beta" {
		t.Fatalf("past the limit: %q %v", p, ok)
	}
}

// An entry stored again under its key (a render found stale) is read from the later segment.
func TestLaterSegmentWins(t *testing.T) {
	dir := t.TempDir()
	for _, v := range []string{"one", "two", "three"} {
		c, _ := Open(dir, 0)
		c.Put(key("k"), []byte(v))
		c.Put(key("stay"), []byte("same"))
		c.Close()
	}
	if n := len(segments(t, dir)); n != 3 {
		t.Fatalf("%d segments, want 3 (an unchanged entry is not written again)", n)
	}
	c, _ := Open(dir, 0)
	defer c.Close()
	if got, ok := c.Get(key("k")); !ok || string(got) != "three" {
		t.Fatalf("got %q %v", got, ok)
	}
	if s := c.Stats(); s.Writes != 0 {
		t.Fatalf("stats %+v", s)
	}
}

// The entries a run stores are seen by the other users of the same Cache at once, and written
// as one segment when the last lets go.
func TestHoldersShareWhatIsStored(t *testing.T) {
	dir := t.TempDir()
	c, err := New(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	c.Hold()
	c.Hold()
	c.Put(key("a"), []byte("1"))
	if got, ok := c.Get(key("a")); !ok || string(got) != "1" {
		t.Fatalf("got %q %v", got, ok)
	}
	c.Release()
	if n := len(segments(t, dir)); n != 0 {
		t.Fatalf("%d segments written while a user still holds the cache", n)
	}
	c.Release()
	if n := len(segments(t, dir)); n != 1 {
		t.Fatalf("%d segments, want 1", n)
	}
	// Unheld, the cache neither reads nor stores.
	if _, ok := c.Get(key("a")); ok {
		t.Fatal("read while not held")
	}
	c.Put(key("b"), []byte("2"))
	c.Hold()
	defer c.Release()
	if _, ok := c.Get(key("b")); ok {
		t.Fatal("stored while not held")
	}
	if got, ok := c.Get(key("a")); !ok || string(got) != "1" {
		t.Fatalf("after a new hold: %q %v", got, ok)
	}
}

// Past maxSegments files, a run that wrote merges them into one; nothing is lost.
func TestManySegmentsAreMerged(t *testing.T) {
	dir := t.TempDir()
	for i := 0; i < maxSegments+3; i++ {
		c, _ := Open(dir, 0)
		c.Put(key(fmt.Sprint(i)), []byte(fmt.Sprint("v", i)))
		c.Close()
		if n := len(segments(t, dir)); n > maxSegments {
			t.Fatalf("run %d: %d segments", i, n)
		}
	}
	c, _ := Open(dir, 0)
	defer c.Close()
	for i := 0; i < maxSegments+3; i++ {
		if got, ok := c.Get(key(fmt.Sprint(i))); !ok || string(got) != fmt.Sprint("v", i) {
			t.Fatalf("entry %d: %q %v", i, got, ok)
		}
	}
}

// Runs sharing one directory (here several opens writing and reading the same keys at once,
// as two processes would) never see a torn or foreign entry.
func TestConcurrentRunsShareSafely(t *testing.T) {
	dir := t.TempDir()
	const runs, keys = 6, 200
	var wg sync.WaitGroup
	errs := make(chan error, runs)
	for r := 0; r < runs; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := Open(dir, 0)
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			for i := 0; i < keys; i++ {
				k := key(fmt.Sprint(i))
				want := bytes.Repeat([]byte(fmt.Sprint(i)), 500)
				// A fresh open sees what other runs renamed into place, never part of it.
				fresh, _ := Open(dir, 0)
				if got, ok := fresh.Get(k); ok && !bytes.Equal(got, want) {
					errs <- fmt.Errorf("key %d: read %d bytes of something else", i, len(got))
				}
				fresh.Close()
				c.Put(k, want)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	u, err := Status(dir)
	if err != nil {
		t.Fatal(err)
	}
	if u.Entries != keys {
		t.Fatalf("%d entries, want %d (temporary files left behind?)", u.Entries, keys)
	}
}

// Past its limit the directory keeps the entries the last run used, then those of the segments
// used most recently.
func TestBoundKeepsRecentlyUsed(t *testing.T) {
	dir := t.TempDir()
	payload := bytes.Repeat([]byte("x"), 1000)
	rec := int64(recHeader + len(payload))
	put := func(names ...string) {
		c, _ := Open(dir, 0)
		for _, n := range names {
			c.Put(key(n), payload)
		}
		c.Close()
	}
	var first, second []string
	for i := 0; i < 10; i++ {
		first = append(first, fmt.Sprint("a", i))
		second = append(second, fmt.Sprint("b", i))
	}
	put(first...)
	put(second...)
	// The first segment was last used long ago, the second just now.
	old := time.Now().Add(-48 * time.Hour)
	os.Chtimes(segments(t, dir)[0], old, old)
	limit := int64(segHeader) + 15*rec // 90% of it holds 13 records
	c, _ := Open(dir, limit)
	for _, n := range []string{"a0", "a1"} { // read now: kept whatever their segment's age
		if _, ok := c.Get(key(n)); !ok {
			t.Fatalf("%s missing", n)
		}
	}
	c.Put(key("new"), payload) // a write makes Close bound the directory
	c.Close()
	c, _ = Open(dir, 0)
	defer c.Close()
	has := func(n string) bool { _, ok := c.Get(key(n)); return ok }
	for _, n := range append([]string{"new", "a0", "a1"}, second...) {
		if !has(n) {
			t.Errorf("%s was removed", n)
		}
	}
	oldKept := 0
	for _, n := range first[2:] {
		if has(n) {
			oldKept++
		}
	}
	if oldKept > 0 {
		t.Errorf("%d entries of the old segment kept past the limit", oldKept)
	}
	if u, _ := Status(dir); u.Bytes > limit {
		t.Fatalf("%d bytes left, over the limit %d", u.Bytes, limit)
	}
	if n := len(segments(t, dir)); n != 1 {
		t.Fatalf("%d segments after a bound", n)
	}
}

// A cache of the format before segments is removed by the first run that writes.
func TestLegacyEntriesAreRemoved(t *testing.T) {
	dir := t.TempDir()
	k := key("old").String()
	os.MkdirAll(filepath.Join(dir, k[:2]), 0o755)
	os.WriteFile(filepath.Join(dir, k[:2], k[2:]), append(append([]byte{}, legacyMagic...), "entry"...), 0o644)
	os.WriteFile(filepath.Join(dir, k[:2], "notes.txt"), []byte("mine"), 0o644)
	if u, _ := Status(dir); u.Entries != 1 {
		t.Fatalf("status %+v", u)
	}
	c, _ := Open(dir, 0)
	c.Put(key("a"), []byte("1"))
	c.Close()
	if _, err := os.Stat(filepath.Join(dir, k[:2], k[2:])); !os.IsNotExist(err) {
		t.Fatal("an entry of the old format is left")
	}
	if _, err := os.Stat(filepath.Join(dir, k[:2], "notes.txt")); err != nil {
		t.Fatal("a file that is no entry was removed")
	}
}

func TestCleanRemovesOnlyEntries(t *testing.T) {
	dir := t.TempDir()
	c, _ := Open(dir, 0)
	c.Put(key("a"), []byte("1"))
	c.Put(key("b"), []byte("2"))
	c.Close()
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644)
	u, err := Clean(dir)
	if err != nil {
		t.Fatal(err)
	}
	if u.Entries != 2 {
		t.Fatalf("removed %d entries, want 2", u.Entries)
	}
	if n := len(segments(t, dir)); n != 0 {
		t.Fatalf("%d segments left", n)
	}
	if _, err := os.Stat(filepath.Join(dir, "notes.txt")); err != nil {
		t.Fatal("an unrelated file was removed")
	}
	os.Remove(filepath.Join(dir, "notes.txt"))
	c2, _ := Open(dir, 0)
	c2.Put(key("a"), []byte("1"))
	c2.Close()
	if _, err := Clean(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatal("an emptied cache directory is left behind")
	}
}

func TestNilCacheCachesNothing(t *testing.T) {
	var c *Cache
	c.Put(key("a"), []byte("x"))
	if _, ok := c.Get(key("a")); ok {
		t.Fatal("nil cache returned an entry")
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
}

// An entry written under another secret (a cache committed to a repository, or copied from
// another machine) is a miss, whatever its key and checksum say; under its own secret it hits.
func TestEntriesOfAnotherSecretAreNotBelieved(t *testing.T) {
	keys := t.TempDir()
	use := func(name string) {
		SecretFile = func() (string, error) { return filepath.Join(keys, name, "cache.key"), nil }
	}
	t.Cleanup(func() { SecretFile = defaultSecretFile })
	dir := t.TempDir()
	k := NewHasher("test").String("model.sql").Sum()

	use("theirs")
	c, err := Open(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	c.Put(k, []byte("select 'forged'"))
	c.Close()
	if info, err := os.Stat(filepath.Join(keys, "theirs", "cache.key")); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("secret file: %v %v", info, err)
	}

	use("ours")
	c, _ = Open(dir, 0)
	if got, ok := c.Get(k); ok {
		t.Fatalf("an entry of another secret was believed: %q", got)
	}
	c.Close()

	use("theirs")
	c, _ = Open(dir, 0)
	defer c.Close()
	if got, ok := c.Get(k); !ok || string(got) != "select 'forged'" {
		t.Fatalf("own entry: %q %v", got, ok)
	}
}

// A payload Allow refuses is not stored.
func TestAllowGuardsPut(t *testing.T) {
	dir := t.TempDir()
	c, _ := Open(dir, 0)
	c.Allow = func(p []byte) bool { return !bytes.Contains(p, []byte("secret")) }
	c.Put(key("a"), []byte("a secret value"))
	c.Put(key("b"), []byte("plain"))
	c.Close()
	c, _ = Open(dir, 0)
	defer c.Close()
	if _, ok := c.Get(key("a")); ok {
		t.Fatal("a refused payload was stored")
	}
	if _, ok := c.Get(key("b")); !ok {
		t.Fatal("an allowed payload was not stored")
	}
}

// A segment another build wrote is not read (no key of it can match), not merged, and is the
// first to go past the limit.
func TestSegmentsOfAnotherBuild(t *testing.T) {
	dir := t.TempDir()
	payload := bytes.Repeat([]byte("y"), 1000)
	c, _ := Open(dir, 0)
	c.Put(key("theirs"), payload)
	for i := range 9 {
		c.Put(key(fmt.Sprint("theirs", i)), payload)
	}
	c.Close()
	// Made by "another build": its header names another.
	other := segments(t, dir)[0]
	data, _ := os.ReadFile(other)
	copy(data[len(segMagic):], bytes.Repeat([]byte{0xee}, 32))
	os.WriteFile(other, data, 0o644)
	old := time.Now().Add(-time.Hour)
	os.Chtimes(other, old, old)

	c, _ = Open(dir, 0)
	if _, ok := c.Get(key("theirs")); ok {
		t.Fatal("an entry of another build's segment was read")
	}
	for i := 0; i < maxSegments+1; i++ { // many runs of this build: merged, the other left alone
		c.Put(key(fmt.Sprint(i)), payload)
		c.Close()
		c, _ = Open(dir, 0)
	}
	c.Close()
	if _, err := os.Stat(other); err != nil {
		t.Fatal("another build's segment was merged or removed while under the limit")
	}
	// Past the limit it goes first, and this build's entries stay: its 10 records and this
	// build's maxSegments+2 pass the limit, this build's alone fit in 90% of it.
	c, _ = Open(dir, (maxSegments+2)*int64(recHeader+len(payload))*6/5)
	c.Put(key("last"), payload)
	c.Close()
	if _, err := os.Stat(other); !os.IsNotExist(err) {
		t.Fatal("another build's segment outlived the limit")
	}
	c, _ = Open(dir, 0)
	defer c.Close()
	for i := 0; i < maxSegments+1; i++ {
		if _, ok := c.Get(key(fmt.Sprint(i))); !ok {
			t.Errorf("entry %d of this build lost", i)
		}
	}
}

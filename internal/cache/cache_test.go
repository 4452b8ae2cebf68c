package cache

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
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

func TestKeyPartsAreDelimited(t *testing.T) {
	a := NewHasher("n").String("ab").String("c").Sum()
	b := NewHasher("n").String("a").String("bc").Sum()
	if a == b {
		t.Fatal("parts run together")
	}
	if NewHasher("n").Value(map[string]any{"x": 1}).Sum() == NewHasher("n").Value(map[string]any{"x": 1.0}).Sum() {
		t.Fatal("an int and a float hash alike")
	}
}

// A damaged entry (flipped byte, cut short, someone else's key) is a miss, and the next Put
// writes it again.
func TestCorruptEntriesAreIgnoredAndRewritten(t *testing.T) {
	for name, damage := range map[string]func([]byte) []byte{
		"flipped":   func(b []byte) []byte { b[len(b)-1] ^= 1; return b },
		"truncated": func(b []byte) []byte { return b[:len(b)-2] },
		"empty":     func([]byte) []byte { return nil },
		"other key": func(b []byte) []byte { b[len(magic)] ^= 1; return b },
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			c, _ := Open(dir, 0)
			c.Put(key("a"), []byte("payload"))
			c.Close()
			p := filepath.Join(dir, entryName(key("a")))
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, damage(data), 0o644); err != nil {
				t.Fatal(err)
			}
			c2, _ := Open(dir, 0)
			if _, ok := c2.Get(key("a")); ok {
				t.Fatal("a damaged entry was returned")
			}
			if c2.Stats().Corrupt != 1 {
				t.Fatalf("stats %+v", c2.Stats())
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

// Past its limit the directory keeps the entries used most recently.
func TestPruneKeepsRecentlyUsed(t *testing.T) {
	dir := t.TempDir()
	c, _ := Open(dir, 0)
	payload := bytes.Repeat([]byte("x"), 1000)
	for i := 0; i < 20; i++ {
		c.Put(key(fmt.Sprint(i)), payload)
	}
	c.Close()
	// Entries 0..9 were last used long ago, 10..19 just now.
	old := time.Now().Add(-48 * time.Hour)
	for i := 0; i < 10; i++ {
		os.Chtimes(filepath.Join(dir, entryName(key(fmt.Sprint(i)))), old, old)
	}
	c2, _ := Open(dir, 14*(1000+headerLen))
	c2.Put(key("new"), payload) // a write makes Close bound the directory
	c2.Close()
	c3, _ := Open(dir, 0)
	defer c3.Close()
	oldKept := 0
	for i := 0; i < 20; i++ {
		_, ok := c3.Get(key(fmt.Sprint(i)))
		if i >= 10 && !ok {
			t.Errorf("recent entry %d was removed", i)
		}
		if i < 10 && ok {
			oldKept++
		}
	}
	if oldKept > 1 {
		t.Errorf("%d old entries kept, want at most 1", oldKept)
	}
	if u, _ := Status(dir); u.Bytes > 14*(1000+headerLen) {
		t.Fatalf("%d bytes left, over the limit", u.Bytes)
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

package cache

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
)

// temps lists the temporary files of dir.
func temps(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if isTemp(e.Name()) {
			out = append(out, e.Name())
		}
	}
	return out
}

func TestSpillIsStoredLikePut(t *testing.T) {
	dir := t.TempDir()
	c, err := Open(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	payload := bytes.Repeat([]byte("snapshot "), 300_000) // past the spill's write buffer
	s := c.Spill(key("big"), 1<<30)
	for rest := payload; len(rest) > 0; {
		n := min(len(rest), 7777)
		if _, err := s.Write(rest[:n]); err != nil {
			t.Fatal(err)
		}
		rest = rest[n:]
	}
	s.WriteString("end")
	want := append(bytes.Clone(payload), "end"...)
	if !s.Commit(nil) {
		t.Fatal("not stored")
	}
	c.Put(key("small"), []byte("beside"))
	// Read back while pending, as a second load in the same hold would.
	if got, ok := c.Get(key("big")); !ok || !bytes.Equal(got, want) {
		t.Fatalf("pending spill read back wrong (%v, %d bytes)", ok, len(got))
	}
	if s := c.Stats(); s.Writes != 2 {
		t.Fatalf("writes %d, want 2", s.Writes)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if l := temps(t, dir); len(l) != 0 {
		t.Fatalf("left %v", l)
	}
	c2, _ := Open(dir, 0)
	defer c2.Close()
	if got, ok := c2.Get(key("big")); !ok || !bytes.Equal(got, want) {
		t.Fatalf("spilled entry read back wrong (%v, %d bytes)", ok, len(got))
	}
	if got, ok := c2.Get(key("small")); !ok || string(got) != "beside" {
		t.Fatalf("entry beside it: %q %v", got, ok)
	}
	// The same payload again is already stored: no write.
	s = c2.Spill(key("big"), 1<<30)
	s.Write(want)
	if !s.Commit(nil) || c2.Stats().Writes != 0 {
		t.Fatalf("an equal payload was written again (%d writes)", c2.Stats().Writes)
	}
	if l := temps(t, dir); len(l) != 0 {
		t.Fatalf("left %v", l)
	}
}

func TestSpillRefusals(t *testing.T) {
	dir := t.TempDir()
	c, err := Open(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	// Past its bound: the write fails, nothing is stored.
	s := c.Spill(key("large"), 10)
	s.Write([]byte("0123456"))
	if _, err := s.Write([]byte("789ab")); err == nil || !s.TooLarge() {
		t.Fatalf("write past the bound: %v", err)
	}
	if s.Commit(nil) {
		t.Fatal("a payload past its bound was stored")
	}
	// Refused by the caller's check, then by the cache's Allow.
	s = c.Spill(key("secret"), 1<<20)
	s.WriteString("holds hunter2")
	if s.Commit(func(p []byte) bool { return !bytes.Contains(p, []byte("hunter2")) }) {
		t.Fatal("a payload its check refused was stored")
	}
	c.Allow = func(p []byte) bool { return !strings.Contains(string(p), "token") }
	s = c.Spill(key("token"), 1<<20)
	s.WriteString("a token")
	if s.Commit(nil) {
		t.Fatal("a payload Allow refused was stored")
	}
	c.Allow = nil
	// Replaced by a Put under the same key: the Put's payload is what is stored.
	s = c.Spill(key("k"), 1<<20)
	s.WriteString("first")
	if !s.Commit(nil) {
		t.Fatal("not stored")
	}
	c.Put(key("k"), []byte("second"))
	// The Put's payload waits in the Hold's file of payloads; the spill's file is gone.
	if l := temps(t, dir); len(l) != 1 || !strings.HasPrefix(l[0], "pending-") {
		t.Fatalf("left %v", l)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if l := temps(t, dir); len(l) != 0 {
		t.Fatalf("left after Close: %v", l)
	}
	c2, _ := Open(dir, 0)
	defer c2.Close()
	for _, k := range []string{"large", "secret", "token"} {
		if _, ok := c2.Get(key(k)); ok {
			t.Errorf("%s stored", k)
		}
	}
	if got, ok := c2.Get(key("k")); !ok || string(got) != "second" {
		t.Fatalf("got %q %v", got, ok)
	}
	// A cache not held spills nothing.
	var nilCache *Cache
	if s := nilCache.Spill(key("x"), 10); s.Err() == nil || s.Commit(nil) {
		t.Fatal("a nil cache took a spill")
	}
}

// TestPutWaitsInAFile: what Put stores is read back, before the last Release, from the
// Hold's file of payloads; storing the same payload again is no write; the Release moves
// every payload into the segment and removes the file.
func TestPutWaitsInAFile(t *testing.T) {
	dir := t.TempDir()
	c, err := Open(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for i := range 300 {
		k := fmt.Sprintf("k%d", i)
		want[k] = strings.Repeat(k, i*7)
		c.Put(key(k), []byte(want[k]))
	}
	for k, v := range want {
		if got, ok := c.Get(key(k)); !ok || string(got) != v {
			t.Fatalf("Get(%s) before Release = %d bytes, %v", k, len(got), ok)
		}
	}
	writes := c.Stats().Writes
	c.Put(key("k5"), []byte(want["k5"]))
	if c.Stats().Writes != writes {
		t.Fatal("an equal payload stored again counted as a write")
	}
	c.Put(key("k5"), []byte("other"))
	want["k5"] = "other"
	if l := temps(t, dir); len(l) != 1 {
		t.Fatalf("temporary files while held: %v", l)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if l := temps(t, dir); len(l) != 0 {
		t.Fatalf("left after Close: %v", l)
	}
	c2, err := Open(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	for k, v := range want {
		if got, ok := c2.Get(key(k)); !ok || string(got) != v {
			t.Fatalf("Get(%s) after Release = %d bytes, %v", k, len(got), ok)
		}
	}
}

// TestRunLeavesItsFilesAsSegments: the Hold's file of payloads and each Spill's file are
// renamed into place as segments, nothing left behind; a new Open reads every entry back, and
// so does a Get before the Release, whether the payload is written out or still buffered.
func TestRunLeavesItsFilesAsSegments(t *testing.T) {
	dir := t.TempDir()
	c, err := Open(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]byte{}
	// Past a block: some payloads are written out, one straddles, the last are buffered.
	for i := range 6 {
		k := fmt.Sprint("put", i)
		want[k] = bytes.Repeat([]byte{byte('a' + i)}, 700_000+i)
		c.Put(key(k), want[k])
	}
	for i, n := range []int{3 * segBlock, 10} {
		k := fmt.Sprint("spill", i)
		want[k] = bytes.Repeat([]byte{byte('A' + i)}, n)
		s := c.Spill(key(k), 1<<30)
		s.Write(want[k])
		if !s.Commit(nil) {
			t.Fatalf("%s not stored", k)
		}
	}
	for k, v := range want {
		if got, ok := c.Get(key(k)); !ok || !bytes.Equal(got, v) {
			t.Fatalf("Get(%s) before Release: %d bytes, %v", k, len(got), ok)
		}
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if l := temps(t, dir); len(l) != 0 {
		t.Fatalf("left %v", l)
	}
	segs := segments(t, dir)
	if len(segs) != 3 {
		t.Fatalf("%d segments, want the file of payloads and one per spill", len(segs))
	}
	for _, s := range segs {
		if info, err := os.Stat(s); err != nil || info.Mode().Perm()&0o444 != 0o444 {
			t.Errorf("segment %s: %v %v", s, info, err)
		}
	}
	c2, _ := Open(dir, 0)
	defer c2.Close()
	for k, v := range want {
		if got, ok := c2.Get(key(k)); !ok || !bytes.Equal(got, v) {
			t.Fatalf("Get(%s) after Release: %d bytes, %v", k, len(got), ok)
		}
	}
	if u, _ := Status(dir); u.Entries != len(want) {
		t.Fatalf("status %+v, want %d entries", u, len(want))
	}
}

// TestStoredAgainInOneHold: a key stored twice under one Hold, by Put or Spill in any order,
// reads back as the later payload after the Release.
func TestStoredAgainInOneHold(t *testing.T) {
	dir := t.TempDir()
	c, _ := Open(dir, 0)
	spill := func(k, v string) {
		s := c.Spill(key(k), 1<<20)
		s.WriteString(v)
		if !s.Commit(nil) {
			t.Fatalf("%s not stored", k)
		}
	}
	c.Put(key("put, put"), []byte("first"))
	c.Put(key("put, put"), []byte("second"))
	c.Put(key("put, spill"), []byte("first"))
	spill("put, spill", "second")
	spill("spill, put", "first")
	c.Put(key("spill, put"), []byte("second"))
	spill("spill, spill", "first")
	spill("spill, spill", "second")
	c.Put(key("put, spill, put"), []byte("first"))
	spill("put, spill, put", "second")
	c.Put(key("put, spill, put"), []byte("third"))
	closedHolds(t, c, dir, map[string]string{"put, put": "second", "put, spill": "second", "spill, put": "second",
		"spill, spill": "second", "put, spill, put": "third"})
}

// closedHolds closes c, checks that it left no temporary file in dir, and that the cache
// opened again there holds want (key name to payload).
func closedHolds(t *testing.T, c *Cache, dir string, want map[string]string) {
	t.Helper()
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if l := temps(t, dir); len(l) != 0 {
		t.Fatalf("left %v", l)
	}
	c, _ = Open(dir, 0)
	defer c.Close()
	for k, w := range want {
		if got, ok := c.Get(key(k)); !ok || string(got) != w {
			t.Errorf("%s: %q %v, want %q", k, got, ok, w)
		}
	}
}

// TestAbortedSpillLeavesNothing: a Spill aborted, or refused at Commit, leaves no file.
func TestAbortedSpillLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	c, _ := Open(dir, 0)
	s := c.Spill(key("a"), 1<<30)
	s.Write(bytes.Repeat([]byte("x"), segBlock+5))
	if l := temps(t, dir); len(l) != 1 {
		t.Fatalf("temporary files while spilling: %v", l)
	}
	s.Abort()
	s = c.Spill(key("b"), 1<<20)
	s.WriteString("refused")
	if s.Commit(func([]byte) bool { return false }) {
		t.Fatal("a refused payload was stored")
	}
	if l := temps(t, dir); len(l) != 0 {
		t.Fatalf("left while held: %v", l)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.Name() != ".gitignore" {
			t.Errorf("left %s", e.Name())
		}
	}
}

// TestPayloadsOnTheHeapAreStored: a payload Put could not append to the Hold's file (here the
// file failed) is stored all the same: appended at the Release when the file works again,
// after the earlier record of its key, or else written to a segment of its own.
func TestPayloadsOnTheHeapAreStored(t *testing.T) {
	fail := func(c *Cache, err error) {
		p := c.view.Load().pend
		p.mu.Lock()
		p.err = err
		p.mu.Unlock()
	}
	t.Run("appended", func(t *testing.T) {
		dir := t.TempDir()
		c, _ := Open(dir, 0)
		c.Put(key("a"), []byte("in the file"))
		c.Put(key("b"), []byte("in the file"))
		fail(c, errors.New("disk full"))
		c.Put(key("b"), []byte("on the heap"))
		c.Put(key("c"), []byte("on the heap"))
		if got, ok := c.Get(key("c")); !ok || string(got) != "on the heap" {
			t.Fatalf("Get before Release: %q %v", got, ok)
		}
		fail(c, nil)
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
		if n := len(segments(t, dir)); n != 1 {
			t.Fatalf("%d segments, want the file of payloads alone", n)
		}
		c, _ = Open(dir, 0)
		defer c.Close()
		for k, want := range map[string]string{"a": "in the file", "b": "on the heap", "c": "on the heap"} {
			if got, ok := c.Get(key(k)); !ok || string(got) != want {
				t.Errorf("%s: %q %v, want %q", k, got, ok, want)
			}
		}
	})
	t.Run("copied", func(t *testing.T) {
		dir := t.TempDir()
		c, _ := Open(dir, 0)
		fail(c, errors.New("cannot make the file"))
		c.Put(key("a"), []byte("on the heap"))
		s := c.Spill(key("s"), 1<<20)
		s.WriteString("spilled")
		s.Commit(nil)
		closedHolds(t, c, dir, map[string]string{"a": "on the heap", "s": "spilled"})
	})
}

package cache

import (
	"bytes"
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

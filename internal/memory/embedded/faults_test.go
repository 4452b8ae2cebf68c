package embedded

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/dataops-dev/dataops/internal/memory"
)

// storeWithSegments writes the shop docs in two segments (the second small enough next to
// the first to stay apart) and returns the directory and the segment paths.
func storeWithSegments(t *testing.T) (string, []string) {
	dir := t.TempDir()
	s := open(t, dir, newEmbedder())
	s.Upsert(ctx, shopDocs[:7])
	s.Upsert(ctx, shopDocs[7:])
	s.Close()
	segs, _ := filepath.Glob(filepath.Join(dir, "*.seg"))
	if len(segs) != 2 {
		t.Fatalf("%d segments", len(segs))
	}
	return dir, segs
}

func wantCorrupt(t *testing.T, dir, where string) {
	t.Helper()
	_, err := Open(ctx, dir, newEmbedder())
	var ce *memory.CorruptError
	if !errors.Is(err, memory.ErrCorrupt) || !errors.As(err, &ce) {
		t.Fatalf("got %v, want a CorruptError", err)
	}
	if !strings.Contains(err.Error(), where) || !strings.Contains(err.Error(), "it will be rebuilt") {
		t.Fatalf("message %q must name %s and say it will be rebuilt", err, where)
	}
	// The remedy: reset, then the store opens empty.
	if err := Reset(ctx, dir); err != nil {
		t.Fatal(err)
	}
	s := open(t, dir, newEmbedder())
	if st, _ := s.Stats(ctx); st.Records != 0 {
		t.Fatalf("%d records after Reset", st.Records)
	}
}

func TestCorruptSegment(t *testing.T) {
	for name, damage := range map[string]func([]byte) []byte{
		"flipped byte":     func(b []byte) []byte { b[len(b)/2] ^= 0x40; return b },
		"half written":     func(b []byte) []byte { return b[:len(b)/2] },
		"trailer cut":      func(b []byte) []byte { return b[:len(b)-3] },
		"empty":            func(b []byte) []byte { return nil },
		"appended garbage": func(b []byte) []byte { return append(b, "junk"...) },
	} {
		t.Run(name, func(t *testing.T) {
			dir, segs := storeWithSegments(t)
			data, _ := os.ReadFile(segs[1])
			os.WriteFile(segs[1], damage(data), 0o644)
			wantCorrupt(t, dir, segs[1])
		})
	}
}

func TestCorruptManifest(t *testing.T) {
	for name, damage := range map[string]func([]byte) []byte{
		"flipped byte": func(b []byte) []byte { b[10] ^= 0x01; return b },
		"half written": func(b []byte) []byte { return b[:len(b)/2] },
		"not json":     func(b []byte) []byte { return []byte("hello\ncrc32c 00000000\n") },
		"no checksum":  func(b []byte) []byte { return b[:strings.LastIndex(string(b), "crc32c")] },
	} {
		t.Run(name, func(t *testing.T) {
			dir, _ := storeWithSegments(t)
			p := filepath.Join(dir, manifestName)
			data, _ := os.ReadFile(p)
			os.WriteFile(p, damage(data), 0o644)
			wantCorrupt(t, dir, p)
		})
	}
}

func TestMissingSegment(t *testing.T) {
	dir, segs := storeWithSegments(t)
	os.Remove(segs[0])
	wantCorrupt(t, dir, segs[0])
}

// A segment a crash left behind without reaching the manifest is ignored, then removed.
func TestUnnamedSegmentIgnored(t *testing.T) {
	dir, _ := storeWithSegments(t)
	os.WriteFile(filepath.Join(dir, "99999999.seg"), []byte("half a segm"), 0o644)
	s := open(t, dir, newEmbedder())
	if st, _ := s.Stats(ctx); st.Records != len(shopDocs) {
		t.Fatalf("%d records", st.Records)
	}
}

type renamed struct {
	memory.Embedder
	name string
}

func (r renamed) Name() string { return r.name }

func TestEmbedderMismatch(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, newEmbedder())
	s.Upsert(ctx, shopDocs)
	s.Close()
	for _, emb := range []memory.Embedder{renamed{newEmbedder(), "other-model"}, &countingEmbedder{name: "test-local", dim: 32}} {
		_, err := Open(ctx, dir, emb)
		var me *memory.EmbedderMismatchError
		if !errors.Is(err, memory.ErrEmbedderMismatch) || !errors.As(err, &me) {
			t.Fatalf("%s/%d: %v, want a mismatch", emb.Name(), emb.Dimension(), err)
		}
		if me.StoreName != "test-local" || me.StoreDimension != 64 || !strings.Contains(err.Error(), "re-embedded") {
			t.Fatalf("mismatch error: %v", err)
		}
	}
	// An open store notices another process re-embedding and refuses to mix.
	old := open(t, dir, newEmbedder())
	other := &countingEmbedder{name: "wider", dim: 96}
	if err := Reembed(ctx, dir, other); err != nil {
		t.Fatal(err)
	}
	if _, err := old.Query(ctx, memory.Query{Text: "customer"}); !errors.Is(err, memory.ErrEmbedderMismatch) {
		t.Fatalf("stale store after re-embed: %v", err)
	}
	if err := old.Upsert(ctx, []memory.Record{columnDoc("x", "m", "c", "new text")}); !errors.Is(err, memory.ErrEmbedderMismatch) {
		t.Fatalf("stale store wrote after re-embed: %v", err)
	}
	s2 := open(t, dir, other)
	if st, _ := s2.Stats(ctx); st.Records != len(shopDocs) || st.Embedder != "wider" || st.Dimension != 96 {
		t.Fatalf("after re-embed: %+v", st)
	}
	if hits := query(t, s2, memory.Query{Text: "cust_id", Limit: 1}); len(hits) != 1 || hits[0].VectorRank == 0 {
		t.Fatalf("after re-embed: %+v", hits)
	}
	if _, err := Open(ctx, dir, newEmbedder()); !errors.Is(err, memory.ErrEmbedderMismatch) {
		t.Fatalf("old embedder after re-embed: %v", err)
	}
	// An empty store changes embedder freely.
	empty := t.TempDir()
	open(t, empty, newEmbedder()).Close()
	open(t, empty, other)
}

// Two Stores on one directory (each with its own file lock) write at once; both end with
// every record, and so does a fresh open.
func TestConcurrentWriters(t *testing.T) {
	dir := t.TempDir()
	a, b := open(t, dir, newEmbedder()), open(t, dir, newEmbedder())
	var wg sync.WaitGroup
	for w, s := range []*Store{a, b} {
		wg.Go(func() {
			for i := range 40 {
				var recs []memory.Record
				for j := range 5 {
					recs = append(recs, columnDoc(fmt.Sprintf("w%d-%d-%d", w, i, j), fmt.Sprint("m", i), "c", fmt.Sprintf("writer %d batch %d record %d", w, i, j)))
				}
				if err := s.Upsert(ctx, recs); err != nil {
					t.Error(err)
					return
				}
				if _, err := s.Query(ctx, memory.Query{Text: "writer batch"}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	for _, s := range []*Store{a, b, open(t, dir, newEmbedder())} {
		if st, err := s.Stats(ctx); err != nil || st.Records != 400 {
			t.Fatalf("%d records, %v; want 400", st.Records, err)
		}
	}
	n, err := a.DeleteBySource(ctx, "models/m3.yml")
	if err != nil || n != 10 {
		t.Fatalf("delete saw %d of the 10 records both writers added: %v", n, err)
	}
}

// Writers in separate processes: the test binary runs itself as the writer.
func TestConcurrentProcesses(t *testing.T) {
	if dir := os.Getenv("DATAOPS_MEMORY_TEST_WRITER_DIR"); dir != "" {
		s, err := Open(ctx, dir, newEmbedder())
		if err != nil {
			t.Fatal(err)
		}
		who := os.Getenv("DATAOPS_MEMORY_TEST_WRITER")
		for i := range 30 {
			var recs []memory.Record
			for j := range 10 {
				recs = append(recs, columnDoc(fmt.Sprintf("%s-%d-%d", who, i, j), "m", "c", fmt.Sprintf("process %s record %d %d", who, i, j)))
			}
			if err := s.Upsert(ctx, recs); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	dir := t.TempDir()
	var cmds []*exec.Cmd
	var outs []*strings.Builder
	for _, who := range []string{"p1", "p2", "p3"} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestConcurrentProcesses$", "-test.count=1")
		cmd.Env = append(os.Environ(), "DATAOPS_MEMORY_TEST_WRITER_DIR="+dir, "DATAOPS_MEMORY_TEST_WRITER="+who)
		out := &strings.Builder{}
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds, outs = append(cmds, cmd), append(outs, out)
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("writer %d: %v\n%s", i+1, err, outs[i])
		}
	}
	s := open(t, dir, newEmbedder())
	if st, _ := s.Stats(ctx); st.Records != 900 {
		t.Fatalf("%d records after three processes wrote 300 each", st.Records)
	}
}

// A manifest written by someone else must not lead reads out of the store or size
// allocations beyond its files.
func TestHostileManifest(t *testing.T) {
	for name, edit := range map[string]func(m *manifest){
		"path escape":    func(m *manifest) { m.Segments[0].Name = "../../../../dev/zero" },
		"absolute path":  func(m *manifest) { m.Segments[0].Name = "/etc/passwd" },
		"huge entries":   func(m *manifest) { m.Entries = 1 << 40 },
		"negative bytes": func(m *manifest) { m.Segments[0].Bytes = -1 },
		"zero dimension": func(m *manifest) { m.Dimension = 0 },
	} {
		t.Run(name, func(t *testing.T) {
			dir, _ := storeWithSegments(t)
			m, err := readManifest(dir)
			if err != nil {
				t.Fatal(err)
			}
			edit(m)
			if err := writeFileAtomic(dir, manifestName, m.encode()); err != nil {
				t.Fatal(err)
			}
			wantCorrupt(t, dir, filepath.Join(dir, manifestName))
		})
	}
}

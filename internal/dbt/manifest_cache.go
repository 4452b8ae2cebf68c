package dbt

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"io"
	"slices"
	"strings"
	"time"
	"unsafe"

	gojson "github.com/goccy/go-json"

	"github.com/dataops-dev/dataops/internal/cache"
)

// Writing the manifest of a large project costs as much as restoring its snapshot (some 30 MB
// of JSON for 6,500 nodes). A project restored from a snapshot writes the manifest of the
// load that stored it, which is the same but for its timestamps (generated_at, run_started_at
// and each entry's created_at): that load keeps its manifest as a template, cut where the
// timestamps go, under the snapshot's identity, the layout and the build. It serves while the
// nodes read again because they read the clock print what they printed in that load (today's
// date does for a day; run_started_at never does).

// manifestTemplate is a manifest cut where the timestamps go.
type manifestTemplate struct {
	Chunks []string
	Stamps []bool // after Chunks[i]: true for a created_at number, false for a time string
}

// WriteManifestCached is WriteManifest (WriteManifestIndent with indent) for a project that
// Load just returned with c as its cache: from the template of the same project when one is
// kept, else written and kept as one. Without a cache, or for a project that has no snapshot,
// it is WriteManifest. The project must not have been changed since Load.
func WriteManifestCached(w io.Writer, p *Project, c *cache.Cache, indent bool) error {
	if c == nil || p.snapshotID == "" || !p.templated {
		return writeManifest(w, p, indent)
	}
	if c.Hold() != nil {
		return writeManifest(w, p, indent)
	}
	defer c.Release()
	key := cache.NewHasher("manifest").String(cache.ToolVersion()).String(p.snapshotID).Value(indent).Sum()
	if data, ok := c.Get(key); ok {
		if len(data) == 0 {
			// A template too large to keep (below): making it again would be lost work.
			return writeManifest(w, p, indent)
		}
		if t, err := decodeTemplate(data); err == nil {
			return t.write(w, p.GeneratedAt, indent)
		}
		c.Reject()
	}
	// The manifest is written as it would be without a template, and cut on its way out where
	// the timestamps of this run go, into the cache's file: neither the manifest nor its
	// template is ever held in memory.
	sp := c.Spill(key, c.Limit()/4)
	cut := newTemplateCutter(sp, manifestStamped(p), p.GeneratedAt, indent)
	if _, err := writeManifestAt(teeWriter{w, cut}, p, indent, p.GeneratedAt); err != nil {
		sp.Abort()
		return err
	}
	switch {
	case sp.TooLarge():
		sp.Abort()
		// An empty entry says so: the next runs on this snapshot write the manifest directly.
		c.Put(key, []byte{})
	case cut.finish():
		sp.Commit(nil)
	default:
		sp.Abort()
	}
	return nil
}

// teeWriter writes to w, and what w took to cut: an error of cut's is its own (it stops
// cutting), never the output's.
type teeWriter struct {
	w   io.Writer
	cut *templateCutter
}

func (t teeWriter) Write(p []byte) (int, error) {
	n, err := t.w.Write(p)
	t.cut.Write(p[:n])
	return n, err
}

// templateCutter cuts a manifest written at a time into a template, as it is written, and
// writes the template's encoding (decodeTemplate) to out: the number of chunks, each chunk, then
// what follows each. A chunk is held until the next timestamp is found.
type templateCutter struct {
	out           io.Writer // the cache's Spill
	created, when []byte    // how the time prints
	stamped       int       // the created_at the manifest holds
	cur           []byte    // the chunk being cut, from start
	start         int
	// For created and when: where in cur the next one starts (-1 when not found), and below
	// where none starts. Each is looked for again only once passed: the time appears twice,
	// created_at once per entry.
	next, clear [2]int
	stamps      []bool
	failed      bool
}

// newTemplateCutter cuts a manifest written at at, with stamped entries that carry a
// created_at.
func newTemplateCutter(out io.Writer, stamped int, at time.Time, indent bool) *templateCutter {
	created, when := stampForms(at, indent)
	t := &templateCutter{out: out, created: []byte(created), when: []byte(when), stamped: stamped, next: [2]int{-1, -1}}
	// A form that holds the other could not be told apart (cutTemplate refuses it too).
	if strings.Contains(created, when) || strings.Contains(when, created) {
		t.failed = true
	}
	t.emit(binary.AppendVarint(nil, int64(stamped+3)))
	return t
}

func (t *templateCutter) emit(b []byte) {
	if t.failed {
		return
	}
	if _, err := t.out.Write(b); err != nil {
		t.failed = true
	}
}

// Write takes the next bytes of the manifest.
func (t *templateCutter) Write(p []byte) (int, error) {
	if t.failed {
		return len(p), nil
	}
	t.drop()
	t.cur = append(t.cur, p...)
	t.cut(false)
	return len(p), nil
}

// drop moves what is left of cur past the chunks cut to its start: once per write, not once
// per chunk (there are as many as nodes).
func (t *templateCutter) drop() {
	if t.start == 0 {
		return
	}
	shift := t.start
	t.cur, t.start = t.cur[:copy(t.cur, t.cur[shift:])], 0
	for g := range t.next {
		t.clear[g] = max(t.clear[g]-shift, 0)
		if t.next[g] >= 0 {
			t.next[g] -= shift
		}
	}
}

// cut takes out each chunk ended by a form: the leftmost form found, when when both start at
// once (as the whole manifest was cut before). A form found is taken only once a form of the
// other kind that starts before it would be whole in cur too, or at the end.
func (t *templateCutter) cut(end bool) {
	forms := [2][]byte{t.created, t.when}
	longest := max(len(t.created), len(t.when))
	for !t.failed {
		for f, form := range forms {
			if t.next[f] >= 0 {
				continue
			}
			if i := bytes.Index(t.cur[t.clear[f]:], form); i >= 0 {
				t.next[f] = t.clear[f] + i
			} else {
				t.clear[f] = max(t.clear[f], len(t.cur)-len(form)+1)
			}
		}
		i, j := t.next[0], t.next[1]
		if i < 0 && j < 0 {
			return
		}
		f := 1
		if j < 0 || (i >= 0 && i < j) {
			f = 0
		}
		at := t.next[f]
		if !end && at+longest-1 > len(t.cur) {
			return
		}
		if len(t.stamps) == t.stamped+2 {
			t.failed = true // more forms than timestamps: one is the project's
			return
		}
		t.chunk(t.cur[t.start:at])
		t.stamps = append(t.stamps, f == 0)
		t.start = at + len(forms[f])
		for g := range forms {
			t.clear[g] = max(t.clear[g], t.start)
			if t.next[g] >= 0 && t.next[g] < t.start {
				t.next[g], t.clear[g] = -1, t.start
			}
		}
	}
}

func (t *templateCutter) chunk(c []byte) {
	t.emit(binary.AppendVarint(nil, int64(len(c))))
	t.emit(c)
}

// finish ends the template; false when it could not be made (the forms found were not the
// manifest's timestamps, or the cache did not take it).
func (t *templateCutter) finish() bool {
	t.cut(true)
	created := 0
	for _, s := range t.stamps {
		if s {
			created++
		}
	}
	if t.failed || created != t.stamped || len(t.stamps)-created != 2 {
		return false
	}
	t.chunk(t.cur[t.start:])
	t.cur = nil
	b := binary.AppendVarint(nil, int64(len(t.stamps)))
	for _, s := range t.stamps {
		if s {
			b = append(b, 1)
		} else {
			b = append(b, 0)
		}
	}
	t.emit(b)
	return !t.failed
}

// decodeTemplate reads a template whose chunks are views of data: it is written before the
// cache lets go of data, and nothing keeps it.
func decodeTemplate(data []byte) (*manifestTemplate, error) {
	r := &valueReader{b: data, share: true}
	t := &manifestTemplate{Chunks: r.strs()}
	n := r.count()
	for i := 0; i < n && r.err == nil; i++ {
		t.Stamps = append(t.Stamps, r.bool())
	}
	if r.err != nil || len(r.b) != 0 || len(t.Stamps)+1 != len(t.Chunks) {
		return nil, errSnapShape
	}
	return t, nil
}

// stampForms are how the manifest prints at: as created_at and as a time.
func stampForms(at time.Time, indent bool) (created, when string) {
	f := float64(at.UnixNano()) / 1e9
	var b []byte
	if indent {
		b, _ = json.Marshal(f)
	} else {
		b, _ = gojson.Marshal(f)
	}
	return string(b), `"` + at.UTC().Format(time.RFC3339Nano) + `"`
}

// templateBuffer is how much of a template's text is gathered before it is written.
const templateBuffer = 1 << 16

func (t *manifestTemplate) write(w io.Writer, at time.Time, indent bool) error {
	created, when := stampForms(at, indent)
	bw := bytes.NewBuffer(make([]byte, 0, 2*templateBuffer))
	flush := func() error {
		_, err := w.Write(bw.Bytes())
		bw.Reset()
		return err
	}
	for i, c := range t.Chunks {
		if len(c) < templateBuffer {
			bw.WriteString(c)
		} else {
			// A long chunk (a section of the manifest without a timestamp, tens of megabytes
			// on a large project) goes to w as it is: copied into the buffer it cost a warm
			// parse the buffer's growth and a second copy of the chunk. w sees the string's
			// own bytes, which an io.Writer may not modify.
			if err := flush(); err != nil {
				return err
			}
			if _, err := w.Write(unsafe.Slice(unsafe.StringData(c), len(c))); err != nil {
				return err
			}
		}
		if i < len(t.Stamps) {
			if t.Stamps[i] {
				bw.WriteString(created)
			} else {
				bw.WriteString(when)
			}
		}
		if bw.Len() > templateBuffer {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// newSnapshotID names one stored snapshot, for the entries derived from it.
func newSnapshotID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// volatileSum is the hash of what the nodes rendered again on restore produced.
func volatileSum(p *Project, ids []string) string {
	slices.Sort(ids)
	h := cache.NewHasher("volatile")
	for _, id := range ids {
		h.String(id)
		for _, n := range append([]*Node{p.Nodes[id]}, p.Disabled[id]...) {
			if n != nil {
				h.String(n.CompiledCode)
				if n.Render != nil {
					h.String(n.Render.Output)
				}
			}
		}
	}
	k := h.Sum()
	return k.String()
}

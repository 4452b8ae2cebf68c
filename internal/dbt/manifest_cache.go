package dbt

import (
	"bytes"
	"crypto/rand"
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

// manifestStamp is the time a template is written at: its two printed forms are looked for
// and must appear exactly where timestamps go (once each per entry with created_at, twice in
// the metadata), or no template is kept.
var manifestStamp = time.Unix(1111111111, 111111111).UTC()

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
	var b bytes.Buffer
	stamped, err := writeManifestAt(&b, p, indent, manifestStamp)
	if err != nil {
		return err
	}
	// The chunks are views of b, which is not written again.
	t, ok := cutTemplate(unsafe.String(unsafe.SliceData(b.Bytes()), b.Len()), stamped, indent)
	if !ok {
		return writeManifest(w, p, indent)
	}
	w2 := &entryWriter{}
	w2.strs(t.Chunks)
	w2.int(len(t.Stamps))
	for _, s := range t.Stamps {
		w2.bool(s)
	}
	// One entry may not crowd out the rest of the cache.
	if int64(w2.b.Len()) <= c.Limit()/4 {
		c.Put(key, w2.b.Bytes())
	} else {
		// An empty entry says so: the next runs on this snapshot write the manifest directly.
		c.Put(key, []byte{})
	}
	return t.write(w, p.GeneratedAt, indent)
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

// cutTemplate cuts a manifest written at manifestStamp; false when the stamp's forms appear
// anywhere else (a value in the project that happens to print the same).
func cutTemplate(s string, stamped int, indent bool) (*manifestTemplate, bool) {
	created, when := stampForms(manifestStamp, indent)
	if strings.Count(s, created) != stamped || strings.Count(s, when) != 2 || strings.Contains(created, when) || strings.Contains(when, created) {
		return nil, false
	}
	t := &manifestTemplate{}
	// Each form's next place is looked for again only once passed: the time appears twice,
	// created_at thousands of times.
	next := func(form string, from int) int {
		if i := strings.Index(s[from:], form); i >= 0 {
			return from + i
		}
		return -1
	}
	start, i, j := 0, next(created, 0), next(when, 0)
	for i >= 0 || j >= 0 {
		if j < 0 || (i >= 0 && i < j) {
			t.Chunks, t.Stamps = append(t.Chunks, s[start:i]), append(t.Stamps, true)
			start = i + len(created)
			i = next(created, start)
		} else {
			t.Chunks, t.Stamps = append(t.Chunks, s[start:j]), append(t.Stamps, false)
			start = j + len(when)
			j = next(when, start)
		}
	}
	s = s[start:]
	t.Chunks = append(t.Chunks, s)
	return t, true
}

func (t *manifestTemplate) write(w io.Writer, at time.Time, indent bool) error {
	created, when := stampForms(at, indent)
	bw := &bytes.Buffer{}
	flush := func() error {
		_, err := w.Write(bw.Bytes())
		bw.Reset()
		return err
	}
	for i, c := range t.Chunks {
		bw.WriteString(c)
		if i < len(t.Stamps) {
			if t.Stamps[i] {
				bw.WriteString(created)
			} else {
				bw.WriteString(when)
			}
		}
		if bw.Len() > 1<<16 {
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

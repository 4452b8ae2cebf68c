package ingest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/dataops-dev/dataops/internal/memory"
)

// Where a record came from (Extra["origin"]).
const (
	OriginPropertyFile = "property_file"
	OriginDictionary   = "dictionary"
	OriginManifest     = "manifest"
	OriginCatalog      = "catalog"
	OriginHistory      = "history"
	OriginDocs         = "docs"
	OriginGitHub       = "github"
)

// recordID is a stable hash of what a record is about: the same column of the same file gets
// the same ID at every ingest, so an upsert replaces it.
func recordID(kind memory.Kind, source string, key string) string {
	h := sha256.New()
	h.Write([]byte(kind))
	h.Write([]byte{0})
	h.Write([]byte(source))
	h.Write([]byte{0})
	h.Write([]byte(key))
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// contentHash says whether a record changed between two ingests: its kind, text and metadata.
func contentHash(r *memory.Record) string {
	h := sha256.New()
	b, _ := json.Marshal(struct {
		K memory.Kind
		T string
		M memory.Metadata
	}{r.Kind, r.Text, r.Metadata})
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// builder collects the records of one source, giving each a unique stable ID.
type builder struct {
	source  string
	project string
	mask    func(string) string
	recs    []memory.Record
	keys    map[string]int
	// prefix scopes keys within the source (history: the commit).
	prefix string
}

func newBuilder(source, project string, mask func(string) string) *builder {
	if mask == nil {
		mask = func(s string) string { return s }
	}
	return &builder{source: source, project: project, mask: mask, keys: map[string]int{}}
}

// add appends a record keyed by key within the source; a key met twice (a column written
// twice) gets a numbered ID so that neither replaces the other.
func (b *builder) add(kind memory.Kind, key, text string, md memory.Metadata) {
	text = strings.TrimSpace(b.mask(text))
	if text == "" {
		return
	}
	key = b.prefix + key
	full := key
	if n := b.keys[key]; n > 0 {
		full = key + "#" + strconv.Itoa(n+1)
	}
	b.keys[key]++
	md.Project = b.project
	if md.Source == "" {
		md.Source = b.source
	}
	for k, v := range md.Extra {
		md.Extra[k] = b.mask(v)
	}
	b.recs = append(b.recs, memory.Record{ID: recordID(kind, md.Source, full), Kind: kind, Text: text, Metadata: md})
}

// compactJSON renders test arguments as one line of JSON with sorted keys.
func compactJSON(v any) string {
	if v == nil {
		return ""
	}
	if m, ok := v.(map[string]any); ok && len(m) == 0 {
		return ""
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

// oneLine folds whitespace runs (newlines included) into single spaces.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

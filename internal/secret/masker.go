// Package secret keeps the run's secret values out of everything dataops produces, as GitHub
// Actions masks the secrets a workflow registers: a Masker collects the values (from the
// environment by name, from settings, and as they become known at run time) and replaces
// them, and the forms a template can cheaply derive from them, with "***" in byte slices and
// in streams. It never reads files or the network, and it never logs what it masks.
package secret

import (
	"encoding/base64"
	"encoding/json"
	"html"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
)

// Mask is what a secret is replaced with.
const Mask = "***"

// MinLen is the shortest value masked: shorter ones would mask ordinary text everywhere (GitHub
// Actions skips tiny values for the same reason).
const MinLen = 4

// Values no one uses as a secret but flags and settings often hold; masking "true" would break
// every JSON document we write.
var plainValues = map[string]bool{"true": true, "false": true, "null": true, "none": true, "undefined": true}

// Masker replaces registered secret values. The zero value masks nothing; a nil *Masker is
// valid and masks nothing. It is safe for concurrent use; values may be added at any time.
type Masker struct {
	mu     sync.Mutex
	values map[string]bool
	// The automaton is rebuilt on first use after values were added: values arrive in a few
	// batches at the start of a run, and one build serves them all.
	stale atomic.Bool
	m     atomic.Pointer[matcher] // nil until a value is registered
}

// New returns a Masker holding values.
func New(values ...string) *Masker {
	m := &Masker{}
	m.Add(values...)
	return m
}

// FromEnviron returns a Masker holding the values of the variables in environ ("NAME=value",
// as os.Environ returns) whose names look secret (LooksSecret) or match one of names (exact
// names and "PREFIX_*" globs), plus the password of any URL-valued variable.
func FromEnviron(environ []string, names ...string) *Masker {
	m := &Masker{}
	m.AddEnviron(environ, names...)
	return m
}

// AddEnviron registers the values FromEnviron would.
func (m *Masker) AddEnviron(environ []string, names ...string) {
	var vals []string
	for _, kv := range environ {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || v == "" {
			continue
		}
		if LooksSecret(k) || MatchName(names, k) {
			vals = append(vals, v)
		}
		if p := URLPassword(v); p != "" {
			vals = append(vals, p)
		}
	}
	m.Add(vals...)
}

// Add registers secret values. Values shorter than MinLen are ignored; a multi-line value (a
// PEM key) is registered line by line.
func (m *Masker) Add(values ...string) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	added := false
	for _, v := range values {
		for _, line := range strings.Split(v, "\n") {
			line = strings.TrimSpace(line)
			if len(line) < MinLen || plainValues[strings.ToLower(line)] || m.values[line] {
				continue
			}
			if m.values == nil {
				m.values = map[string]bool{}
			}
			m.values[line] = true
			added = true
		}
	}
	if added {
		m.stale.Store(true)
	}
}

// build compiles the automaton for every value registered; m.mu is held.
func (m *Masker) build() {
	seen := map[string]bool{}
	var patterns []string
	for v := range m.values {
		for _, f := range forms(v) {
			if len(f) >= MinLen && !seen[f] && !strings.ContainsAny(f, "\r\n") {
				seen[f] = true
				patterns = append(patterns, f)
			}
		}
	}
	sort.Strings(patterns) // the same automaton for the same values, run after run
	m.m.Store(newMatcher(patterns))
	m.stale.Store(false)
}

// Len is how many distinct values are registered.
func (m *Masker) Len() int {
	if m == nil {
		return 0
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.values)
}

func (m *Masker) matcher() *matcher {
	if m == nil {
		return nil
	}
	if m.stale.Load() {
		m.mu.Lock()
		if m.stale.Load() {
			m.build()
		}
		m.mu.Unlock()
	}
	return m.m.Load()
}

// Mask returns b with every registered value, and every derived form of one, replaced by
// "***". It returns b itself when nothing matched.
func (m *Masker) Mask(b []byte) []byte {
	mt := m.matcher()
	if mt == nil {
		return b
	}
	return replace(b, mt.spans(b, nil))
}

// MaskString is Mask for a string.
func (m *Masker) MaskString(s string) string {
	mt := m.matcher()
	if mt == nil {
		return s
	}
	sp := mt.spans([]byte(s), nil)
	if len(sp) == 0 {
		return s
	}
	return string(replace([]byte(s), sp))
}

// MaskEdit masks the content about to replace old (a file being edited): only secrets old
// does not already hold are masked, so a value that happens to equal a secret and was in the
// file before is written back as it was, while one the edit would add is not written.
func (m *Masker) MaskEdit(old, b []byte) []byte {
	mt := m.matcher()
	if mt == nil {
		return b
	}
	if len(old) == 0 {
		return replace(b, mt.spans(b, nil))
	}
	had := mt.found(old)
	if len(had) == 0 {
		return replace(b, mt.spans(b, nil))
	}
	return replace(b, mt.spans(b, func(id int32) bool { return !had[id] }))
}

func replace(b []byte, spans []span) []byte {
	if len(spans) == 0 {
		return b
	}
	out := make([]byte, 0, len(b))
	at := 0
	for _, s := range spans {
		out = append(out, b[at:s.start]...)
		out = append(out, Mask...)
		at = s.end
	}
	return append(out, b[at:]...)
}

// forms are the strings a template or an encoder can turn a value into without effort: case
// changes, dashes made underscores (to fit an identifier), and the escapes of JSON, URLs,
// HTML, SQL and YAML quoting, and base64 at each of the three alignments the value can have
// inside a longer encoded text.
func forms(v string) []string {
	cases := []string{v, strings.ToUpper(v), strings.ToLower(v)}
	if strings.Contains(v, "-") {
		u := strings.ReplaceAll(v, "-", "_")
		cases = append(cases, u, strings.ToUpper(u), strings.ToLower(u))
	}
	out := make([]string, 0, 8*len(cases)+6)
	for _, c := range cases {
		out = append(out, c, jsonEscape(c, true), jsonEscape(c, false), url.QueryEscape(c), url.PathEscape(c),
			html.EscapeString(c), strings.ReplaceAll(c, "'", "''"), strings.ReplaceAll(c, `"`, `""`))
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
		for shift := 0; shift < 3; shift++ {
			if f := base64Inner(enc, v, shift); len(f) >= 6 {
				out = append(out, f)
			}
		}
	}
	return out
}

func jsonEscape(s string, escapeHTML bool) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(escapeHTML)
	_ = enc.Encode(s) // a string always encodes
	out := strings.TrimSuffix(b.String(), "\n")
	return out[1 : len(out)-1]
}

// base64Inner is the part of v's base64 encoding that does not depend on its neighbours when v
// starts shift bytes into a 3-byte group: the characters whose 6 bits all come from v.
func base64Inner(enc *base64.Encoding, v string, shift int) string {
	src := make([]byte, shift+len(v))
	copy(src[shift:], v)
	e := enc.EncodeToString(src)
	first := (8*shift + 5) / 6
	last := 8 * (shift + len(v)) / 6
	if first >= last {
		return ""
	}
	return e[first:last]
}

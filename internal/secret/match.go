package secret

import "slices"

// denseDepth is how deep in the pattern trie states get a full transition row. Text that is
// not a secret rarely gets further than a few bytes into one, so scanning stays in these rows;
// deeper states (long values have long chains of them) keep only their own edges and fall back
// along failure links, which keeps a masker of long tokens small and quick to build.
const denseDepth = 3

// matcher finds every occurrence of a set of byte patterns in one pass (Aho–Corasick). Bytes
// that occur in no pattern share one input class, so a dense row has one column per distinct
// pattern byte rather than 256.
type matcher struct {
	class  [256]uint16
	nclass int

	// Dense rows are stride = nclass+2 wide: one column per class holding the next state's
	// code, then the state's longest match length and its number. A state's code is the
	// offset of its dense row, or -(state+1) for a deep state.
	row    []int32 // state -> offset of its dense row in dens, or -1
	dens   []int32
	stride int32

	edges []edge  // children of deep states, grouped by state and sorted by class
	first []int32 // state -> index of its first edge; first[s+1] ends them
	fail  []int32

	longest  []int32 // length of the longest pattern ending in the state, 0 for none
	pattern  []int32 // pattern that ends exactly in the state, -1 for none
	suffix   []int32 // nearest state on the failure chain that ends a pattern, -1 for none
	patterns []string
	maxLen   int
}

type edge struct {
	class uint16
	to    int32
}

// newMatcher compiles patterns; nil when there is nothing to find.
func newMatcher(patterns []string) *matcher {
	if len(patterns) == 0 {
		return nil
	}
	m := &matcher{patterns: patterns, nclass: 1}
	for _, p := range patterns {
		for i := 0; i < len(p); i++ {
			if m.class[p[i]] == 0 {
				m.class[p[i]] = uint16(m.nclass)
				m.nclass++
			}
		}
		m.maxLen = max(m.maxLen, len(p))
	}

	// The trie: each state's children as a list through child and sibling.
	child, sibling, in := []int32{-1}, []int32{-1}, []uint16{0}
	depth := []int{0}
	m.pattern = []int32{-1}
	m.longest = []int32{0}
	for id, p := range patterns {
		s := int32(0)
		for i := 0; i < len(p); i++ {
			c := m.class[p[i]]
			t := child[s]
			for t >= 0 && in[t] != c {
				t = sibling[t]
			}
			if t < 0 {
				t = int32(len(child))
				child, sibling, in = append(child, -1), append(sibling, child[s]), append(in, c)
				child[s] = t
				depth = append(depth, i+1)
				m.pattern = append(m.pattern, -1)
				m.longest = append(m.longest, 0)
			}
			s = t
		}
		m.pattern[s] = int32(id)
		m.longest[s] = int32(len(p))
	}
	n := len(child)
	children := make([][]edge, n)
	m.first = make([]int32, n+1)
	m.edges = make([]edge, 0, n-1)
	for s := 0; s < n; s++ {
		m.first[s] = int32(len(m.edges))
		for t := child[s]; t >= 0; t = sibling[t] {
			m.edges = append(m.edges, edge{in[t], t})
		}
		es := m.edges[m.first[s]:]
		if len(es) > 1 {
			slices.SortFunc(es, func(a, b edge) int { return int(a.class) - int(b.class) })
		}
		children[s] = es
	}
	m.first[n] = int32(len(m.edges))

	// Failure links breadth first; shallow states get their dense rows on the way, from their
	// own edges and their failure state's row (which is shallower, so already built).
	m.fail = make([]int32, n)
	m.suffix = make([]int32, n)
	m.row = make([]int32, n)
	for s := range m.row {
		m.row[s] = -1
	}
	m.suffix[0] = -1
	m.stride = int32(m.nclass + 2)
	var denseStates []int32
	queue := []int32{0}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		if s != 0 {
			f := m.fail[s]
			if m.pattern[f] >= 0 {
				m.suffix[s] = f
			} else {
				m.suffix[s] = m.suffix[f]
			}
			if m.longest[s] == 0 {
				m.longest[s] = m.longest[f]
			}
		}
		if depth[s] <= denseDepth {
			r := int32(len(m.dens))
			m.row[s] = r
			denseStates = append(denseStates, s)
			for c := 0; c < m.nclass; c++ {
				var t int32
				if s != 0 {
					t = m.dens[m.row[m.fail[s]]+int32(c)]
				}
				m.dens = append(m.dens, t)
			}
			m.dens = append(m.dens, m.longest[s], s)
			for _, e := range children[s] {
				m.dens[r+int32(e.class)] = e.to
			}
		}
		for _, e := range children[s] {
			if s == 0 {
				m.fail[e.to] = 0
			} else {
				m.fail[e.to] = m.buildStep(m.fail[s], e.class)
			}
			queue = append(queue, e.to)
		}
	}
	// The rows were filled with state numbers; turn them into codes.
	for _, s := range denseStates {
		r := m.row[s]
		for c := int32(0); c < int32(m.nclass); c++ {
			t := m.dens[r+c]
			if m.row[t] >= 0 {
				m.dens[r+c] = m.row[t]
			} else {
				m.dens[r+c] = -(t + 1)
			}
		}
	}
	return m
}

// step is the state after reading a byte of class c in state s.
func (m *matcher) step(s int32, c uint16) int32 {
	for {
		if r := m.row[s]; r >= 0 {
			return m.state(m.dens[r+int32(c)])
		}
		es := m.edges[m.first[s]:m.first[s+1]]
		for _, e := range es {
			if e.class == c {
				return e.to
			}
		}
		s = m.fail[s]
	}
}

// buildStep is step while the dense rows still hold state numbers rather than codes.
func (m *matcher) buildStep(s int32, c uint16) int32 {
	for {
		if r := m.row[s]; r >= 0 {
			return m.dens[r+int32(c)]
		}
		for _, e := range m.edges[m.first[s]:m.first[s+1]] {
			if e.class == c {
				return e.to
			}
		}
		s = m.fail[s]
	}
}

// state is the state a code stands for.
func (m *matcher) state(code int32) int32 {
	if code >= 0 {
		return m.dens[code+m.stride-1]
	}
	return -code - 1
}

// span is a half-open byte range [start, end) to mask.
type span struct{ start, end int }

// spans returns the ranges of b covered by patterns, merged where they overlap or touch, in
// order. keep, when set, says which patterns count.
func (m *matcher) spans(b []byte, keep func(id int32) bool) []span {
	var out []span
	// The scan is in a dense row (r >= 0) or in a deep state (deep >= 0); the dense case is the
	// hot loop: one load for the transition and one for the match length.
	r, deep := int32(0), int32(-1)
	for i := 0; i < len(b); i++ {
		c := int32(m.class[b[i]])
		var n int32
		if deep < 0 {
			if v := m.dens[r+c]; v >= 0 {
				r = v
				n = m.dens[r+m.stride-2]
			} else {
				deep = -v - 1
				n = m.longest[deep]
			}
		} else {
			s := m.step(deep, uint16(c))
			if m.row[s] >= 0 {
				r, deep = m.row[s], -1
			} else {
				deep = s
			}
			n = m.longest[s]
		}
		if n == 0 {
			continue
		}
		if keep != nil {
			s := deep
			if s < 0 {
				s = m.dens[r+m.stride-1]
			}
			if n = int32(m.longestKept(s, keep)); n == 0 {
				continue
			}
		}
		// A match may reach back over several earlier spans: it swallows them all.
		start, end := i+1-int(n), i+1
		for k := len(out) - 1; k >= 0 && start <= out[k].end; k-- {
			start = min(start, out[k].start)
			out = out[:k]
		}
		out = append(out, span{start, end})
	}
	return out
}

// longestKept is the length of the longest kept pattern ending in state s.
func (m *matcher) longestKept(s int32, keep func(int32) bool) int {
	if m.pattern[s] < 0 {
		s = m.suffix[s]
	}
	for ; s >= 0; s = m.suffix[s] {
		if id := m.pattern[s]; keep(id) {
			return len(m.patterns[id])
		}
	}
	return 0
}

// found lists the patterns that occur in b.
func (m *matcher) found(b []byte) map[int32]bool {
	out := map[int32]bool{}
	s := int32(0)
	for i := 0; i < len(b); i++ {
		s = m.step(s, m.class[b[i]])
		if m.longest[s] == 0 {
			continue
		}
		t := s
		if m.pattern[t] < 0 {
			t = m.suffix[t]
		}
		for ; t >= 0 && !out[m.pattern[t]]; t = m.suffix[t] {
			out[m.pattern[t]] = true
		}
	}
	return out
}

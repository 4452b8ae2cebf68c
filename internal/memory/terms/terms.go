// Package terms turns texts and identifiers into the keyword terms every remote store ranks
// by: lowercase words, with snake_case, kebab-case and camelCase identifiers split into their
// parts so that "customerLifetimeValue", "customer_lifetime_value" and "customer lifetime
// value" meet. It also scores a small candidate set by BM25 for stores that have no keyword
// index of their own, and writes BM25 term weights as sparse vectors for stores that rank
// sparse vectors. It never talks to a store.
package terms

import (
	"hash/fnv"
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Split returns the lowercase terms of s in order, duplicates kept: words are runs of letters
// and digits; a word is further cut where a lowercase letter or digit meets an uppercase one
// ("orderId" → order, id), where an uppercase run meets a capitalised word ("HTTPServer" →
// http, server), and where letters meet digits ("utm2" → utm, 2).
func Split(s string) []string {
	var out []string
	var word []rune
	flush := func() {
		if len(word) > 0 {
			out = append(out, strings.ToLower(string(word)))
			word = word[:0]
		}
	}
	runes := []rune(s)
	for i, r := range runes {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			flush()
			continue
		}
		if len(word) > 0 {
			prev := word[len(word)-1]
			switch {
			case unicode.IsUpper(r) && (unicode.IsLower(prev) || unicode.IsDigit(prev)):
				flush()
			case unicode.IsUpper(r) && unicode.IsUpper(prev) && i+1 < len(runes) && unicode.IsLower(runes[i+1]):
				flush()
			case unicode.IsDigit(r) != unicode.IsDigit(prev):
				flush()
			}
		}
		word = append(word, r)
	}
	flush()
	return out
}

// Keywords is the text a store indexes for keyword search: the terms of the given parts
// (a record's text, model and column), space-separated. Feeding it to an engine's own
// analyzer (PostgreSQL's simple configuration, OpenSearch's standard analyzer, Weaviate's
// word tokenization) yields the same terms Split gives.
func Keywords(parts ...string) string {
	var b strings.Builder
	for _, p := range parts {
		for _, t := range Split(p) {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(t)
		}
	}
	return b.String()
}

// Unique returns the distinct terms of s, in first-seen order.
func Unique(s string) []string {
	all := Split(s)
	seen := make(map[string]bool, len(all))
	out := all[:0:0]
	for _, t := range all {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

// BM25 parameters: the usual k1 and b, and the document length a sparse vector assumes when
// the store computes IDF but not length statistics. Our records are short (a column
// description, a playbook rule, a paragraph), hence 32 terms rather than a web page's hundreds.
const (
	K1           = 1.2
	B            = 0.75
	AverageTerms = 32
)

// Rank scores docs against query by BM25 with IDF computed over docs themselves and returns
// the indices of the docs that share at least one term with the query, best first (ties in
// input order).
func Rank(query string, docs []string) []int {
	q := Unique(query)
	if len(q) == 0 || len(docs) == 0 {
		return nil
	}
	tfs := make([]map[string]int, len(docs))
	df := make(map[string]int, len(q))
	total := 0
	for i, d := range docs {
		ts := Split(d)
		total += len(ts)
		tf := make(map[string]int, len(ts))
		for _, t := range ts {
			tf[t]++
		}
		tfs[i] = tf
		for _, t := range q {
			if tf[t] > 0 {
				df[t]++
			}
		}
	}
	avg := float64(total) / float64(len(docs))
	if avg == 0 {
		avg = 1
	}
	n := float64(len(docs))
	type scored struct {
		i     int
		score float64
	}
	var hits []scored
	for i, tf := range tfs {
		dl := 0
		for _, c := range tf {
			dl += c
		}
		s := 0.0
		for _, t := range q {
			f := float64(tf[t])
			if f == 0 {
				continue
			}
			idf := math.Log(1 + (n-float64(df[t])+0.5)/(float64(df[t])+0.5))
			s += idf * f * (K1 + 1) / (f + K1*(1-B+B*float64(dl)/avg))
		}
		if s > 0 {
			hits = append(hits, scored{i, s})
		}
	}
	slices.SortStableFunc(hits, func(a, b scored) int {
		switch {
		case a.score > b.score:
			return -1
		case a.score < b.score:
			return 1
		}
		return 0
	})
	out := make([]int, len(hits))
	for i, h := range hits {
		out[i] = h.i
	}
	return out
}

// Sparse is a sparse vector: parallel, index-sorted term ids and weights.
type Sparse struct {
	Indices []uint32  `json:"indices"`
	Values  []float32 `json:"values"`
}

// DocumentSparse weighs the terms of a document by BM25's saturated term frequency, leaving
// IDF to the store (Qdrant's `idf` modifier), so that the dot product with QuerySparse is the
// document's BM25 score.
func DocumentSparse(text string) Sparse {
	ts := Split(text)
	tf := make(map[uint32]int, len(ts))
	for _, t := range ts {
		tf[TermID(t)]++
	}
	dl := float64(len(ts))
	w := make(map[uint32]float32, len(tf))
	for id, c := range tf {
		f := float64(c)
		w[id] = float32(f * (K1 + 1) / (f + K1*(1-B+B*dl/AverageTerms)))
	}
	return sparseOf(w)
}

// QuerySparse gives each distinct query term weight 1.
func QuerySparse(text string) Sparse {
	w := map[uint32]float32{}
	for _, t := range Split(text) {
		w[TermID(t)] = 1
	}
	return sparseOf(w)
}

func sparseOf(w map[uint32]float32) Sparse {
	s := Sparse{Indices: make([]uint32, 0, len(w)), Values: make([]float32, 0, len(w))}
	for id := range w {
		s.Indices = append(s.Indices, id)
	}
	slices.Sort(s.Indices)
	for _, id := range s.Indices {
		s.Values = append(s.Values, w[id])
	}
	return s
}

// TermID is a term's dimension in a sparse vector: 32-bit FNV-1a of its UTF-8 bytes. At our
// vocabulary sizes (tens of thousands of terms) collisions are rare and only blur two terms.
func TermID(term string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(term))
	return h.Sum32()
}

// Truncate cuts s to at most n bytes on a rune boundary.
func Truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

package memory

import (
	"context"
	"fmt"
)

// LocalDimension is the dimension of the local embedder's vectors: measured against 256 and
// 1024 on column descriptions (docs/memory.md), 512 keeps hash collisions rare for texts of a
// few dozen words at half the scan cost of 1024.
const LocalDimension = 512

// LocalEmbedder embeds identifiers and short texts with no model and no network: each text
// becomes a bag of hashed features (words, the parts of snake_case and camelCase identifiers
// with common data abbreviations expanded, word bigrams, and character 3- to 5-grams that
// catch shared stems and spelling variants), L2-normalised. Two texts score high when they use
// the same words, the same identifiers or words with the same stems; it knows no synonyms.
type LocalEmbedder struct {
	dim int
}

// NewLocalEmbedder returns the local embedder with LocalDimension dimensions.
func NewLocalEmbedder() *LocalEmbedder { return &LocalEmbedder{dim: LocalDimension} }

// NewLocalEmbedderDim returns the local embedder with dim dimensions (at least 16): more
// dimensions mean fewer hash collisions and a slower scan. Its Name carries the dimension.
func NewLocalEmbedderDim(dim int) *LocalEmbedder { return &LocalEmbedder{dim: max(dim, 16)} }

// Name changes whenever the features or their weights change, so a store built with an
// earlier version is re-embedded rather than compared against incompatible vectors.
func (e *LocalEmbedder) Name() string { return fmt.Sprintf("dataops-local-v1-%d", e.dim) }

func (e *LocalEmbedder) Dimension() int { return e.dim }

// Embed never fails except on a cancelled context.
func (e *LocalEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i, t := range texts {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		out[i] = e.embed(t)
	}
	return out, nil
}

// Feature weights: a word or identifier counts fully, a bigram half (word order matters less
// in column descriptions than which words occur), and each character n-gram a third, since a
// word has about three per letter. The n-gram weight was tuned on column descriptions of two
// real projects (0.1 to 0.8 tried; docs/memory.md).
const (
	weightWord     = 1.0
	weightBigram   = 0.5
	weightCharGram = 0.35
)

func (e *LocalEmbedder) embed(text string) []float32 {
	v := make([]float32, e.dim)
	var seq []string // content terms in order, abbreviations expanded, for bigrams
	eachWord(text, func(w word) {
		if len(w.parts) > 1 {
			e.add(v, "i:", w.whole(), weightWord)
		}
		for _, p := range w.parts {
			if exp, ok := abbreviations[p]; ok {
				e.add(v, "a:", p, weightWord)
				for _, x := range exp {
					seq = append(seq, fold(x))
				}
				continue
			}
			if stopwords[p] {
				continue
			}
			seq = append(seq, fold(p))
		}
	})
	for i, t := range seq {
		e.add(v, "w:", t, weightWord)
		if i > 0 {
			e.add(v, "b:", seq[i-1]+" "+t, weightBigram)
		}
		e.addCharGrams(v, t)
	}
	Normalize(v)
	return v
}

func (e *LocalEmbedder) addCharGrams(v []float32, term string) {
	b := make([]byte, 0, len(term)+2)
	b = append(append(append(b, '<'), term...), '>')
	for n := 3; n <= 5; n++ {
		for i := 0; i+n <= len(b); i++ {
			e.add(v, "c:", string(b[i:i+n]), weightCharGram)
		}
	}
}

// add hashes a feature into v with a sign taken from the hash, so that collisions cancel out
// on average instead of piling up.
func (e *LocalEmbedder) add(v []float32, prefix, feature string, w float32) {
	h := fnv1a(fnv1a(fnvOffset, prefix), feature)
	i := int(h % uint64(e.dim))
	if h>>63 == 1 {
		w = -w
	}
	v[i] += w
}

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// fnv1a continues an FNV-1a hash over s; written out because hash/fnv would allocate for every
// feature, and the hash must not change between runs (a maphash seed does).
func fnv1a(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h
}

// stopwords carry no meaning for matching descriptions; the keyword index keeps them, since
// BM25 weighs them down by itself.
var stopwords = map[string]bool{
	"a": true, "an": true, "the": true, "of": true, "to": true, "in": true, "for": true, "and": true,
	"or": true, "is": true, "are": true, "was": true, "be": true, "by": true, "on": true, "at": true,
	"as": true, "it": true, "its": true, "this": true, "that": true, "with": true, "from": true,
	"which": true, "each": true, "if": true, "will": true, "has": true, "have": true, "can": true,
}

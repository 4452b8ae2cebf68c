package memory

import (
	"container/heap"
	"math"
	"slices"
)

// BM25 parameters: the usual defaults, which suit both one-line column descriptions and
// paragraph-sized doc chunks.
const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

// KeywordIndex ranks texts by BM25 over their Terms. Stores whose engine has no keyword
// ranking of its own keep one in memory, rebuilt from their records on open. It is not safe
// for concurrent use: the store holding it serialises writes against reads.
type KeywordIndex struct {
	termIDs  map[string]int32
	postings [][]posting // by term id, in document order
	df       []int32     // live documents holding the term, by term id
	docs     []kwDoc     // by document number; numbers are never reused until compaction
	byID     map[string]int32
	totalLen int64 // terms in live documents
	stale    int   // postings that point at removed documents
	all      int   // postings in total
	scratch  []int32
}

type posting struct {
	doc int32
	tf  uint32
}

type kwDoc struct {
	id    string // "" once removed
	len   int32
	terms []int32 // distinct term ids, for adjusting df on removal
}

// NewKeywordIndex returns an empty index.
func NewKeywordIndex() *KeywordIndex {
	return &KeywordIndex{termIDs: map[string]int32{}, byID: map[string]int32{}}
}

// Len is the number of documents indexed.
func (x *KeywordIndex) Len() int { return len(x.byID) }

// Add indexes text under id, replacing what id held before.
func (x *KeywordIndex) Add(id, text string) {
	x.Remove(id)
	terms := Terms(text)
	// Term ids sorted, then counted by runs: cheaper than a map per document, and Add runs
	// for every record each time a store opens.
	tids := x.scratch[:0]
	for _, t := range terms {
		tid, ok := x.termIDs[t]
		if !ok {
			tid = int32(len(x.postings))
			x.termIDs[t] = tid
			x.postings = append(x.postings, nil)
			x.df = append(x.df, 0)
		}
		tids = append(tids, tid)
	}
	slices.Sort(tids)
	x.scratch = tids
	doc := int32(len(x.docs))
	d := kwDoc{id: id, len: int32(len(terms))}
	distinct := 0
	for i := 0; i < len(tids); {
		j := i + 1
		for j < len(tids) && tids[j] == tids[i] {
			j++
		}
		distinct++
		i = j
	}
	d.terms = make([]int32, 0, distinct)
	for i := 0; i < len(tids); {
		j := i + 1
		for j < len(tids) && tids[j] == tids[i] {
			j++
		}
		tid := tids[i]
		x.postings[tid] = append(x.postings[tid], posting{doc: doc, tf: uint32(j - i)})
		x.df[tid]++
		d.terms = append(d.terms, tid)
		i = j
	}
	x.all += distinct
	x.docs = append(x.docs, d)
	x.byID[id] = doc
	x.totalLen += int64(d.len)
}

// Remove forgets id; it is a no-op for an unknown id. Postings are dropped lazily: once most
// of them are stale the index compacts, so a re-ingest that replaces everything stays linear.
func (x *KeywordIndex) Remove(id string) {
	doc, ok := x.byID[id]
	if !ok {
		return
	}
	delete(x.byID, id)
	d := &x.docs[doc]
	for _, tid := range d.terms {
		x.df[tid]--
	}
	x.stale += len(d.terms)
	x.totalLen -= int64(d.len)
	*d = kwDoc{}
	if x.stale > 1024 && x.stale*2 > x.all {
		x.compact()
	}
}

func (x *KeywordIndex) compact() {
	renum := make([]int32, len(x.docs))
	docs := make([]kwDoc, 0, len(x.byID))
	for i, d := range x.docs {
		if d.id == "" {
			renum[i] = -1
			continue
		}
		renum[i] = int32(len(docs))
		x.byID[d.id] = int32(len(docs))
		docs = append(docs, d)
	}
	x.docs = docs
	x.all = 0
	for tid, ps := range x.postings {
		kept := ps[:0]
		for _, p := range ps {
			if n := renum[p.doc]; n >= 0 {
				kept = append(kept, posting{doc: n, tf: p.tf})
			}
		}
		x.postings[tid] = kept
		x.all += len(kept)
	}
	x.stale = 0
}

// BM25 is the weight of a term that occurs tf times in a document of docLen terms, held by df
// of n documents whose mean length is avgLen: the score KeywordIndex sums over a query's
// terms, for stores that keep their own postings.
func BM25(tf, df, n, docLen, avgLen float64) float64 {
	return BM25Term(BM25IDF(df, n), tf, docLen, avgLen)
}

// BM25IDF and BM25Term are BM25 in two parts, for a caller that scores many documents for
// one term: the inverse document frequency once, then each document's term.
func BM25IDF(df, n float64) float64 { return math.Log(1 + (n-df+0.5)/(df+0.5)) }

// BM25Term is a document's score for a term whose BM25IDF is idf.
func BM25Term(idf, tf, docLen, avgLen float64) float64 {
	norm := bm25K1 * (1 - bm25B + bm25B*docLen/avgLen)
	return idf * tf * (bm25K1 + 1) / (tf + norm)
}

// KeywordHit is a document and its BM25 score.
type KeywordHit struct {
	ID    string
	Score float64
}

// Search returns up to limit documents that share a term with text, best first (ties by id).
// allow, when not nil, is asked only about documents that would enter the top limit, so a
// filter costs little even on large indexes.
func (x *KeywordIndex) Search(text string, allow func(id string) bool, limit int) []KeywordHit {
	n := len(x.byID)
	if n == 0 || limit <= 0 {
		return nil
	}
	qtf := map[int32]float64{}
	for _, t := range Terms(text) {
		if tid, ok := x.termIDs[t]; ok && x.df[tid] > 0 {
			qtf[tid]++
		}
	}
	if len(qtf) == 0 {
		return nil
	}
	avg := float64(x.totalLen) / float64(n)
	if avg == 0 {
		avg = 1
	}
	scores := make([]float32, len(x.docs))
	for tid, qw := range qtf {
		df := float64(x.df[tid])
		for _, p := range x.postings[tid] {
			d := &x.docs[p.doc]
			if d.id == "" {
				continue
			}
			scores[p.doc] += float32(qw * BM25(float64(p.tf), df, float64(n), float64(d.len), avg))
		}
	}
	top := &topK{limit: limit}
	for doc, s := range scores {
		if s <= 0 {
			continue
		}
		id := x.docs[doc].id
		if !top.wants(float64(s), id) {
			continue
		}
		if allow != nil && !allow(id) {
			continue
		}
		top.push(float64(s), id)
	}
	return top.sorted()
}

// topK keeps the best limit (score, id) pairs; ties go to the smaller id so results are
// stable across runs and engines.
type topK struct {
	limit int
	items kwHeap
}

func (t *topK) wants(score float64, id string) bool {
	if len(t.items) < t.limit {
		return true
	}
	return better(score, id, t.items[0].Score, t.items[0].ID)
}

func (t *topK) push(score float64, id string) {
	if len(t.items) < t.limit {
		heap.Push(&t.items, KeywordHit{ID: id, Score: score})
		return
	}
	t.items[0] = KeywordHit{ID: id, Score: score}
	heap.Fix(&t.items, 0)
}

func (t *topK) sorted() []KeywordHit {
	out := make([]KeywordHit, len(t.items))
	for i := len(out) - 1; i >= 0; i-- {
		out[i] = heap.Pop(&t.items).(KeywordHit)
	}
	return out
}

func better(s1 float64, id1 string, s2 float64, id2 string) bool {
	if s1 != s2 {
		return s1 > s2
	}
	return id1 < id2
}

// kwHeap is a min-heap: the worst kept hit on top.
type kwHeap []KeywordHit

func (h kwHeap) Len() int           { return len(h) }
func (h kwHeap) Less(i, j int) bool { return better(h[j].Score, h[j].ID, h[i].Score, h[i].ID) }
func (h kwHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *kwHeap) Push(v any)        { *h = append(*h, v.(KeywordHit)) }
func (h *kwHeap) Pop() any {
	old := *h
	v := old[len(old)-1]
	*h = old[:len(old)-1]
	return v
}

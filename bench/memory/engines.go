package main

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/dataops-dev/dataops/internal/memory"
	"github.com/dataops-dev/dataops/internal/memory/embedded"
	"github.com/philippgille/chromem-go"
	"gonum.org/v1/gonum/blas/blas32"
)

// engine is what the benchmark needs of a candidate: batched upserts with vectors, and a
// hybrid query returning ids best first.
type engine interface {
	upsert(ctx context.Context, recs []memory.Record) error
	query(ctx context.Context, q memory.Query) ([]string, error)
	close() error
}

const depth = 50

// keywordTime is the time spent in the keyword ranking, reported apart so that engines which
// share the vector scan can be compared on the part that differs.
var keywordTime time.Duration

func openEngine(ctx context.Context, name, dir string, emb memory.Embedder) (engine, error) {
	switch name {
	case "own":
		s, err := embedded.Open(ctx, dir, emb)
		return ownEngine{s}, err
	case "chromem":
		return openChromem(dir)
	case "bleve":
		return openBleve(dir, emb.Dimension())
	}
	return nil, errors.New("unknown engine " + name)
}

// own: the embedded store as built.
type ownEngine struct{ s *embedded.Store }

func (e ownEngine) upsert(ctx context.Context, recs []memory.Record) error {
	return e.s.Upsert(ctx, recs)
}
func (e ownEngine) close() error { return e.s.Close() }
func (e ownEngine) query(ctx context.Context, q memory.Query) ([]string, error) {
	hits, err := e.s.Query(ctx, q)
	var ids []string
	for _, h := range hits {
		ids = append(ids, h.ID)
	}
	return ids, err
}

// side is what chromem and bleve cannot give back on open: for chromem the texts (it cannot
// list its documents, so BM25 is rebuilt from here), for bleve the metadata and vectors
// (without faiss it has no vector search). Records as JSON lines without vectors; vectors, when
// kept, as raw float32s in a second file in the same order.
type side struct {
	meta, vecs *os.File
	dim        int
	recs       map[string]*memory.Record
}

func openSide(dir string, dim int) (*side, error) {
	s := &side{recs: map[string]*memory.Record{}, dim: dim}
	mp, vp := filepath.Join(dir, "side.jsonl"), filepath.Join(dir, "side.f32")
	if f, err := os.Open(mp); err == nil {
		vf, _ := os.Open(vp)
		var vr *bufio.Reader
		if vf != nil {
			vr = bufio.NewReaderSize(vf, 1<<20)
			defer vf.Close()
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<26)
		buf := make([]byte, 4*dim)
		for sc.Scan() {
			var r memory.Record
			if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
				f.Close()
				return nil, err
			}
			if vr != nil {
				if _, err := io.ReadFull(vr, buf); err != nil {
					return nil, err
				}
				r.Vector = make([]float32, dim)
				for i := range r.Vector {
					r.Vector[i] = math.Float32frombits(binary.LittleEndian.Uint32(buf[4*i:]))
				}
			}
			s.recs[r.ID] = &r
		}
		f.Close()
	}
	var err error
	if s.meta, err = os.OpenFile(mp, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644); err != nil {
		return nil, err
	}
	if dim > 0 {
		s.vecs, err = os.OpenFile(vp, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	}
	return s, err
}

func (s *side) add(recs []memory.Record) error {
	w := bufio.NewWriter(s.meta)
	var vw *bufio.Writer
	if s.vecs != nil {
		vw = bufio.NewWriter(s.vecs)
	}
	for i := range recs {
		r := recs[i]
		if vw != nil {
			for _, x := range r.Vector {
				vw.Write(binary.LittleEndian.AppendUint32(nil, math.Float32bits(x)))
			}
		}
		r.Vector = nil
		b, _ := json.Marshal(r)
		w.Write(append(b, '\n'))
		s.recs[r.ID] = &r
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if vw != nil {
		if err := vw.Flush(); err != nil {
			return err
		}
		s.vecs.Sync()
	}
	return s.meta.Sync()
}

func (s *side) close() {
	s.meta.Close()
	if s.vecs != nil {
		s.vecs.Close()
	}
}

// chromem-go for vectors and persistence, the in-memory BM25 index for keywords.
type chromemEngine struct {
	db   *chromem.DB
	col  *chromem.Collection
	side *side
	kw   *memory.KeywordIndex
}

func openChromem(dir string) (*chromemEngine, error) {
	db, err := chromem.NewPersistentDB(filepath.Join(dir, "chromem"), false)
	if err != nil {
		return nil, err
	}
	noEmbed := func(context.Context, string) ([]float32, error) {
		return nil, errors.New("vectors are computed by the caller")
	}
	col, err := db.GetOrCreateCollection("memory", nil, noEmbed)
	if err != nil {
		return nil, err
	}
	sd, err := openSide(dir, 0)
	if err != nil {
		return nil, err
	}
	kw := memory.NewKeywordIndex()
	for id, r := range sd.recs {
		kw.Add(id, r.Text)
	}
	return &chromemEngine{db: db, col: col, side: sd, kw: kw}, nil
}

func meta(r *memory.Record) map[string]string {
	return map[string]string{"kind": string(r.Kind), "project": r.Metadata.Project, "model": r.Metadata.Model,
		"column": r.Metadata.Column, "source": r.Metadata.Source}
}

func (e *chromemEngine) upsert(ctx context.Context, recs []memory.Record) error {
	docs := make([]chromem.Document, len(recs))
	for i := range recs {
		docs[i] = chromem.Document{ID: recs[i].ID, Metadata: meta(&recs[i]), Embedding: recs[i].Vector, Content: recs[i].Text}
	}
	if err := e.col.AddDocuments(ctx, docs, runtime.GOMAXPROCS(0)); err != nil {
		return err
	}
	for i := range recs {
		e.kw.Add(recs[i].ID, recs[i].Text)
	}
	return e.side.add(recs)
}

// where maps our filter to chromem's equality filter; chromem cannot say "kind in (a, b)", so a
// single kind is all the benchmark's queries use.
func where(f memory.Filter) map[string]string {
	w := map[string]string{}
	if len(f.Kinds) == 1 {
		w["kind"] = string(f.Kinds[0])
	}
	for k, v := range map[string]string{"project": f.Project, "model": f.Model, "column": f.Column, "source": f.Source} {
		if v != "" {
			w[k] = v
		}
	}
	if len(w) == 0 {
		return nil
	}
	return w
}

func (e *chromemEngine) query(ctx context.Context, q memory.Query) ([]string, error) {
	n := min(depth, e.col.Count())
	var byVector []string
	res, err := e.col.QueryEmbedding(ctx, q.Vector, n, where(q.Filter), nil)
	if err != nil {
		return nil, err
	}
	for _, r := range res {
		byVector = append(byVector, r.ID)
	}
	var byKeyword []string
	t0 := time.Now()
	defer func() { keywordTime += time.Since(t0) }()
	for _, h := range e.kw.Search(q.Text, func(id string) bool { return q.Filter.Match(e.side.recs[id]) }, depth) {
		byKeyword = append(byKeyword, h.ID)
	}
	return fusedIDs(byVector, byKeyword, q.Limit), nil
}

func (e *chromemEngine) close() error { e.side.close(); return nil }

func fusedIDs(v, k []string, limit int) []string {
	var ids []string
	for _, f := range memory.Fuse(v, k, limit) {
		ids = append(ids, f.ID)
	}
	return ids
}

// bleve for BM25, filters and persistence of texts; vectors from a side file scanned exactly.
type bleveEngine struct {
	idx  bleve.Index
	side *side
	dim  int
	ids  []string
	vecs []float32
	slot map[string]int
}

type bleveDoc struct {
	Text    string `json:"text"`
	Kind    string `json:"kind"`
	Project string `json:"project"`
	Model   string `json:"model"`
	Column  string `json:"column"`
	Source  string `json:"source"`
}

func openBleve(dir string, dim int) (*bleveEngine, error) {
	path := filepath.Join(dir, "bleve")
	idx, err := bleve.Open(path)
	if errors.Is(err, bleve.ErrorIndexPathDoesNotExist) {
		m := bleve.NewIndexMapping()
		m.ScoringModel = "bm25"
		dm := bleve.NewDocumentMapping()
		text := bleve.NewTextFieldMapping()
		text.Store = false
		dm.AddFieldMappingsAt("text", text)
		for _, f := range []string{"kind", "project", "model", "column", "source"} {
			km := bleve.NewTextFieldMapping()
			km.Analyzer = keyword.Name
			km.Store = false
			dm.AddFieldMappingsAt(f, km)
		}
		m.DefaultMapping = dm
		idx, err = bleve.New(path, m)
	}
	if err != nil {
		return nil, err
	}
	sd, err := openSide(dir, dim)
	if err != nil {
		return nil, err
	}
	e := &bleveEngine{idx: idx, side: sd, dim: dim, slot: map[string]int{}}
	for id, r := range sd.recs {
		e.setVector(id, r.Vector)
		r.Vector = nil
	}
	return e, nil
}

func (e *bleveEngine) setVector(id string, v []float32) {
	i, ok := e.slot[id]
	if !ok {
		i = len(e.ids)
		e.slot[id] = i
		e.ids = append(e.ids, id)
		e.vecs = append(e.vecs, make([]float32, e.dim)...)
	}
	copy(e.vecs[i*e.dim:], v)
}

func (e *bleveEngine) upsert(ctx context.Context, recs []memory.Record) error {
	b := e.idx.NewBatch()
	for i := range recs {
		r := &recs[i]
		if err := b.Index(r.ID, bleveDoc{Text: r.Text, Kind: string(r.Kind), Project: r.Metadata.Project, Model: r.Metadata.Model, Column: r.Metadata.Column, Source: r.Metadata.Source}); err != nil {
			return err
		}
		e.setVector(r.ID, r.Vector)
	}
	if err := e.idx.Batch(b); err != nil {
		return err
	}
	return e.side.add(recs)
}

func (e *bleveEngine) query(ctx context.Context, q memory.Query) ([]string, error) {
	// vectors: exact scan of the side slab, filter from the side metadata
	qv := blas32.Vector{N: e.dim, Inc: 1, Data: q.Vector}
	type cand struct {
		id string
		s  float32
	}
	var cands []cand
	for i, id := range e.ids {
		if !q.Filter.Match(e.side.recs[id]) {
			continue
		}
		s := blas32.Dot(qv, blas32.Vector{N: e.dim, Inc: 1, Data: e.vecs[i*e.dim : (i+1)*e.dim]})
		if s > 0 {
			cands = append(cands, cand{id, s})
		}
	}
	// every candidate is sorted: simpler and slower than the embedded store's top-k heap
	slices.SortFunc(cands, func(a, b cand) int {
		if a.s != b.s {
			if a.s > b.s {
				return -1
			}
			return 1
		}
		return 0
	})
	var byVector []string
	for _, c := range cands[:min(depth, len(cands))] {
		byVector = append(byVector, c.id)
	}
	// keywords: bleve BM25 with the filter as term queries
	match := bleve.NewMatchQuery(q.Text)
	match.SetField("text")
	conj := []query.Query{match}
	for field, v := range map[string]string{"project": q.Filter.Project, "model": q.Filter.Model, "column": q.Filter.Column, "source": q.Filter.Source} {
		if v != "" {
			tq := bleve.NewTermQuery(v)
			tq.SetField(field)
			conj = append(conj, tq)
		}
	}
	if len(q.Filter.Kinds) > 0 {
		var kinds []query.Query
		for _, k := range q.Filter.Kinds {
			tq := bleve.NewTermQuery(string(k))
			tq.SetField("kind")
			kinds = append(kinds, tq)
		}
		conj = append(conj, bleve.NewDisjunctionQuery(kinds...))
	}
	req := bleve.NewSearchRequestOptions(bleve.NewConjunctionQuery(conj...), depth, 0, false)
	t0 := time.Now()
	res, err := e.idx.SearchInContext(ctx, req)
	keywordTime += time.Since(t0)
	if err != nil {
		return nil, err
	}
	var byKeyword []string
	for _, h := range res.Hits {
		byKeyword = append(byKeyword, h.ID)
	}
	return fusedIDs(byVector, byKeyword, q.Limit), nil
}

func (e *bleveEngine) close() error {
	e.side.close()
	return e.idx.Close()
}

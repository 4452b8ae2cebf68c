// Package pinecone keeps long-term memory in a Pinecone index (one namespace) through its
// data-plane REST API. Pinecone ranks dense vectors only here: sparse-vector keyword ranking
// would need a sparse embedding model and a dotproduct index, which is out of scope. So the
// hybrid query takes the vector ranking's candidates (ten times the limit, at least 100),
// re-ranks those candidates by BM25 over their own texts locally, and fuses the two rankings
// with remote.Fuse; a record the vector search does not return cannot be found by keyword.
//
// Documented endpoints used (API version 2025-04, the X-Pinecone-API-Version header):
//
//	POST /describe_index_stats   dimension and metric, to check the embedder
//	POST /vectors/upsert         vectors with metadata, in batches of 100
//	POST /query                  topK with a metadata filter ($eq, $in, $and, $ne)
//	POST /vectors/delete         delete by a metadata filter on source
//	GET  /vectors/list           record IDs of the namespace, for stats (serverless indexes)
//	GET  /vectors/fetch          their metadata, for stats; the metadata of the IDs a listing found
//
// Extras travel as one JSON string: a filter on them applies to the records returned.
//
// Authentication is the Api-Key header. Point it at a real index with the index host shown
// in the Pinecone console (https://INDEX-PROJECT.svc.ENVIRONMENT.pinecone.io); the index must
// use the cosine metric and the embedder's dimension.
package pinecone

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/dataops-dev/dataops/internal/memory"
	"github.com/dataops-dev/dataops/internal/memory/remote"
	"github.com/dataops-dev/dataops/internal/memory/terms"
)

// APIVersion is the Pinecone API version the requests are written against.
const APIVersion = "2025-04"

// Config says where the index is and what embeds into it.
type Config struct {
	IndexHost string // https://INDEX-PROJECT.svc.ENVIRONMENT.pinecone.io
	APIKey    string
	Namespace string // default "dataops-memory"
	Embedder  string
	Dimension int
	Transport *remote.Transport // nil: defaults (30 s per attempt, 4 retries)
}

// Store is a memory.Store on Pinecone.
type Store struct {
	c    *remote.Client
	ns   string
	name string
	emb  string
	dim  int
}

var _ memory.Store = (*Store)(nil)

// Open checks the index's dimension and metric and that no vector of another embedder is in
// the namespace; it returns a *remote.EmbedderMismatchError otherwise.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	if cfg.Namespace == "" {
		cfg.Namespace = "dataops-memory"
	}
	h := http.Header{"Api-Key": {cfg.APIKey}, "X-Pinecone-Api-Version": {APIVersion}}
	c, err := remote.New("pinecone", cfg.IndexHost, remote.Options{Header: h, Secrets: []string{cfg.APIKey}, Transport: cfg.Transport})
	if err != nil {
		return nil, err
	}
	s := &Store{c: c, ns: cfg.Namespace, emb: cfg.Embedder, dim: cfg.Dimension,
		name: fmt.Sprintf("pinecone %s namespace %s", c.URL(), cfg.Namespace)}
	if cfg.Embedder == "" || cfg.Dimension <= 0 {
		return nil, fmt.Errorf("%s: an embedder name and a positive dimension are required", s.name)
	}
	var stats struct {
		Dimension int    `json:"dimension"`
		Metric    string `json:"metric"`
	}
	if err := c.JSON(ctx, "POST", "/describe_index_stats", nil, map[string]any{}, &stats); err != nil {
		return nil, err
	}
	if stats.Metric != "" && stats.Metric != "cosine" {
		return nil, fmt.Errorf("%s: the index uses the %s metric; memory needs cosine", s.name, stats.Metric)
	}
	if stats.Dimension != cfg.Dimension {
		have := "(none yet)"
		if stats.Dimension > 0 {
			found, err := s.query(ctx, probe(stats.Dimension), nil, 1, true)
			if err != nil {
				return nil, err
			}
			if len(found) > 0 {
				have = found[0].Metadata.Embedder
			}
		}
		return nil, &remote.EmbedderMismatchError{Store: s.name, StoreName: have, StoreDimension: stats.Dimension, Name: cfg.Embedder, Dimension: cfg.Dimension}
	}
	others, err := s.query(ctx, probe(cfg.Dimension), map[string]any{"embedder": map[string]any{"$ne": cfg.Embedder}}, 1, true)
	if err != nil {
		return nil, err
	}
	if len(others) > 0 {
		return nil, &remote.EmbedderMismatchError{Store: s.name, StoreName: others[0].Metadata.Embedder, StoreDimension: stats.Dimension, Name: cfg.Embedder, Dimension: cfg.Dimension}
	}
	return s, nil
}

// probe is a query vector for lookups by filter alone: Pinecone needs a vector, and not a
// zero one.
func probe(dim int) []float32 {
	v := make([]float32, dim)
	v[0] = 1
	return v
}

// metadata is a record as Pinecone metadata: flat strings and numbers only, so Extra travels
// as a JSON string.
type metadata struct {
	Kind     string `json:"kind"`
	Text     string `json:"text"`
	Project  string `json:"project"`
	Model    string `json:"model"`
	Column   string `json:"column"`
	Source   string `json:"source"`
	Line     int    `json:"line"`
	Commit   string `json:"commit"`
	Time     string `json:"time,omitempty"`
	Extra    string `json:"extra,omitempty"`
	Embedder string `json:"embedder"`
}

func (m metadata) record(id string) memory.Record {
	r := memory.Record{ID: id, Kind: memory.Kind(m.Kind), Text: m.Text, Metadata: memory.Metadata{
		Project: m.Project, Model: m.Model, Column: m.Column, Source: m.Source, Line: m.Line, Commit: m.Commit}}
	if m.Time != "" {
		r.Metadata.Time, _ = time.Parse(time.RFC3339Nano, m.Time)
	}
	if m.Extra != "" {
		json.Unmarshal([]byte(m.Extra), &r.Metadata.Extra)
	}
	return r
}

// batch is Pinecone's recommended upsert batch size.
const batch = 100

// Upsert writes the records' vectors with their metadata.
func (s *Store) Upsert(ctx context.Context, recs []memory.Record) error {
	for start := 0; start < len(recs); start += batch {
		part := recs[start:min(start+batch, len(recs))]
		vecs := make([]map[string]any, len(part))
		for i, r := range part {
			if len(r.Vector) != s.dim {
				return fmt.Errorf("%s: record %s's vector has %d dimensions, the index %d", s.name, r.ID, len(r.Vector), s.dim)
			}
			m := r.Metadata
			md := metadata{Kind: string(r.Kind), Text: r.Text, Project: m.Project, Model: m.Model, Column: m.Column,
				Source: m.Source, Line: m.Line, Commit: m.Commit, Embedder: s.emb}
			if !m.Time.IsZero() {
				md.Time = m.Time.UTC().Format(time.RFC3339Nano)
			}
			if len(m.Extra) > 0 {
				b, _ := json.Marshal(m.Extra)
				md.Extra = string(b)
			}
			vecs[i] = map[string]any{"id": r.ID, "values": r.Vector, "metadata": md}
		}
		var res struct {
			UpsertedCount int `json:"upsertedCount"`
		}
		if err := s.c.JSON(ctx, "POST", "/vectors/upsert", nil, map[string]any{"vectors": vecs, "namespace": s.ns}, &res); err != nil {
			return err
		}
		if res.UpsertedCount != len(part) {
			return fmt.Errorf("%s: upsert of %d vectors reported %d", s.name, len(part), res.UpsertedCount)
		}
	}
	return nil
}

type match struct {
	ID       string   `json:"id"`
	Score    float64  `json:"score"`
	Metadata metadata `json:"metadata"`
}

func (s *Store) query(ctx context.Context, vector []float32, filter map[string]any, topK int, withMetadata bool) ([]match, error) {
	body := map[string]any{"namespace": s.ns, "vector": vector, "topK": topK, "includeMetadata": withMetadata, "includeValues": false}
	if filter != nil {
		body["filter"] = filter
	}
	var res struct {
		Matches []match `json:"matches"`
	}
	err := s.c.JSON(ctx, "POST", "/query", nil, body, &res)
	return res.Matches, err
}

// filter is the metadata filter of f, in Pinecone's filter language, ours first: only this
// embedder's vectors.
func (s *Store) filter(f memory.Filter) map[string]any {
	and := []any{map[string]any{"embedder": map[string]any{"$eq": s.emb}}}
	if len(f.Kinds) > 0 {
		kinds := make([]string, len(f.Kinds))
		for i, k := range f.Kinds {
			kinds[i] = string(k)
		}
		and = append(and, map[string]any{"kind": map[string]any{"$in": kinds}})
	}
	for _, c := range []struct{ field, v string }{{"project", f.Project}, {"model", f.Model}, {"column", f.Column}, {"source", f.Source}} {
		if c.v != "" {
			and = append(and, map[string]any{c.field: map[string]any{"$eq": c.v}})
		}
	}
	if len(f.Columns) > 0 {
		and = append(and, map[string]any{"column": map[string]any{"$in": f.Columns}})
	}
	return map[string]any{"$and": and}
}

// maxListed is Pinecone's limit on topK for a query that returns IDs only.
const maxListed = 10000

// fetchBatch is how many IDs one fetch asks for.
const fetchBatch = 100

// List finds the IDs that pass the filter with a query by the filter alone (a probe vector,
// IDs only), then fetches their metadata in batches; extras travel as one JSON string, so a
// filter on them applies to what is fetched. Pinecone answers at most 10,000 IDs a query: a
// filter that more records pass is an error rather than a short answer.
func (s *Store) List(ctx context.Context, f memory.Filter) ([]memory.Record, error) {
	found, err := s.query(ctx, probe(s.dim), s.filter(f), maxListed, false)
	if err != nil {
		return nil, err
	}
	if len(found) >= maxListed {
		return nil, fmt.Errorf("%s: %d or more records pass the filter %+v, more than Pinecone lists", s.name, maxListed, f)
	}
	var out []memory.Record
	for lo := 0; lo < len(found); lo += fetchBatch {
		fq := url.Values{"namespace": {s.ns}}
		for _, m := range found[lo:min(lo+fetchBatch, len(found))] {
			fq.Add("ids", m.ID)
		}
		var fetched struct {
			Vectors map[string]struct {
				ID       string   `json:"id"`
				Metadata metadata `json:"metadata"`
			} `json:"vectors"`
		}
		if err := s.c.JSON(ctx, "GET", "/vectors/fetch", fq, nil, &fetched); err != nil {
			return nil, err
		}
		for id, v := range fetched.Vectors {
			if r := v.Metadata.record(id); f.MatchExtra(r.Metadata.Extra) {
				out = append(out, r)
			}
		}
	}
	memory.SortRecords(out)
	return out, nil
}

// maxTopK is Pinecone's limit on topK for a query that returns metadata.
const maxTopK = 1000

// DeleteBySource deletes the vectors of source by a metadata filter. Pinecone does not say
// how many it deleted, so they are counted first (up to 10,000, its topK limit).
func (s *Store) DeleteBySource(ctx context.Context, source string) (int, error) {
	f := map[string]any{"source": map[string]any{"$eq": source}}
	found, err := s.query(ctx, probe(s.dim), f, 10000, false)
	if err != nil || len(found) == 0 {
		return 0, err
	}
	if err := s.c.JSON(ctx, "POST", "/vectors/delete", nil, map[string]any{"filter": f, "namespace": s.ns}, nil); err != nil {
		return 0, err
	}
	return len(found), nil
}

// Query ranks by vector in Pinecone, re-ranks the candidates by BM25 locally, and fuses.
func (s *Store) Query(ctx context.Context, q memory.Query) ([]memory.Hit, error) {
	if q.Limit <= 0 {
		q.Limit = 10
	}
	if len(q.Vector) != s.dim {
		return nil, fmt.Errorf("%s: the query vector has %d dimensions, the index %d", s.name, len(q.Vector), s.dim)
	}
	ms, err := s.query(ctx, q.Vector, s.filter(q.Filter), min(max(10*q.Limit, 100), maxTopK), true)
	if err != nil {
		return nil, err
	}
	var vec []memory.Hit
	var texts []string
	for _, m := range ms {
		r := m.Metadata.record(m.ID)
		if !q.Filter.MatchExtra(r.Metadata.Extra) {
			continue
		}
		vec = append(vec, memory.Hit{Record: r})
		texts = append(texts, terms.Keywords(m.Metadata.Text, m.Metadata.Model, m.Metadata.Column))
	}
	var kw []memory.Hit
	for _, i := range terms.Rank(q.Text, texts) {
		kw = append(kw, vec[i])
	}
	return remote.Fuse(vec, kw, q.Limit), nil
}

// Stats lists the namespace's IDs and fetches their metadata, 100 at a time: Pinecone's
// index stats count vectors but not by metadata. Its cost grows with the store.
func (s *Store) Stats(ctx context.Context) (memory.Stats, error) {
	st := memory.Stats{ByKind: map[memory.Kind]int{}, Embedder: s.emb, Dimension: s.dim}
	sources := map[string]bool{}
	token := ""
	for {
		q := url.Values{"namespace": {s.ns}, "limit": {"100"}}
		if token != "" {
			q.Set("paginationToken", token)
		}
		var page struct {
			Vectors []struct {
				ID string `json:"id"`
			} `json:"vectors"`
			Pagination *struct {
				Next string `json:"next"`
			} `json:"pagination"`
		}
		if err := s.c.JSON(ctx, "GET", "/vectors/list", q, nil, &page); err != nil {
			return st, err
		}
		if len(page.Vectors) > 0 {
			fq := url.Values{"namespace": {s.ns}}
			for _, v := range page.Vectors {
				fq.Add("ids", v.ID)
			}
			var fetched struct {
				Vectors map[string]struct {
					Metadata metadata `json:"metadata"`
				} `json:"vectors"`
			}
			if err := s.c.JSON(ctx, "GET", "/vectors/fetch", fq, nil, &fetched); err != nil {
				return st, err
			}
			for _, v := range fetched.Vectors {
				st.Records++
				st.ByKind[memory.Kind(v.Metadata.Kind)]++
				if v.Metadata.Source != "" {
					sources[v.Metadata.Source] = true
				}
			}
		}
		if page.Pagination == nil || page.Pagination.Next == "" {
			break
		}
		token = page.Pagination.Next
	}
	st.Sources = len(sources)
	return st, nil
}

// Close does nothing: the client holds no connection of its own.
func (s *Store) Close() error { return nil }

// Package opensearch keeps long-term memory in an OpenSearch index with the k-NN plugin,
// through opensearch-go. Each record is a document with a knn_vector field (HNSW, cosine
// similarity, Lucene engine, which filters inside the graph search) and a text field of its
// identifier-split terms that OpenSearch ranks by BM25. A query runs a knn query and a BM25
// match query with the same filters and fuses them with remote.Fuse.
//
// Documented endpoints used (OpenSearch 2.x with the k-NN plugin, as in Amazon OpenSearch
// Service):
//
//	GET  /{index}/_mapping           the index's _meta (embedder, dimension)
//	PUT  /{index}                    create: settings index.knn, mappings with knn_vector and _meta
//	POST /{index}/_bulk              index documents (application/x-ndjson, refresh=true)
//	POST /{index}/_delete_by_query   term query on the source field (refresh=true)
//	POST /{index}/_search            knn query with a filter; bool query with match and filters;
//	                                 bool filters sorted by record_id with search_after (listing);
//	                                 terms and cardinality aggregations for stats
//
// Extras are stored, not indexed: a filter on them applies to the documents the server returns.
//
// Authentication is HTTP basic (a user and password in the URL or in Config). Point it at a
// real cluster with its HTTPS endpoint, e.g. https://admin:PASSWORD@localhost:9200.
package opensearch

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/opensearch-project/opensearch-go/v4"
	"github.com/opensearch-project/opensearch-go/v4/opensearchapi"

	"github.com/dataops-dev/dataops/internal/memory"
	"github.com/dataops-dev/dataops/internal/memory/remote"
	"github.com/dataops-dev/dataops/internal/memory/terms"
)

// Config says where the index is and what embeds into it.
type Config struct {
	URL       string // e.g. https://localhost:9200; a user:password in it is used for basic auth
	Username  string
	Password  string
	Index     string // default "dataops-memory"
	Embedder  string
	Dimension int
	Transport *remote.Transport // nil: defaults (30 s per attempt, 4 retries)
}

// Store is a memory.Store on OpenSearch.
type Store struct {
	c       *opensearchapi.Client
	index   string
	name    string
	emb     string
	dim     int
	secrets []string
}

var _ memory.Store = (*Store)(nil)

// Open checks the index (creating it when absent) and returns a *remote.EmbedderMismatchError
// if it was made for another embedder or dimension.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	if cfg.Index == "" {
		cfg.Index = "dataops-memory"
	}
	u, err := url.Parse(strings.TrimRight(cfg.URL, "/"))
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("opensearch: %s is not an http(s) URL", remote.MaskURL(cfg.URL))
	}
	if u.User != nil {
		cfg.Username = u.User.Username()
		cfg.Password, _ = u.User.Password()
		u.User = nil
	}
	s := &Store{index: cfg.Index, emb: cfg.Embedder, dim: cfg.Dimension, secrets: []string{cfg.Password},
		name: fmt.Sprintf("opensearch %s index %s", u.String(), cfg.Index)}
	if cfg.Embedder == "" || cfg.Dimension <= 0 {
		return nil, fmt.Errorf("%s: an embedder name and a positive dimension are required", s.name)
	}
	t := cfg.Transport
	if t == nil {
		t = &remote.Transport{}
	}
	s.c, err = opensearchapi.NewClient(opensearchapi.Config{Client: opensearch.Config{
		Addresses: []string{u.String()},
		Username:  cfg.Username,
		Password:  cfg.Password,
		Transport: t,
		// Retries are the Transport's, which honours Retry-After; node discovery would
		// send requests of its own that a managed endpoint may not allow.
		DisableRetry: true,
	}})
	if err != nil {
		return nil, s.fail("client", err)
	}
	mresp, err := s.c.Indices.Mapping.Get(ctx, &opensearchapi.MappingGetReq{Indices: []string{s.index}})
	if status(mresp, err) == http.StatusNotFound {
		return s, s.create(ctx)
	}
	if err != nil {
		return nil, s.fail("reading the mapping", err)
	}
	var m struct {
		Meta struct {
			Embedder  string `json:"embedder"`
			Dimension int    `json:"dimension"`
		} `json:"_meta"`
	}
	idx, ok := mresp.GetIndices()[s.index]
	if !ok {
		return nil, fmt.Errorf("%s: the mapping answer does not name the index", s.name)
	}
	if err := json.Unmarshal(idx.Mappings, &m); err != nil {
		return nil, s.fail("reading the mapping", err)
	}
	if m.Meta.Embedder != cfg.Embedder || m.Meta.Dimension != cfg.Dimension {
		return nil, &remote.EmbedderMismatchError{Store: s.name, StoreName: m.Meta.Embedder, StoreDimension: m.Meta.Dimension, Name: cfg.Embedder, Dimension: cfg.Dimension}
	}
	return s, nil
}

// inspector is what every opensearchapi response offers.
type inspector interface {
	Inspect() opensearchapi.Inspect
}

func status(resp inspector, err error) int {
	if resp == nil {
		return 0
	}
	if r := resp.Inspect().Response; r != nil {
		return r.StatusCode
	}
	return 0
}

func (s *Store) fail(what string, err error) error {
	msg := err.Error()
	var ue *url.Error
	if errors.As(err, &ue) {
		msg = ue.Err.Error() // without the URL, which the store's name already gives, masked
	}
	for _, v := range s.secrets {
		if len(v) >= 4 {
			msg = strings.ReplaceAll(msg, v, "***")
		}
	}
	if remote.IsTimeout(err) {
		msg = "timed out: " + msg
	}
	return fmt.Errorf("%s: %s: %s", s.name, what, msg)
}

func keyword() map[string]any { return map[string]any{"type": "keyword"} }

// mapping is the index definition: strict, so a document with a field we did not declare is
// refused instead of widening the mapping.
func (s *Store) mapping() map[string]any {
	return map[string]any{
		"settings": map[string]any{"index": map[string]any{"knn": true}},
		"mappings": map[string]any{
			"dynamic": "strict",
			"_meta":   map[string]any{"embedder": s.emb, "dimension": s.dim},
			"properties": map[string]any{
				"vector": map[string]any{"type": "knn_vector", "dimension": s.dim,
					"method": map[string]any{"name": "hnsw", "space_type": "cosinesimil", "engine": "lucene"}},
				"keywords":  map[string]any{"type": "text", "analyzer": "standard"},
				"text":      map[string]any{"type": "text", "index": false},
				"record_id": keyword(), "kind": keyword(), "project": keyword(), "model": keyword(),
				"column": keyword(), "source": keyword(), "commit": keyword(), "embedder": keyword(),
				"line":  map[string]any{"type": "integer"},
				"time":  map[string]any{"type": "date"},
				"extra": map[string]any{"type": "object", "enabled": false},
			},
		},
	}
}

func (s *Store) create(ctx context.Context) error {
	body, _ := json.Marshal(s.mapping())
	if _, err := s.c.Indices.Create(ctx, opensearchapi.IndicesCreateReq{Index: s.index, Body: bytes.NewReader(body)}); err != nil {
		return s.fail("creating the index", err)
	}
	return nil
}

type doc struct {
	RecordID string            `json:"record_id"`
	Kind     string            `json:"kind"`
	Text     string            `json:"text"`
	Keywords string            `json:"keywords"`
	Project  string            `json:"project"`
	Model    string            `json:"model"`
	Column   string            `json:"column"`
	Source   string            `json:"source"`
	Line     int               `json:"line"`
	Commit   string            `json:"commit"`
	Time     *time.Time        `json:"time,omitempty"`
	Extra    map[string]string `json:"extra,omitempty"`
	Embedder string            `json:"embedder"`
	Vector   []float32         `json:"vector,omitempty"`
}

func (d doc) record() memory.Record {
	r := memory.Record{ID: d.RecordID, Kind: memory.Kind(d.Kind), Text: d.Text, Metadata: memory.Metadata{
		Project: d.Project, Model: d.Model, Column: d.Column, Source: d.Source, Line: d.Line, Commit: d.Commit, Extra: d.Extra}}
	if d.Time != nil {
		r.Metadata.Time = d.Time.UTC()
	}
	return r
}

// batch bounds the documents of one _bulk request (a few MB at 1,536 dimensions).
const batch = 500

// Upsert indexes the records by ID with _bulk and refreshes, so a query that follows sees them.
func (s *Store) Upsert(ctx context.Context, recs []memory.Record) error {
	for start := 0; start < len(recs); start += batch {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		for _, r := range recs[start:min(start+batch, len(recs))] {
			if len(r.Vector) != s.dim {
				return fmt.Errorf("%s: record %s's vector has %d dimensions, the index %d", s.name, r.ID, len(r.Vector), s.dim)
			}
			m := r.Metadata
			d := doc{RecordID: r.ID, Kind: string(r.Kind), Text: r.Text, Keywords: terms.Keywords(r.Text, m.Model, m.Column),
				Project: m.Project, Model: m.Model, Column: m.Column, Source: m.Source, Line: m.Line, Commit: m.Commit,
				Extra: m.Extra, Embedder: s.emb, Vector: r.Vector}
			if !m.Time.IsZero() {
				t := m.Time.UTC()
				d.Time = &t
			}
			enc.Encode(map[string]any{"index": map[string]any{"_id": r.ID}})
			if err := enc.Encode(d); err != nil {
				return fmt.Errorf("%s: record %s: %w", s.name, r.ID, err)
			}
		}
		resp, err := s.c.Bulk(ctx, opensearchapi.BulkReq{Index: s.index, Body: bytes.NewReader(buf.Bytes()),
			Header: http.Header{"Content-Type": {"application/x-ndjson"}}, Params: opensearchapi.BulkParams{Refresh: "true"}})
		if err != nil {
			return s.fail("bulk", err)
		}
		if resp.Errors {
			for _, item := range resp.Items {
				for _, it := range item {
					if it.Error != nil {
						return fmt.Errorf("%s: bulk: document %s: %s: %s", s.name, it.ID, it.Error.Type, it.Error.Reason)
					}
				}
			}
			return fmt.Errorf("%s: bulk: errors reported without details", s.name)
		}
	}
	return nil
}

// DeleteBySource deletes the documents of source and says how many there were.
func (s *Store) DeleteBySource(ctx context.Context, source string) (int, error) {
	body, _ := json.Marshal(map[string]any{"query": map[string]any{"term": map[string]any{"source": source}}})
	refresh := true
	resp, err := s.c.Document.DeleteByQuery(ctx, opensearchapi.DocumentDeleteByQueryReq{Indices: []string{s.index},
		Body: bytes.NewReader(body), Params: opensearchapi.DocumentDeleteByQueryParams{Refresh: &refresh}})
	if err != nil {
		return 0, s.fail("delete by query", err)
	}
	return resp.Deleted, nil
}

// filters are the query's term filters, ours first: only this embedder's documents.
func (s *Store) filters(f memory.Filter) []any {
	out := []any{map[string]any{"term": map[string]any{"embedder": s.emb}}}
	if len(f.Kinds) > 0 {
		kinds := make([]string, len(f.Kinds))
		for i, k := range f.Kinds {
			kinds[i] = string(k)
		}
		out = append(out, map[string]any{"terms": map[string]any{"kind": kinds}})
	}
	for _, c := range []struct{ field, v string }{{"project", f.Project}, {"model", f.Model}, {"column", f.Column}, {"source", f.Source}} {
		if c.v != "" {
			out = append(out, map[string]any{"term": map[string]any{c.field: c.v}})
		}
	}
	if len(f.Columns) > 0 {
		out = append(out, map[string]any{"terms": map[string]any{"column": f.Columns}})
	}
	return out
}

// listPage is how many documents one listing request returns.
const listPage = 1000

// List pages through the documents that pass the filter in record-id order (search_after on
// the record_id keyword, which has no result-window limit).
func (s *Store) List(ctx context.Context, f memory.Filter) ([]memory.Record, error) {
	var out []memory.Record
	var after []any
	for {
		body := map[string]any{
			"size":    listPage,
			"_source": map[string]any{"excludes": []string{"vector"}},
			"query":   map[string]any{"bool": map[string]any{"filter": s.filters(f)}},
			"sort":    []any{map[string]any{"record_id": "asc"}},
		}
		if after != nil {
			body["search_after"] = after
		}
		resp, err := s.search(ctx, body)
		if err != nil {
			return nil, err
		}
		hits, err := s.hits(resp)
		if err != nil {
			return nil, err
		}
		for _, h := range f.KeepExtra(hits) {
			out = append(out, h.Record)
		}
		if len(hits) < listPage {
			break
		}
		after = []any{hits[len(hits)-1].ID}
	}
	memory.SortRecords(out)
	return out, nil
}

func (s *Store) search(ctx context.Context, body map[string]any) (*opensearchapi.SearchResp, error) {
	data, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	resp, err := s.c.Search(ctx, &opensearchapi.SearchReq{Indices: []string{s.index}, Body: bytes.NewReader(data)})
	if err != nil {
		return nil, s.fail("search", err)
	}
	return resp, nil
}

func (s *Store) hits(resp *opensearchapi.SearchResp) ([]memory.Hit, error) {
	out := make([]memory.Hit, len(resp.Hits.Hits))
	for i, h := range resp.Hits.Hits {
		var d doc
		if err := json.Unmarshal(h.Source, &d); err != nil {
			return nil, fmt.Errorf("%s: document %s: %w", s.name, h.ID, err)
		}
		out[i] = memory.Hit{Record: d.record()}
	}
	return out, nil
}

// Query runs the k-NN and the BM25 queries and fuses their rankings.
func (s *Store) Query(ctx context.Context, q memory.Query) ([]memory.Hit, error) {
	if q.Limit <= 0 {
		q.Limit = 10
	}
	if len(q.Vector) != s.dim {
		return nil, fmt.Errorf("%s: the query vector has %d dimensions, the index %d", s.name, len(q.Vector), s.dim)
	}
	n := max(4*q.Limit, 40)
	source := map[string]any{"excludes": []string{"vector"}}
	knn, err := s.search(ctx, map[string]any{
		"size":    n,
		"_source": source,
		"query": map[string]any{"knn": map[string]any{"vector": map[string]any{
			"vector": q.Vector, "k": n,
			"filter": map[string]any{"bool": map[string]any{"filter": s.filters(q.Filter)}},
		}}},
	})
	if err != nil {
		return nil, err
	}
	vec, err := s.hits(knn)
	if err != nil {
		return nil, err
	}
	vec = q.Filter.KeepExtra(vec)
	var kw []memory.Hit
	if text := terms.Keywords(q.Text); text != "" {
		bm25, err := s.search(ctx, map[string]any{
			"size":    n,
			"_source": source,
			"query": map[string]any{"bool": map[string]any{
				"must":   []any{map[string]any{"match": map[string]any{"keywords": map[string]any{"query": text}}}},
				"filter": s.filters(q.Filter),
			}},
		})
		if err != nil {
			return nil, err
		}
		if kw, err = s.hits(bm25); err != nil {
			return nil, err
		}
		kw = q.Filter.KeepExtra(kw)
	}
	return remote.Fuse(vec, kw, q.Limit), nil
}

// Stats counts documents, by kind (terms aggregation) and distinct sources (cardinality,
// exact below 40,000 sources).
func (s *Store) Stats(ctx context.Context) (memory.Stats, error) {
	st := memory.Stats{ByKind: map[memory.Kind]int{}, Embedder: s.emb, Dimension: s.dim}
	resp, err := s.search(ctx, map[string]any{
		"size":             0,
		"track_total_hits": true,
		"aggs": map[string]any{
			"kinds":   map[string]any{"terms": map[string]any{"field": "kind", "size": 100}},
			"sources": map[string]any{"cardinality": map[string]any{"field": "source", "precision_threshold": 40000}},
		},
	})
	if err != nil {
		return st, err
	}
	var aggs struct {
		Kinds struct {
			Buckets []struct {
				Key      string `json:"key"`
				DocCount int    `json:"doc_count"`
			} `json:"buckets"`
		} `json:"kinds"`
		Sources struct {
			Value int `json:"value"`
		} `json:"sources"`
	}
	if err := json.Unmarshal(resp.Aggregations, &aggs); err != nil {
		return st, fmt.Errorf("%s: stats: %w", s.name, err)
	}
	st.Records = resp.Hits.Total.Value
	for _, b := range aggs.Kinds.Buckets {
		st.ByKind[memory.Kind(b.Key)] = b.DocCount
	}
	st.Sources = aggs.Sources.Value
	return st, nil
}

// Close does nothing: the client holds no connection of its own.
func (s *Store) Close() error { return nil }

// Package qdrant keeps long-term memory in a Qdrant collection through its REST API. Each
// record is a point with a UUID derived from the record ID, a named dense vector "dense"
// (cosine) and a named sparse vector "keywords" holding BM25 term weights whose IDF Qdrant
// applies itself (the vector's idf modifier), so keyword ranking is BM25 computed by the
// server over the record's identifier-split terms. A query asks for both rankings and fuses
// them with remote.Fuse.
//
// Documented endpoints used (Qdrant 1.12 or later, for facets):
//
//	GET  /collections/{c}                  collection info: vector size, to check the embedder
//	PUT  /collections/{c}                  create: vectors {dense: {size, distance: Cosine}}, sparse_vectors {keywords: {modifier: idf}}
//	PUT  /collections/{c}/index            keyword payload indexes for the filtered fields
//	PUT  /collections/{c}/points?wait=true upsert points
//	POST /collections/{c}/points/delete    delete by a filter on the payload field source
//	POST /collections/{c}/points/count     exact counts (records, records deleted)
//	POST /collections/{c}/points/scroll    the points that pass a filter, a page at a time; one point of another embedder, to name it
//	POST /collections/{c}/points/query     dense and sparse rankings, filter.must match conditions
//	POST /collections/{c}/facet            counts by kind and by source
//
// Authentication is the api-key header. Point it at a real server with the collection URL
// of a self-hosted Qdrant (http://localhost:6333) or a Qdrant Cloud cluster URL and its key.
package qdrant

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/dataops-dev/dataops/internal/memory"
	"github.com/dataops-dev/dataops/internal/memory/remote"
	"github.com/dataops-dev/dataops/internal/memory/terms"
)

// Config says where the collection is and what embeds into it.
type Config struct {
	URL        string // e.g. http://localhost:6333
	APIKey     string // sent as the api-key header; empty for an open server
	Collection string // default "dataops_memory"
	Embedder   string
	Dimension  int
	Transport  *remote.Transport // nil: defaults (30 s per attempt, 4 retries)
}

// Store is a memory.Store on Qdrant.
type Store struct {
	c    *remote.Client
	coll string // path-escaped collection name
	name string
	emb  string
	dim  int
}

var _ memory.Store = (*Store)(nil)

// idSpace namespaces the UUIDs derived from record IDs.
var idSpace = uuid.MustParse("7b0f1c4e-2f0a-4d55-9a53-4c1f6a0e9d21")

// PointID is the Qdrant point ID of a record ID: Qdrant takes only integers and UUIDs.
func PointID(recordID string) string { return uuid.NewSHA1(idSpace, []byte(recordID)).String() }

// indexed are the payload fields queries filter and facet on.
var indexed = []string{"embedder", "kind", "project", "model", "column", "source"}

// Open checks the collection (creating it and its payload indexes when absent) and returns
// a *remote.EmbedderMismatchError if it holds another embedder's vectors or dimension.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	if cfg.Collection == "" {
		cfg.Collection = "dataops_memory"
	}
	h := http.Header{}
	if cfg.APIKey != "" {
		h.Set("api-key", cfg.APIKey)
	}
	c, err := remote.New("qdrant", cfg.URL, remote.Options{Header: h, Secrets: []string{cfg.APIKey}, Transport: cfg.Transport})
	if err != nil {
		return nil, err
	}
	s := &Store{c: c, coll: "collections/" + url.PathEscape(cfg.Collection), emb: cfg.Embedder, dim: cfg.Dimension,
		name: fmt.Sprintf("qdrant %s collection %s", c.URL(), cfg.Collection)}
	if cfg.Embedder == "" || cfg.Dimension <= 0 {
		return nil, fmt.Errorf("%s: an embedder name and a positive dimension are required", s.name)
	}
	var info struct {
		Result struct {
			Config struct {
				Params struct {
					Vectors map[string]struct {
						Size int `json:"size"`
					} `json:"vectors"`
				} `json:"params"`
			} `json:"config"`
		} `json:"result"`
	}
	err = c.JSON(ctx, "GET", s.coll, nil, nil, &info)
	switch {
	case remote.StatusOf(err) == http.StatusNotFound:
		err = s.create(ctx)
		if remote.StatusOf(err) != http.StatusConflict {
			return s, err
		}
		// Another process created it first: check theirs like any existing collection.
		err = c.JSON(ctx, "GET", s.coll, nil, nil, &info)
	}
	if err != nil {
		return nil, err
	}
	size := info.Result.Config.Params.Vectors["dense"].Size
	other, err := s.otherEmbedder(ctx)
	if err != nil {
		return nil, err
	}
	if size != cfg.Dimension || other != "" {
		if other == "" {
			other = cfg.Embedder // same name, other dimension
		}
		return nil, &remote.EmbedderMismatchError{Store: s.name, StoreName: other, StoreDimension: size, Name: cfg.Embedder, Dimension: cfg.Dimension}
	}
	return s, nil
}

func (s *Store) create(ctx context.Context) error {
	body := map[string]any{
		"vectors":        map[string]any{"dense": map[string]any{"size": s.dim, "distance": "Cosine"}},
		"sparse_vectors": map[string]any{"keywords": map[string]any{"modifier": "idf"}},
	}
	if err := s.c.JSON(ctx, "PUT", s.coll, nil, body, nil); err != nil {
		return err
	}
	for _, f := range indexed {
		if err := s.c.JSON(ctx, "PUT", s.coll+"/index", wait, map[string]any{"field_name": f, "field_schema": "keyword"}, nil); err != nil {
			return err
		}
	}
	return nil
}

// otherEmbedder names the embedder of a point not written by ours, "" if there is none.
func (s *Store) otherEmbedder(ctx context.Context) (string, error) {
	var res struct {
		Result struct {
			Points []struct {
				Payload struct {
					Embedder string `json:"embedder"`
				} `json:"payload"`
			} `json:"points"`
		} `json:"result"`
	}
	body := map[string]any{
		"filter":       map[string]any{"must_not": []any{match("embedder", s.emb)}},
		"limit":        1,
		"with_payload": []string{"embedder"},
		"with_vector":  false,
	}
	if err := s.c.JSON(ctx, "POST", s.coll+"/points/scroll", nil, body, &res); err != nil {
		return "", err
	}
	if len(res.Result.Points) == 0 {
		return "", nil
	}
	if e := res.Result.Points[0].Payload.Embedder; e != "" {
		return e, nil
	}
	return "(none recorded)", nil
}

var wait = url.Values{"wait": {"true"}}

func match(key, value string) map[string]any {
	return map[string]any{"key": key, "match": map[string]any{"value": value}}
}

// filter is a Qdrant filter: every condition must hold, ours being that the point was
// written by this store's embedder.
func (s *Store) filter(f memory.Filter) map[string]any {
	must := []any{match("embedder", s.emb)}
	if len(f.Kinds) > 0 {
		kinds := make([]string, len(f.Kinds))
		for i, k := range f.Kinds {
			kinds[i] = string(k)
		}
		must = append(must, map[string]any{"key": "kind", "match": map[string]any{"any": kinds}})
	}
	for _, c := range []struct{ key, v string }{{"project", f.Project}, {"model", f.Model}, {"column", f.Column}, {"source", f.Source}} {
		if c.v != "" {
			must = append(must, match(c.key, c.v))
		}
	}
	if len(f.Columns) > 0 {
		must = append(must, map[string]any{"key": "column", "match": map[string]any{"any": f.Columns}})
	}
	// Extras are a nested object of the payload, which a filter reaches by its dotted path.
	for _, k := range slices.Sorted(maps.Keys(f.Extra)) {
		must = append(must, match("extra."+k, f.Extra[k]))
	}
	return map[string]any{"must": must}
}

// listPage is how many points one scroll request returns.
const listPage = 256

// List scrolls through the points that pass the filter, a page at a time.
func (s *Store) List(ctx context.Context, f memory.Filter) ([]memory.Record, error) {
	var out []memory.Record
	var offset any
	for {
		body := map[string]any{"filter": s.filter(f), "limit": listPage, "with_payload": true, "with_vector": false}
		if offset != nil {
			body["offset"] = offset
		}
		var res struct {
			Result struct {
				Points []struct {
					Payload payload `json:"payload"`
				} `json:"points"`
				Next any `json:"next_page_offset"`
			} `json:"result"`
		}
		if err := s.c.JSON(ctx, "POST", s.coll+"/points/scroll", nil, body, &res); err != nil {
			return nil, err
		}
		for _, p := range res.Result.Points {
			out = append(out, p.Payload.record())
		}
		if res.Result.Next == nil || len(res.Result.Points) == 0 {
			break
		}
		offset = res.Result.Next
	}
	memory.SortRecords(out)
	return out, nil
}

// payload is a record as a point's payload.
type payload struct {
	RecordID string            `json:"record_id"`
	Kind     string            `json:"kind"`
	Text     string            `json:"text"`
	Project  string            `json:"project"`
	Model    string            `json:"model"`
	Column   string            `json:"column"`
	Source   string            `json:"source"`
	Line     int               `json:"line"`
	Commit   string            `json:"commit"`
	Time     string            `json:"time,omitempty"`
	Extra    map[string]string `json:"extra,omitempty"`
	Embedder string            `json:"embedder"`
}

func toPayload(r memory.Record, emb string) payload {
	m := r.Metadata
	p := payload{RecordID: r.ID, Kind: string(r.Kind), Text: r.Text, Project: m.Project, Model: m.Model, Column: m.Column,
		Source: m.Source, Line: m.Line, Commit: m.Commit, Extra: m.Extra, Embedder: emb}
	if !m.Time.IsZero() {
		p.Time = m.Time.UTC().Format(time.RFC3339Nano)
	}
	return p
}

func (p payload) record() memory.Record {
	r := memory.Record{ID: p.RecordID, Kind: memory.Kind(p.Kind), Text: p.Text, Metadata: memory.Metadata{
		Project: p.Project, Model: p.Model, Column: p.Column, Source: p.Source, Line: p.Line, Commit: p.Commit, Extra: p.Extra}}
	if p.Time != "" {
		r.Metadata.Time, _ = time.Parse(time.RFC3339Nano, p.Time)
	}
	return r
}

// batch bounds the points of one upsert request, well under Qdrant's 32 MB body limit.
const batch = 256

// Upsert writes the records as points, in batches, waiting until each is applied.
func (s *Store) Upsert(ctx context.Context, recs []memory.Record) error {
	for start := 0; start < len(recs); start += batch {
		part := recs[start:min(start+batch, len(recs))]
		points := make([]map[string]any, len(part))
		for i, r := range part {
			if len(r.Vector) != s.dim {
				return fmt.Errorf("%s: record %s's vector has %d dimensions, the collection %d", s.name, r.ID, len(r.Vector), s.dim)
			}
			vec := map[string]any{"dense": r.Vector}
			if sp := terms.DocumentSparse(terms.Keywords(r.Text, r.Metadata.Model, r.Metadata.Column)); len(sp.Indices) > 0 {
				vec["keywords"] = sp
			}
			points[i] = map[string]any{"id": PointID(r.ID), "vector": vec, "payload": toPayload(r, s.emb)}
		}
		if err := s.c.JSON(ctx, "PUT", s.coll+"/points", wait, map[string]any{"points": points}, nil); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) count(ctx context.Context, filter map[string]any) (int, error) {
	var res struct {
		Result struct {
			Count int `json:"count"`
		} `json:"result"`
	}
	body := map[string]any{"exact": true}
	if filter != nil {
		body["filter"] = filter
	}
	err := s.c.JSON(ctx, "POST", s.coll+"/points/count", nil, body, &res)
	return res.Result.Count, err
}

// DeleteBySource deletes the points of source; the count comes from an exact count first.
func (s *Store) DeleteBySource(ctx context.Context, source string) (int, error) {
	f := map[string]any{"must": []any{match("source", source)}}
	n, err := s.count(ctx, f)
	if err != nil || n == 0 {
		return 0, err
	}
	if err := s.c.JSON(ctx, "POST", s.coll+"/points/delete", wait, map[string]any{"filter": f}, nil); err != nil {
		return 0, err
	}
	return n, nil
}

type queryResult struct {
	Result struct {
		Points []struct {
			ID      string  `json:"id"`
			Score   float64 `json:"score"`
			Payload payload `json:"payload"`
		} `json:"points"`
	} `json:"result"`
}

func (s *Store) ranking(ctx context.Context, query any, using string, f memory.Filter, n int) ([]memory.Hit, error) {
	body := map[string]any{"query": query, "using": using, "filter": s.filter(f), "limit": n, "with_payload": true}
	var res queryResult
	if err := s.c.JSON(ctx, "POST", s.coll+"/points/query", nil, body, &res); err != nil {
		return nil, err
	}
	out := make([]memory.Hit, len(res.Result.Points))
	for i, p := range res.Result.Points {
		out[i] = memory.Hit{Record: p.Payload.record()}
	}
	return out, nil
}

// Query asks Qdrant for the dense and the BM25 sparse rankings and fuses them.
func (s *Store) Query(ctx context.Context, q memory.Query) ([]memory.Hit, error) {
	if q.Limit <= 0 {
		q.Limit = 10
	}
	if len(q.Vector) != s.dim {
		return nil, fmt.Errorf("%s: the query vector has %d dimensions, the collection %d", s.name, len(q.Vector), s.dim)
	}
	n := max(4*q.Limit, 40)
	vec, err := s.ranking(ctx, q.Vector, "dense", q.Filter, n)
	if err != nil {
		return nil, err
	}
	var kw []memory.Hit
	if sp := terms.QuerySparse(q.Text); len(sp.Indices) > 0 {
		if kw, err = s.ranking(ctx, sp, "keywords", q.Filter, n); err != nil {
			return nil, err
		}
	}
	return remote.Fuse(vec, kw, q.Limit), nil
}

// Stats counts points and facets them by kind and source. Distinct sources are counted up to
// the facet limit (100,000).
func (s *Store) Stats(ctx context.Context) (memory.Stats, error) {
	st := memory.Stats{ByKind: map[memory.Kind]int{}, Embedder: s.emb, Dimension: s.dim}
	var err error
	if st.Records, err = s.count(ctx, nil); err != nil {
		return st, err
	}
	kinds, err := s.facet(ctx, "kind")
	if err != nil {
		return st, err
	}
	for _, h := range kinds {
		st.ByKind[memory.Kind(h.Value)] = h.Count
	}
	sources, err := s.facet(ctx, "source")
	if err != nil {
		return st, err
	}
	for _, h := range sources {
		if h.Value != "" {
			st.Sources++
		}
	}
	return st, nil
}

type facetHit struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

func (s *Store) facet(ctx context.Context, key string) ([]facetHit, error) {
	var res struct {
		Result struct {
			Hits []facetHit `json:"hits"`
		} `json:"result"`
	}
	err := s.c.JSON(ctx, "POST", s.coll+"/facet", nil, map[string]any{"key": key, "limit": 100000, "exact": true}, &res)
	return res.Result.Hits, err
}

// Close does nothing: the client holds no connection of its own.
func (s *Store) Close() error { return nil }

// Package weaviate keeps long-term memory in a Weaviate class through its v1 REST and
// GraphQL APIs. Records are objects of one class (vectorizer none: we bring the vectors,
// HNSW on cosine distance) with a keywords property of their identifier-split terms that
// Weaviate ranks by BM25. A query runs a nearVector and a bm25 Get with the same where
// filter and fuses the rankings with remote.Fuse (rather than Weaviate's hybrid, whose fused
// score hides the two ranks the agents report). The class description records the embedder
// and dimension.
//
// Documented endpoints used (Weaviate 1.20 or later):
//
//	GET    /v1/schema/{class}    the class, to check the embedder in its description
//	POST   /v1/schema            create the class with its properties
//	POST   /v1/batch/objects     import objects with their vectors (per-object errors checked)
//	DELETE /v1/batch/objects     delete by a where filter on source
//	POST   /v1/graphql           Get with nearVector or bm25 and where; Get with where, sort,
//	                             offset and limit (listing); Aggregate for stats
//
// Extras are one unindexed JSON property: a filter on them applies to the objects returned.
//
// Authentication is a bearer token (an API key). Point it at a real server with its URL
// (http://localhost:8080, or a Weaviate Cloud cluster URL) and key.
package weaviate

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/dataops-dev/dataops/internal/lazyregexp"
	"github.com/dataops-dev/dataops/internal/memory"
	"github.com/dataops-dev/dataops/internal/memory/remote"
	"github.com/dataops-dev/dataops/internal/memory/terms"
)

// Config says where the class is and what embeds into it.
type Config struct {
	URL       string // e.g. http://localhost:8080
	APIKey    string // sent as a bearer token; empty for an open server
	Class     string // default "DataopsMemory"; Weaviate class names start with a capital
	Embedder  string
	Dimension int
	Transport *remote.Transport // nil: defaults (30 s per attempt, 4 retries)
}

// Store is a memory.Store on Weaviate.
type Store struct {
	c     *remote.Client
	class string
	name  string
	emb   string
	dim   int
}

var _ memory.Store = (*Store)(nil)

var className = lazyregexp.New(`^[A-Z][_0-9A-Za-z]*$`)

var idSpace = uuid.MustParse("0c5a3f38-6a0e-4b8e-9a57-d3f1f0a7b3c2")

// ObjectID is the Weaviate object ID of a record ID: Weaviate takes only UUIDs.
func ObjectID(recordID string) string { return uuid.NewSHA1(idSpace, []byte(recordID)).String() }

// Open checks the class (creating it when absent) and returns a *remote.EmbedderMismatchError
// if its description names another embedder or dimension.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	if cfg.Class == "" {
		cfg.Class = "DataopsMemory"
	}
	h := http.Header{}
	if cfg.APIKey != "" {
		h.Set("Authorization", "Bearer "+cfg.APIKey)
	}
	c, err := remote.New("weaviate", cfg.URL, remote.Options{Header: h, Secrets: []string{cfg.APIKey}, Transport: cfg.Transport})
	if err != nil {
		return nil, err
	}
	s := &Store{c: c, class: cfg.Class, emb: cfg.Embedder, dim: cfg.Dimension, name: fmt.Sprintf("weaviate %s class %s", c.URL(), cfg.Class)}
	if !className.MatchString(cfg.Class) {
		return nil, fmt.Errorf("%s: a class name starts with a capital letter and holds letters, digits and _", s.name)
	}
	if cfg.Embedder == "" || cfg.Dimension <= 0 {
		return nil, fmt.Errorf("%s: an embedder name and a positive dimension are required", s.name)
	}
	var class struct {
		Description string `json:"description"`
	}
	err = c.JSON(ctx, "GET", "/v1/schema/"+url.PathEscape(cfg.Class), nil, nil, &class)
	switch {
	case remote.StatusOf(err) == http.StatusNotFound:
		return s, s.create(ctx)
	case err != nil:
		return nil, err
	}
	have, haveDim := parseDescription(class.Description)
	if have != cfg.Embedder || haveDim != cfg.Dimension {
		return nil, &remote.EmbedderMismatchError{Store: s.name, StoreName: have, StoreDimension: haveDim, Name: cfg.Embedder, Dimension: cfg.Dimension}
	}
	return s, nil
}

func (s *Store) description() string {
	return fmt.Sprintf("dataops memory; embedder=%s; dimension=%d", s.emb, s.dim)
}

func parseDescription(d string) (string, int) {
	var emb string
	var dim int
	for _, part := range strings.Split(d, "; ") {
		if v, ok := strings.CutPrefix(part, "embedder="); ok {
			emb = v
		}
		if v, ok := strings.CutPrefix(part, "dimension="); ok {
			dim, _ = strconv.Atoi(v)
		}
	}
	return emb, dim
}

// filterable are the exact-match properties; field tokenization keeps a value whole.
var filterable = []string{"recordId", "kind", "project", "model", "column", "source", "commit"}

// fields are the properties a Get returns.
const fields = "recordId kind text project model column source line commit time extra"

func (s *Store) create(ctx context.Context) error {
	var props []map[string]any
	for _, p := range filterable {
		props = append(props, map[string]any{"name": p, "dataType": []string{"text"}, "tokenization": "field", "indexSearchable": false, "indexFilterable": true})
	}
	props = append(props,
		map[string]any{"name": "text", "dataType": []string{"text"}, "indexSearchable": false, "indexFilterable": false},
		map[string]any{"name": "keywords", "dataType": []string{"text"}, "tokenization": "word", "indexSearchable": true, "indexFilterable": false},
		map[string]any{"name": "line", "dataType": []string{"int"}},
		map[string]any{"name": "time", "dataType": []string{"date"}},
		map[string]any{"name": "extra", "dataType": []string{"text"}, "indexSearchable": false, "indexFilterable": false},
	)
	class := map[string]any{
		"class":               s.class,
		"description":         s.description(),
		"vectorizer":          "none",
		"vectorIndexType":     "hnsw",
		"vectorIndexConfig":   map[string]any{"distance": "cosine"},
		"invertedIndexConfig": map[string]any{"bm25": map[string]any{"k1": terms.K1, "b": terms.B}},
		"properties":          props,
	}
	return s.c.JSON(ctx, "POST", "/v1/schema", nil, class, nil)
}

// batch bounds the objects of one import request.
const batch = 100

// Upsert imports the records; an object with an existing ID replaces it.
func (s *Store) Upsert(ctx context.Context, recs []memory.Record) error {
	for start := 0; start < len(recs); start += batch {
		part := recs[start:min(start+batch, len(recs))]
		objs := make([]map[string]any, len(part))
		for i, r := range part {
			if len(r.Vector) != s.dim {
				return fmt.Errorf("%s: record %s's vector has %d dimensions, the class %d", s.name, r.ID, len(r.Vector), s.dim)
			}
			m := r.Metadata
			props := map[string]any{"recordId": r.ID, "kind": string(r.Kind), "text": r.Text, "keywords": terms.Keywords(r.Text, m.Model, m.Column),
				"project": m.Project, "model": m.Model, "column": m.Column, "source": m.Source, "line": m.Line, "commit": m.Commit}
			if !m.Time.IsZero() {
				props["time"] = m.Time.UTC().Format(time.RFC3339Nano)
			}
			if len(m.Extra) > 0 {
				b, _ := json.Marshal(m.Extra)
				props["extra"] = string(b)
			}
			objs[i] = map[string]any{"class": s.class, "id": ObjectID(r.ID), "properties": props, "vector": r.Vector}
		}
		var res []struct {
			ID     string `json:"id"`
			Result struct {
				Errors *struct {
					Error []struct {
						Message string `json:"message"`
					} `json:"error"`
				} `json:"errors"`
			} `json:"result"`
		}
		if err := s.c.JSON(ctx, "POST", "/v1/batch/objects", nil, map[string]any{"objects": objs}, &res); err != nil {
			return err
		}
		for i, o := range res {
			if o.Result.Errors != nil && len(o.Result.Errors.Error) > 0 {
				id := o.ID
				if i < len(part) {
					id = part[i].ID
				}
				return fmt.Errorf("%s: import of record %s: %s", s.name, id, o.Result.Errors.Error[0].Message)
			}
		}
	}
	return nil
}

// DeleteBySource deletes the objects of source and says how many.
func (s *Store) DeleteBySource(ctx context.Context, source string) (int, error) {
	body := map[string]any{
		"match":  map[string]any{"class": s.class, "where": map[string]any{"path": []string{"source"}, "operator": "Equal", "valueText": source}},
		"output": "minimal",
	}
	var res struct {
		Results struct {
			Matches    int `json:"matches"`
			Successful int `json:"successful"`
			Failed     int `json:"failed"`
		} `json:"results"`
	}
	if err := s.c.JSON(ctx, "DELETE", "/v1/batch/objects", nil, body, &res); err != nil {
		return 0, err
	}
	if res.Results.Failed > 0 {
		return res.Results.Successful, fmt.Errorf("%s: delete of source %s: %d of %d objects failed", s.name, source, res.Results.Failed, res.Results.Matches)
	}
	return res.Results.Successful, nil
}

// enum is a GraphQL enum value, written bare.
type enum string

// gql writes v as a GraphQL input value: objects with bare keys, enums bare, strings and
// numbers as JSON writes them (a JSON string is a valid GraphQL string).
func gql(b *strings.Builder, v any) {
	switch x := v.(type) {
	case enum:
		b.WriteString(string(x))
	case map[string]any:
		b.WriteByte('{')
		first := true
		for _, k := range slices.Sorted(maps.Keys(x)) {
			if !first {
				b.WriteString(", ")
			}
			first = false
			b.WriteString(k)
			b.WriteString(": ")
			gql(b, x[k])
		}
		b.WriteByte('}')
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			gql(b, e)
		}
		b.WriteByte(']')
	case []float32:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.FormatFloat(float64(e), 'g', -1, 32))
		}
		b.WriteByte(']')
	default:
		data, _ := json.Marshal(x)
		b.Write(data)
	}
}

func equal(prop, v string) map[string]any {
	return map[string]any{"path": []any{prop}, "operator": enum("Equal"), "valueText": v}
}

// where is f as a Weaviate where filter, nil when f is empty.
func where(f memory.Filter) map[string]any {
	var ops []any
	if len(f.Kinds) > 0 {
		var kinds []any
		for _, k := range f.Kinds {
			kinds = append(kinds, equal("kind", string(k)))
		}
		ops = append(ops, map[string]any{"operator": enum("Or"), "operands": kinds})
	}
	for _, c := range []struct{ prop, v string }{{"project", f.Project}, {"model", f.Model}, {"column", f.Column}, {"source", f.Source}} {
		if c.v != "" {
			ops = append(ops, equal(c.prop, c.v))
		}
	}
	if len(f.Columns) > 0 {
		var cols []any
		for _, c := range f.Columns {
			cols = append(cols, equal("column", c))
		}
		ops = append(ops, map[string]any{"operator": enum("Or"), "operands": cols})
	}
	if len(ops) == 0 {
		return nil
	}
	return map[string]any{"operator": enum("And"), "operands": ops}
}

// getQuery is the GraphQL of a Get with one search argument (nearVector or bm25).
func (s *Store) getQuery(search string, arg map[string]any, f memory.Filter, limit int) string {
	args := map[string]any{search: arg, "limit": limit}
	if w := where(f); w != nil {
		args["where"] = w
	}
	return s.getWith(args)
}

// getWith is the GraphQL of a Get with the given arguments.
func (s *Store) getWith(args map[string]any) string {
	var b strings.Builder
	b.WriteString("{ Get { ")
	b.WriteString(s.class)
	b.WriteByte('(')
	inner := &strings.Builder{}
	gql(inner, args)
	b.WriteString(strings.TrimSuffix(strings.TrimPrefix(inner.String(), "{"), "}"))
	b.WriteString(") { ")
	b.WriteString(fields)
	b.WriteString(" _additional { id } } } }")
	return b.String()
}

type object struct {
	RecordID string  `json:"recordId"`
	Kind     string  `json:"kind"`
	Text     string  `json:"text"`
	Project  string  `json:"project"`
	Model    string  `json:"model"`
	Column   string  `json:"column"`
	Source   string  `json:"source"`
	Line     float64 `json:"line"`
	Commit   string  `json:"commit"`
	Time     string  `json:"time"`
	Extra    string  `json:"extra"`
}

func (o object) record() memory.Record {
	r := memory.Record{ID: o.RecordID, Kind: memory.Kind(o.Kind), Text: o.Text, Metadata: memory.Metadata{
		Project: o.Project, Model: o.Model, Column: o.Column, Source: o.Source, Line: int(o.Line), Commit: o.Commit}}
	if o.Time != "" {
		if t, err := time.Parse(time.RFC3339Nano, o.Time); err == nil {
			r.Metadata.Time = t.UTC()
		}
	}
	if o.Extra != "" {
		json.Unmarshal([]byte(o.Extra), &r.Metadata.Extra)
	}
	return r
}

// graphql posts a query and decodes data; GraphQL errors come with status 200.
func (s *Store) graphql(ctx context.Context, query string, data any) error {
	var res struct {
		Data   json.RawMessage `json:"data"`
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	if err := s.c.JSON(ctx, "POST", "/v1/graphql", nil, map[string]any{"query": query}, &res); err != nil {
		return err
	}
	if len(res.Errors) > 0 {
		msgs := make([]string, len(res.Errors))
		for i, e := range res.Errors {
			msgs[i] = e.Message
		}
		return fmt.Errorf("%s: graphql: %s", s.name, strings.Join(msgs, "; "))
	}
	return json.Unmarshal(res.Data, data)
}

func (s *Store) get(ctx context.Context, query string) ([]memory.Hit, error) {
	var data struct {
		Get map[string][]object `json:"Get"`
	}
	if err := s.graphql(ctx, query, &data); err != nil {
		return nil, err
	}
	objs := data.Get[s.class]
	out := make([]memory.Hit, len(objs))
	for i, o := range objs {
		out[i] = memory.Hit{Record: o.record()}
	}
	return out, nil
}

// listPage is how many objects one listing Get returns; queryMaximumResults is Weaviate's
// default QUERY_MAXIMUM_RESULTS, past which offset and limit cannot reach.
const (
	listPage            = 500
	queryMaximumResults = 10000
)

// List pages through the objects that pass the filter, sorted by record id, with offset and
// limit: Weaviate's cursor (after) does not combine with a where filter. A server whose
// QUERY_MAXIMUM_RESULTS is the default lists at most 10,000 records; more is an error rather
// than a short answer.
func (s *Store) List(ctx context.Context, f memory.Filter) ([]memory.Record, error) {
	var out []memory.Record
	for offset := 0; ; offset += listPage {
		if offset >= queryMaximumResults {
			return nil, fmt.Errorf("%s: more than %d records pass the filter %+v, past what Weaviate lists (QUERY_MAXIMUM_RESULTS)", s.name, queryMaximumResults, f)
		}
		args := map[string]any{"limit": min(listPage, queryMaximumResults-offset), "offset": offset,
			"sort": []any{map[string]any{"path": []any{"recordId"}, "order": enum("asc")}}}
		if w := where(f); w != nil {
			args["where"] = w
		}
		hits, err := s.get(ctx, s.getWith(args))
		if err != nil {
			return nil, err
		}
		for _, h := range f.KeepExtra(hits) {
			out = append(out, h.Record)
		}
		if len(hits) < listPage {
			break
		}
	}
	memory.SortRecords(out)
	return out, nil
}

// Query runs nearVector and bm25 Gets and fuses their rankings.
func (s *Store) Query(ctx context.Context, q memory.Query) ([]memory.Hit, error) {
	if q.Limit <= 0 {
		q.Limit = 10
	}
	if len(q.Vector) != s.dim {
		return nil, fmt.Errorf("%s: the query vector has %d dimensions, the class %d", s.name, len(q.Vector), s.dim)
	}
	n := max(4*q.Limit, 40)
	vec, err := s.get(ctx, s.getQuery("nearVector", map[string]any{"vector": q.Vector}, q.Filter, n))
	if err != nil {
		return nil, err
	}
	vec = q.Filter.KeepExtra(vec)
	var kw []memory.Hit
	if text := terms.Keywords(q.Text); text != "" {
		query := map[string]any{"query": text, "properties": []any{"keywords"}}
		if kw, err = s.get(ctx, s.getQuery("bm25", query, q.Filter, n)); err != nil {
			return nil, err
		}
		kw = q.Filter.KeepExtra(kw)
	}
	return remote.Fuse(vec, kw, q.Limit), nil
}

// Stats aggregates the class: total, grouped by kind, grouped by source.
func (s *Store) Stats(ctx context.Context) (memory.Stats, error) {
	st := memory.Stats{ByKind: map[memory.Kind]int{}, Embedder: s.emb, Dimension: s.dim}
	type group struct {
		GroupedBy struct {
			Value string `json:"value"`
		} `json:"groupedBy"`
		Meta struct {
			Count int `json:"count"`
		} `json:"meta"`
	}
	for _, prop := range []string{"kind", "source"} {
		var data struct {
			Aggregate map[string][]group `json:"Aggregate"`
		}
		q := fmt.Sprintf(`{ Aggregate { %s(groupBy: ["%s"]) { groupedBy { value } meta { count } } } }`, s.class, prop)
		if err := s.graphql(ctx, q, &data); err != nil {
			return st, err
		}
		for _, g := range data.Aggregate[s.class] {
			if prop == "kind" {
				st.ByKind[memory.Kind(g.GroupedBy.Value)] = g.Meta.Count
				st.Records += g.Meta.Count
			} else if g.GroupedBy.Value != "" {
				st.Sources++
			}
		}
	}
	return st, nil
}

// Close does nothing: the client holds no connection of its own.
func (s *Store) Close() error { return nil }

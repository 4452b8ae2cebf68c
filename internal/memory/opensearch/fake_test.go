package opensearch

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/dataops-dev/dataops/internal/memory/remotetest"
	"github.com/dataops-dev/dataops/internal/memory/terms"
)

// fake is an in-process OpenSearch with the k-NN plugin: the endpoints the store calls,
// validating as the real cluster does: basic auth, index settings and knn_vector mappings,
// strict dynamic mapping, NDJSON bulk bodies, vector dimensions, and the query DSL subset
// the store sends (knn with a filter, bool with match and term/terms filters, terms and
// cardinality aggregations), answering unknown clauses with parsing_exception.
type fake struct {
	user, pass string
	faults     remotetest.Faults
	mu         sync.Mutex
	indexes    map[string]*index
	bodies     []string // request bodies, to check no secret is sent in them
}

type index struct {
	mapping map[string]any
	fields  map[string]map[string]any // property → its mapping
	docs    map[string]map[string]any
}

func newFake(user, pass string) *fake {
	return &fake{user: user, pass: pass, indexes: map[string]*index{}}
}

type oserr struct {
	status int
	typ    string
	reason string
}

func fail(status int, typ, format string, args ...any) *oserr {
	return &oserr{status, typ, fmt.Sprintf(format, args...)}
}

func (f *fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if f.faults.Serve(w) {
		return
	}
	if u, p, ok := r.BasicAuth(); !ok || u != f.user || p != f.pass {
		w.Header().Set("WWW-Authenticate", `Basic realm="OpenSearch Security"`)
		http.Error(w, "Unauthorized", http.StatusUnauthorized)
		return
	}
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.bodies = append(f.bodies, string(body))
	res, e := f.route(r, body)
	if e != nil {
		remotetest.WriteJSON(w, e.status, map[string]any{
			"error":  map[string]any{"root_cause": []any{map[string]any{"type": e.typ, "reason": e.reason}}, "type": e.typ, "reason": e.reason},
			"status": e.status})
		return
	}
	remotetest.WriteJSON(w, http.StatusOK, res)
}

func (f *fake) route(r *http.Request, body []byte) (any, *oserr) {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	name := parts[0]
	op := r.Method + " " + strings.Join(parts[1:], "/")
	ix := f.indexes[name]
	if op == "PUT " {
		return f.create(r, name, body)
	}
	if ix == nil {
		return nil, fail(404, "index_not_found_exception", "no such index [%s]", name)
	}
	if op != "GET _mapping" && !strings.HasPrefix(r.Header.Get("Content-Type"), "application/") {
		return nil, fail(406, "content_type_exception", "Content-Type header [%s] is not supported", r.Header.Get("Content-Type"))
	}
	switch op {
	case "GET _mapping":
		return map[string]any{name: map[string]any{"mappings": ix.mapping["mappings"]}}, nil
	case "POST _bulk", "PUT _bulk":
		if r.Header.Get("Content-Type") != "application/x-ndjson" {
			return nil, fail(400, "illegal_argument_exception", "bulk body must be application/x-ndjson, got %s", r.Header.Get("Content-Type"))
		}
		return ix.bulk(name, body)
	case "POST _delete_by_query":
		var req struct {
			Query map[string]any `json:"query"`
		}
		if err := strictJSON(body, &req); err != nil || req.Query == nil {
			return nil, fail(400, "parsing_exception", "delete_by_query: %v", err)
		}
		n := 0
		for id, d := range ix.docs {
			ok, e := ix.matches(req.Query, d)
			if e != nil {
				return nil, e
			}
			if ok {
				delete(ix.docs, id)
				n++
			}
		}
		return map[string]any{"took": 1, "timed_out": false, "total": n, "deleted": n, "batches": 1, "failures": []any{}}, nil
	case "POST _search", "GET _search":
		return ix.search(name, body)
	}
	return nil, fail(400, "illegal_argument_exception", "no handler for %s", op)
}

func strictJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

var knownTypes = []string{"knn_vector", "text", "keyword", "integer", "long", "date", "object", "float", "boolean"}

func (f *fake) create(r *http.Request, name string, body []byte) (any, *oserr) {
	if f.indexes[name] != nil {
		return nil, fail(400, "resource_already_exists_exception", "index [%s] already exists", name)
	}
	var req struct {
		Settings struct {
			Index struct {
				KNN bool `json:"knn"`
			} `json:"index"`
		} `json:"settings"`
		Mappings struct {
			Dynamic    string                    `json:"dynamic"`
			Meta       map[string]any            `json:"_meta"`
			Properties map[string]map[string]any `json:"properties"`
		} `json:"mappings"`
	}
	if err := strictJSON(body, &req); err != nil {
		return nil, fail(400, "mapper_parsing_exception", "%v", err)
	}
	for field, m := range req.Mappings.Properties {
		typ, _ := m["type"].(string)
		if !slices.Contains(knownTypes, typ) {
			return nil, fail(400, "mapper_parsing_exception", "No handler for type [%s] declared on field [%s]", typ, field)
		}
		if typ == "knn_vector" {
			if !req.Settings.Index.KNN {
				return nil, fail(400, "illegal_argument_exception", "To create a knn_vector field, index.knn must be true")
			}
			dim, _ := m["dimension"].(float64)
			method, _ := m["method"].(map[string]any)
			if dim < 1 || dim > 16000 || method["name"] != "hnsw" || !slices.Contains([]any{"lucene", "faiss", "nmslib"}, method["engine"]) ||
				!slices.Contains([]any{"cosinesimil", "l2", "innerproduct"}, method["space_type"]) {
				return nil, fail(400, "mapper_parsing_exception", "bad knn_vector mapping for [%s]: %v", field, m)
			}
		}
	}
	var raw map[string]any
	json.Unmarshal(body, &raw)
	f.indexes[name] = &index{mapping: raw, fields: req.Mappings.Properties, docs: map[string]map[string]any{}}
	return map[string]any{"acknowledged": true, "shards_acknowledged": true, "index": name}, nil
}

func (ix *index) bulk(name string, body []byte) (any, *oserr) {
	if len(body) == 0 || body[len(body)-1] != '\n' {
		return nil, fail(400, "illegal_argument_exception", "The bulk request must be terminated by a newline [\\n]")
	}
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	var items []any
	errors := false
	for sc.Scan() {
		var action map[string]struct {
			ID    string `json:"_id"`
			Index string `json:"_index"`
		}
		if err := strictJSON(sc.Bytes(), &action); err != nil || len(action) != 1 {
			return nil, fail(400, "illegal_argument_exception", "Malformed action/metadata line: %s", sc.Bytes())
		}
		meta, ok := action["index"]
		if !ok || meta.ID == "" {
			return nil, fail(400, "illegal_argument_exception", "this fake takes index actions with an _id: %s", sc.Bytes())
		}
		if !sc.Scan() {
			return nil, fail(400, "illegal_argument_exception", "action without a document")
		}
		var d map[string]any
		if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
			return nil, fail(400, "mapper_parsing_exception", "failed to parse: %v", err)
		}
		item := map[string]any{"_index": name, "_id": meta.ID}
		if e := ix.validate(d); e != nil {
			errors = true
			item["status"] = e.status
			item["error"] = map[string]any{"type": e.typ, "reason": e.reason}
		} else {
			status, result := 201, "created"
			if ix.docs[meta.ID] != nil {
				status, result = 200, "updated"
			}
			ix.docs[meta.ID] = d
			item["status"], item["result"] = status, result
		}
		items = append(items, map[string]any{"index": item})
	}
	return map[string]any{"took": 1, "errors": errors, "items": items}, nil
}

func (ix *index) validate(d map[string]any) *oserr {
	for field, v := range d {
		m, ok := ix.fields[field]
		if !ok {
			return fail(400, "strict_dynamic_mapping_exception", "mapping set to strict, dynamic introduction of [%s] within [_doc] is not allowed", field)
		}
		switch m["type"] {
		case "knn_vector":
			vec, ok := v.([]any)
			if dim := int(m["dimension"].(float64)); !ok || len(vec) != dim {
				return fail(400, "mapper_parsing_exception", "Vector dimension mismatch. Expected: %d, Given: %d", dim, len(vec))
			}
		case "keyword", "text":
			if _, ok := v.(string); !ok {
				return fail(400, "mapper_parsing_exception", "failed to parse field [%s] of type [%s]", field, m["type"])
			}
		case "date":
			s, _ := v.(string)
			if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
				return fail(400, "mapper_parsing_exception", "failed to parse date field [%s]", s)
			}
		case "integer":
			if _, ok := v.(float64); !ok {
				return fail(400, "mapper_parsing_exception", "failed to parse field [%s] of type [integer]", field)
			}
		}
	}
	return nil
}

// matches evaluates the filter clauses the store sends: term, terms, bool.filter.
func (ix *index) matches(q map[string]any, d map[string]any) (bool, *oserr) {
	if len(q) != 1 {
		return false, fail(400, "parsing_exception", "query malformed, must have exactly one clause: %v", q)
	}
	for kind, arg := range q {
		a, ok := arg.(map[string]any)
		if !ok {
			return false, fail(400, "parsing_exception", "[%s] malformed", kind)
		}
		switch kind {
		case "term", "terms":
			if len(a) != 1 {
				return false, fail(400, "parsing_exception", "[%s] query does not support multiple fields", kind)
			}
			for field, v := range a {
				if ix.fields[field]["type"] != "keyword" {
					return false, fail(400, "query_shard_exception", "this fake filters on keyword fields only, not [%s]", field)
				}
				if kind == "term" {
					return d[field] == v, nil
				}
				vs, ok := v.([]any)
				if !ok {
					return false, fail(400, "parsing_exception", "[terms] query requires an array of values")
				}
				return slices.Contains(vs, d[field]), nil
			}
		case "bool":
			for clause, list := range a {
				if clause != "filter" {
					return false, fail(400, "parsing_exception", "this fake's bool filters take only [filter], not [%s]", clause)
				}
				qs, _ := list.([]any)
				for _, sub := range qs {
					sq, _ := sub.(map[string]any)
					ok, e := ix.matches(sq, d)
					if e != nil || !ok {
						return false, e
					}
				}
			}
			return true, nil
		}
		return false, fail(400, "parsing_exception", "unknown query [%s]", kind)
	}
	return false, nil
}

type scoredDoc struct {
	id    string
	score float64
}

func (ix *index) search(name string, body []byte) (any, *oserr) {
	var req struct {
		Size           *int                                 `json:"size"`
		Source         map[string]any                       `json:"_source"`
		Query          map[string]any                       `json:"query"`
		TrackTotalHits bool                                 `json:"track_total_hits"`
		Aggs           map[string]map[string]map[string]any `json:"aggs"`
		Sort           []map[string]string                  `json:"sort"`
		SearchAfter    []any                                `json:"search_after"`
	}
	if err := strictJSON(body, &req); err != nil {
		return nil, fail(400, "parsing_exception", "%v", err)
	}
	size := 10
	if req.Size != nil {
		size = *req.Size
	}
	if size > 10000 {
		return nil, fail(400, "illegal_argument_exception", "Result window is too large, from + size must be less than or equal to: [10000] but was [%d].", size)
	}
	// Sorting: one keyword field, ascending, as the store asks; search_after resumes after
	// the given sort value.
	var sortField string
	if len(req.Sort) > 0 {
		if len(req.Sort) != 1 || len(req.Sort[0]) != 1 {
			return nil, fail(400, "parsing_exception", "this fake sorts by one field")
		}
		for f, order := range req.Sort[0] {
			if ix.fields[f]["type"] != "keyword" || order != "asc" {
				return nil, fail(400, "illegal_argument_exception", "this fake sorts ascending on keyword fields, not [%s] %s", f, order)
			}
			sortField = f
		}
	}
	if req.SearchAfter != nil && (sortField == "" || len(req.SearchAfter) != 1) {
		return nil, fail(400, "illegal_argument_exception", "search_after has %d value(s) but sort has %d", len(req.SearchAfter), len(req.Sort))
	}
	var hits []scoredDoc
	var e *oserr
	switch {
	case req.Query == nil:
		for _, id := range sortedKeys(ix.docs) {
			hits = append(hits, scoredDoc{id, 1})
		}
	case req.Query["knn"] != nil:
		hits, e = ix.knn(req.Query["knn"])
	case req.Query["bool"] != nil:
		hits, e = ix.bm25(req.Query["bool"])
	default:
		return nil, fail(400, "parsing_exception", "unknown query %v", req.Query)
	}
	if e != nil {
		return nil, e
	}
	if sortField != "" {
		key := func(h scoredDoc) string { v, _ := ix.docs[h.id][sortField].(string); return v }
		slices.SortStableFunc(hits, func(a, b scoredDoc) int { return strings.Compare(key(a), key(b)) })
		if req.SearchAfter != nil {
			after, _ := req.SearchAfter[0].(string)
			i, _ := slices.BinarySearchFunc(hits, after, func(h scoredDoc, t string) int {
				if key(h) <= t {
					return -1
				}
				return 1
			})
			hits = hits[i:]
		}
	}
	out := []any{}
	for _, h := range hits[:min(size, len(hits))] {
		src := map[string]any{}
		for k, v := range ix.docs[h.id] {
			src[k] = v
		}
		if ex, ok := req.Source["excludes"].([]any); ok {
			for _, f := range ex {
				delete(src, f.(string))
			}
		}
		out = append(out, map[string]any{"_index": name, "_id": h.id, "_score": h.score, "_source": src})
	}
	res := map[string]any{"took": 1, "timed_out": false, "_shards": map[string]int{"total": 1, "successful": 1},
		"hits": map[string]any{"total": map[string]any{"value": len(hits), "relation": "eq"}, "hits": out}}
	if req.Aggs != nil {
		aggs := map[string]any{}
		for aname, a := range req.Aggs {
			switch {
			case a["terms"] != nil:
				field, _ := a["terms"]["field"].(string)
				counts := map[string]int{}
				for _, h := range hits {
					if v, ok := ix.docs[h.id][field].(string); ok {
						counts[v]++
					}
				}
				var buckets []any
				for _, k := range sortedKeys(counts) {
					buckets = append(buckets, map[string]any{"key": k, "doc_count": counts[k]})
				}
				aggs[aname] = map[string]any{"buckets": buckets}
			case a["cardinality"] != nil:
				field, _ := a["cardinality"]["field"].(string)
				seen := map[any]bool{}
				for _, h := range hits {
					if v, ok := ix.docs[h.id][field]; ok {
						seen[v] = true
					}
				}
				aggs[aname] = map[string]any{"value": len(seen)}
			default:
				return nil, fail(400, "parsing_exception", "unknown aggregation in [%s]", aname)
			}
		}
		res["aggregations"] = aggs
	}
	return res, nil
}

func (ix *index) knn(arg any) ([]scoredDoc, *oserr) {
	a, _ := arg.(map[string]any)
	if len(a) != 1 {
		return nil, fail(400, "parsing_exception", "[knn] takes one field")
	}
	var hits []scoredDoc
	for field, spec := range a {
		m := ix.fields[field]
		if m["type"] != "knn_vector" {
			return nil, fail(400, "query_shard_exception", "Field '%s' is not knn_vector type.", field)
		}
		raw, _ := json.Marshal(spec)
		var s struct {
			Vector []float32      `json:"vector"`
			K      int            `json:"k"`
			Filter map[string]any `json:"filter"`
		}
		if err := strictJSON(raw, &s); err != nil {
			return nil, fail(400, "parsing_exception", "[knn] %v", err)
		}
		if dim := int(m["dimension"].(float64)); len(s.Vector) != dim {
			return nil, fail(400, "illegal_argument_exception", "Query vector has invalid dimension: %d. Dimension should be: %d", len(s.Vector), dim)
		}
		if s.K < 1 || s.K > 10000 {
			return nil, fail(400, "illegal_argument_exception", "[knn] requires 0 < k <= 10000")
		}
		for id, d := range ix.docs {
			if s.Filter != nil {
				ok, e := ix.matches(s.Filter, d)
				if e != nil {
					return nil, e
				}
				if !ok {
					continue
				}
			}
			var v []float32
			b, _ := json.Marshal(d[field])
			json.Unmarshal(b, &v)
			// Lucene's cosinesimil score.
			hits = append(hits, scoredDoc{id, (1 + remotetest.Cosine(s.Vector, v)) / 2})
		}
		sortHits(hits)
		hits = hits[:min(len(hits), s.K)]
	}
	return hits, nil
}

func (ix *index) bm25(arg any) ([]scoredDoc, *oserr) {
	b, _ := arg.(map[string]any)
	var query, field string
	var filters []any
	for clause, v := range b {
		list, _ := v.([]any)
		switch clause {
		case "must":
			if len(list) != 1 {
				return nil, fail(400, "parsing_exception", "this fake takes one must clause")
			}
			m, _ := list[0].(map[string]any)["match"].(map[string]any)
			for f, spec := range m {
				field = f
				if sm, ok := spec.(map[string]any); ok {
					query, _ = sm["query"].(string)
				} else {
					query, _ = spec.(string)
				}
			}
			if ix.fields[field]["type"] != "text" || ix.fields[field]["index"] == false {
				return nil, fail(400, "query_shard_exception", "match on [%s], which is not an indexed text field", field)
			}
		case "filter":
			filters = list
		default:
			return nil, fail(400, "parsing_exception", "[bool] query does not support [%s]", clause)
		}
	}
	ids := sortedKeys(ix.docs)
	if field == "" {
		// Filters alone: every document that passes them, unscored.
		var hits []scoredDoc
		for _, id := range ids {
			ok, e := ix.matches(map[string]any{"bool": map[string]any{"filter": filters}}, ix.docs[id])
			if e != nil {
				return nil, e
			}
			if ok {
				hits = append(hits, scoredDoc{id, 0})
			}
		}
		return hits, nil
	}
	texts := make([]string, len(ids))
	for i, id := range ids {
		texts[i], _ = ix.docs[id][field].(string)
	}
	var hits []scoredDoc
	// BM25 statistics are the whole index's; filters only drop documents.
	for rank, i := range terms.Rank(query, texts) {
		d := ix.docs[ids[i]]
		ok, e := ix.matches(map[string]any{"bool": map[string]any{"filter": filters}}, d)
		if e != nil {
			return nil, e
		}
		if ok {
			hits = append(hits, scoredDoc{ids[i], 1 / float64(rank+1)})
		}
	}
	return hits, nil
}

func sortHits(h []scoredDoc) {
	slices.SortFunc(h, func(a, b scoredDoc) int {
		if a.score != b.score {
			if a.score > b.score {
				return -1
			}
			return 1
		}
		return strings.Compare(a.id, b.id)
	})
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

package qdrant

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/google/uuid"

	"github.com/dataops-dev/dataops/internal/memory/remotetest"
)

// fake is an in-process Qdrant: the REST endpoints the store calls, with the request
// validation the real server does (API key, JSON shapes, point IDs, vector names and
// dimensions, sparse vectors, filter syntax, keyword indexes for facets).
type fake struct {
	key    string
	faults remotetest.Faults
	mu     sync.Mutex
	colls  map[string]*collection
	log    []string // "METHOD path" of every request
}

type collection struct {
	dense   map[string]int    // name → size
	sparse  map[string]string // name → modifier
	indexes map[string]string // field → schema
	points  map[string]point
}

type point struct {
	dense   map[string][]float32
	sparse  map[string]sparseVec
	payload map[string]any
}

type sparseVec struct {
	Indices []uint32  `json:"indices"`
	Values  []float32 `json:"values"`
}

type condition struct {
	Key   string `json:"key"`
	Match *struct {
		Value any   `json:"value"`
		Any   []any `json:"any"`
	} `json:"match"`
}

type filter struct {
	Must    []condition `json:"must"`
	MustNot []condition `json:"must_not"`
	Should  []condition `json:"should"`
}

func newFake(key string) *fake { return &fake{key: key, colls: map[string]*collection{}} }

type qerr struct {
	status int
	msg    string
}

func bad(format string, args ...any) *qerr {
	return &qerr{http.StatusBadRequest, "Wrong input: " + fmt.Sprintf(format, args...)}
}

func (f *fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.log = append(f.log, r.Method+" "+r.URL.Path)
	f.mu.Unlock()
	if f.faults.Serve(w) {
		return
	}
	if r.Header.Get("api-key") != f.key {
		remotetest.WriteJSON(w, http.StatusUnauthorized, map[string]any{"status": map[string]string{"error": "Must provide an API key or an Authorization bearer token"}})
		return
	}
	res, e := f.route(r)
	if e != nil {
		remotetest.WriteJSON(w, e.status, map[string]any{"status": map[string]string{"error": e.msg}, "time": 0})
		return
	}
	remotetest.WriteJSON(w, http.StatusOK, map[string]any{"result": res, "status": "ok", "time": 0.0001})
}

func (f *fake) route(r *http.Request) (any, *qerr) {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(parts) < 2 || parts[0] != "collections" {
		return nil, &qerr{http.StatusNotFound, "not found"}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	name := parts[1]
	op := r.Method + " " + strings.Join(parts[2:], "/")
	c := f.colls[name]
	if c == nil && op != "PUT " {
		return nil, &qerr{http.StatusNotFound, fmt.Sprintf("Not found: Collection `%s` doesn't exist!", name)}
	}
	switch op {
	case "GET ":
		vecs := map[string]any{}
		for n, size := range c.dense {
			vecs[n] = map[string]any{"size": size, "distance": "Cosine"}
		}
		return map[string]any{"status": "green", "points_count": len(c.points), "config": map[string]any{"params": map[string]any{"vectors": vecs}}}, nil
	case "PUT ":
		return f.create(r, name)
	case "PUT index":
		var req struct {
			FieldName   string `json:"field_name"`
			FieldSchema string `json:"field_schema"`
		}
		if err := remotetest.DecodeStrict(r, &req); err != nil {
			return nil, bad("%v", err)
		}
		if req.FieldName == "" || !slices.Contains([]string{"keyword", "integer", "float", "bool", "geo", "datetime", "text", "uuid"}, req.FieldSchema) {
			return nil, bad("bad index %+v", req)
		}
		c.indexes[req.FieldName] = req.FieldSchema
		return map[string]any{"operation_id": 1, "status": "completed"}, nil
	case "PUT points":
		return c.upsert(r)
	case "POST points/delete":
		var req struct {
			Filter *filter `json:"filter"`
		}
		if err := remotetest.DecodeStrict(r, &req); err != nil || req.Filter == nil {
			return nil, bad("delete needs a filter: %v", err)
		}
		if e := req.Filter.check(); e != nil {
			return nil, e
		}
		for id, p := range c.points {
			if req.Filter.matches(p.payload) {
				delete(c.points, id)
			}
		}
		return map[string]any{"operation_id": 2, "status": "completed"}, nil
	case "POST points/count":
		var req struct {
			Filter *filter `json:"filter"`
			Exact  bool    `json:"exact"`
		}
		if err := remotetest.DecodeStrict(r, &req); err != nil {
			return nil, bad("%v", err)
		}
		if e := req.Filter.check(); e != nil {
			return nil, e
		}
		n := 0
		for _, p := range c.points {
			if req.Filter.matches(p.payload) {
				n++
			}
		}
		return map[string]int{"count": n}, nil
	case "POST points/scroll":
		var req struct {
			Filter      *filter `json:"filter"`
			Limit       int     `json:"limit"`
			Offset      *string `json:"offset"`
			WithPayload any     `json:"with_payload"`
			WithVector  bool    `json:"with_vector"`
		}
		if err := remotetest.DecodeStrict(r, &req); err != nil {
			return nil, bad("%v", err)
		}
		if e := req.Filter.check(); e != nil {
			return nil, e
		}
		if req.Offset != nil && uuid.Validate(*req.Offset) != nil {
			return nil, bad("offset %q is not a point id", *req.Offset)
		}
		limit := req.Limit
		if limit == 0 {
			limit = 10
		}
		// Points in id order, from the offset (inclusive); next_page_offset is the first
		// point of the next page, null on the last.
		out := []map[string]any{}
		var next any
		for _, id := range sortedIDs(c.points) {
			if req.Offset != nil && id < *req.Offset {
				continue
			}
			if p := c.points[id]; req.Filter.matches(p.payload) {
				if len(out) == limit {
					next = id
					break
				}
				out = append(out, map[string]any{"id": id, "payload": p.payload})
			}
		}
		return map[string]any{"points": out, "next_page_offset": next}, nil
	case "POST points/query":
		return c.query(r)
	case "POST facet":
		var req struct {
			Key    string  `json:"key"`
			Limit  int     `json:"limit"`
			Exact  bool    `json:"exact"`
			Filter *filter `json:"filter"`
		}
		if err := remotetest.DecodeStrict(r, &req); err != nil {
			return nil, bad("%v", err)
		}
		if c.indexes[req.Key] != "keyword" {
			return nil, bad("Index required but not found for \"%s\" of one of the following types: [keyword]", req.Key)
		}
		counts := map[string]int{}
		for _, p := range c.points {
			if v, ok := p.payload[req.Key].(string); ok && req.Filter.matches(p.payload) {
				counts[v]++
			}
		}
		var hits []map[string]any
		for v, n := range counts {
			hits = append(hits, map[string]any{"value": v, "count": n})
		}
		return map[string]any{"hits": hits}, nil
	}
	return nil, &qerr{http.StatusNotFound, "no route " + op}
}

func (f *fake) create(r *http.Request, name string) (any, *qerr) {
	if f.colls[name] != nil {
		return nil, &qerr{http.StatusConflict, fmt.Sprintf("Wrong input: Collection `%s` already exists!", name)}
	}
	var req struct {
		Vectors map[string]struct {
			Size     int    `json:"size"`
			Distance string `json:"distance"`
		} `json:"vectors"`
		SparseVectors map[string]struct {
			Modifier string `json:"modifier"`
		} `json:"sparse_vectors"`
	}
	if err := remotetest.DecodeStrict(r, &req); err != nil {
		return nil, bad("%v", err)
	}
	c := &collection{dense: map[string]int{}, sparse: map[string]string{}, indexes: map[string]string{}, points: map[string]point{}}
	for n, v := range req.Vectors {
		if v.Size < 1 || !slices.Contains([]string{"Cosine", "Dot", "Euclid", "Manhattan"}, v.Distance) {
			return nil, bad("vector %q: size %d distance %q", n, v.Size, v.Distance)
		}
		if v.Distance != "Cosine" {
			return nil, bad("this fake serves only Cosine")
		}
		c.dense[n] = v.Size
	}
	for n, v := range req.SparseVectors {
		if v.Modifier != "" && v.Modifier != "idf" && v.Modifier != "none" {
			return nil, bad("sparse vector %q: modifier %q", n, v.Modifier)
		}
		c.sparse[n] = v.Modifier
	}
	if len(c.dense) == 0 {
		return nil, bad("no vectors configured")
	}
	f.colls[name] = c
	return true, nil
}

func validID(id any) (string, *qerr) {
	switch v := id.(type) {
	case string:
		u, err := uuid.Parse(v)
		if err != nil {
			return "", bad("Unable to parse UUID: %s", v)
		}
		return u.String(), nil
	case float64:
		if v < 0 || v != math.Trunc(v) {
			return "", bad("point id %v is not an unsigned integer", v)
		}
		return fmt.Sprint(uint64(v)), nil
	}
	return "", bad("point id %v", id)
}

func (c *collection) upsert(r *http.Request) (any, *qerr) {
	var req struct {
		Points []struct {
			ID      any                        `json:"id"`
			Vector  map[string]json.RawMessage `json:"vector"`
			Payload map[string]any             `json:"payload"`
		} `json:"points"`
	}
	if err := remotetest.DecodeStrict(r, &req); err != nil {
		return nil, bad("%v", err)
	}
	if len(req.Points) == 0 {
		return nil, bad("empty batch")
	}
	staged := map[string]point{}
	for _, p := range req.Points {
		id, e := validID(p.ID)
		if e != nil {
			return nil, e
		}
		pt := point{dense: map[string][]float32{}, sparse: map[string]sparseVec{}, payload: p.Payload}
		for name, raw := range p.Vector {
			if size, ok := c.dense[name]; ok {
				var v []float32
				if err := json.Unmarshal(raw, &v); err != nil {
					return nil, bad("vector %q: %v", name, err)
				}
				if len(v) != size {
					return nil, bad("Vector dimension error: expected dim: %d, got %d", size, len(v))
				}
				pt.dense[name] = v
			} else if _, ok := c.sparse[name]; ok {
				var sv sparseVec
				dec := json.NewDecoder(strings.NewReader(string(raw)))
				dec.DisallowUnknownFields()
				if err := dec.Decode(&sv); err != nil {
					return nil, bad("sparse vector %q: %v", name, err)
				}
				if e := sv.check(); e != nil {
					return nil, e
				}
				pt.sparse[name] = sv
			} else {
				return nil, bad("Not existing vector name error: %s", name)
			}
		}
		for name := range c.dense {
			if pt.dense[name] == nil {
				return nil, bad("Missing vector %q", name)
			}
		}
		staged[id] = pt
	}
	for id, p := range staged {
		c.points[id] = p
	}
	return map[string]any{"operation_id": 3, "status": "completed"}, nil
}

func (sv sparseVec) check() *qerr {
	if len(sv.Indices) != len(sv.Values) {
		return bad("sparse vector: %d indices, %d values", len(sv.Indices), len(sv.Values))
	}
	seen := map[uint32]bool{}
	for _, i := range sv.Indices {
		if seen[i] {
			return bad("sparse vector: duplicate index %d", i)
		}
		seen[i] = true
	}
	return nil
}

func (c *collection) query(r *http.Request) (any, *qerr) {
	var req struct {
		Query       json.RawMessage `json:"query"`
		Using       string          `json:"using"`
		Filter      *filter         `json:"filter"`
		Limit       int             `json:"limit"`
		WithPayload bool            `json:"with_payload"`
	}
	if err := remotetest.DecodeStrict(r, &req); err != nil {
		return nil, bad("%v", err)
	}
	if e := req.Filter.check(); e != nil {
		return nil, e
	}
	if req.Limit < 1 {
		req.Limit = 10
	}
	type hit struct {
		id    string
		score float64
	}
	var hits []hit
	if size, ok := c.dense[req.Using]; ok {
		var v []float32
		if err := json.Unmarshal(req.Query, &v); err != nil {
			return nil, bad("query for dense vector %q: %v", req.Using, err)
		}
		if len(v) != size {
			return nil, bad("Vector dimension error: expected dim: %d, got %d", size, len(v))
		}
		for id, p := range c.points {
			if req.Filter.matches(p.payload) {
				hits = append(hits, hit{id, remotetest.Cosine(v, p.dense[req.Using])})
			}
		}
	} else if mod, ok := c.sparse[req.Using]; ok {
		var q sparseVec
		if err := json.Unmarshal(req.Query, &q); err != nil || q.check() != nil {
			return nil, bad("query for sparse vector %q: %s", req.Using, req.Query)
		}
		n, df := 0, map[uint32]int{}
		for _, p := range c.points {
			if sv, ok := p.sparse[req.Using]; ok {
				n++
				for _, i := range sv.Indices {
					df[i]++
				}
			}
		}
		for id, p := range c.points {
			sv, ok := p.sparse[req.Using]
			if !ok || !req.Filter.matches(p.payload) {
				continue
			}
			score, overlap := 0.0, false
			for qi, idx := range q.Indices {
				if j := slices.Index(sv.Indices, idx); j >= 0 {
					w := 1.0
					if mod == "idf" {
						w = math.Log(1 + (float64(n)-float64(df[idx])+0.5)/(float64(df[idx])+0.5))
					}
					score += w * float64(q.Values[qi]) * float64(sv.Values[j])
					overlap = true
				}
			}
			if overlap {
				hits = append(hits, hit{id, score})
			}
		}
	} else {
		return nil, bad("Not existing vector name error: %s", req.Using)
	}
	slices.SortFunc(hits, func(a, b hit) int {
		if a.score != b.score {
			if a.score > b.score {
				return -1
			}
			return 1
		}
		return strings.Compare(a.id, b.id)
	})
	out := []map[string]any{}
	for _, h := range hits[:min(len(hits), req.Limit)] {
		pt := map[string]any{"id": h.id, "version": 1, "score": h.score}
		if req.WithPayload {
			pt["payload"] = c.points[h.id].payload
		}
		out = append(out, pt)
	}
	return map[string]any{"points": out}, nil
}

func (f *filter) check() *qerr {
	if f == nil {
		return nil
	}
	for _, cs := range [][]condition{f.Must, f.MustNot, f.Should} {
		for _, c := range cs {
			if c.Key == "" || c.Match == nil {
				return bad("condition needs key and match: %+v", c)
			}
			if (c.Match.Value == nil) == (c.Match.Any == nil) {
				return bad("match needs exactly one of value and any")
			}
		}
	}
	return nil
}

func (c condition) holds(payload map[string]any) bool {
	// A dotted key reaches into nested objects, as Qdrant's payload paths do.
	var v any = payload
	for _, k := range strings.Split(c.Key, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			v = nil
			break
		}
		v = m[k]
	}
	if c.Match.Any != nil {
		return slices.Contains(c.Match.Any, v)
	}
	return v == c.Match.Value
}

func (f *filter) matches(payload map[string]any) bool {
	if f == nil {
		return true
	}
	for _, c := range f.Must {
		if !c.holds(payload) {
			return false
		}
	}
	for _, c := range f.MustNot {
		if c.holds(payload) {
			return false
		}
	}
	if len(f.Should) > 0 {
		for _, c := range f.Should {
			if c.holds(payload) {
				return true
			}
		}
		return false
	}
	return true
}

func sortedIDs(m map[string]point) []string {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

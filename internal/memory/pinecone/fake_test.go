package pinecone

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/dataops-dev/dataops/internal/memory/remotetest"
)

// fake is an in-process Pinecone index host: the data-plane endpoints the store calls, with
// the real service's checks: Api-Key and API version headers, JSON shapes, the index's
// dimension, non-zero dense vectors, flat metadata (string, number, boolean, list of
// strings), the metadata filter language, topK limits, and one delete mode per request.
type fake struct {
	key    string
	dim    int
	metric string
	faults remotetest.Faults
	mu     sync.Mutex
	ns     map[string]map[string]vector // namespace → id → vector
}

type vector struct {
	values   []float32
	metadata map[string]any
}

func newFake(key string, dim int) *fake {
	return &fake{key: key, dim: dim, metric: "cosine", ns: map[string]map[string]vector{}}
}

type perr struct {
	status int
	msg    string
}

func invalid(format string, args ...any) *perr {
	return &perr{http.StatusBadRequest, fmt.Sprintf(format, args...)}
}

func (f *fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if f.faults.Serve(w) {
		return
	}
	if r.Header.Get("Api-Key") != f.key {
		remotetest.WriteJSON(w, http.StatusUnauthorized, map[string]any{"error": map[string]string{"code": "UNAUTHENTICATED", "message": "Invalid API Key"}, "status": 401})
		return
	}
	if r.Header.Get("X-Pinecone-API-Version") == "" {
		remotetest.WriteJSON(w, http.StatusBadRequest, map[string]any{"code": 3, "message": "missing X-Pinecone-API-Version", "details": []any{}})
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	res, e := f.route(r)
	if e != nil {
		remotetest.WriteJSON(w, e.status, map[string]any{"code": 3, "message": e.msg, "details": []any{}})
		return
	}
	remotetest.WriteJSON(w, http.StatusOK, res)
}

func (f *fake) route(r *http.Request) (any, *perr) {
	switch r.Method + " " + r.URL.Path {
	case "POST /describe_index_stats":
		var req struct {
			Filter map[string]any `json:"filter"`
		}
		if err := remotetest.DecodeStrict(r, &req); err != nil {
			return nil, invalid("%v", err)
		}
		nss, total := map[string]any{}, 0
		for n, vs := range f.ns {
			nss[n] = map[string]int{"vectorCount": len(vs)}
			total += len(vs)
		}
		return map[string]any{"namespaces": nss, "dimension": f.dim, "indexFullness": 0, "totalVectorCount": total, "metric": f.metric, "vectorType": "dense"}, nil
	case "POST /vectors/upsert":
		var req struct {
			Vectors []struct {
				ID       string         `json:"id"`
				Values   []float32      `json:"values"`
				Metadata map[string]any `json:"metadata"`
			} `json:"vectors"`
			Namespace string `json:"namespace"`
		}
		if err := remotetest.DecodeStrict(r, &req); err != nil {
			return nil, invalid("%v", err)
		}
		if len(req.Vectors) == 0 || len(req.Vectors) > 1000 {
			return nil, invalid("upsert takes 1 to 1000 vectors, got %d", len(req.Vectors))
		}
		for _, v := range req.Vectors {
			if v.ID == "" || len(v.ID) > 512 {
				return nil, invalid("vector ID must be 1 to 512 characters")
			}
			if e := f.checkVector(v.Values); e != nil {
				return nil, e
			}
			if e := checkMetadata(v.Metadata); e != nil {
				return nil, e
			}
		}
		if f.ns[req.Namespace] == nil {
			f.ns[req.Namespace] = map[string]vector{}
		}
		for _, v := range req.Vectors {
			f.ns[req.Namespace][v.ID] = vector{v.Values, v.Metadata}
		}
		return map[string]int{"upsertedCount": len(req.Vectors)}, nil
	case "POST /query":
		var req struct {
			Namespace       string         `json:"namespace"`
			Vector          []float32      `json:"vector"`
			TopK            int            `json:"topK"`
			Filter          map[string]any `json:"filter"`
			IncludeMetadata bool           `json:"includeMetadata"`
			IncludeValues   bool           `json:"includeValues"`
		}
		if err := remotetest.DecodeStrict(r, &req); err != nil {
			return nil, invalid("%v", err)
		}
		if req.TopK < 1 || req.TopK > 10000 || ((req.IncludeMetadata || req.IncludeValues) && req.TopK > 1000) {
			return nil, invalid("topK %d out of range (1..10000, 1..1000 with metadata or values)", req.TopK)
		}
		if e := f.checkVector(req.Vector); e != nil {
			return nil, e
		}
		if e := checkFilter(req.Filter); e != nil {
			return nil, e
		}
		type m struct {
			id    string
			score float64
		}
		var ms []m
		for id, v := range f.ns[req.Namespace] {
			if matches(req.Filter, v.metadata) {
				ms = append(ms, m{id, remotetest.Cosine(req.Vector, v.values)})
			}
		}
		slices.SortFunc(ms, func(a, b m) int {
			if a.score != b.score {
				if a.score > b.score {
					return -1
				}
				return 1
			}
			return strings.Compare(a.id, b.id)
		})
		out := []any{}
		for _, x := range ms[:min(len(ms), req.TopK)] {
			hit := map[string]any{"id": x.id, "score": x.score}
			if req.IncludeMetadata {
				hit["metadata"] = f.ns[req.Namespace][x.id].metadata
			}
			out = append(out, hit)
		}
		return map[string]any{"matches": out, "namespace": req.Namespace, "usage": map[string]int{"readUnits": 5}}, nil
	case "POST /vectors/delete":
		var req struct {
			IDs       []string       `json:"ids"`
			DeleteAll bool           `json:"deleteAll"`
			Namespace string         `json:"namespace"`
			Filter    map[string]any `json:"filter"`
		}
		if err := remotetest.DecodeStrict(r, &req); err != nil {
			return nil, invalid("%v", err)
		}
		modes := 0
		for _, set := range []bool{len(req.IDs) > 0, req.DeleteAll, req.Filter != nil} {
			if set {
				modes++
			}
		}
		if modes != 1 {
			return nil, invalid("exactly one of ids, deleteAll and filter")
		}
		if e := checkFilter(req.Filter); e != nil {
			return nil, e
		}
		for id, v := range f.ns[req.Namespace] {
			if req.DeleteAll || slices.Contains(req.IDs, id) || (req.Filter != nil && matches(req.Filter, v.metadata)) {
				delete(f.ns[req.Namespace], id)
			}
		}
		return map[string]any{}, nil
	case "GET /vectors/list":
		q := r.URL.Query()
		limit := 100
		if l := q.Get("limit"); l != "" {
			var err error
			if limit, err = strconv.Atoi(l); err != nil || limit < 1 || limit > 100 {
				return nil, invalid("limit must be 1 to 100")
			}
		}
		ids := make([]string, 0, len(f.ns[q.Get("namespace")]))
		for id := range f.ns[q.Get("namespace")] {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		start := 0
		if tok := q.Get("paginationToken"); tok != "" {
			var err error
			if start, err = strconv.Atoi(strings.TrimPrefix(tok, "tok-")); err != nil {
				return nil, invalid("bad pagination token")
			}
		}
		var vs []any
		for _, id := range ids[min(start, len(ids)):min(start+limit, len(ids))] {
			vs = append(vs, map[string]string{"id": id})
		}
		res := map[string]any{"vectors": vs, "namespace": q.Get("namespace"), "usage": map[string]int{"readUnits": 1}}
		if start+limit < len(ids) {
			res["pagination"] = map[string]string{"next": fmt.Sprint("tok-", start+limit)}
		}
		return res, nil
	case "GET /vectors/fetch":
		q := r.URL.Query()
		if len(q["ids"]) == 0 || len(q["ids"]) > 1000 {
			return nil, invalid("fetch takes 1 to 1000 ids")
		}
		out := map[string]any{}
		for _, id := range q["ids"] {
			if v, ok := f.ns[q.Get("namespace")][id]; ok {
				out[id] = map[string]any{"id": id, "values": v.values, "metadata": v.metadata}
			}
		}
		return map[string]any{"vectors": out, "namespace": q.Get("namespace"), "usage": map[string]int{"readUnits": 1}}, nil
	}
	return nil, &perr{http.StatusNotFound, "no route " + r.Method + " " + r.URL.Path}
}

func (f *fake) checkVector(v []float32) *perr {
	if len(v) != f.dim {
		return invalid("Vector dimension %d does not match the dimension of the index %d", len(v), f.dim)
	}
	for _, x := range v {
		if x != 0 {
			return nil
		}
	}
	return invalid("Dense vectors must contain at least one non-zero value")
}

func checkMetadata(md map[string]any) *perr {
	b, _ := json.Marshal(md)
	if len(b) > 40960 {
		return invalid("Metadata size is %d bytes, which exceeds the limit of 40960 bytes per vector", len(b))
	}
	for k, v := range md {
		switch x := v.(type) {
		case string, float64, bool:
		case []any:
			for _, e := range x {
				if _, ok := e.(string); !ok {
					return invalid("metadata %q: lists must hold strings", k)
				}
			}
		default:
			return invalid("metadata %q: value must be a string, number, boolean or list of strings, got %T", k, v)
		}
	}
	return nil
}

var operators = []string{"$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$exists"}

func checkFilter(f map[string]any) *perr {
	for k, v := range f {
		switch k {
		case "$and", "$or":
			list, ok := v.([]any)
			if !ok || len(list) == 0 {
				return invalid("%s takes a non-empty list", k)
			}
			for _, sub := range list {
				sm, ok := sub.(map[string]any)
				if !ok {
					return invalid("%s takes filter objects", k)
				}
				if e := checkFilter(sm); e != nil {
					return e
				}
			}
		default:
			if strings.HasPrefix(k, "$") {
				return invalid("unknown operator %s at the top of a filter", k)
			}
			ops, ok := v.(map[string]any)
			if !ok {
				continue // {"field": value} is $eq
			}
			for op, arg := range ops {
				if !slices.Contains(operators, op) {
					return invalid("unknown operator %s", op)
				}
				if _, isList := arg.([]any); isList != (op == "$in" || op == "$nin") {
					return invalid("%s on %q: wrong argument %v", op, k, arg)
				}
			}
		}
	}
	return nil
}

func matches(f map[string]any, md map[string]any) bool {
	for k, v := range f {
		switch k {
		case "$and":
			for _, sub := range v.([]any) {
				if !matches(sub.(map[string]any), md) {
					return false
				}
			}
		case "$or":
			one := false
			for _, sub := range v.([]any) {
				one = one || matches(sub.(map[string]any), md)
			}
			if !one {
				return false
			}
		default:
			ops, ok := v.(map[string]any)
			if !ok {
				ops = map[string]any{"$eq": v}
			}
			for op, arg := range ops {
				val, has := md[k]
				var ok bool
				switch op {
				case "$eq":
					ok = has && val == arg
				case "$ne":
					ok = !has || val != arg
				case "$in":
					ok = has && slices.Contains(arg.([]any), val)
				case "$nin":
					ok = !has || !slices.Contains(arg.([]any), val)
				case "$exists":
					ok = has == arg
				default:
					ok = false // the store sends no range operators
				}
				if !ok {
					return false
				}
			}
		}
	}
	return true
}

// Package omtest is an in-process OpenMetadata server for tests of the endpoints
// internal/openmetadata calls: GET /api/v1/tables/name/{fqn}, GET /api/v1/lineage/table/name/{fqn}
// and PUT /api/v1/lineage. It checks each request as OpenMetadata does (bearer token, depths
// 0..3, AddLineage's JSON shape, entity ids that exist, column FQNs inside the edge's tables).
package omtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/dataops-dev/dataops/internal/openmetadata"
)

// Catalog is the fake server's state: tables by FQN, lineage edges by id, and the bodies of
// the AddLineage requests it accepted.
type Catalog struct {
	mu     sync.Mutex
	Tables map[string]string // fqn -> id
	Edges  [][2]string       // id -> id
	Puts   []map[string]any
}

// Token is the bot token the fake accepts.
const Token = "om-bot-token"

// NewCatalog starts a fake catalog holding tables (FQN -> id) and returns it with its URL.
func NewCatalog(t testing.TB, tables map[string]string) (*Catalog, string) {
	f := &Catalog{Tables: tables}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv.URL + "/api"
}

// ID returns the id of a table FQN.
func (f *Catalog) ID(fqn string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.Tables[fqn]
}

// fqnOf is the FQN of an id ("" when unknown).
func (f *Catalog) fqnOf(id string) string {
	for k, v := range f.Tables {
		if v == id {
			return k
		}
	}
	return ""
}

// ServeHTTP implements the endpoints.
func (f *Catalog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fail := func(code int, msg string) {
		w.WriteHeader(code)
		json.NewEncoder(w).Encode(map[string]any{"code": code, "message": msg})
	}
	if r.Header.Get("Authorization") != "Bearer "+Token {
		fail(401, "Not authorized")
		return
	}
	path := r.URL.EscapedPath()
	switch {
	case r.Method == "GET" && strings.HasPrefix(path, "/api/v1/tables/name/"):
		fqn, _ := url.PathUnescape(strings.TrimPrefix(path, "/api/v1/tables/name/"))
		id, ok := f.Tables[fqn]
		if !ok {
			fail(404, "table instance for "+fqn+" not found")
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"id": id, "name": fqn[strings.LastIndex(fqn, ".")+1:], "fullyQualifiedName": fqn})
	case r.Method == "GET" && strings.HasPrefix(path, "/api/v1/lineage/table/name/"):
		fqn, _ := url.PathUnescape(strings.TrimPrefix(path, "/api/v1/lineage/table/name/"))
		for _, k := range []string{"upstreamDepth", "downstreamDepth"} {
			d, err := strconv.Atoi(r.URL.Query().Get(k))
			if err != nil || d < 0 || d > 3 {
				fail(400, k+" must be between 0 and 3")
				return
			}
		}
		id, ok := f.Tables[fqn]
		if !ok {
			fail(404, "table instance for "+fqn+" not found")
			return
		}
		out := map[string]any{"entity": map[string]any{"id": id, "type": "table", "fullyQualifiedName": fqn}}
		var nodes []map[string]any
		var ups, downs []map[string]string
		for _, e := range f.Edges {
			if e[1] == id {
				ups = append(ups, map[string]string{"fromEntity": e[0], "toEntity": e[1]})
				nodes = append(nodes, map[string]any{"id": e[0], "type": "table", "fullyQualifiedName": f.fqnOf(e[0])})
			}
			if e[0] == id {
				downs = append(downs, map[string]string{"fromEntity": e[0], "toEntity": e[1]})
				nodes = append(nodes, map[string]any{"id": e[1], "type": "table", "fullyQualifiedName": f.fqnOf(e[1])})
			}
		}
		out["nodes"], out["upstreamEdges"], out["downstreamEdges"] = nodes, ups, downs
		json.NewEncoder(w).Encode(out)
	case r.Method == "PUT" && path == "/api/v1/lineage":
		var req struct {
			Edge *struct {
				FromEntity     *openmetadata.EntityRef `json:"fromEntity"`
				ToEntity       *openmetadata.EntityRef `json:"toEntity"`
				LineageDetails *struct {
					ColumnsLineage []openmetadata.ColumnLineage `json:"columnsLineage"`
					Source         string                       `json:"source"`
				} `json:"lineageDetails"`
			} `json:"edge"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Edge == nil || req.Edge.FromEntity == nil || req.Edge.ToEntity == nil {
			fail(400, "edge with fromEntity and toEntity is required")
			return
		}
		e := req.Edge
		from, to := f.fqnOf(e.FromEntity.ID), f.fqnOf(e.ToEntity.ID)
		if from == "" || to == "" || e.FromEntity.Type != "table" || e.ToEntity.Type != "table" {
			fail(404, "entity not found")
			return
		}
		if e.LineageDetails == nil || e.LineageDetails.Source != "DbtLineage" {
			fail(400, "lineageDetails.source must be a known LineageSource")
			return
		}
		for _, cl := range e.LineageDetails.ColumnsLineage {
			if !strings.HasPrefix(cl.ToColumn, to+".") {
				fail(400, fmt.Sprintf("toColumn %s is not a column of %s", cl.ToColumn, to))
				return
			}
			for _, fc := range cl.FromColumns {
				if !strings.HasPrefix(fc, from+".") {
					fail(400, fmt.Sprintf("fromColumn %s is not a column of %s", fc, from))
					return
				}
			}
		}
		var m map[string]any
		b, _ := json.Marshal(req)
		json.Unmarshal(b, &m)
		f.Puts = append(f.Puts, m)
		f.Edges = append(f.Edges, [2]string{e.FromEntity.ID, e.ToEntity.ID})
		w.WriteHeader(200)
	default:
		fail(404, "no such endpoint")
	}
}

package openmetadata

// The catalog here is an in-process server implementing the endpoints we call, checking each
// request as OpenMetadata does (bearer token, depth 0..3, JSON shape of AddLineage, entity ids
// that exist, column FQNs inside the edge's tables). OpenMetadata cannot run on our test machines.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/dataops-dev/dataops/internal/columns"
	"github.com/dataops-dev/dataops/internal/dbt"
)

type fakeCatalog struct {
	t      *testing.T
	mu     sync.Mutex
	tables map[string]string // fqn -> id
	edges  [][2]string       // id -> id
	puts   []map[string]any
}

func (f *fakeCatalog) fqnOf(id string) string {
	for k, v := range f.tables {
		if v == id {
			return k
		}
	}
	return ""
}

func (f *fakeCatalog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fail := func(code int, msg string) {
		w.WriteHeader(code)
		json.NewEncoder(w).Encode(map[string]any{"code": code, "message": msg})
	}
	if r.Header.Get("Authorization") != "Bearer om-bot-token" {
		fail(401, "Not authorized")
		return
	}
	path := r.URL.EscapedPath()
	switch {
	case r.Method == "GET" && strings.HasPrefix(path, "/api/v1/tables/name/"):
		fqn, _ := url.PathUnescape(strings.TrimPrefix(path, "/api/v1/tables/name/"))
		id, ok := f.tables[fqn]
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
		id, ok := f.tables[fqn]
		if !ok {
			fail(404, "table instance for "+fqn+" not found")
			return
		}
		out := map[string]any{"entity": map[string]any{"id": id, "type": "table", "fullyQualifiedName": fqn}}
		var nodes []map[string]any
		var ups, downs []map[string]string
		for _, e := range f.edges {
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
				FromEntity     *EntityRef `json:"fromEntity"`
				ToEntity       *EntityRef `json:"toEntity"`
				LineageDetails *struct {
					ColumnsLineage []ColumnLineage `json:"columnsLineage"`
					Source         string          `json:"source"`
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
		f.puts = append(f.puts, m)
		f.edges = append(f.edges, [2]string{e.FromEntity.ID, e.ToEntity.ID})
		w.WriteHeader(200)
	default:
		fail(404, "no such endpoint")
	}
}

func shop(t *testing.T) *dbt.Project {
	p, err := dbt.Load(context.Background(), dbt.LoadOptions{Dir: "../../examples/shop"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func newCatalog(t *testing.T, p *dbt.Project, ids ...string) (*fakeCatalog, *Client) {
	f := &fakeCatalog{t: t, tables: map[string]string{}}
	for i, id := range ids {
		fqn, ok := TableFQN(p, "warehouse", id)
		if !ok {
			t.Fatalf("no FQN for %s", id)
		}
		f.tables[fqn] = fmt.Sprintf("00000000-0000-0000-0000-%012d", i+1)
	}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, &Client{BaseURL: srv.URL + "/api", Token: "om-bot-token"}
}

func TestFQN(t *testing.T) {
	if got := FQN("svc", "db", "my.schema", "t"); got != `svc.db."my.schema".t` {
		t.Errorf("FQN = %s", got)
	}
}

func TestVerifyReportsBothDirections(t *testing.T) {
	p := shop(t)
	stg, dim, raw := "model.shop.stg_customers", "model.shop.dim_customers", "seed.shop.raw_customers"
	f, c := newCatalog(t, p, stg, dim, raw, "model.shop.stg_orders")
	id := func(uid string) string { fqn, _ := TableFQN(p, "warehouse", uid); return f.tables[fqn] }
	// The catalog knows raw -> stg, lacks stg -> dim, and has a stale stg -> stg_orders.
	f.edges = [][2]string{{id(raw), id(stg)}, {id(stg), id("model.shop.stg_orders")}}
	diffs, missing, err := Verify(context.Background(), c, p, "warehouse", []string{stg, "model.shop.fct_orders"})
	if err != nil {
		t.Fatal(err)
	}
	if len(missing) != 1 || missing[0] != "model.shop.fct_orders" {
		t.Errorf("missing = %v", missing)
	}
	var got []string
	for _, d := range diffs {
		got = append(got, fmt.Sprintf("%v %s -> %s", d.InDbt, d.From[strings.LastIndex(d.From, ".")+1:], d.To[strings.LastIndex(d.To, ".")+1:]))
	}
	want := "true stg_customers -> dim_customers | false stg_customers -> stg_orders"
	if strings.Join(got, " | ") != want {
		t.Errorf("differences:\n got %s\nwant %s", strings.Join(got, " | "), want)
	}
}

func TestPushSendsColumnLineage(t *testing.T) {
	p := shop(t)
	dim, stg, fct := "model.shop.dim_customers", "model.shop.stg_customers", "model.shop.fct_orders"
	f, c := newCatalog(t, p, dim, stg) // fct_orders is not in the catalog
	inf := columns.Infer(p, columns.Options{Models: []string{dim}})
	res, err := Push(context.Background(), c, p, inf, "warehouse", []string{dim})
	if err != nil {
		t.Fatal(err)
	}
	fctFQN, _ := TableFQN(p, "warehouse", fct)
	if res.Edges != 1 || len(res.SkippedTables) != 1 || res.SkippedTables[0] != fctFQN {
		t.Fatalf("result %+v", res)
	}
	if len(f.puts) != 1 {
		t.Fatalf("%d PUTs", len(f.puts))
	}
	b, _ := json.Marshal(f.puts[0])
	s := string(b)
	for _, want := range []string{`"source":"DbtLineage"`, `stg_customers.customer_id"]`, `dim_customers.customer_id"`} {
		if !strings.Contains(s, want) {
			t.Errorf("PUT body lacks %s:\n%s", want, s)
		}
	}
	if res.ColumnEdges < 5 {
		t.Errorf("only %d column edges", res.ColumnEdges)
	}
}

func TestBadTokenAndDepth(t *testing.T) {
	p := shop(t)
	_, c := newCatalog(t, p, "model.shop.stg_customers")
	c.Token = "wrong"
	if _, _, err := Verify(context.Background(), c, p, "warehouse", []string{"model.shop.stg_customers"}); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("bad token: %v", err)
	}
	c.Token = "om-bot-token"
	fqn, _ := TableFQN(p, "warehouse", "model.shop.stg_customers")
	if _, err := c.TableLineage(context.Background(), fqn, 9, -1); err != nil {
		t.Errorf("depths are clamped to 0..3, got %v", err)
	}
}

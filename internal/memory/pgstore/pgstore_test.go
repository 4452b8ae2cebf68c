package pgstore

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/dataops-dev/dataops/internal/memory"
	"github.com/dataops-dev/dataops/internal/memory/remotetest"
)

func testURL() string {
	if u := os.Getenv("DATAOPS_TEST_POSTGRES_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// schemaPrefix gives a test its own random prefix; every schema under it is dropped after.
func schemaPrefix(t testing.TB) string {
	t.Helper()
	b := make([]byte, 5)
	rand.Read(b)
	prefix := "dataops_memtest_" + hex.EncodeToString(b)
	t.Cleanup(func() {
		ctx := context.Background()
		c, err := pgx.Connect(ctx, testURL())
		if err != nil {
			t.Errorf("dropping test schemas: %v", err)
			return
		}
		defer c.Close(ctx)
		rows, _ := c.Query(ctx, `select nspname from pg_namespace where starts_with(nspname, $1)`, prefix)
		names, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Errorf("listing test schemas: %v", err)
		}
		for _, n := range names {
			if _, err := c.Exec(ctx, `drop schema `+pgx.Identifier{n}.Sanitize()+` cascade`); err != nil {
				t.Errorf("dropping %s: %v", n, err)
			}
		}
	})
	return prefix
}

func opener(exact bool) remotetest.Opener {
	return func(t *testing.T, name, embedder string, dim int) (memory.Store, error) {
		prefix, ok := prefixes[t.Name()]
		if !ok {
			prefix = schemaPrefix(t)
			prefixes[t.Name()] = prefix
		}
		return Open(context.Background(), testURL(), Options{Schema: prefix + "_" + name, Embedder: embedder, Dimension: dim, Exact: exact})
	}
}

// prefixes maps a test to its schema prefix; subtests run one after another.
var prefixes = map[string]string{}

// TestExactConformance runs the suite on the exact scan, whatever the server has installed.
func TestExactConformance(t *testing.T) { remotetest.Run(t, opener(true)) }

// TestDefaultMode opens the store as users do: pgvector where the server has it, the exact
// scan where it does not, and the suite passes on whichever was chosen.
func TestDefaultMode(t *testing.T) {
	ctx := context.Background()
	c, err := pgx.Connect(ctx, testURL())
	if err != nil {
		t.Fatalf("PostgreSQL at %s: %v", testURL(), err)
	}
	var avail bool
	if err := c.QueryRow(ctx, `select exists (select 1 from pg_available_extensions where name = 'vector')`).Scan(&avail); err != nil {
		t.Fatal(err)
	}
	c.Close(ctx)
	s, err := Open(ctx, testURL(), Options{Schema: schemaPrefix(t) + "_mode", Embedder: "e", Dimension: 3})
	if err != nil {
		t.Fatal(err)
	}
	want := modeExact
	if avail {
		want = modePgvector
	}
	got := s.Mode()
	s.Close()
	if got != want {
		t.Fatalf("pgvector available=%v, mode %s, want %s", avail, got, want)
	}
	t.Logf("pgvector available: %v; suite runs in mode %s", avail, got)
	remotetest.Run(t, opener(false))
}

func TestPgvectorSQL(t *testing.T) {
	s := statements{schema: "mem", mode: modePgvector, dim: 384}
	create := strings.Join(s.create(), ";\n")
	for _, want := range []string{
		`embedding vector(384) not null`,
		`create index if not exists records_embedding on "mem"."records" using hnsw (embedding vector_cosine_ops)`,
		`using gin (keywords)`,
	} {
		if !strings.Contains(create, want) {
			t.Errorf("create lacks %q:\n%s", want, create)
		}
	}
	if !strings.Contains(s.stage(), "embedding text") || !strings.Contains(s.merge(), "embedding::vector(384)") {
		t.Errorf("stage/merge do not cast the text literal to vector(384):\n%s\n%s", s.stage(), s.merge())
	}
	q, args := s.nearest(memory.Filter{Kinds: []memory.Kind{memory.KindTest}, Project: "shop", Column: "id"}, "[1,0,0]", 40)
	want := `select id from "mem"."records" where kind = any($2) and project = $3 and col = $4 order by embedding <=> $1::vector limit $5`
	if q != want {
		t.Errorf("nearest =\n%s\nwant\n%s", q, want)
	}
	if fmt.Sprint(args) != "[[1,0,0] [test] shop id 40]" {
		t.Errorf("nearest args = %v", args)
	}
	if s.efSearch() != `select set_config('hnsw.ef_search', $1, true)` {
		t.Errorf("efSearch = %s", s.efSearch())
	}
	exact := statements{schema: "mem", mode: modeExact, dim: 384}
	if c := strings.Join(exact.create(), ";"); !strings.Contains(c, "embedding bytea not null") || strings.Contains(c, "hnsw") {
		t.Errorf("exact create:\n%s", c)
	}
	if g, b := exact.generation(), exact.bump(); g != `select value::bigint from "mem"."meta" where key = 'generation'` ||
		b != `update "mem"."meta" set value = (value::bigint + 1)::text where key = 'generation'` {
		t.Errorf("generation/bump:\n%s\n%s", g, b)
	}
	q, args = s.keyword(memory.Filter{Source: "a.md"}, "order | id", 40)
	want = `select id from "mem"."records", to_tsquery('simple', $1) q where keywords @@ q and source = $2 order by ts_rank_cd(keywords, q, 1) desc, id limit $3`
	if q != want || fmt.Sprint(args) != "[order | id a.md 40]" {
		t.Errorf("keyword =\n%s %v\nwant\n%s", q, args, want)
	}
}

func TestVectorLiteralAndPack(t *testing.T) {
	if got := vectorLiteral([]float32{1, -0.5, 3e-7}); got != "[1,-0.5,3e-07]" {
		t.Fatalf("vectorLiteral = %s", got)
	}
	b := pack([]float32{3, 4})
	x, y := math.Float32frombits(binary.LittleEndian.Uint32(b)), math.Float32frombits(binary.LittleEndian.Uint32(b[4:]))
	if math.Abs(float64(x)-0.6) > 1e-6 || math.Abs(float64(y)-0.8) > 1e-6 {
		t.Fatalf("pack([3 4]) = %v %v, want the unit vector 0.6 0.8", x, y)
	}
}

func TestTopK(t *testing.T) {
	k := newTopK(3)
	for i, s := range []float32{0.1, 0.9, 0.5, 0.9, 0.2, 0.7} {
		k.offer(fmt.Sprint("r", i), s)
	}
	if got := fmt.Sprint(k.ids()); got != "[r1 r3 r5]" {
		t.Fatalf("top = %s", got)
	}
}

func TestOpenErrorsMaskPassword(t *testing.T) {
	_, err := Open(context.Background(), "postgres://me:topsecret@127.0.0.1:1/db?sslmode=disable&connect_timeout=2", Options{Embedder: "e", Dimension: 3})
	if err == nil || strings.Contains(err.Error(), "topsecret") || !strings.Contains(err.Error(), "postgres://me:***@127.0.0.1:1/db") {
		t.Fatalf("err = %v", err)
	}
}

// TestCacheSeesOtherWriters checks the exact scan's in-memory copy against writes made
// through another connection pool, as another process would.
func TestCacheSeesOtherWriters(t *testing.T) {
	ctx := context.Background()
	schema := schemaPrefix(t) + "_cache"
	open := func() *Store {
		s, err := Open(ctx, testURL(), Options{Schema: schema, Embedder: "e", Dimension: remotetest.Dim, Exact: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	writer, reader := open(), open()
	corpus := remotetest.Corpus()
	if err := writer.Upsert(ctx, corpus[:4]); err != nil {
		t.Fatal(err)
	}
	find := func(text string) []string {
		hs, err := reader.Query(ctx, memory.Query{Text: text, Vector: remotetest.Embed(text, remotetest.Dim), Limit: 20})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, h := range hs {
			if h.VectorRank > 0 {
				ids = append(ids, h.ID)
			}
		}
		return ids
	}
	if got := find("customer"); len(got) != 4 {
		t.Fatalf("first load: %v", got)
	}
	if err := writer.Upsert(ctx, corpus[4:]); err != nil {
		t.Fatal(err)
	}
	if got := find("customer"); len(got) != 8 {
		t.Fatalf("after another writer's upsert: %v", got)
	}
	if _, err := writer.DeleteBySource(ctx, "docs/design.md"); err != nil {
		t.Fatal(err)
	}
	got := find("customer")
	if len(got) != 6 || slices.Contains(got, "doc:design#payments") {
		t.Fatalf("after another writer's delete: %v", got)
	}
}

package pgstore

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/dataops-dev/dataops/internal/memory"
)

// Vector modes: how embeddings are kept and searched.
const (
	// modePgvector keeps vector(n) with an HNSW index on cosine distance (pgvector).
	modePgvector = "pgvector"
	// modeExact keeps each unit-length embedding as bytea (n little-endian float32) and ranks
	// by an exact scan in Go over an in-memory copy (scanCache). Reading bytea costs a
	// quarter of the CPU of real[] decoded in Go and a fifth of a dot product in SQL over
	// unnest(real[], real[]); see BenchmarkExactScan and docs/memory-stores.md.
	modeExact = "exact"
)

// statements is the SQL of one schema and vector mode.
type statements struct {
	schema string
	mode   string
	dim    int
}

func (s statements) table(name string) string { return pgx.Identifier{s.schema, name}.Sanitize() }

func (s statements) embeddingType() string {
	if s.mode == modePgvector {
		return fmt.Sprintf("vector(%d)", s.dim)
	}
	return "bytea"
}

// create returns the statements that make the schema's tables and indexes (idempotent).
func (s statements) create() []string {
	rec := s.table("records")
	out := []string{
		`create schema if not exists ` + pgx.Identifier{s.schema}.Sanitize(),
		`create table if not exists ` + rec + ` (
	id text primary key,
	kind text not null,
	body text not null,
	project text not null default '',
	model text not null default '',
	col text not null default '',
	source text not null default '',
	line integer not null default 0,
	commit text not null default '',
	at timestamptz,
	extra jsonb,
	embedding ` + s.embeddingType() + ` not null,
	keywords tsvector not null
)`,
		`create index if not exists records_source on ` + rec + ` (source)`,
		`create index if not exists records_scope on ` + rec + ` (project, model, col)`,
		`create index if not exists records_kind on ` + rec + ` (kind)`,
		`create index if not exists records_keywords on ` + rec + ` using gin (keywords)`,
	}
	if s.mode == modePgvector {
		out = append(out, `create index if not exists records_embedding on `+rec+` using hnsw (embedding vector_cosine_ops)`)
	}
	return out
}

// stage is the temporary table an upsert copies into; its embedding is text ('[1,2,3]') for
// pgvector, since the driver has no codec for the extension's type, and bytea otherwise.
func (s statements) stage() string {
	emb := "bytea"
	if s.mode == modePgvector {
		emb = "text"
	}
	return `create temporary table memory_stage (
	id text, kind text, body text, project text, model text, col text, source text,
	line integer, commit text, at timestamptz, extra jsonb, embedding ` + emb + `, keywords text
) on commit drop`
}

func (s statements) merge() string {
	emb := "embedding"
	if s.mode == modePgvector {
		emb = fmt.Sprintf("embedding::vector(%d)", s.dim)
	}
	return `insert into ` + s.table("records") + ` (id, kind, body, project, model, col, source, line, commit, at, extra, embedding, keywords)
select distinct on (id) id, kind, body, project, model, col, source, line, commit, at, extra, ` + emb + `, to_tsvector('simple', keywords)
from memory_stage
on conflict (id) do update set kind = excluded.kind, body = excluded.body, project = excluded.project,
	model = excluded.model, col = excluded.col, source = excluded.source, line = excluded.line,
	commit = excluded.commit, at = excluded.at, extra = excluded.extra, embedding = excluded.embedding,
	keywords = excluded.keywords`
}

// where renders a filter as a conjunction, its arguments numbered after those already in args.
func where(f memory.Filter, args []any) (string, []any) {
	var conds []string
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, fmt.Sprintf(cond, len(args)))
	}
	if len(f.Kinds) > 0 {
		kinds := make([]string, len(f.Kinds))
		for i, k := range f.Kinds {
			kinds[i] = string(k)
		}
		add("kind = any($%d)", kinds)
	}
	for _, c := range []struct{ col, v string }{{"project", f.Project}, {"model", f.Model}, {"col", f.Column}, {"source", f.Source}} {
		if c.v != "" {
			add(c.col+" = $%d", c.v)
		}
	}
	if len(f.Columns) > 0 {
		add("col = any($%d)", f.Columns)
	}
	if len(f.Extra) > 0 {
		b, _ := json.Marshal(f.Extra)
		add("extra @> $%d::jsonb", string(b))
	}
	if len(conds) == 0 {
		return "true", args
	}
	return strings.Join(conds, " and "), args
}

// nearest returns the pgvector ranking: the HNSW index orders by cosine distance to $1 among
// the rows that pass the filter; the last argument is the limit.
func (s statements) nearest(f memory.Filter, vector string, limit int) (string, []any) {
	cond, args := where(f, []any{vector})
	args = append(args, limit)
	return fmt.Sprintf(`select id from %s where %s order by embedding <=> $1::vector limit $%d`, s.table("records"), cond, len(args)), args
}

// keyword returns the BM25-like ranking: PostgreSQL full-text search over the split terms,
// any query term matching, ranked by cover density normalised by document length.
func (s statements) keyword(f memory.Filter, tsquery string, limit int) (string, []any) {
	cond, args := where(f, []any{tsquery})
	args = append(args, limit)
	return fmt.Sprintf(`select id from %s, to_tsquery('simple', $1) q where keywords @@ q and %s order by ts_rank_cd(keywords, q, 1) desc, id limit $%d`,
		s.table("records"), cond, len(args)), args
}

// efSearch sets pgvector's HNSW candidate list size for the transaction ($1, as text).
func (s statements) efSearch() string { return `select set_config('hnsw.ef_search', $1, true)` }

// recordColumns are the columns scanRecord reads, in its order.
const recordColumns = `id, kind, body, project, model, col, source, line, commit, at, extra`

func (s statements) fetch() string {
	return `select ` + recordColumns + ` from ` + s.table("records") + ` where id = any($1)`
}

// list returns every record that passes the filter, ordered by id (the primary key's order).
func (s statements) list(f memory.Filter) (string, []any) {
	cond, args := where(f, nil)
	return `select ` + recordColumns + ` from ` + s.table("records") + ` where ` + cond + ` order by id collate "C"`, args
}

// matching returns the ids of the records that pass the filter.
func (s statements) matching(f memory.Filter) (string, []any) {
	cond, args := where(f, nil)
	return `select id from ` + s.table("records") + ` where ` + cond, args
}

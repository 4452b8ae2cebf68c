// Package pgstore keeps long-term memory in PostgreSQL. With the pgvector extension installed
// (create extension vector succeeds) embeddings are vector(n) columns behind an HNSW index on
// cosine distance; without it they are packed float32 bytea, ranked by an exact scan in Go
// over an in-memory copy that each write's generation counter keeps current. Keyword ranking is PostgreSQL full-text search (simple configuration) over
// the record's terms with identifiers split; the two rankings are fused by remote.Fuse.
//
// All tables live in one schema (default dataops_memory). Its meta table records the
// embedder, the dimension and the vector mode; opening with another embedder or dimension
// fails with a *remote.EmbedderMismatchError (errors.Is remote.ErrEmbedderMismatch), so
// vectors of two embedders never mix.
package pgstore

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dataops-dev/dataops/internal/memory"
	"github.com/dataops-dev/dataops/internal/memory/remote"
	"github.com/dataops-dev/dataops/internal/memory/terms"
)

// Options configure Open.
type Options struct {
	Schema    string // default "dataops_memory"
	Embedder  string // the embedder's Name
	Dimension int    // the embedder's Dimension
	// Exact keeps the exact scan even where pgvector is installed; a store keeps the mode it
	// was created with either way.
	Exact bool
	// ConnectTimeout bounds connecting; default 10 s.
	ConnectTimeout time.Duration
}

// Store is a memory.Store on PostgreSQL.
type Store struct {
	pool  *pgxpool.Pool
	sql   statements
	emb   string
	name  string     // "postgres URL schema S", credentials masked, for messages
	cache *scanCache // exact mode only
}

var _ memory.Store = (*Store)(nil)

// Open connects to the database at url, creates the schema and its tables if absent, and
// checks the embedder. It returns a *remote.EmbedderMismatchError when the schema was built
// with another embedder or dimension.
func Open(ctx context.Context, url string, opt Options) (*Store, error) {
	if opt.Schema == "" {
		opt.Schema = "dataops_memory"
	}
	name := fmt.Sprintf("postgres %s schema %s", remote.MaskURL(url), opt.Schema)
	if opt.Embedder == "" || opt.Dimension <= 0 {
		return nil, fmt.Errorf("%s: an embedder name and a positive dimension are required", name)
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("%s: %s", name, maskErr(err, url))
	}
	cfg.ConnConfig.ConnectTimeout = opt.ConnectTimeout
	if cfg.ConnConfig.ConnectTimeout <= 0 {
		cfg.ConnConfig.ConnectTimeout = 10 * time.Second
	}
	cfg.ConnConfig.RuntimeParams["application_name"] = "dataops-memory"
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("%s: %s", name, maskErr(err, url))
	}
	s := &Store{pool: pool, emb: opt.Embedder, name: name}
	if err := s.init(ctx, opt); err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

// maskErr is err's text without the password of url, which connection errors may repeat.
func maskErr(err error, url string) string {
	msg := err.Error()
	if cfg, perr := pgx.ParseConfig(url); perr == nil && len(cfg.Password) >= 2 {
		msg = strings.ReplaceAll(msg, cfg.Password, "***")
	}
	return msg
}

func (s *Store) fail(what string, err error) error {
	return fmt.Errorf("%s: %s: %w", s.name, what, err)
}

// init makes or checks the schema under an advisory lock, so two processes opening a new
// store at once agree on one mode and one embedder.
func (s *Store) init(ctx context.Context, opt Options) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return s.fail("connecting", err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `select pg_advisory_xact_lock(hashtext('dataops_memory:' || $1))`, opt.Schema); err != nil {
		return s.fail("locking the schema", err)
	}
	meta := pgx.Identifier{opt.Schema, "meta"}.Sanitize()
	for _, q := range []string{
		`create schema if not exists ` + pgx.Identifier{opt.Schema}.Sanitize(),
		`create table if not exists ` + meta + ` (key text primary key, value text not null)`,
	} {
		if _, err := tx.Exec(ctx, q); err != nil {
			return s.fail("creating the schema", err)
		}
	}
	have := map[string]string{}
	rows, err := tx.Query(ctx, `select key, value from `+meta)
	if err != nil {
		return s.fail("reading meta", err)
	}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return s.fail("reading meta", err)
		}
		have[k] = v
	}
	if err := rows.Err(); err != nil {
		return s.fail("reading meta", err)
	}
	mode := have["mode"]
	if mode == "" {
		mode = modeExact
		if !opt.Exact {
			if ok, err := tryPgvector(ctx, tx); err != nil {
				return s.fail("checking for pgvector", err)
			} else if ok {
				mode = modePgvector
			}
		}
		for k, v := range map[string]string{"embedder": opt.Embedder, "dimension": strconv.Itoa(opt.Dimension), "mode": mode} {
			if _, err := tx.Exec(ctx, `insert into `+meta+` (key, value) values ($1, $2)`, k, v); err != nil {
				return s.fail("writing meta", err)
			}
		}
	} else {
		dim, _ := strconv.Atoi(have["dimension"])
		if have["embedder"] != opt.Embedder || dim != opt.Dimension {
			return &remote.EmbedderMismatchError{Store: s.name, StoreName: have["embedder"], StoreDimension: dim, Name: opt.Embedder, Dimension: opt.Dimension}
		}
	}
	if _, err := tx.Exec(ctx, `insert into `+meta+` (key, value) values ('generation', '0') on conflict (key) do nothing`); err != nil {
		return s.fail("writing meta", err)
	}
	s.sql = statements{schema: opt.Schema, mode: mode, dim: opt.Dimension}
	if mode == modeExact {
		s.cache = newScanCache(opt.Dimension)
	}
	for _, q := range s.sql.create()[1:] {
		if _, err := tx.Exec(ctx, q); err != nil {
			return s.fail("creating tables", err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return s.fail("creating tables", err)
	}
	return nil
}

// tryPgvector creates the vector extension if the server has it, inside a savepoint so that
// a refusal (not installed, or no privilege) leaves the transaction usable.
func tryPgvector(ctx context.Context, tx pgx.Tx) (bool, error) {
	var avail bool
	if err := tx.QueryRow(ctx, `select exists (select 1 from pg_available_extensions where name = 'vector')`).Scan(&avail); err != nil || !avail {
		return false, err
	}
	sp, err := tx.Begin(ctx)
	if err != nil {
		return false, err
	}
	if _, err := sp.Exec(ctx, `create extension if not exists vector`); err != nil {
		sp.Rollback(ctx)
		return false, nil
	}
	return true, sp.Commit(ctx)
}

// Mode is "pgvector" or "exact".
func (s *Store) Mode() string { return s.sql.mode }

func (s *Store) checkDim(v []float32, what string) error {
	if len(v) != s.sql.dim {
		return fmt.Errorf("%s: %s has %d dimensions, the store %d", s.name, what, len(v), s.sql.dim)
	}
	return nil
}

// Upsert adds records or replaces those with the same ID, in one transaction. Every record
// needs a vector of the store's dimension.
func (s *Store) Upsert(ctx context.Context, recs []memory.Record) error {
	if len(recs) == 0 {
		return nil
	}
	rows := make([][]any, len(recs))
	for i, r := range recs {
		if r.ID == "" {
			return fmt.Errorf("%s: record %d has no ID", s.name, i)
		}
		if err := s.checkDim(r.Vector, "record "+r.ID+"'s vector"); err != nil {
			return err
		}
		var extra any
		if len(r.Metadata.Extra) > 0 {
			b, err := json.Marshal(r.Metadata.Extra)
			if err != nil {
				return err
			}
			extra = string(b)
		}
		var at any
		if !r.Metadata.Time.IsZero() {
			at = r.Metadata.Time
		}
		var emb any
		if s.sql.mode == modePgvector {
			emb = vectorLiteral(r.Vector)
		} else {
			emb = pack(r.Vector)
		}
		m := r.Metadata
		rows[i] = []any{r.ID, string(r.Kind), r.Text, m.Project, m.Model, m.Column, m.Source, m.Line, m.Commit, at, extra, emb,
			terms.Keywords(r.Text, m.Model, m.Column)}
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return s.fail("upsert", err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, s.sql.stage()); err != nil {
		return s.fail("upsert", err)
	}
	cols := []string{"id", "kind", "body", "project", "model", "col", "source", "line", "commit", "at", "extra", "embedding", "keywords"}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"memory_stage"}, cols, pgx.CopyFromRows(rows)); err != nil {
		return s.fail("upsert", err)
	}
	if _, err := tx.Exec(ctx, s.sql.merge()); err != nil {
		return s.fail("upsert", err)
	}
	if _, err := tx.Exec(ctx, s.sql.bump()); err != nil {
		return s.fail("upsert", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return s.fail("upsert", err)
	}
	return nil
}

// DeleteBySource removes the records of source and says how many there were.
func (s *Store) DeleteBySource(ctx context.Context, source string) (int, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return 0, s.fail("delete by source", err)
	}
	defer tx.Rollback(ctx)
	tag, err := tx.Exec(ctx, `delete from `+s.sql.table("records")+` where source = $1`, source)
	if err != nil {
		return 0, s.fail("delete by source", err)
	}
	if tag.RowsAffected() > 0 {
		if _, err := tx.Exec(ctx, s.sql.bump()); err != nil {
			return 0, s.fail("delete by source", err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, s.fail("delete by source", err)
	}
	return int(tag.RowsAffected()), nil
}

// candidates is how many hits each ranking contributes to the fusion: enough below the
// limit that a record ranked modestly by both still surfaces.
func candidates(limit int) int { return max(4*limit, 40) }

// Query fuses the vector and keyword rankings of the records that pass q.Filter.
func (s *Store) Query(ctx context.Context, q memory.Query) ([]memory.Hit, error) {
	if q.Limit <= 0 {
		q.Limit = 10
	}
	if err := s.checkDim(q.Vector, "the query vector"); err != nil {
		return nil, err
	}
	n := candidates(q.Limit)
	vec, err := s.vectorRanking(ctx, q, n)
	if err != nil {
		return nil, s.fail("query", err)
	}
	var kw []string
	if ts := terms.Unique(q.Text); len(ts) > 0 {
		query, args := s.sql.keyword(q.Filter, strings.Join(ts, " | "), n)
		rows, err := s.pool.Query(ctx, query, args...)
		if err != nil {
			return nil, s.fail("query", err)
		}
		if kw, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
			return nil, s.fail("query", err)
		}
	}
	fused := remote.Fuse(idHits(vec), idHits(kw), q.Limit)
	if err := s.fill(ctx, fused); err != nil {
		return nil, s.fail("query", err)
	}
	return fused, nil
}

func idHits(ids []string) []memory.Hit {
	out := make([]memory.Hit, len(ids))
	for i, id := range ids {
		out[i].ID = id
	}
	return out
}

func (s *Store) vectorRanking(ctx context.Context, q memory.Query, n int) ([]string, error) {
	if s.sql.mode == modePgvector {
		// The HNSW scan yields at most ef_search rows before the WHERE filters: widen it to
		// the candidates wanted, or a filtered query comes back short.
		tx, err := s.pool.Begin(ctx)
		if err != nil {
			return nil, err
		}
		defer tx.Rollback(ctx)
		if _, err := tx.Exec(ctx, s.sql.efSearch(), strconv.Itoa(min(max(n, 40), 1000))); err != nil {
			return nil, err
		}
		query, args := s.sql.nearest(q.Filter, vectorLiteral(q.Vector), n)
		rows, err := tx.Query(ctx, query, args...)
		if err != nil {
			return nil, err
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return nil, err
		}
		return ids, tx.Commit(ctx)
	}
	return s.nearestCached(ctx, q.Filter, q.Vector, n)
}

// fill loads the records of hits (which hold only IDs) in place.
func (s *Store) fill(ctx context.Context, hits []memory.Hit) error {
	if len(hits) == 0 {
		return nil
	}
	idx := make(map[string]int, len(hits))
	ids := make([]string, len(hits))
	for i, h := range hits {
		idx[h.ID] = i
		ids[i] = h.ID
	}
	rows, err := s.pool.Query(ctx, s.sql.fetch(), ids)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return err
		}
		hits[idx[r.ID]].Record = r
	}
	return rows.Err()
}

// scanRecord reads one row of recordColumns.
func scanRecord(rows pgx.Rows) (memory.Record, error) {
	var r memory.Record
	var kind string
	var at *time.Time
	var extra []byte
	m := &r.Metadata
	if err := rows.Scan(&r.ID, &kind, &r.Text, &m.Project, &m.Model, &m.Column, &m.Source, &m.Line, &m.Commit, &at, &extra); err != nil {
		return r, err
	}
	r.Kind = memory.Kind(kind)
	if at != nil {
		m.Time = at.UTC()
	}
	if len(extra) > 0 {
		if err := json.Unmarshal(extra, &m.Extra); err != nil {
			return r, fmt.Errorf("record %s: extra: %w", r.ID, err)
		}
	}
	return r, nil
}

// List selects the records that pass the filter, by the indexes on kind, scope and source.
func (s *Store) List(ctx context.Context, f memory.Filter) ([]memory.Record, error) {
	query, args := s.sql.list(f)
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, s.fail("list", err)
	}
	defer rows.Close()
	var out []memory.Record
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, s.fail("list", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail("list", err)
	}
	return out, nil
}

// Stats counts records by kind and distinct sources.
func (s *Store) Stats(ctx context.Context) (memory.Stats, error) {
	st := memory.Stats{ByKind: map[memory.Kind]int{}, Embedder: s.emb, Dimension: s.sql.dim}
	rows, err := s.pool.Query(ctx, `select kind, count(*) from `+s.sql.table("records")+` group by kind`)
	if err != nil {
		return st, s.fail("stats", err)
	}
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return st, s.fail("stats", err)
		}
		st.ByKind[memory.Kind(k)] = n
		st.Records += n
	}
	if err := rows.Err(); err != nil {
		return st, s.fail("stats", err)
	}
	if err := s.pool.QueryRow(ctx, `select count(distinct source) from `+s.sql.table("records")+` where source <> ''`).Scan(&st.Sources); err != nil {
		return st, s.fail("stats", err)
	}
	return st, nil
}

// Close releases the connections.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// DropSchema removes the store's schema and everything in it (the store is closed after).
func (s *Store) DropSchema(ctx context.Context) error {
	_, err := s.pool.Exec(ctx, `drop schema if exists `+pgx.Identifier{s.sql.schema}.Sanitize()+` cascade`)
	s.pool.Close()
	if err != nil && !errors.Is(err, context.Canceled) {
		return s.fail("dropping the schema", err)
	}
	return err
}

func normalized(v []float32) []float32 {
	var n float64
	for _, x := range v {
		n += float64(x) * float64(x)
	}
	out := make([]float32, len(v))
	if n == 0 {
		return out
	}
	inv := 1 / math.Sqrt(n)
	for i, x := range v {
		out[i] = float32(float64(x) * inv)
	}
	return out
}

// pack writes v, normalised to unit length, as little-endian float32s: a dot product of two
// packed vectors is then their cosine similarity.
func pack(v []float32) []byte {
	u := normalized(v)
	b := make([]byte, 4*len(u))
	for i, x := range u {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}

// vectorLiteral is pgvector's text form, '[x,y,...]'.
func vectorLiteral(v []float32) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, x := range v {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatFloat(float64(x), 'g', -1, 32))
	}
	b.WriteByte(']')
	return b.String()
}

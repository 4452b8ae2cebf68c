package pgstore

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/jackc/pgx/v5"

	"github.com/dataops-dev/dataops/internal/memory"
)

// scanCache holds, in exact mode, every record's filter fields and unit vector in memory, so
// that a query costs a dot product per record in Go instead of moving every embedding over
// the wire. It is valid for one generation of the store: each write bumps the generation in
// the meta table within its transaction, and a query that finds another generation reloads
// (from one snapshot, so rows and generation agree), which also picks up other processes'
// writes. Memory is 4 bytes per dimension per record: 77 MB at 50,000 × 384.
type scanCache struct {
	mu      sync.Mutex
	gen     int64 // -1: empty
	dim     int
	ids     []string
	kind    []string
	project []string
	model   []string
	col     []string
	source  []string
	vecs    []float32 // len(ids) × dim
}

func newScanCache(dim int) *scanCache { return &scanCache{gen: -1, dim: dim} }

// generation is the statement that reads the store's write counter.
func (s statements) generation() string {
	return `select value::bigint from ` + s.table("meta") + ` where key = 'generation'`
}

// bump is the statement a write runs in its transaction.
func (s statements) bump() string {
	return `update ` + s.table("meta") + ` set value = (value::bigint + 1)::text where key = 'generation'`
}

// nearestCached ranks the records that pass f by cosine with q, reloading first if the store
// changed since the last load.
func (s *Store) nearestCached(ctx context.Context, f memory.Filter, q []float32, n int) ([]string, error) {
	c := s.cache
	c.mu.Lock()
	defer c.mu.Unlock()
	var gen int64
	if err := s.pool.QueryRow(ctx, s.sql.generation()).Scan(&gen); err != nil {
		return nil, err
	}
	if gen != c.gen {
		if err := s.reload(ctx); err != nil {
			c.gen = -1
			return nil, err
		}
	}
	// The cache holds no extras: a filter on them is the set of ids the table gives.
	var allowed map[string]bool
	if len(f.Extra) > 0 {
		query, args := s.sql.matching(f)
		rows, err := s.pool.Query(ctx, query, args...)
		if err != nil {
			return nil, err
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return nil, err
		}
		allowed = make(map[string]bool, len(ids))
		for _, id := range ids {
			allowed[id] = true
		}
	}
	kinds := make([]string, len(f.Kinds))
	for i, k := range f.Kinds {
		kinds[i] = string(k)
	}
	unit := normalized(q)
	top := newTopK(n)
	for i, id := range c.ids {
		if (len(kinds) > 0 && !slices.Contains(kinds, c.kind[i])) ||
			(f.Project != "" && f.Project != c.project[i]) || (f.Model != "" && f.Model != c.model[i]) ||
			(f.Column != "" && f.Column != c.col[i]) || (f.Source != "" && f.Source != c.source[i]) ||
			(len(f.Columns) > 0 && !slices.Contains(f.Columns, c.col[i])) || (allowed != nil && !allowed[id]) {
			continue
		}
		v := c.vecs[i*c.dim : (i+1)*c.dim]
		var d float32
		for j, x := range unit {
			d += v[j] * x
		}
		top.offer(id, d)
	}
	return top.ids(), nil
}

// reload reads every record's filter fields and embedding, with the generation, from one
// snapshot. The caller holds c.mu.
func (s *Store) reload(ctx context.Context) error {
	c := s.cache
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	var gen int64
	if err := tx.QueryRow(ctx, s.sql.generation()).Scan(&gen); err != nil {
		return err
	}
	rows, err := tx.Query(ctx, `select id, kind, project, model, col, source, embedding from `+s.sql.table("records"))
	if err != nil {
		return err
	}
	defer rows.Close()
	c.ids, c.kind, c.project, c.model, c.col, c.source = c.ids[:0], c.kind[:0], c.project[:0], c.model[:0], c.col[:0], c.source[:0]
	c.vecs = c.vecs[:0]
	var id, kind, project, model, col, source string
	var emb []byte
	for rows.Next() {
		if err := rows.Scan(&id, &kind, &project, &model, &col, &source, &emb); err != nil {
			return err
		}
		if len(emb) != 4*c.dim {
			return fmt.Errorf("record %s: stored embedding has %d bytes, want %d", id, len(emb), 4*c.dim)
		}
		c.ids, c.kind, c.project = append(c.ids, id), append(c.kind, kind), append(c.project, project)
		c.model, c.col, c.source = append(c.model, model), append(c.col, col), append(c.source, source)
		for j := 0; j < len(emb); j += 4 {
			c.vecs = append(c.vecs, math.Float32frombits(binary.LittleEndian.Uint32(emb[j:])))
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	c.gen = gen
	return tx.Commit(ctx)
}

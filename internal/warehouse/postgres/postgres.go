// Package postgres is the PostgreSQL warehouse on pgx: a connection pool, COPY for bulk loads
// and SQLSTATE-carrying errors. Every statement goes over the extended protocol, which carries
// exactly one statement per call; sessions keep standard_conforming_strings on, so quoted
// literals mean what warehouse.Dialect wrote. The SQL of seeds, builds, tests and profiles is
// shared in package warehouse.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dataops-dev/dataops/internal/warehouse"
)

func init() {
	warehouse.Register("postgres", func(ctx context.Context, t *warehouse.Target, a warehouse.Access) (warehouse.Warehouse, error) {
		return Open(ctx, DSN(t), t.Threads, a)
	})
}

// DSN builds a connection URL from a target's host, port, user, password, dbname and sslmode.
func DSN(t *warehouse.Target) string {
	u := url.URL{Scheme: "postgres", Host: net.JoinHostPort(t.Host, strconv.Itoa(t.Port)), Path: "/" + t.DBName}
	if t.Host == "" {
		u.Host = net.JoinHostPort("localhost", strconv.Itoa(t.Port))
	}
	if t.Port == 0 {
		u.Host = net.JoinHostPort(u.Hostname(), "5432")
	}
	if t.User != "" {
		if t.Password != "" {
			u.User = url.UserPassword(t.User, t.Password)
		} else {
			u.User = url.User(t.User)
		}
	}
	q := url.Values{}
	if t.SSLMode != "" {
		q.Set("sslmode", t.SSLMode)
	}
	if t.ConnectTimeout > 0 {
		q.Set("connect_timeout", strconv.Itoa(t.ConnectTimeout))
	}
	q.Set("application_name", "dataops")
	u.RawQuery = q.Encode()
	return u.String()
}

// Open connects a pool of up to size connections (at least 4) to the database at dsn. Without
// a.Write every transaction is read-only. a.Dirs has no meaning here: files on a server are the
// server's, reached only with privileges a role for dataops should not hold.
func Open(ctx context.Context, dsn string, size int, a warehouse.Access) (warehouse.Warehouse, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, &warehouse.Error{Warehouse: "postgres", Message: "connection settings: " + err.Error(), Err: err}
	}
	cfg.MaxConns = int32(max(size+1, 4))
	// Queries prepare (one statement each) whatever the connection string asked for.
	cfg.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeCacheStatement
	params := cfg.ConnConfig.RuntimeParams
	params["standard_conforming_strings"] = "on"
	if !a.Write {
		params["default_transaction_read_only"] = "on"
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, mapError(err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, mapError(err)
	}
	return warehouse.New(&drv{pool: pool}), nil
}

type drv struct{ pool *pgxpool.Pool }

func (d *drv) Type() string        { return "postgres" }
func (d *drv) FoldsCase() bool     { return false }
func (d *drv) DropCascade() string { return " cascade" }
func (d *drv) Close() error        { d.pool.Close(); return nil }

func (d *drv) TypeName(t warehouse.SeedType) string {
	switch t {
	case warehouse.TypeInteger:
		return "integer"
	case warehouse.TypeBigInt:
		return "bigint"
	case warehouse.TypeNumeric:
		return "numeric"
	case warehouse.TypeBoolean:
		return "boolean"
	case warehouse.TypeDate:
		return "date"
	case warehouse.TypeTimestamp:
		return "timestamp without time zone"
	}
	return "text"
}

func (d *drv) Conn(ctx context.Context) (warehouse.Conn, error) {
	c, err := d.pool.Acquire(ctx)
	if err != nil {
		return nil, mapError(err)
	}
	return &conn{c: c}, nil
}

type conn struct{ c *pgxpool.Conn }

func (c *conn) Release() { c.c.Release() }

// Exec runs one statement. pgx's Exec sends SQL without arguments over the simple protocol,
// which runs any number of statements; ExecParams uses the extended protocol, where the server
// refuses a second.
func (c *conn) Exec(ctx context.Context, q string) error {
	res := c.c.Conn().PgConn().ExecParams(ctx, q, nil, nil, nil, nil).Read()
	return mapError(res.Err)
}

func (c *conn) Query(ctx context.Context, q string, limit int) (*warehouse.Rows, error) {
	rows, err := c.c.Query(ctx, q)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	fields := rows.FieldDescriptions()
	out := &warehouse.Rows{Values: [][]any{}}
	typeNames := make([]string, len(fields))
	tm := c.c.Conn().TypeMap()
	for i, f := range fields {
		out.Columns = append(out.Columns, f.Name)
		if t, ok := tm.TypeForOID(f.DataTypeOID); ok {
			typeNames[i] = t.Name
		}
	}
	for rows.Next() {
		if limit > 0 && len(out.Values) >= limit {
			break
		}
		vals, err := rows.Values()
		if err != nil {
			return nil, mapError(err)
		}
		for i, v := range vals {
			vals[i] = normalize(v, typeNames[i])
		}
		out.Values = append(out.Values, vals)
	}
	rows.Close()
	return out, mapError(rows.Err())
}

func normalize(v any, typ string) any {
	switch x := v.(type) {
	case pgtype.Numeric:
		if !x.Valid {
			return nil
		}
		if f, err := x.Float64Value(); err == nil && f.Valid {
			return f.Float64
		}
	case [16]byte: // uuid
		return fmt.Sprintf("%x-%x-%x-%x-%x", x[0:4], x[4:6], x[6:8], x[8:10], x[10:16])
	case map[string]any, []any:
		return warehouse.Normalize(x, typ)
	}
	return warehouse.Normalize(v, typ)
}

func (c *conn) Append(ctx context.Context, table warehouse.Relation, cols []string, next func() ([]any, bool, error)) error {
	ident := pgx.Identifier{table.Name}
	if table.Schema != "" {
		ident = pgx.Identifier{table.Schema, table.Name}
	}
	src := &copySource{next: next}
	_, err := c.c.CopyFrom(ctx, ident, cols, src)
	if src.err != nil {
		return src.err
	}
	return mapError(err)
}

type copySource struct {
	next func() ([]any, bool, error)
	row  []any
	err  error
}

func (s *copySource) Next() bool {
	row, ok, err := s.next()
	if err != nil {
		s.err = err
		return false
	}
	s.row = row
	return ok
}
func (s *copySource) Values() ([]any, error) { return s.row, nil }
func (s *copySource) Err() error             { return s.err }

func mapError(err error) error {
	if err == nil {
		return nil
	}
	var we *warehouse.Error
	if errors.As(err, &we) {
		return err
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		if pe.Code == "42601" && strings.Contains(pe.Message, "multiple commands") {
			return &warehouse.Error{Warehouse: "postgres", Code: pe.Code, Message: warehouse.ErrMultipleStatements.Error() +
				": dataops runs exactly one statement per call and ran none of these", Err: errors.Join(warehouse.ErrMultipleStatements, err)}
		}
		msg := pe.Message
		if pe.Detail != "" {
			msg += " (" + pe.Detail + ")"
		}
		return &warehouse.Error{Warehouse: "postgres", Code: pe.Code, Message: msg, Err: err}
	}
	return &warehouse.Error{Warehouse: "postgres", Message: err.Error(), Err: err}
}

func asError(err error, target **warehouse.Error) bool { return errors.As(err, target) }

// StageCSV streams a seed file to the server with COPY ... FORMAT csv: the server parses it.
func (c *conn) StageCSV(ctx context.Context, table warehouse.Relation, cols []string, src warehouse.CSVSource) (bool, error) {
	r, err := src.Open()
	if err != nil {
		return false, err
	}
	defer r.Close()
	ident := pgx.Identifier{table.Name}
	if table.Schema != "" {
		ident = pgx.Identifier{table.Schema, table.Name}
	}
	delim := warehouse.PostgreSQL.Literal(string(src.Delimiter))
	quoted := make([]string, len(cols))
	for i, col := range cols {
		quoted[i] = pgx.Identifier{col}.Sanitize()
	}
	q := fmt.Sprintf("copy %s (%s) from stdin with (format csv, header true, delimiter %s)",
		ident.Sanitize(), strings.Join(quoted, ", "), delim)
	_, err = c.c.Conn().PgConn().CopyFrom(ctx, r, q)
	return true, mapError(err)
}

// Package duckdb is the embedded warehouse: DuckDB in-process, in memory or in one file. Every
// connection is set up so DuckDB never installs or loads an extension on its own: nothing
// reaches the network. It owns connections, bulk loading and error mapping; the SQL of seeds,
// builds, tests and profiles is shared in package warehouse.
package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/dataops-dev/dataops/internal/warehouse"
)

func init() {
	warehouse.Register("duckdb", func(ctx context.Context, t *warehouse.Target) (warehouse.Warehouse, error) {
		return Open(ctx, t.Path)
	})
}

// noNetwork are set on the database and again on every connection.
var noNetwork = []string{
	"autoinstall_known_extensions=false",
	"autoload_known_extensions=false",
}

// Open opens a DuckDB database: path "" or ":memory:" is a private in-memory database; any
// other path is a file, created with its directory when missing.
func Open(ctx context.Context, path string) (warehouse.Warehouse, error) {
	dsn := ""
	if path != "" && path != ":memory:" {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, fmt.Errorf("duckdb: %w", err)
		}
		dsn = path
	}
	dsn += "?" + strings.Join(noNetwork, "&")
	connector, err := duckdb.NewConnector(dsn, func(ex driver.ExecerContext) error {
		for _, s := range noNetwork {
			if _, err := ex.ExecContext(context.Background(), "SET "+s, nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, mapError(err)
	}
	db := sql.OpenDB(connector)
	// Keep connections for parallel runs instead of reconnecting (and re-running the init)
	// for every node.
	db.SetMaxIdleConns(16)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, mapError(err)
	}
	return warehouse.New(&drv{db: db}), nil
}

type drv struct{ db *sql.DB }

func (d *drv) Type() string        { return "duckdb" }
func (d *drv) FoldsCase() bool     { return true }
func (d *drv) DropCascade() string { return "" }
func (d *drv) Close() error        { return d.db.Close() }

func (d *drv) TypeName(t warehouse.SeedType) string {
	switch t {
	case warehouse.TypeInteger:
		return "INTEGER"
	case warehouse.TypeBigInt:
		return "BIGINT"
	case warehouse.TypeNumeric:
		return "DOUBLE"
	case warehouse.TypeBoolean:
		return "BOOLEAN"
	case warehouse.TypeDate:
		return "DATE"
	case warehouse.TypeTimestamp:
		return "TIMESTAMP"
	}
	return "VARCHAR"
}

// Sample draws a reproducible reservoir sample.
func (d *drv) Sample(src string, n int) string {
	return "select * from " + src + " using sample reservoir(" + strconv.Itoa(n) + " rows) repeatable (42)"
}

func (d *drv) Conn(ctx context.Context) (warehouse.Conn, error) {
	c, err := d.db.Conn(ctx)
	if err != nil {
		return nil, mapError(err)
	}
	return &conn{c: c}, nil
}

type conn struct{ c *sql.Conn }

func (c *conn) Release() { c.c.Close() }

func (c *conn) Exec(ctx context.Context, q string) error {
	_, err := c.c.ExecContext(ctx, q)
	return mapError(err)
}

func (c *conn) Query(ctx context.Context, q string, limit int) (*warehouse.Rows, error) {
	rows, err := c.c.QueryContext(ctx, q)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, mapError(err)
	}
	types, err := rows.ColumnTypes()
	if err != nil {
		return nil, mapError(err)
	}
	out := &warehouse.Rows{Columns: cols, Values: [][]any{}}
	for rows.Next() {
		if limit > 0 && len(out.Values) >= limit {
			break
		}
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, mapError(err)
		}
		for i, v := range vals {
			vals[i] = warehouse.Normalize(v, types[i].DatabaseTypeName())
		}
		out.Values = append(out.Values, vals)
	}
	return out, mapError(rows.Err())
}

func (c *conn) Append(ctx context.Context, table warehouse.Relation, cols []string, next func() ([]any, bool, error)) error {
	catalog, schema := table.Database, table.Schema
	if schema == "" {
		// Temporary tables live in DuckDB's temp catalog.
		catalog, schema = "temp", "main"
	}
	return c.c.Raw(func(dc any) error {
		a, err := duckdb.NewAppender(dc.(driver.Conn), catalog, schema, table.Name)
		if err != nil {
			return mapError(err)
		}
		row := make([]driver.Value, len(cols))
		for {
			vals, ok, err := next()
			if err != nil {
				a.Close()
				return err
			}
			if !ok {
				break
			}
			for i, v := range vals {
				row[i] = v
			}
			if err := a.AppendRow(row...); err != nil {
				a.Close()
				return mapError(err)
			}
		}
		return mapError(a.Close())
	})
}

func mapError(err error) error {
	if err == nil {
		return nil
	}
	var de *duckdb.Error
	if errors.As(err, &de) {
		return &warehouse.Error{Warehouse: "duckdb", Code: strconv.Itoa(int(de.Type)), Message: de.Msg, Err: err}
	}
	var we *warehouse.Error
	if errors.As(err, &we) {
		return err
	}
	return &warehouse.Error{Warehouse: "duckdb", Message: err.Error(), Err: err}
}

// StageCSV loads a seed file with DuckDB's own CSV reader, every column as text, with the
// dialect fixed (RFC 4180 quoting, the given delimiter, a header row) rather than sniffed.
func (c *conn) StageCSV(ctx context.Context, table warehouse.Relation, cols []string, src warehouse.CSVSource) (bool, error) {
	if src.File == "" {
		return false, nil
	}
	abs, err := filepath.Abs(src.File)
	if err != nil {
		return false, nil
	}
	var spec []string
	for _, col := range cols {
		spec = append(spec, "'"+col+"': 'VARCHAR'")
	}
	lit := func(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
	q := fmt.Sprintf("insert into %s select * from read_csv(%s, header = true, auto_detect = false, delim = %s, quote = '\"', escape = '\"', columns = {%s})",
		quoteRel(table), lit(abs), lit(string(src.Delimiter)), strings.Join(spec, ", "))
	return true, c.Exec(ctx, q)
}

func quoteRel(r warehouse.Relation) string {
	q := func(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
	if r.Schema == "" {
		return q(r.Name)
	}
	return q(r.Schema) + "." + q(r.Name)
}

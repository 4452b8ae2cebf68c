// Package duckdb is the embedded warehouse: DuckDB in-process, in memory or in one file. Every
// database is set up so DuckDB never installs or loads an extension on its own (nothing reaches
// the network) and so SQL reaches no file but those the caller's warehouse.Access allows, with
// the configuration locked so SQL cannot widen it. Every call runs exactly one statement. It
// owns connections, bulk loading and error mapping; the SQL of seeds, builds, tests and profiles
// is shared in package warehouse.
package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/dataops-dev/dataops/internal/warehouse"
)

func init() {
	warehouse.Register("duckdb", func(ctx context.Context, t *warehouse.Target, a warehouse.Access) (warehouse.Warehouse, error) {
		if t.Root != "" && t.Path != "" && t.Path != ":memory:" {
			if err := makeParentInside(t.Root, t.Path, a.Write); err != nil {
				return nil, err
			}
			return open(ctx, t.Path, a)
		}
		return Open(ctx, t.Path, a)
	})
}

// startup is the configuration every database starts with.
var startup = []string{
	"autoinstall_known_extensions=false",
	"autoload_known_extensions=false",
}

// Open opens a DuckDB database: path "" or ":memory:" is a private in-memory database; any
// other path is a file. With a.Write the file is created, with its directory, when missing;
// without, it opens read-only and must exist.
func Open(ctx context.Context, path string, a warehouse.Access) (warehouse.Warehouse, error) {
	if path != "" && path != ":memory:" && a.Write {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, fmt.Errorf("duckdb: %w", err)
		}
	}
	return open(ctx, path, a)
}

// makeParentInside checks that a database file stays inside root and, when it may be written,
// creates its missing directories through root, so no symlink can lead the creation out.
func makeParentInside(root, path string, write bool) error {
	rel, err := warehouse.Inside(root, path)
	if err != nil {
		return fmt.Errorf("duckdb: database file %w", err)
	}
	if !write {
		return nil
	}
	r, err := os.OpenRoot(root)
	if err != nil {
		return fmt.Errorf("duckdb: %w", err)
	}
	defer r.Close()
	if err := r.MkdirAll(filepath.Dir(rel), 0o755); err != nil {
		return fmt.Errorf("duckdb: %w", err)
	}
	return nil
}

func open(ctx context.Context, path string, a warehouse.Access) (warehouse.Warehouse, error) {
	dsn := ""
	opts := append([]string(nil), startup...)
	readOnly := false
	if path != "" && path != ":memory:" {
		// The driver reads options after a "?" of the path and drops everything after a "#".
		if strings.ContainsAny(path, "?#") {
			return nil, fmt.Errorf("duckdb: %s: a database path may not hold '?' or '#'", path)
		}
		dsn = path
		if !a.Write {
			if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("duckdb: %s does not exist (build the project first)", path)
			}
			opts = append(opts, "access_mode=read_only")
			readOnly = true
		}
	}
	connector, err := duckdb.NewConnector(dsn+"?"+strings.Join(opts, "&"), nil)
	if err != nil {
		return nil, mapError(err)
	}
	db := sql.OpenDB(connector)
	// Keep connections for parallel runs instead of reconnecting for every node.
	db.SetMaxIdleConns(16)
	if err := lockDown(ctx, db, a, readOnly); err != nil {
		db.Close()
		return nil, err
	}
	return warehouse.New(&drv{db: db}), nil
}

// lockDown limits file access to the allowed directories (none: no file at all) and locks the
// configuration. The settings are the database's, not a connection's: set once, before any
// other SQL runs, they hold for every connection, and once locked no SET can change them.
// DuckDB only lets external access be turned off while running, never back on.
func lockDown(ctx context.Context, db *sql.DB, a warehouse.Access, readOnly bool) error {
	c, err := db.Conn(ctx)
	if err != nil {
		return mapError(err)
	}
	defer c.Close()
	var dirs []string
	for _, d := range a.Dirs {
		if abs, err := filepath.Abs(d); err == nil {
			d = abs
		}
		// A trailing separator so that /p does not also allow /p2.
		dirs = append(dirs, warehouse.DuckDB.Literal(strings.TrimSuffix(d, string(filepath.Separator))+string(filepath.Separator)))
	}
	stmts := []string{
		"set allowed_directories = [" + strings.Join(dirs, ", ") + "]",
		"set enable_external_access = false",
		"set lock_configuration = true",
	}
	for _, q := range stmts {
		if _, err := c.ExecContext(ctx, q); err != nil {
			return mapError(err)
		}
	}
	// What the database runs with, read back: a database this process already had open would
	// keep its own configuration, and nothing weaker than asked for may run.
	var mode string
	var install, load, external, locked bool
	err = c.QueryRowContext(ctx, "select current_setting('access_mode'), current_setting('autoinstall_known_extensions'), "+
		"current_setting('autoload_known_extensions'), current_setting('enable_external_access'), current_setting('lock_configuration')").
		Scan(&mode, &install, &load, &external, &locked)
	if err != nil {
		return mapError(err)
	}
	if install || load || external || !locked || (readOnly && mode != "read_only") {
		return fmt.Errorf("duckdb: the database runs with access_mode=%s, autoinstall_known_extensions=%t, autoload_known_extensions=%t, enable_external_access=%t, lock_configuration=%t: refusing to use it",
			mode, install, load, external, locked)
	}
	return nil
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

// prepare prepares SQL that must hold exactly one statement. The driver's own Exec and Query
// would run every statement but the last as a side effect of preparing the last; its
// context-free Prepare is the one path that refuses more than one, before running any.
func prepare(dc any, q string) (*duckdb.Stmt, error) {
	dconn, ok := dc.(*duckdb.Conn)
	if !ok {
		return nil, fmt.Errorf("duckdb: unexpected driver connection %T", dc)
	}
	st, err := dconn.Prepare(q)
	if err != nil {
		if strings.Contains(err.Error(), "multi-statement") {
			return nil, &warehouse.Error{Warehouse: "duckdb", Message: warehouse.ErrMultipleStatements.Error() +
				": dataops runs exactly one statement per call and ran none of these", Err: warehouse.ErrMultipleStatements}
		}
		return nil, mapError(err)
	}
	return st.(*duckdb.Stmt), nil
}

func (c *conn) Exec(ctx context.Context, q string) error {
	return mapError(c.c.Raw(func(dc any) error {
		st, err := prepare(dc, q)
		if err != nil {
			return err
		}
		defer st.Close()
		_, err = st.ExecContext(ctx, nil)
		return err
	}))
}

func (c *conn) Query(ctx context.Context, q string, limit int) (*warehouse.Rows, error) {
	var out *warehouse.Rows
	err := c.c.Raw(func(dc any) error {
		st, err := prepare(dc, q)
		if err != nil {
			return err
		}
		defer st.Close()
		rows, err := st.QueryContext(ctx, nil)
		if err != nil {
			return err
		}
		defer rows.Close()
		cols := rows.Columns()
		types := make([]string, len(cols))
		if tn, ok := rows.(driver.RowsColumnTypeDatabaseTypeName); ok {
			for i := range cols {
				types[i] = tn.ColumnTypeDatabaseTypeName(i)
			}
		}
		out = &warehouse.Rows{Columns: cols, Values: [][]any{}}
		for limit <= 0 || len(out.Values) < limit {
			row := make([]driver.Value, len(cols))
			if err := rows.Next(row); err != nil {
				if errors.Is(err, io.EOF) {
					return nil
				}
				return err
			}
			vals := make([]any, len(cols))
			for i, v := range row {
				vals[i] = warehouse.Normalize(v, types[i])
			}
			out.Values = append(out.Values, vals)
		}
		return nil
	})
	if err != nil {
		return nil, mapError(err)
	}
	return out, nil
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
	d := warehouse.DuckDB
	var spec []string
	for _, col := range cols {
		spec = append(spec, d.Literal(col)+": 'VARCHAR'")
	}
	q := fmt.Sprintf("insert into %s select * from read_csv(%s, header = true, auto_detect = false, delim = %s, quote = '\"', escape = '\"', columns = {%s})",
		d.Relation(table), d.Literal(abs), d.Literal(string(src.Delimiter)), strings.Join(spec, ", "))
	return true, c.Exec(ctx, q)
}

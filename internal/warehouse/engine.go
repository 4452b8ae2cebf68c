package warehouse

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
)

// Driver is what an adapter supplies to the shared SQL engine.
type Driver interface {
	// Type is the adapter type ("duckdb", "postgres").
	Type() string
	// Conn checks out one connection; temp tables and transactions live on it.
	Conn(ctx context.Context) (Conn, error)
	// TypeName maps an inferred seed type to this warehouse's column type.
	TypeName(t SeedType) string
	// FoldsCase says identifiers match case-insensitively even when quoted (DuckDB).
	FoldsCase() bool
	// DropCascade is the suffix that makes DROP remove dependent views (" cascade" or "").
	DropCascade() string
	Close() error
}

// Conn is one connection of a Driver. Errors it returns are *Error.
type Conn interface {
	Exec(ctx context.Context, sql string) error
	// Query returns at most limit rows (all when limit <= 0), values normalized.
	Query(ctx context.Context, sql string, limit int) (*Rows, error)
	// Append bulk-inserts rows of text values (nil for NULL) into the given columns of a
	// table whose columns are all text, pulling rows from next until it returns false.
	Append(ctx context.Context, table Relation, cols []string, next func() ([]any, bool, error)) error
	Release()
}

// CSVStager is a Conn that can fill a text table straight from CSV, faster than Append; it
// returns false when it cannot take this source (the engine then appends row by row).
type CSVStager interface {
	StageCSV(ctx context.Context, table Relation, cols []string, src CSVSource) (bool, error)
}

// CSVSource is a seed file to stage: a path on this machine, or a reader of its bytes.
type CSVSource struct {
	File      string // "" when the CSV is in memory
	Open      func() (io.ReadCloser, error)
	Delimiter rune
}

// New returns the Warehouse that runs the shared SQL on a driver.
func New(d Driver) Warehouse { return &engine{d: d, schemas: map[string]bool{}} }

type engine struct {
	d Driver

	mu      sync.Mutex
	schemas map[string]bool // schemas known to exist
}

func (e *engine) Type() string { return e.d.Type() }
func (e *engine) Close() error { return e.d.Close() }

func (e *engine) Dialect() Dialect { return Dialect{CaseInsensitive: e.d.FoldsCase()} }

func (e *engine) Quote(ident string) string { return e.Dialect().Ident(ident) }

func (e *engine) Render(r Relation) string { return e.Dialect().Relation(r) }

func (e *engine) literal(s string) string { return e.Dialect().Literal(s) }

func (e *engine) withConn(ctx context.Context, f func(c Conn) error) error {
	c, err := e.d.Conn(ctx)
	if err != nil {
		return err
	}
	defer c.Release()
	return f(c)
}

// inTx runs f in a transaction on one connection and rolls back when it fails.
func (e *engine) inTx(ctx context.Context, f func(c Conn) error) error {
	return e.withConn(ctx, func(c Conn) error {
		if err := c.Exec(ctx, "begin"); err != nil {
			return err
		}
		if err := f(c); err != nil {
			// The rollback's own error adds nothing: the statement's error is the story.
			_ = c.Exec(context.WithoutCancel(ctx), "rollback")
			return err
		}
		return c.Exec(ctx, "commit")
	})
}

func (e *engine) Query(ctx context.Context, sql string, limit int) (*Rows, error) {
	var rows *Rows
	err := e.withConn(ctx, func(c Conn) error {
		var err error
		rows, err = c.Query(ctx, sql, limit)
		return err
	})
	return rows, err
}

func (e *engine) Exec(ctx context.Context, sql string) error {
	return e.withConn(ctx, func(c Conn) error { return c.Exec(ctx, sql) })
}

func (e *engine) EnsureSchema(ctx context.Context, schema string) error {
	if schema == "" {
		return nil
	}
	// Concurrent CREATE SCHEMA IF NOT EXISTS races on PostgreSQL's catalog: serialize them.
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.schemas[schema] {
		return nil
	}
	if err := e.Exec(ctx, "create schema if not exists "+e.Quote(schema)); err != nil {
		return err
	}
	e.schemas[schema] = true
	return nil
}

func (e *engine) nameMatch(col, val string) string {
	if e.d.FoldsCase() {
		return "lower(" + col + ") = " + e.literal(strings.ToLower(val))
	}
	return col + " = " + e.literal(val)
}

func (e *engine) Describe(ctx context.Context, r Relation) (string, []Column, error) {
	var kind string
	var cols []Column
	err := e.withConn(ctx, func(c Conn) error {
		var err error
		kind, cols, err = e.describe(ctx, c, r)
		return err
	})
	return kind, cols, err
}

func (e *engine) describe(ctx context.Context, c Conn, r Relation) (string, []Column, error) {
	where := e.nameMatch("table_schema", r.Schema) + " and " + e.nameMatch("table_name", r.Name)
	if r.Database != "" {
		where += " and " + e.nameMatch("table_catalog", r.Database)
	}
	rows, err := c.Query(ctx, "select table_type from information_schema.tables where "+where, 1)
	if err != nil {
		return "", nil, err
	}
	if len(rows.Values) == 0 {
		return "", nil, nil
	}
	kind := KindTable
	if t, _ := rows.Values[0][0].(string); strings.Contains(strings.ToUpper(t), "VIEW") {
		kind = KindView
	}
	rows, err = c.Query(ctx, "select column_name, data_type from information_schema.columns where "+where+" order by ordinal_position", 0)
	if err != nil {
		return "", nil, err
	}
	cols := make([]Column, 0, len(rows.Values))
	for _, v := range rows.Values {
		cols = append(cols, Column{Name: fmt.Sprint(v[0]), Type: fmt.Sprint(v[1])})
	}
	return kind, cols, nil
}

// body strips what cannot sit inside parentheses: trailing semicolons, and the comments and
// blank space after them.
func body(sql string) string {
	s := strings.TrimSpace(sql)
	for {
		switch {
		case strings.HasSuffix(s, ";"):
			s = strings.TrimSpace(strings.TrimSuffix(s, ";"))
			continue
		case strings.HasSuffix(s, "*/"):
			if i := strings.LastIndex(s, "/*"); i >= 0 && strings.HasSuffix(strings.TrimSpace(s[:i]), ";") {
				s = strings.TrimSpace(s[:i])
				continue
			}
		default:
			nl := strings.LastIndexByte(s, '\n')
			if nl >= 0 && strings.HasPrefix(strings.TrimSpace(s[nl+1:]), "--") {
				s = strings.TrimSpace(s[:nl])
				continue
			}
		}
		return s
	}
}

func (e *engine) drop(kind string, r Relation) string {
	what := "table"
	if kind == KindView {
		what = "view"
	}
	return "drop " + what + " if exists " + e.Render(r) + e.d.DropCascade()
}

func (e *engine) Build(ctx context.Context, m Model) error {
	if err := e.EnsureSchema(ctx, m.Relation.Schema); err != nil {
		return err
	}
	sql := body(m.SQL)
	if sql == "" {
		return &Error{Warehouse: e.Type(), Message: "the model compiled to empty SQL"}
	}
	switch m.Materialized {
	case View, Table, Incremental, "":
	default:
		return &Error{Warehouse: e.Type(), Message: fmt.Sprintf("materialization %q is not supported (view, table, incremental, ephemeral are)", m.Materialized)}
	}
	return e.inTx(ctx, func(c Conn) error {
		kind, _, err := e.describe(ctx, c, m.Relation)
		if err != nil {
			return err
		}
		if m.Materialized == Incremental && m.Incremental && kind == KindTable {
			return e.merge(ctx, c, m, sql)
		}
		if kind != "" {
			if err := c.Exec(ctx, e.drop(kind, m.Relation)); err != nil {
				return err
			}
		}
		what := "table"
		if m.Materialized == View || m.Materialized == "" {
			what = "view"
		}
		return c.Exec(ctx, "create "+what+" "+e.Render(m.Relation)+" as (\n"+sql+"\n)")
	})
}

// merge inserts the model's new rows into the existing table, first deleting the rows whose
// unique key comes again (dbt's delete+insert strategy). Columns the table lacks are ignored,
// as dbt's on_schema_change: ignore does.
func (e *engine) merge(ctx context.Context, c Conn, m Model, sql string) error {
	tmp := Relation{Name: m.Relation.Name + "__dbt_tmp"}
	if err := c.Exec(ctx, "create temporary table "+e.Render(tmp)+" as (\n"+sql+"\n)"); err != nil {
		return err
	}
	_, target, err := e.describe(ctx, c, m.Relation)
	if err != nil {
		return err
	}
	newRows, err := c.Query(ctx, "select * from "+e.Render(tmp)+" limit 0", 0)
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, n := range newRows.Columns {
		have[strings.ToLower(n)] = true
	}
	var cols []string
	for _, col := range target {
		if have[strings.ToLower(col.Name)] {
			cols = append(cols, e.Quote(col.Name))
		}
	}
	if len(cols) == 0 {
		return &Error{Warehouse: e.Type(), Message: "incremental model shares no column with " + m.Relation.String()}
	}
	dest := e.Render(m.Relation)
	if len(m.UniqueKey) > 0 {
		var conds []string
		for _, k := range m.UniqueKey {
			k = strings.TrimSpace(k)
			q := e.Quote(k)
			conds = append(conds, "dbt_internal_source."+q+" = "+dest+"."+q)
		}
		del := "delete from " + dest + " where exists (select 1 from " + e.Render(tmp) +
			" as dbt_internal_source where " + strings.Join(conds, " and ") + ")"
		if err := c.Exec(ctx, del); err != nil {
			return err
		}
	}
	list := strings.Join(cols, ", ")
	if err := c.Exec(ctx, "insert into "+dest+" ("+list+") select "+list+" from "+e.Render(tmp)); err != nil {
		return err
	}
	return c.Exec(ctx, "drop table "+e.Render(tmp))
}

func (e *engine) RunTest(ctx context.Context, sql string, sample int) (*TestResult, error) {
	sql = body(sql)
	res := &TestResult{}
	err := e.withConn(ctx, func(c Conn) error {
		rows, err := c.Query(ctx, "select count(*) from (\n"+sql+"\n) dbt_internal_test", 1)
		if err != nil {
			return err
		}
		if len(rows.Values) == 1 {
			res.Failures = toInt(rows.Values[0][0])
		}
		if res.Failures > 0 && sample > 0 {
			res.Sample, err = c.Query(ctx, "select * from (\n"+sql+"\n) dbt_internal_test limit "+fmt.Sprint(sample), sample)
		}
		return err
	})
	return res, err
}

func toInt(v any) int64 {
	switch n := v.(type) {
	case int64:
		return n
	case float64:
		return int64(n)
	case bool:
		if n {
			return 1
		}
	case string:
		var i int64
		fmt.Sscan(n, &i)
		return i
	}
	return 0
}

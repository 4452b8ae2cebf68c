// Package warehouse owns the connection between dataops and a SQL warehouse: describing
// relations, running queries, loading seeds, materializing models (view, table, incremental),
// counting test failures and profiling columns. The SQL that does this is shared; duckdb/ and
// postgres/ supply a Driver (connections, bulk load, type names, error mapping) and register
// themselves by adapter type. It never renders Jinja or reads a dbt project: callers hand it
// compiled SQL and relations (see runner/ for the dbt-aware orchestration).
package warehouse

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
)

// Relation names a table or view. Database is optional and omitted from SQL when empty.
type Relation struct {
	Database string `json:"database,omitempty"`
	Schema   string `json:"schema"`
	Name     string `json:"name"`
}

func (r Relation) String() string {
	var parts []string
	if r.Database != "" {
		parts = append(parts, r.Database)
	}
	if r.Schema != "" {
		parts = append(parts, r.Schema)
	}
	return strings.Join(append(parts, r.Name), ".")
}

// Column is a column of a relation as the warehouse reports it.
type Column struct {
	Name string `json:"name"`
	Type string `json:"data_type"`
}

// Kind of an existing relation.
const (
	KindTable = "table"
	KindView  = "view"
)

// Rows is a query result with values normalized to nil, bool, int64, float64 or string.
type Rows struct {
	Columns []string `json:"columns"`
	Values  [][]any  `json:"rows"`
}

// Materializations a model can ask for.
const (
	View        = "view"
	Table       = "table"
	Incremental = "incremental"
	Ephemeral   = "ephemeral"
)

// Model is one model to materialize: SQL already compiled (for an incremental model, compiled
// with is_incremental() true exactly when Build is told Incremental).
type Model struct {
	Relation     Relation
	Materialized string // view, table or incremental
	SQL          string
	// Incremental says the relation exists as a table and this run merges into it.
	Incremental bool
	UniqueKey   []string // incremental: rows of the target matching these keys are replaced
}

// Seed is one CSV file to load into a table.
type Seed struct {
	Relation Relation
	Path     string // for messages (and read when File and Data are empty)
	File     string // the file to read, when it is not Path
	Data     []byte // CSV content (header first), instead of a file
	// ColumnTypes overrides inferred types: column name (case-insensitive) -> warehouse type.
	ColumnTypes map[string]string
	// QuoteColumns quotes every column name (dbt's default for seeds); otherwise only names
	// that are not plain identifiers are quoted.
	QuoteColumns bool
	Delimiter    rune // default ','
	// FullRefresh drops and recreates the table; otherwise an existing table whose columns
	// match is emptied and refilled, so views that depend on it survive.
	FullRefresh bool
}

// TestResult is the outcome of one data test query.
type TestResult struct {
	Failures int64
	Sample   *Rows // a few failing rows
}

// Warehouse is one connected warehouse. Safe for concurrent use.
type Warehouse interface {
	// Type is the adapter type: "duckdb" or "postgres".
	Type() string
	// Dialect is how this warehouse's SQL spells names and values.
	Dialect() Dialect
	// Quote quotes an identifier for this warehouse, exactly as written.
	Quote(ident string) string
	// Render renders a relation as SQL, quoting each part.
	Render(r Relation) string
	// Describe returns the kind (KindTable or KindView) and columns of a relation, or kind ""
	// and no error when it does not exist.
	Describe(ctx context.Context, r Relation) (kind string, cols []Column, err error)
	// Query runs one query and returns at most limit rows (all when limit <= 0). SQL holding
	// more than one statement runs none of them: the error wraps ErrMultipleStatements.
	Query(ctx context.Context, sql string, limit int) (*Rows, error)
	// Exec runs one statement, refusing SQL that holds more, as Query does.
	Exec(ctx context.Context, sql string) error
	// EnsureSchema creates a schema when it does not exist.
	EnsureSchema(ctx context.Context, schema string) error
	// LoadSeed creates (or refills) the seed's table and returns the number of rows loaded.
	// A malformed CSV is an *InputError.
	LoadSeed(ctx context.Context, s Seed) (int64, error)
	// Build materializes a model.
	Build(ctx context.Context, m Model) error
	// RunTest counts the rows a test query returns and samples up to sample of them.
	RunTest(ctx context.Context, sql string, sample int) (*TestResult, error)
	// Profile profiles the columns of a relation.
	Profile(ctx context.Context, r Relation, opts ProfileOptions) (*Profile, error)
	// Values counts the values of some columns and lists them where there are at most max.
	Values(ctx context.Context, r Relation, columns []string, max int) ([]ColumnValues, error)
	// Contained measures how many values of a column are found in a key of another relation.
	Contained(ctx context.Context, child Relation, column string, parent Relation, key string, sample int) (*Containment, error)
	// Close releases the connection.
	Close() error
}

// Error is an error the warehouse reported, with its own message.
type Error struct {
	Warehouse string // duckdb, postgres
	Code      string // SQLSTATE for postgres, error type for duckdb
	Message   string
	Err       error
}

func (e *Error) Error() string { return e.Message }
func (e *Error) Unwrap() error { return e.Err }

// InputError is bad user input (a malformed seed file), located in a file.
type InputError struct {
	Path string
	Line int
	Msg  string
}

func (e *InputError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg)
	}
	return e.Path + ": " + e.Msg
}

// ErrMultipleStatements is wrapped by the error a warehouse returns for SQL holding more than
// one statement: every call runs exactly one, so text spliced into a statement can never start
// a second.
var ErrMultipleStatements = errors.New("more than one SQL statement in one call")

// ErrUnsupported is returned by Open for an adapter type no driver is registered for.
var ErrUnsupported = errors.New("unsupported warehouse type")

// Access is what SQL run through a warehouse may touch besides the relations it queries. The
// zero Access is the narrowest: queries only, and no file.
type Access struct {
	// Write lets SQL create and change relations (seed, build, profile). Without it a DuckDB file
	// opens read-only (it must exist) and PostgreSQL sessions default to read-only transactions.
	Write bool
	// Dirs are the only directories whose files SQL on the embedded warehouse may read or write
	// (seeds, files a model reads); with none, SQL reaches no file at all. DuckDB resolves
	// symlinks and ".." before it checks, so a link inside a directory cannot lead out of it.
	Dirs []string
}

// ReadOnly is the access of every command that only looks at data: review, test, tests,
// columns. SQL reads relations and nothing else.
func ReadOnly() Access { return Access{} }

// BuildAccess is the access of seed, build and profile: relations may change, and files under
// the project directory (and only there) may be read.
func BuildAccess(projectDir string) Access {
	return Access{Write: true, Dirs: []string{absDir(projectDir)}}
}

// Opener connects to a warehouse described by a target, with the given access.
type Opener func(ctx context.Context, t *Target, a Access) (Warehouse, error)

var (
	openersMu sync.Mutex
	openers   = map[string]Opener{}
)

// Register makes an adapter type available to Open; duckdb/ and postgres/ call it from init.
func Register(typ string, o Opener) {
	openersMu.Lock()
	defer openersMu.Unlock()
	openers[typ] = o
}

// Supported lists the registered adapter types, sorted.
func Supported() []string {
	openersMu.Lock()
	defer openersMu.Unlock()
	var out []string
	for k := range openers {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Open connects to the target's warehouse with the given access. It returns an error wrapping
// ErrUnsupported when no driver for the target's type is linked in.
func Open(ctx context.Context, t *Target, a Access) (Warehouse, error) {
	openersMu.Lock()
	o := openers[t.Type]
	openersMu.Unlock()
	if o == nil {
		return nil, fmt.Errorf("%w %q (supported: %s)", ErrUnsupported, t.Type, strings.Join(Supported(), ", "))
	}
	return o(ctx, t, a)
}

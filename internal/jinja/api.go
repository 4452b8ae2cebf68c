// Package jinja renders dbt's Jinja: ref, source, config, var, env_var, this, is_incremental,
// adapter.dispatch and the rest, on gonja v2, in a sandbox that never touches a warehouse, the
// network or the file system beyond the macro files it is given. Unknown macros and names
// render through tolerant stubs and become warnings; rendering never panics and never aborts a
// project. Every render keeps a map from output offsets back to template positions.
package jinja

import (
	"context"
	"strings"
	"time"

	"github.com/dataops-dev/dataops/internal/secret"
)

// Position is a 1-based line and column in a template file.
type Position struct {
	Line   int
	Column int
}

// Diagnostic is a warning or error found while rendering, located in a template.
type Diagnostic struct {
	Path    string
	Pos     Position
	Kind    string // e.g. "unknown-macro", "syntax", "compiler-error", "unknown-var"
	Message string
}

// MacroFile is one .sql file of macros (and {% test %} / {% materialization %} blocks).
type MacroFile struct {
	Package string // the dbt package (project name) that owns it
	Path    string // path shown in messages and in the manifest, relative to the package root
	Source  string
}

// Options configure one environment, shared by every render of a project. Build one per
// project load; it is safe for concurrent Render calls.
type Options struct {
	RootPackage string         // the root project's name
	Adapter     string         // profile type: duckdb, postgres, snowflake, bigquery, ...
	Target      map[string]any // target.name, target.schema, target.database, target.type, ...
	// Vars are the vars a node of each package sees, merged by the caller as dbt merges them
	// (the package's own dbt_project.yml, then the root project's globals and its
	// package-scoped block); "" holds the root project's globals, used for names a package's
	// map lacks. var() looks up the package of the node being rendered, also inside macros of
	// other packages, as dbt does.
	Vars    map[string]map[string]any
	CLIVars map[string]any // --vars; override everything
	Getenv  func(string) (string, bool)
	// EnvVars says which names env_var() reads through Getenv; the zero value reads none.
	EnvVars    EnvVars
	MacroFiles []MacroFile
	// Index is what an earlier compile of these very MacroFiles found (Env.Index, kept with
	// the project's snapshot). With NewDeferred, a file it describes is then compiled only
	// when one of its macros is first called; an Index of another length is not used.
	Index []FileIndex
	// DispatchOrder maps a macro namespace to the packages searched by adapter.dispatch
	// (dbt_project.yml `dispatch:`); by default the root package, then the namespace itself.
	DispatchOrder map[string][]string
	RunStartedAt  time.Time
	// Quoting overrides the adapter's default quote policy for rendered relations
	// (dbt_project.yml `quoting:`); nil keeps the adapter's default.
	Quoting *QuotePolicy
	// Limits bound each render; nil means DefaultLimits.
	Limits *Limits
	// Context cancels renders: once it is done, a render in progress stops at its next
	// statement or loop iteration with a "resource-limit" warning, and new renders stop at once.
	Context context.Context
	// Budget bounds the time and output of every render of a command together; nil means
	// none besides Limits.
	Budget *Budget
}

// EnvVars says which environment variables env_var() may read. Project code comes from pull
// requests and what it renders may be published, so a name is read only when the trusted
// configuration allows it; any other name renders as the call's default, else as
// RefusedEnvVar, with a warning. DBT_ENV_SECRET_* names are refused unless All is set.
type EnvVars struct {
	// Allow lists names, and prefixes written "PREFIX_*".
	Allow []string
	// DbtConventions also allows dbt's non-secret names: DBT_* but DBT_ENV_SECRET_*.
	DbtConventions bool
	// All allows every name, secret ones included: only for trusted files (profiles.yml).
	All bool
	// Setting and DbtSetting name the settings that allow a name and dbt's names, for the
	// warning on a refused name (e.g. "security.env_vars in .dataops.yml").
	Setting, DbtSetting string
}

// RefusedEnvVar is what env_var() of a name that is not allowed renders when the call gives
// no default: visible in the output, and valid as a SQL identifier (quoted or not), a path
// segment and a YAML or JSON value, so the project still loads.
const RefusedEnvVar = "dataops_env_var_refused"

// secretEnvPrefix is dbt's prefix of secret env vars, which dbt itself keeps out of models.
const secretEnvPrefix = "DBT_ENV_SECRET_"

// allowed reports whether env_var() may read name, and if not, why not.
func (ev *EnvVars) allowed(name string) (ok bool, why string) {
	if ev.All {
		return true, ""
	}
	if strings.HasPrefix(name, secretEnvPrefix) {
		return false, secretEnvPrefix + "* variables are secrets and never reach project code"
	}
	if ev.DbtConventions && strings.HasPrefix(name, "DBT_") {
		return true, ""
	}
	if secret.MatchName(ev.Allow, name) {
		return true, ""
	}
	setting := ev.Setting
	if setting == "" {
		setting = "the allowed names of the trusted configuration"
	}
	why = "project code reads only the env vars the trusted configuration allows (add it to " + setting
	if strings.HasPrefix(name, "DBT_") && ev.DbtSetting != "" {
		why += ", or set " + ev.DbtSetting
	}
	return false, why + ")"
}

// QuotePolicy says which parts of a relation name are quoted when rendered.
type QuotePolicy struct {
	Database, Schema, Identifier bool
}

// Relation is what ref(), source() and this render to.
type Relation struct {
	Database   string
	Schema     string
	Identifier string
	// Ephemeral marks an ephemeral model: dbt inlines it as a CTE and a ref to it renders as
	// the CTE name __dbt__cte__<Identifier>, unquoted.
	Ephemeral bool
	// Quote, when set, is the relation's own quoting (a source's `quoting:`) over the
	// adapter's.
	Quote *QuotePolicy
	// PartRead, when set, is set to true when the render reads one of the parts as a string
	// (.name, .schema, .path...) rather than printing the relation.
	PartRead *bool
}

// Resolver turns refs and sources into relations. When nil, a ref renders as the model name and
// a source as "source_name.table_name".
type Resolver interface {
	Ref(pkg, name, version string) (Relation, bool)
	Source(source, table string) (Relation, bool)
}

// Input is one template to render (a model, a snapshot body, a test, an analysis, a hook).
type Input struct {
	Path         string // for messages
	Source       string
	Package      string // package that owns the file
	Name         string // node name
	ResourceType string // model, snapshot, test, analysis, seed
	This         Relation
	Config       map[string]any // config known before the file's own config() calls (project + properties)
	Incremental  bool           // what is_incremental() returns
	Resolver     Resolver
	// Var, when set, answers every var() call with Var(name), in place of the vars and the
	// call's default: SQLFluff's jinja templater with its dbt builtins renders any var() as
	// "item" (internal/lint/templating), and linting must see the branches it sees.
	Var func(name string) any
	// Execute is dbt's `execute` flag: false during parsing, true when compiling.
	Execute bool
	// Globals are extra names bound for this render only (hook context, test arguments).
	Globals map[string]any
	// Columns, when set, answers adapter.get_columns_in_relation (and so dbt_utils.star,
	// fivetran_utils.fill_staging_columns and the like) with columns known without a
	// warehouse, e.g. inferred from upstream models when rendering in DAG order. ok=false
	// means unknown: the call returns no columns, as it does without the hook.
	Columns func(rel Relation) (cols []Column, ok bool)
	// QueryColumns, when set, answers get_column_schema_from_query and get_columns_in_query
	// with the columns of the query (the SQL the template passes), inferred without a
	// warehouse. ok=false means unknown: the call returns no columns.
	QueryColumns func(sql string) (cols []Column, ok bool)
}

// Column is a column of a relation as adapter.get_columns_in_relation reports it.
type Column struct {
	Name     string
	DataType string // warehouse type name, "" when unknown
}

// Ref is one ref() call.
type Ref struct {
	Package string // "" unless two-argument form
	Name    string
	Version string
	Pos     Position
}

// SourceRef is one source() call.
type SourceRef struct {
	Source string
	Table  string
	Pos    Position
}

// Result of one render. Output is always set: on a fatal template error it is the raw
// source, Err is set and a "syntax" diagnostic is added.
type Result struct {
	Output     string
	Refs       []Ref
	Sources    []SourceRef
	Config     map[string]any // everything config(...) set, merged over Input.Config
	MacrosUsed []string       // unique ids: macro.<package>.<name>
	Warnings   []Diagnostic
	Err        error
	Map        *OffsetMap
	// AskedColumns is set when the render called adapter.get_columns_in_relation (or
	// get_columns_in_table, get_column_schema_from_query, get_columns_in_query): its output may depend on another relation's columns, so a render
	// with Input.Columns can differ from one without.
	AskedColumns bool
	// MacrosCalled lists every macro the render ran, at any depth (MacrosUsed has only the
	// template's own calls), and EnvRead every env var env_var() looked up with what it found
	// ("" and false when unset): together with the input they decide the output, so a cached
	// result stays valid while they are unchanged.
	MacrosCalled []string
	EnvRead      map[string]EnvValue
	// ReadClock is set when the render called a function of `modules` that reads the clock
	// (datetime.now, date.today, time.time...): its output may differ on the next run. Not
	// counted: run_started_at and invocation_id, plain values whose reads cannot be seen;
	// callers find those in the template's text.
	ReadClock bool
}

// EnvValue is what env_var() found for one name.
type EnvValue struct {
	Value string
	Set   bool
}

// Segment is a run of output bytes and where it came from. A Literal segment was copied from
// the template byte for byte (output offset Out+i comes from template offset Src+i); any other
// segment was produced by a tag or an expression starting at template offset Src, and every
// byte of it maps there.
type Segment struct {
	Out     int
	Len     int
	Src     int
	Literal bool
}

// OffsetMap maps offsets in a rendered output back to its template. Segments are sorted by Out
// and cover the output without gaps.
type OffsetMap struct {
	Segments []Segment
}

// Package dbt is the dbt project model: it loads dbt_project.yml, installed packages, property
// files, models, seeds, snapshots, tests, exposures, macros and docs the way dbt does, renders
// them through internal/jinja, builds the graph and reads and writes dbt's manifest.json and
// catalog.json shapes. It never runs a warehouse query and never executes project code.
package dbt

import (
	"strings"
	"sync"
	"time"

	"github.com/dataops-dev/dataops/internal/cache"
	"github.com/dataops-dev/dataops/internal/jinja"
	"github.com/dataops-dev/dataops/internal/source"
)

// Pos locates something in a file the user wrote, by internal/source's rule (1-based line,
// column in characters). Path is relative to the root project directory (so packages are under
// dbt_packages/...).
type Pos = source.Position

// Resource types as dbt writes them in unique ids.
const (
	Model     = "model"
	Seed      = "seed"
	Snapshot  = "snapshot"
	Test      = "test"
	Analysis  = "analysis"
	SourceRT  = "source"
	Exposure  = "exposure"
	MacroRT   = "macro"
	Operation = "operation"
)

// Diagnostic is a warning or error about the project, always with a position.
type Diagnostic struct {
	Pos      Pos    `json:"pos"`
	Severity string `json:"severity"` // "error" or "warning"
	Kind     string `json:"kind"`     // e.g. unknown-ref, unknown-macro, jinja-syntax, yaml, duplicate-name, cycle
	Message  string `json:"message"`
	// Steps locates each ref() of a cycle, or each entry of properties written twice, in the
	// order of the message.
	Steps []Pos `json:"steps,omitempty"`
}

// Project is a loaded dbt project with its installed packages, merged into one graph as dbt
// does. Maps are keyed by unique id.
type Project struct {
	Root                                                                                  string // absolute directory of dbt_project.yml
	Name                                                                                  string
	Version                                                                               string // the project's `version:`
	ConfigVersion                                                                         int
	RequireDbtVersion                                                                     []string // require-dbt-version, as written
	Profile                                                                               string
	Adapter                                                                               string // from the profile's target type when known, else "" (callers default)
	AdapterFrom                                                                           string // the files Adapter was guessed from when no profile was found (GuessAdapter); "" otherwise
	ModelPaths, SeedPaths, SnapshotPaths, MacroPaths, TestPaths, AnalysisPaths, DocsPaths []string
	PackagesInstallPath                                                                   string
	Vars                                                                                  map[string]any // the root project's vars (global and per package, as written)

	Packages  []*Package // installed packages, the root first
	Nodes     map[string]*Node
	Sources   map[string]*Source
	Exposures map[string]*ExposureNode
	Macros    map[string]*Macro
	Docs      map[string]*Doc
	// Raw property entries dbt keeps but we do not interpret (groups, semantic_models, metrics,
	// saved_queries), keyed by kind.
	Unparsed map[string][]map[string]any

	ParentMap map[string][]string
	ChildMap  map[string][]string

	Diagnostics []Diagnostic
	Jinja       *jinja.Env // the environment used to render; reused to compile tests and hooks

	// Disabled holds nodes switched off by `enabled: false`, by unique id, as dbt's manifest
	// `disabled`; they take no part in the graph. OffNode and OffModels give the models among
	// them, which their authors still maintain.
	Disabled map[string][]*Node
	// DisabledSources are source tables switched off by `enabled: false`.
	DisabledSources map[string]*Source
	Target          *Target        // the profile target rendered against (defaulted when no profile)
	Quoting         map[string]any // dbt_project.yml `quoting:`
	GeneratedAt     time.Time
	// Timings of the load phases (project, files, macros, properties, nodes, render, tests,
	// graph, compile).
	Timings map[string]time.Duration
	// Roots are the LoadOptions.Roots it was loaded with: where else its files may resolve.
	Roots []string

	relOnce  sync.Once
	relIndex map[string][]string
	// snapshot is the key of the snapshot it was restored from (snapshot.go), zero when it
	// was loaded.
	snapshot cache.Key
	// snapshotID names the snapshot that holds it (restored or stored by its load), and
	// volatileSum what its nodes reading the clock rendered: the manifest cache's key.
	snapshotID, volatileSum string
	templated               bool // its manifest may be written from the snapshot's template
	// patched counts the nodes a partial rebuild built again on the restored snapshot.
	patched int
}

// FromSnapshot reports whether the load was restored from a snapshot of an earlier one.
func (p *Project) FromSnapshot() bool { return p.snapshot != cache.Key{} }

// Patched is the number of nodes built again on the restored snapshot because their files
// changed (a partial rebuild); 0 when it was restored as stored, or loaded.
func (p *Project) Patched() int { return p.patched }

// Package is one dbt project taking part in the load: the root or an installed package.
type Package struct {
	Name   string
	Root   string // absolute directory
	Rel    string // relative to the root project ("" for the root)
	IsRoot bool
}

// Node is a model, seed, snapshot, test or analysis.
type Node struct {
	UniqueID         string
	ResourceType     string
	Package          string
	Name             string
	Alias            string
	Database         string
	Schema           string
	Version          string // versioned models: "2"
	LatestVersion    string
	Path             string // relative to the package's resource path, as dbt's `path`
	OriginalFilePath string // relative to the package root, as dbt's original_file_path
	FilePath         string // absolute path on disk
	RelPath          string // relative to the root project: the Pos.Path of its diagnostics
	// RelationName is the relation as the adapter writes it ("db"."schema"."alias"); empty for
	// ephemeral models, tests and analyses.
	RelationName string
	// Template says where RawCode starts in its file: non-zero for snapshot blocks, whose file
	// holds more than the template. Source() applies it.
	Template     source.Shift
	FQN          []string
	Config       map[string]any // fully merged: project tree, properties, config() in the file
	Tags         []string
	Description  string
	Meta         map[string]any
	Columns      []*Column // in property-file order
	RawCode      string
	CompiledCode string
	Compiled     bool   // CompiledCode holds a render with refs resolved (LoadOptions.Compile)
	Language     string // sql (python models are listed but never run)
	Refs         []jinja.Ref
	SourceRefs   []jinja.SourceRef
	DependsOn    DependsOn
	// OffDependsOn is, for a model switched off by configuration, what its refs and sources
	// name, other nodes that are off included: dbt links nothing for such a model (DependsOn
	// stays as its manifest lists it), but its authors still maintain it, and its columns are
	// read through these. Nil for an enabled node.
	OffDependsOn []string
	PatchPath    string         // "package://models/x.yml"
	Patch        *PropertyEntry // where the node's properties were declared, when they were
	Render       *jinja.Result  // the parse-time render (offset map, warnings)
	Disabled     bool

	// Seeds: the CSV header, in order.
	SeedColumns []string

	// Tests: what the test checks.
	TestMeta *TestMetadata
}

// Reads lists what the node reads: DependsOn.Nodes, or OffDependsOn for a model that is off.
func (n *Node) Reads() []string {
	if n.Disabled {
		return n.OffDependsOn
	}
	return n.DependsOn.Nodes
}

// RenderPosition is where the byte at off of the parse-time render (Render.Output) came from
// in the node's file; without a render map, off is taken as an offset of RawCode.
func (n *Node) RenderPosition(off int) Pos {
	m := source.Map{File: n.Source()}
	if n.Render != nil && n.Render.Map != nil {
		m.Origin = n.Render.Map
	}
	return m.Position(off)
}

// Source is RawCode as a file of positions: an offset of RawCode, or of a render through
// source.Map, becomes a line and column of the file the node was written in.
func (n *Node) Source() *source.File {
	return source.NewShifted(n.RelPath, n.RawCode, n.Template)
}

// DependsOn lists unique ids of the nodes/sources and macros a node uses.
type DependsOn struct {
	Nodes  []string `json:"nodes"`
	Macros []string `json:"macros"`
}

// Column is a column as declared in a property file.
type Column struct {
	Name        string
	Description string
	// DocDescription is the description as written when it calls doc(): the team keeps its
	// text in a docs block, and a copy of it writes the same call.
	DocDescription string
	DataType       string
	Quote          *bool
	Constraints    []map[string]any
	Meta           map[string]any
	Tags           []string
	Config         map[string]any
	Tests          []*TestDef // generic tests declared on the column
	Pos            Pos        // the `- name:` line
}

// ColumnKey is the key a documented column is matched by against the columns a model
// outputs: case-folded, and without the identifier quotes some teams write into the name
// itself (name: "`01 Section ID`" on BigQuery, '"Order ID"' on Snowflake), which dbt hands to
// the warehouse as written and which name the column the SQL outputs as 01 Section ID.
func ColumnKey(name string) string {
	if n := len(name); n > 2 {
		switch {
		case name[0] == '`' && name[n-1] == '`', name[0] == '"' && name[n-1] == '"', name[0] == '[' && name[n-1] == ']':
			name = name[1 : n-1]
		}
	}
	return strings.ToLower(name)
}

// TestDef is a generic test as written in a property file: `unique`, `{relationships: {...}}`.
type TestDef struct {
	Name       string         // test name without namespace: not_null, relationships
	Namespace  string         // dbt_utils in dbt_utils.unique_combination_of_columns
	Args       map[string]any // arguments (from `arguments:` or inline keys, minus config keys)
	Config     map[string]any // where, severity, warn_if, error_if, ...
	CustomName string         // `name:` given by the user
	Key        string         // "tests" or "data_tests": the key it was written under
	Nested     bool           // its arguments were written under `arguments:` (dbt 1.10.5+)
	Pos        Pos
	// Written is the name as the file spells it when that is not exactly dbt's pattern
	// (`[namespace.]name` of identifiers): dbt reads the longest such prefix and ignores the
	// rest ("not_null`" is not_null), or refuses a name with no such prefix. "" otherwise.
	Written string
}

// TestMetadata says what a generic test node checks (dbt's test_metadata + attached_node).
type TestMetadata struct {
	Name         string
	Namespace    string
	Kwargs       map[string]any
	AttachedNode string // unique id of the model/seed/source tested
	ColumnName   string
}

// PropertyEntry locates an entry of a property file.
type PropertyEntry struct {
	File string // relative to the root project
	Pos  Pos
	Key  string // models, seeds, snapshots, sources, ...
	// FileKey is dbt's file_key_name for tests: "models.orders", "sources.raw".
	FileKey string
}

// Source is one table of a source.
type Source struct {
	UniqueID          string
	Package           string
	SourceName        string
	Name              string // table name
	Identifier        string
	Database          string
	Schema            string
	Description       string
	SourceDescription string
	LoadedAtField     string
	Freshness         map[string]any
	Loader            string
	Meta              map[string]any
	Tags              []string
	Config            map[string]any
	Columns           []*Column
	Tests             []*TestDef // table-level tests
	FQN               []string
	OriginalFilePath  string
	Pos               Pos
	RelationName      string
	PatchPath         string
	Quoting           map[string]any
	External          any
}

// ExposureNode is an exposure from a property file.
type ExposureNode struct {
	UniqueID         string
	Package          string
	Name             string
	Type             string
	Owner            map[string]any
	Description      string
	Maturity         string
	URL              string
	DependsOn        DependsOn
	Refs             []jinja.Ref
	SourceRefs       []jinja.SourceRef
	FQN              []string
	OriginalFilePath string
	Pos              Pos
	Config           map[string]any
	Meta             map[string]any
	Tags             []string
}

// Macro is one {% macro %} (or {% test %}, {% materialization %}) definition.
type Macro struct {
	UniqueID         string // macro.<package>.<name>
	Package          string
	Name             string
	OriginalFilePath string
	Pos              Pos
	Description      string
	SQL              string // the definition, from its opening tag to its closing tag
	PatchPath        string // "package://macros/x.yml" when described in a property file
	Kind             string // macro, test or materialization
}

// Doc is one {% docs name %} block.
type Doc struct {
	UniqueID         string // doc.<package>.<name>
	Package          string
	Name             string
	Content          string
	OriginalFilePath string
}

package columns

import (
	"context"
	"sort"
	"strconv"
	"strings"

	"github.com/dataops-dev/dataops/internal/cache"
	"github.com/dataops-dev/dataops/internal/dbt"
)

// Result holds the columns of every node that was inferred, keyed by unique id (models,
// snapshots, seeds and the sources they read).
type Result struct {
	Dialect string
	// Fallback is the dialect a model's SQL was read in when Dialect, a guess, could not read
	// it (the loader's, whose quoting the rendered relations follow); "" when Dialect was given.
	Fallback string
	Nodes    map[string]*Node
}

// Node is the inferred output of one model, snapshot, seed or source.
type Node struct {
	UniqueID string `json:"unique_id"`
	// Origin says where the column list came from: "sql" (inferred from the model's SQL),
	// "properties" (declared in a property file), "catalog", "seed" (the CSV header),
	// "warehouse" (a Describer), or "" when nothing is known.
	Origin  string    `json:"origin"`
	Columns []*Column `json:"columns"`
	// Unresolved lists what makes the column list incomplete or unreliable (a star over a
	// relation with unknown columns, a parse error, an unknown relation). A node with
	// Unresolved entries has a best-effort column list.
	Unresolved []Problem `json:"unresolved,omitempty"`
	// Notes are softer remarks that leave the list usable: an unnamed expression whose name
	// the warehouse makes up, a column whose type could not be known, an ambiguous reference.
	Notes []Problem `json:"notes,omitempty"`
	// SQL is the model rendered again with the columns known upstream answering
	// adapter.get_columns_in_relation (see rerender.go), when that render differs from the
	// loader's: the select list as a warehouse would compile it, where the loader's render,
	// given no columns, may have made every column a null placeholder. Empty otherwise.
	SQL string `json:"-"`

	index map[string]int // folded name -> position in Columns (first occurrence)
}

// Column is one output column.
type Column struct {
	Name string `json:"name"`
	// Quoted is set when the name was a quoted identifier: it keeps its exact case in every
	// dialect and compares case-sensitively.
	Quoted bool `json:"quoted,omitempty"`
	// Unnamed is set when the select item has no alias and is not a plain column: the warehouse
	// makes a name up (Snowflake the upper-cased expression text, Postgres the function name or
	// ?column?, BigQuery f0_, DuckDB the expression text). Name is then the dialect's name as far
	// as we can tell, and it should not be relied on.
	Unnamed  bool        `json:"unnamed,omitempty"`
	DataType string      `json:"data_type"`
	Pos      dbt.Pos     `json:"pos"`
	Kind     Kind        `json:"kind,omitempty"`
	Lineage  []ColumnRef `json:"lineage"`
}

// Kind says how a column derives from its lineage.
type Kind string

const (
	KindDirect    Kind = "direct"    // a plain column reference, possibly renamed
	KindTransform Kind = "transform" // an expression over columns (or a constant when lineage is empty)
	KindAggregate Kind = "aggregate" // an aggregate over columns
	KindWindow    Kind = "window"    // a window function over columns
)

// ColumnRef names one column of one node or source.
type ColumnRef struct {
	Node   string `json:"node"`
	Column string `json:"column"`
}

func (r ColumnRef) String() string { return r.Node + "." + r.Column }

// Problem is one reason a node's columns are unresolved, or a note, with the position in the
// file the user wrote when there is one.
type Problem struct {
	Pos    dbt.Pos `json:"pos"`
	Kind   string  `json:"kind"` // parse-error, star-unknown, columns-unknown, unknown-relation, unnamed, ambiguous, not-sql, render-error
	Reason string  `json:"reason"`
}

func (p Problem) String() string {
	if p.Pos.Path == "" {
		return p.Reason
	}
	if p.Pos.Line == 0 {
		return p.Pos.Path + ": " + p.Reason
	}
	return p.Pos.Path + ":" + strconv.Itoa(p.Pos.Line) + ":" + strconv.Itoa(p.Pos.Column) + ": " + p.Reason
}

// Column returns the column with the given name (compared with the dialect's rules), or nil.
func (n *Node) Column(name string) *Column {
	if n == nil {
		return nil
	}
	if n.index == nil {
		n.reindex()
	}
	if i, ok := n.index[foldName(name)]; ok {
		return n.Columns[i]
	}
	return nil
}

func (n *Node) reindex() {
	n.index = make(map[string]int, len(n.Columns))
	for i, c := range n.Columns {
		k := foldName(c.Name)
		if _, dup := n.index[k]; !dup {
			n.index[k] = i
		}
	}
}

// Resolved reports whether the column list is complete and reliable.
func (n *Node) Resolved() bool { return n != nil && len(n.Unresolved) == 0 && n.Origin != "" }

// Node returns the inferred node with that unique id, or nil.
func (r *Result) Node(id string) *Node {
	if r == nil {
		return nil
	}
	return r.Nodes[id]
}

// Column returns one column of one node, or nil.
func (r *Result) Column(ref ColumnRef) *Column { return r.Node(ref.Node).Column(ref.Column) }

// IDs returns the unique ids in the result, sorted.
func (r *Result) IDs() []string {
	ids := make([]string, 0, len(r.Nodes))
	for id := range r.Nodes {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// CatalogColumn is one column of a relation as dbt's catalog.json or a warehouse lists it.
type CatalogColumn struct {
	Name     string
	DataType string
}

// Describer lists the columns of a relation in the warehouse (`describe relation`). It is the
// last resort for star expansion; implementations must be safe for concurrent use. ok is
// false when the relation does not exist.
type Describer interface {
	DescribeRelation(ctx context.Context, database, schema, identifier string) (cols []CatalogColumn, ok bool, err error)
}

// Options tune Infer.
type Options struct {
	// Ctx bounds calls to the Describer; nil means context.Background().
	Ctx context.Context
	// Dialect overrides the project's adapter type (snowflake, bigquery, postgres, redshift,
	// duckdb, databricks, trino, ...).
	Dialect string
	// Catalog maps unique ids (nodes and sources) to the columns dbt's catalog.json lists for
	// them, in order.
	Catalog map[string][]CatalogColumn
	// Describer, when set, is asked for relations whose columns are known nowhere else.
	Describer Describer
	// Models restricts inference to these unique ids and everything upstream of them; empty
	// means every node.
	Models []string
	// Workers bounds the parallelism; 0 means GOMAXPROCS.
	Workers int
	// Cache, when set, keeps each model's inferred columns between runs (see cache.go).
	Cache *cache.Cache
	// Progress, when set, shows the inference on a terminal's progress line.
	Progress *dbt.Progress
	// Off: a run over every node also infers the root project's models that are switched off
	// by configuration (dbt.Project.OffModels), and the models that are off they read. Their
	// authors maintain them (the Synthesizer and the Test Enhancer work on them); nothing
	// enabled reads them. Models may name such models either way.
	Off bool
}

// foldName is the key names are compared by: every dialect we support compares unquoted
// column names case-insensitively, and the warehouse catalog may list them in another case
// (Snowflake upper-cases), so the index is case-insensitive. Quoted names that differ only in
// case are rare enough that the first one wins.
func foldName(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' || c >= 0x80 {
			return strings.ToLower(s)
		}
	}
	return s
}

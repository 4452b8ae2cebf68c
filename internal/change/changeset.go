// Package change compares two versions of a dbt project (a base and a head: git refs, the working
// tree, or two directories) and reports what a pull request changed: models added, removed,
// renamed and modified; their columns added, removed, renamed and retyped; config and property
// changes; and the impact downstream (nodes, exposures and the columns that read a changed
// column). It never touches the user's work tree or index: refs are read through `git archive`
// into temporary directories, and it never writes to the project.
package change

import (
	"time"

	"github.com/dataops-dev/dataops/internal/dbt"
)

// Kind says how a model or a column changed.
type Kind string

// Model and column change kinds, as they appear in the JSON contract.
const (
	Added    Kind = "added"
	Removed  Kind = "removed"
	Modified Kind = "modified"
	Renamed  Kind = "renamed"
	Retyped  Kind = "retyped" // columns only: the inferred (or declared) data type changed
)

// ChangeSet is everything a change did to a project. Models are sorted by unique id.
type ChangeSet struct {
	BaseRef string         `json:"-"`
	HeadRef string         `json:"-"`
	Models  []*ModelChange `json:"models"`
	// PropertyFiles lists the property files (.yml) under the project that differ, relative to
	// the project root, with what changed in them; a change may touch only these.
	PropertyFiles []FileChange `json:"property_files,omitempty"`
	// Warnings are problems met while comparing (a side that failed to infer columns, ...).
	Warnings []string `json:"warnings,omitempty"`

	// Base and Head are the loaded projects; Head is the one edits apply to.
	Base *dbt.Project `json:"-"`
	Head *dbt.Project `json:"-"`
	// BaseColumns and HeadColumns are the inferred columns of the models that were inspected
	// in depth (changed models and their neighbours), keyed by unique id.
	BaseColumns map[string]*ModelColumns `json:"-"`
	HeadColumns map[string]*ModelColumns `json:"-"`

	// LightBase is set when the base was loaded from the changed files only and merged into the
	// head's graph (see merge.go).
	LightBase bool `json:"-"`
	// Inferred counts the nodes whose columns were inferred (both sides), for benchmarks.
	Inferred int `json:"-"`
	// Timings of the phases (prepare, load, compare, infer), for benchmarks.
	Timings map[string]time.Duration `json:"-"`

	cleanup []func()
}

// ModelChange is one changed model.
type ModelChange struct {
	UniqueID string `json:"unique_id"`
	Change   Kind   `json:"change"`
	// From is the base unique id of a renamed model.
	From string `json:"from,omitempty"`
	// Path is the .sql file in the head (the base for a removed model), relative to the project.
	Path     string `json:"path,omitempty"`
	FromPath string `json:"from_path,omitempty"`
	// Similarity of the raw SQL of a renamed model to its base (0..1).
	Similarity float64          `json:"similarity,omitempty"`
	SQLChanged bool             `json:"sql_changed,omitempty"`
	Columns    []ColumnChange   `json:"columns"`
	Config     []ConfigChange   `json:"config,omitempty"`
	Impact     []string         `json:"impact"`
	Exposures  []string         `json:"exposures,omitempty"`
	ColImpact  []ColumnImpact   `json:"column_impact,omitempty"`
	Properties []PropertyChange `json:"properties,omitempty"`
	// Relation is set on a renamed model whose relation gets another name: dbt builds it under
	// the new name and leaves the old one, so whatever outside dbt reads it by name breaks.
	Relation *RelationMove `json:"relation,omitempty"`
	// Off: the model is switched off by configuration on both sides it exists on (a var its
	// users set, the data model a package is configured for). dbt builds nothing of it here,
	// but its authors maintain it: its columns and property entry change as any model's.
	// Nothing enabled reads it, so it has no impact. A model switched on or off by the change
	// is added or removed, as dbt sees it.
	Off bool `json:"off,omitempty"`
}

// RelationMove is the identifier of a model's relation in the base and in the head.
type RelationMove struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// ColumnChange is one changed output column. From and To are the old and new names of a
// renamed column, and the old and new data types of a retyped one.
type ColumnChange struct {
	Name   string `json:"name"`
	Change Kind   `json:"change"`
	From   string `json:"from,omitempty"`
	To     string `json:"to,omitempty"`
	// DataType is the column's type in the head (added) or the base (removed), when known.
	DataType string `json:"data_type,omitempty"`
	// Position is the 1-based ordinal of the column in the model's output.
	Position int `json:"position,omitempty"`
}

// ConfigChange is one model config key whose value differs (materialized, unique_key,
// contract.enforced, ...). Values are JSON-shaped; nil means unset.
type ConfigChange struct {
	Key  string `json:"key"`
	From any    `json:"from"`
	To   any    `json:"to"`
}

// PropertyChange is a change in a model's property entry that is not a SQL change: its
// description, or a documented column added, removed or with different tests.
type PropertyChange struct {
	What   string `json:"what"` // description, column-added, column-removed, tests
	Column string `json:"column,omitempty"`
}

// ColumnImpact is a downstream column that reads a removed, renamed or retyped column.
type ColumnImpact struct {
	Column     string `json:"column"`      // the changed column of this model
	Node       string `json:"node"`        // downstream unique id
	NodeColumn string `json:"node_column"` // the downstream column that reads it
}

// FileChange is a property file that differs between base and head.
type FileChange struct {
	Path   string `json:"path"`
	Change Kind   `json:"change"` // added, removed, modified
}

// Model returns the change of a model by head unique id (or base id for a removed model).
func (cs *ChangeSet) Model(uid string) *ModelChange {
	for _, m := range cs.Models {
		if m.UniqueID == uid {
			return m
		}
	}
	return nil
}

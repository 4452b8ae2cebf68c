package testgen

import (
	"sort"

	"github.com/dataops-dev/dataops/internal/columns"
	"github.com/dataops-dev/dataops/internal/dbt"
)

// Test types the enhancer proposes on columns.
const (
	NotNull        = "not_null"
	Unique         = "unique"
	AcceptedValues = "accepted_values"
	Relationships  = "relationships"
	CombinationKey = "dbt_utils.unique_combination_of_columns"
)

// Status of a suggestion after confirmation on data.
const (
	Confirmed  = "confirmed"
	Unverified = "unverified"
	Failed     = "failed"
)

// SourceLLM marks a suggestion the language model wrote.
const SourceLLM = "llm"

// SourceBase marks a test the model's property entry declared at the base and the change
// dropped with the entry (dropped.go): the team's own test, written again.
const SourceBase = "base"

// Suggestion is one proposed test. Column is empty for model-level tests.
type Suggestion struct {
	Model      string         `json:"model"` // model name
	UniqueID   string         `json:"unique_id"`
	Column     string         `json:"column,omitempty"`
	Test       string         `json:"test"`
	Arguments  map[string]any `json:"arguments,omitempty"`
	Confidence float64        `json:"confidence"`
	Reasons    []string       `json:"reasons"`
	Status     string         `json:"status"`
	Failures   int64          `json:"failures,omitempty"`
	// Source says who wrote the suggestion when it was not the engine: SourceLLM for a
	// business rule the language model read in a document (its reason cites the sentence),
	// SourceBase for a test the team wrote and the change dropped.
	Source string `json:"source,omitempty"`
	// Pos is where the column (or model) is declared or selected, in a file the user wrote.
	Pos dbt.Pos `json:"pos"`
}

// Freshness is a proposed source freshness block.
type Freshness struct {
	Source        string   `json:"source"`
	Table         string   `json:"table"`
	UniqueID      string   `json:"unique_id"`
	LoadedAtField string   `json:"loaded_at_field"`
	WarnAfter     Period   `json:"warn_after"`
	ErrorAfter    Period   `json:"error_after"`
	Reasons       []string `json:"reasons"`
	Pos           dbt.Pos  `json:"pos"`
}

// Period is dbt's {count, period}.
type Period struct {
	Count  int    `json:"count"`
	Period string `json:"period"`
}

// Options tune Suggest.
type Options struct {
	// Models limits suggestions to these unique ids (a change's models); empty means all.
	Models map[string]bool
	// Threshold is the confidence at or above which a suggestion is made, of every kind; 0
	// takes each kind's calibrated threshold (calibratedThreshold).
	Threshold float64
	// NewColumns also considers, for the models in scope, inferred columns their property
	// file does not list yet (what a change added).
	NewColumns bool
	// History holds tests mined from the git history of property files (optional).
	History *History
	// Columns narrows a model's column tests (by unique id) to these lower-cased names: what a
	// change added, renamed or retyped. A model with an entry gets a model-level key test only
	// over those columns; a model without one is considered whole.
	Columns map[string]map[string]bool
	// Memory is the team's memory of tests and of past proposals' outcomes (optional).
	Memory Memory
	// Dropped are the tests of the entries a change dropped (DroppedTests): proposed again.
	Dropped map[string]map[string]map[string]map[string]any
	// Dictionary is the team's data dictionary; its descriptions are read like the
	// property files' (optional).
	Dictionary Glossary
	// Data reads the built models' data, when a warehouse is at hand (optional).
	Data *DataEvidence
	// ParseRender lists models (by unique id) whose parse-time render is read where they
	// have no compiled SQL: a change set loads without compiling, and grain, literals and
	// joins do not depend on the bare relation names of that render. The review lists the
	// models it proposes on and every tested model (LearnedFrom): habits are learned from
	// every tested model's SQL, as `dataops tests` reads them from the compiled project.
	ParseRender map[string]bool

	// inferred is the column inference Suggest was given, for sqlOf.
	inferred *columns.Result
}

// LearnedFrom lists the models whose columns and SQL the Enhancer learns the team's habits
// from: those with a column test, in id order. A caller that reads only some models' SQL
// (the review) reads these too, or its habits differ from `dataops tests`'s.
func LearnedFrom(p *dbt.Project) []string {
	var ids []string
	for id, cols := range existingTests(p) {
		if n := p.Nodes[id]; n != nil && n.ResourceType == dbt.Model && hasColumnTests(cols) {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

// sqlOf is the SQL a model's signals are read from. A model whose template lists another
// relation's columns (fivetran_utils.fill_staging_columns) is read as the column inference
// rendered it again with those columns known: the loader's render, asked no columns, made each
// one a null placeholder, and read so every column would look set to null.
func (o Options) sqlOf(n *dbt.Node) string {
	sql := n.CompiledCode
	if sql == "" && o.ParseRender[n.UniqueID] && n.Render != nil && n.Render.Err == nil {
		sql = n.Render.Output
	}
	if sql != "" {
		if c := o.inferred.Node(n.UniqueID); c != nil && c.SQL != "" {
			return c.SQL
		}
	}
	return sql
}

// calibratedThreshold is, per kind, the lowest confidence at which the proposals of held-out
// models of eight real projects (three splits pooled, docs/measurements.md) keep a precision of
// at least 0.82: the Enhancer's not_null and unique scores are more often right than their
// value says, and a single 0.5 left a tenth of the tests teams wrote unproposed. Other kinds
// (and the team's own tests) keep 0.5.
var calibratedThreshold = map[string]float64{NotNull: 0.45, Unique: 0.35}

// threshold is the confidence a proposal of the kind needs: the one asked for, else the kind's
// calibrated threshold, else 0.5.
func (o Options) threshold(kind string) float64 {
	if o.Threshold > 0 {
		return o.Threshold
	}
	if t, ok := calibratedThreshold[kind]; ok {
		return t
	}
	return 0.5
}

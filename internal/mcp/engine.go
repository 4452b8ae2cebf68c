package mcp

import (
	"context"

	"github.com/dataops-dev/dataops/internal/change"
	"github.com/dataops-dev/dataops/internal/columns"
	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/jinja"
	"github.com/dataops-dev/dataops/internal/lint"
	"github.com/dataops-dev/dataops/internal/memory"
	"github.com/dataops-dev/dataops/internal/review"
	"github.com/dataops-dev/dataops/internal/schema"
	"github.com/dataops-dev/dataops/internal/testgen"
	"github.com/dataops-dev/dataops/internal/warehouse"
	"github.com/dataops-dev/dataops/internal/warehouse/runner"
)

// Engine is what the server needs from the rest of dataops: loading the project as the
// commands do, and the commands' pipelines. Errors are the commands' own, so they name the
// file and line where the input has one. Every method must stop at its next check of ctx once
// it is cancelled, and be safe for concurrent use.
type Engine interface {
	// Load loads the project, compiled, as `dataops parse` does.
	Load(ctx context.Context) (*Loaded, error)
	// Infer infers the output columns of the given nodes and everything upstream of them, or
	// of every node when ids is empty, as `dataops columns` does.
	Infer(ctx context.Context, p *dbt.Project, ids []string) *columns.Result
	// Impact compares base with the work tree: the changed models, classified, with their
	// downstream impact, as `dataops diff` and the review's classification see them.
	Impact(ctx context.Context, base string) (*Impact, error)
	// Review is the whole review of base against the work tree, as `dataops review` makes it.
	Review(ctx context.Context, base string) (*review.Review, error)
	// SchemaPlan is the Schema Synthesizer's plan (`dataops schema`), validated.
	SchemaPlan(ctx context.Context, req SchemaRequest) (*SchemaPlan, error)
	// Tests is the Test Enhancer's proposal for p (`dataops tests`), with the property-file
	// edits that would add the tests. inf holds the columns of every node of p.
	Tests(ctx context.Context, p *dbt.Project, inf *columns.Result, req TestsRequest) (*TestsPlan, error)
	// Lint lints one file of the project or one SQL text, as `dataops lint` does.
	Lint(ctx context.Context, p *dbt.Project, req LintRequest) (*LintResult, error)
	// Query runs one read-only statement on the project's embedded DuckDB and returns at most
	// limit rows.
	Query(ctx context.Context, p *dbt.Project, sql string, limit int) (*warehouse.Rows, error)
	// RunTests runs the selected data tests on the embedded DuckDB, read-only (`dataops test`).
	RunTests(ctx context.Context, p *dbt.Project, selectors, excludes []string) ([]runner.Result, error)
	// MemorySearch asks the team's memory; no store yet is no hits and no error.
	MemorySearch(ctx context.Context, q memory.Query) ([]memory.Hit, error)
	// MemoryIngest remembers records (embedding them), creating the store when there is none.
	MemoryIngest(ctx context.Context, recs []memory.Record) error
	// WriteFiles writes files inside the project at root, atomically and all or none, masking
	// secret values as every file dataops writes; it returns the paths written (a file that
	// would need masking to be safe is left out).
	WriteFiles(ctx context.Context, root string, files []FileEdit) ([]string, error)
}

// Loaded is a loaded project.
type Loaded struct {
	Project *dbt.Project
	// Budget is the render budget the project's Jinja environment spends from; renders after
	// the load (lint, inline compiles, columns) spend from it too.
	Budget *jinja.Budget
}

// Impact is what a change did, from base to the work tree.
type Impact struct {
	// Review holds the changes, classified, their impact findings and lineage edges.
	Review *review.Review
	// Models are the change set's models (config and property changes included).
	Models []*change.ModelChange
	// PropertyFiles are the property files the change touched.
	PropertyFiles []change.FileChange
	Warnings      []string
}

// SchemaRequest asks for the Schema Synthesizer's plan.
type SchemaRequest struct {
	Base    string   // compare with this git ref; "" plans for every model
	Selects []string // dbt node selection
}

// SchemaPlan is the plan: file edits and findings.
type SchemaPlan struct {
	Root     string // the project directory the paths are relative to
	Edits    []schema.FileEdit
	Findings []schema.Finding
	// Invalid is set when validation found an error: the edits must not be written.
	Invalid bool
}

// TestsRequest asks the Test Enhancer.
type TestsRequest struct {
	Base      string   // only what the change touched
	Models    []string // unique ids; empty: every model in scope
	Threshold float64
}

// TestsPlan is the Test Enhancer's answer.
type TestsPlan struct {
	Result *testgen.Result
	Edits  []FileEdit
	Notes  []string
}

// LintRequest names one file of the project or gives SQL text.
type LintRequest struct {
	Path    string // relative to the project
	SQL     string // linted as a file of the project's root named inline.sql
	Fix     bool
	Dialect string
}

// LintResult is what linting one file found, with the text linted.
type LintResult struct {
	lint.FileResult
	Source string
}

// FileEdit is the new content of one file, relative to the project.
type FileEdit struct {
	Path string
	Old  []byte // nil for a new file
	New  []byte
}

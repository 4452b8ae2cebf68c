package pipeline

import (
	"context"
	"slices"
	"time"

	"github.com/dataops-dev/dataops/internal/change"
	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/fsconfine"
	"github.com/dataops-dev/dataops/internal/schema"
)

// SchemaInputs are what the Schema Synthesizer's path needs: `dataops schema` and every
// review take the same one.
type SchemaInputs struct {
	Project *dbt.Project // the head: the version edits apply to
	// Columns are the inferred output columns of the models to synchronise and their upstream.
	Columns map[string]*change.ModelColumns
	// Change limits the work to what a change touched; nil synchronises every model.
	Change *change.ChangeSet
	// Select keeps only some models (by unique id); nil keeps all.
	Select func(uid string) bool
	Config schema.Config
	// Dictionary is the data dictionary, read from the side the caller trusts; may be nil.
	Dictionary *schema.Dictionary
	// Types are exact warehouse types by unique id (dbt's catalog.json); may be nil.
	Types map[string][]schema.TypedColumn
	// DbtVersion is the version asked for (--dbt-version); "" takes Config.DbtVersion, then
	// the project's require-dbt-version, then its manifest.
	DbtVersion string
	Memory     SchemaMemory
	// Describer writes descriptions the project's sources do not have (a language model).
	Describer schema.Describer
	// Reload loads a copy of the project with the edits, to validate them; nil skips that.
	Reload schema.Loader
	// DbtExe, when set with Reload, also validates the edits with `dbt parse` (ProfilesDir
	// is its --profiles-dir).
	DbtExe, ProfilesDir string
	// Timing receives the start of each phase ("plan", "validate"); nil ignores them.
	Timing func(phase string, since time.Time)
}

// SchemaMemory is what the team's memory gives the Synthesizer and records of it.
type SchemaMemory interface {
	// Schema fills in what memory knows: descriptions, the order of description sources.
	Schema(in *schema.Input)
	// SchemaDone takes the plan's proposals.
	SchemaDone(plan *schema.Plan)
}

// SchemaPlan is the Synthesizer's validated plan.
type SchemaPlan struct {
	Plan  *schema.Plan
	Forms schema.Forms // how the project writes tests, for edits built on these
	Edits []schema.FileEdit
	// Notes are the plan's, applying it and validating it, in that order.
	Notes []schema.Note
	// Invalid: validation found an error, so the edits must not be written.
	Invalid bool
	// Conventions are the findings on what a change wrote (nil without a change).
	Conventions []schema.Finding
}

// PlanSchema runs the Synthesizer: plan, keep what the change touched, describe, apply in the
// project's forms, validate, and check the conventions of what a change wrote. It writes
// nothing and leaves the project as it was loaded. Its errors are internal failures.
func PlanSchema(ctx context.Context, in SchemaInputs) (*SchemaPlan, error) {
	p, cfg := in.Project, in.Config
	timing := func(phase string, since time.Time) {
		if in.Timing != nil {
			in.Timing(phase, since)
		}
	}
	si := schema.Input{Project: p, Columns: in.Columns, Change: in.Change, Select: in.Select, Config: cfg,
		Dictionary: in.Dictionary, Types: in.Types,
		ReadFile: func(rel string) ([]byte, error) { return fsconfine.ReadFile(p.Root, rel) }}
	if in.Memory != nil {
		in.Memory.Schema(&si)
	}
	explicit := in.DbtVersion
	if explicit == "" {
		explicit = cfg.DbtVersion
	}
	version, source := schema.DbtVersion(explicit, p.RequireDbtVersion, p.Root)
	forms := schema.ProjectForms(p, version, source)

	t0 := time.Now()
	plan := schema.Synthesize(si)
	plan.KeepTouched(si.Change)
	schema.Describe(ctx, plan, in.Describer)
	if in.Memory != nil {
		in.Memory.SchemaDone(plan)
	}
	edits, applyNotes := schema.Apply(p.Root, plan.Ops, forms)
	notes := append(append([]schema.Note{}, plan.Notes...), applyNotes...)
	timing("plan", t0)
	t0 = time.Now()
	if len(edits) > 0 && in.Reload != nil {
		_, vnotes, err := schema.CheckEdits(ctx, p, edits, plan.Ops, in.Reload)
		if err != nil {
			return nil, err
		}
		notes = append(notes, vnotes...)
		if in.DbtExe != "" {
			dir, cleanup, err := schema.Overlay(p.Root, edits)
			if err != nil {
				return nil, err
			}
			notes = append(notes, schema.DbtParse(ctx, in.DbtExe, dir, in.ProfilesDir)...)
			cleanup()
		}
	}
	timing("validate", t0)
	schema.LocateNotes(notes, edits, si.ReadFile)
	sp := &SchemaPlan{Plan: plan, Forms: forms, Edits: edits, Notes: notes, Invalid: hasErrors(notes)}
	if in.Change != nil {
		// Conventions on what this change wrote (see schema.ConventionFindings).
		sp.Conventions = schema.ConventionFindings(schema.ProjectConventions(p, in.Columns, cfg.Naming), p, plan, edits, in.Columns)
	}
	return sp, nil
}

func hasErrors(ns []schema.Note) bool {
	return slices.ContainsFunc(ns, func(n schema.Note) bool { return n.Severity == schema.SeverityError })
}

package pipeline

import (
	"context"
	"fmt"
	"time"

	"github.com/dataops-dev/dataops/internal/cache"
	"github.com/dataops-dev/dataops/internal/change"
	"github.com/dataops-dev/dataops/internal/columns"
	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/lint"
	"github.com/dataops-dev/dataops/internal/openmetadata"
	"github.com/dataops-dev/dataops/internal/review"
	"github.com/dataops-dev/dataops/internal/schema"
	"github.com/dataops-dev/dataops/internal/source"
	"github.com/dataops-dev/dataops/internal/testgen"
	"github.com/dataops-dev/dataops/internal/warehouse"
)

// Inputs are what one review of a change needs, decided by the caller: the change set (its
// head is the project the edits apply to), settings already mapped to the agents' own types
// and read from the side the caller trusts, and the collaborators. A nil collaborator is one
// the run goes without, exactly as a project without it.
type Inputs struct {
	Change *change.ChangeSet
	// Schema is the Synthesizer's part: settings, dictionary, catalog types, dbt version,
	// validation. Its Project, Columns and Change come from Change.
	Schema SchemaInputs
	// Memory gives the agents what the team's memory knows and takes their proposals.
	Memory Memory
	// Narrator writes the review's summary and risks (a language model).
	Narrator review.Narrator
	// Touches reports whether the change touches a file of the project (slash-separated,
	// relative to it); nil when that is not known, and then every model the change lists
	// counts as touched (see untouchedModels).
	Touches func(rel string) bool
	// Dialect is the SQL dialect asked for ("": the project's adapter).
	Dialect string
	// Catalog is dbt's catalog.json of the project, when it has one.
	Catalog map[string][]columns.CatalogColumn
	// ColumnsCache keeps inferred columns between runs; nil keeps none.
	ColumnsCache *cache.Cache
	// Progress, when set, shows the stages after the loads (inferring columns, linting) on a
	// terminal's progress line.
	Progress *dbt.Progress
	// MinConfidence is the Test Enhancer's threshold.
	MinConfidence float64
	// History: learn test habits from the git history of property files.
	History bool
	// FixUnverified: tests not confirmed on data are edits too.
	FixUnverified bool
	// RuleTests adds tests a team's documents state as business rules (a language model
	// reads them) to the Enhancer's proposals for the models and columns in scope; nil adds none.
	RuleTests func(p *dbt.Project, res *testgen.Result, scope map[string]bool, columns map[string]map[string]bool)
	// Warehouse opens the warehouse proposed tests are checked on; it returns a nil
	// warehouse when there is none to check on. Called only when tests are proposed.
	Warehouse func() (warehouse.Warehouse, *warehouse.Target, error)
	// Lint reads the linter's settings files; nil skips linting.
	Lint *lint.ConfigLoader
	// AllLines keeps lint violations on every line of a changed model, not only changed ones.
	AllLines bool
	// OpenMetadata, with its database service, is the catalog the lineage of changed models
	// is compared with; nil skips the comparison.
	OpenMetadata        *openmetadata.Client
	OpenMetadataService string
	// Warn reports what the run went on without ("dataops: warning: " is the caller's).
	Warn func(msg string)
	// Timing receives each phase's start, for benchmarks; nil ignores them.
	Timing func(phase string, since time.Time)
}

// Memory is what the team's memory gives a review's agents and records of them.
type Memory interface {
	SchemaMemory
	// Tests gives the Test Enhancer the outcomes of past proposals on the columns in scope.
	Tests(opts *testgen.Options, p *dbt.Project, cols map[string]*change.ModelColumns, ids []string)
	// TestsDone takes the Enhancer's proposals.
	TestsDone(p *dbt.Project, res *testgen.Result)
}

func (in *Inputs) warn(format string, args ...any) {
	if in.Warn != nil {
		in.Warn(fmt.Sprintf(format, args...))
	}
}

func (in *Inputs) timing(phase string, since time.Time) {
	if in.Timing != nil {
		in.Timing(phase, since)
	}
}

// Run reviews the change: the Synthesizer's edits and findings, the Test Enhancer's tests
// for what the change touched, lint on changed lines, classification and impact, the
// narrative and the catalog's lineage. It writes nothing. The caller adds what it alone
// knows (where its settings came from, the refs, the repository prefix) and calls
// review.Finish. Run's own errors are internal failures; a collaborator's error is returned
// as it is.
func Run(ctx context.Context, in Inputs) (*review.Review, error) {
	cs := in.Change
	p := cs.Head
	rv := &review.Review{}
	t0 := time.Now()

	// A render cut short by a limit (time, size, interruption) or a file skipped for its size:
	// what the review says of that model is incomplete, and it says so where it happened.
	for _, d := range p.Diagnostics {
		if d.Kind == "resource-limit" {
			rv.Findings = append(rv.Findings, review.Finding{Agent: "render", Rule: "resource-limit", Severity: review.SeverityWarning,
				Path: d.Pos.Path, Line: max(d.Pos.Line, 1), Column: d.Pos.Column, Message: d.Message})
		}
	}

	// Conflict markers a merge left in a changed model: dbt sends them to the warehouse as
	// SQL, and a dialect with shift operators even parses `<<<<<<< HEAD` as an expression.
	for _, mc := range cs.Models {
		if n := p.Nodes[mc.UniqueID]; n != nil && mc.Change != change.Removed {
			if line, marker := source.ConflictMarker(n.RawCode); line > 0 {
				rv.Findings = append(rv.Findings, review.Finding{Agent: review.AgentLint, Rule: "merge-conflict", Severity: review.SeverityError,
					Path: n.RelPath, Line: line, Column: 1,
					Message: fmt.Sprintf("unresolved merge conflict: the line %q a merge leaves is still in the model", marker)})
			}
		}
	}

	// Test names dbt misreads or no macro defines, in the property files the change touched:
	// an unknown test fails dbt test and build (dbt parse passes it), a name read in part runs
	// as what dbt reads. A name dbt cannot read at all is an error diagnostic, which the
	// caller reports with the project's other errors.
	touched := map[string]bool{}
	for _, f := range cs.PropertyFiles {
		if f.Change != change.Removed {
			touched[f.Path] = true
		}
	}
	// An entry naming no model (`- name: daily_revenue.sql`) is dropped by dbt with all its
	// docs, while the review would otherwise only see an undocumented model.
	for _, d := range p.Diagnostics {
		if d.Kind == dbt.KindUnknownPatch && d.Severity != "error" && touched[d.Pos.Path] {
			rv.Findings = append(rv.Findings, review.Finding{Agent: review.AgentSchema, Rule: d.Kind, Severity: review.SeverityWarning,
				Path: d.Pos.Path, Line: max(d.Pos.Line, 1), Column: d.Pos.Column, Message: d.Message + ": dbt drops what the entry says"})
		}
	}
	for _, d := range p.Diagnostics {
		if (d.Kind == dbt.KindTestName || d.Kind == dbt.KindUnknownTest) && d.Severity != "error" && touched[d.Pos.Path] {
			sev := review.SeverityWarning
			if d.Kind == dbt.KindUnknownTest {
				sev = review.SeverityError
			}
			rv.Findings = append(rv.Findings, review.Finding{Agent: review.AgentTests, Rule: d.Kind, Severity: sev,
				Path: d.Pos.Path, Line: max(d.Pos.Line, 1), Column: d.Pos.Column, Message: d.Message})
		}
	}

	// Snapshots: their tables hold history no run rebuilds, so a key, a way of detecting
	// changes or a table changed under them is a reviewer's business before it merges.
	rv.Findings = append(rv.Findings, review.SnapshotFindings(cs.Base, cs.Head)...)

	// Schema Synthesizer: edits to property files and convention findings.
	si := in.Schema
	si.Project, si.Columns, si.Change = p, cs.HeadColumns, cs
	if si.Memory == nil && in.Memory != nil {
		si.Memory = in.Memory
	}
	if si.Timing == nil && in.Timing != nil {
		si.Timing = func(phase string, since time.Time) { in.Timing("review-schema-"+phase, since) }
	}
	sp, err := PlanSchema(ctx, si)
	if err != nil {
		return nil, err
	}
	plan, forms, sedits := sp.Plan, sp.Forms, sp.Edits
	rv.Descriptions = describedOf(plan)
	schemaSafe := !sp.Invalid
	for _, n := range sp.Notes {
		rv.Findings = append(rv.Findings, fromSchema(n.Finding()))
	}
	for _, f := range sp.Conventions {
		rv.Findings = append(rv.Findings, fromSchema(f))
	}
	in.timing("review-schema", t0)
	t0 = time.Now()

	// Test Enhancer on what the change touched: new models whole, the changed columns of others.
	scope, scopeColumns := testgen.ChangeScope(cs)
	var ids []string
	untouched := untouchedModels(cs, in.Touches)
	for _, m := range cs.Models {
		n := p.AnyNode(m.UniqueID) // a model that is off gets its tests as `dataops tests` gives them
		if m.Change == change.Removed || n == nil || untouched[m.UniqueID] {
			delete(scope, m.UniqueID)
			continue
		}
		ids = append(ids, m.UniqueID)
	}
	var tedits []review.Edit
	if len(ids) > 0 {
		// The changed models' columns and SQL, and every tested model's: the Enhancer learns
		// the team's habits from every tested model. Inferring only the changed models and
		// their ancestors left the other tested models without columns or SQL, and the review
		// then proposed what `dataops tests` on the same change did not (a leading id learned
		// from keys the SQL had explained away). The untested rest of a large project (nine
		// models in ten on some) would double a review's cost for what it reads there: keys
		// and joins of models that are no relationships target here.
		learn := append(append([]string(nil), ids...), testgen.LearnedFrom(p)...)
		inf := columns.Infer(p, columns.Options{Ctx: ctx, Dialect: in.Dialect, Models: learn, Catalog: in.Catalog, Cache: in.ColumnsCache, Progress: in.Progress})
		in.timing("review-tests-infer", t0)
		opts := testgen.Options{Models: scope, Columns: scopeColumns, NewColumns: true, Threshold: in.MinConfidence, Dropped: testgen.DroppedTests(cs)}
		// The change set loads without compiling (the whole project would be rendered twice);
		// the Test Enhancer reads grain, literals and joins from SQL, which the parse render
		// already has with bare relation names.
		opts.ParseRender = make(map[string]bool, len(learn))
		for _, id := range learn {
			opts.ParseRender[id] = true
		}
		if in.History {
			opts.History = testgen.MineHistory(ctx, p.Root, 400)
		}
		if in.Memory != nil {
			in.Memory.Tests(&opts, p, cs.HeadColumns, ids)
		}
		// The dictionary's descriptions and the built models' data are evidence for the
		// Enhancer here as in `dataops tests`: the same change gets the same tests from both.
		if in.Schema.Dictionary != nil {
			opts.Dictionary = in.Schema.Dictionary
		}
		var wh warehouse.Warehouse
		var target *warehouse.Target
		if in.Warehouse != nil {
			var err error
			if wh, target, err = in.Warehouse(); err != nil {
				in.warn("tests not checked on data: %v", err)
			} else if wh != nil {
				defer wh.Close()
				opts.Data = testgen.NewDataEvidence(ctx, DataProfiler{Project: p, Warehouse: wh, Target: target})
			}
		}
		res := testgen.Suggest(p, inf, opts)
		if in.RuleTests != nil {
			in.RuleTests(p, res, scope, scopeColumns)
		}
		in.timing("review-tests-suggest", t0)
		if wh != nil {
			testgen.Confirm(ctx, p, wh, target, res)
		}
		for _, s := range res.Suggestions {
			// A suggestion is located where its column is declared or selected; fall back to
			// the model's file so every finding has a place in a file the user wrote.
			if n := p.AnyNode(s.UniqueID); s.Pos.Path == "" && n != nil {
				s.Pos = dbt.Pos{Path: n.RelPath, Line: 1 + n.Template.Line, Column: 1}
			}
		}
		if in.Memory != nil {
			in.Memory.TestsDone(p, res)
		}
		rv.Findings = append(rv.Findings, testFindings(res, forms, in.FixUnverified)...)
		rv.Findings = append(rv.Findings, conflictFindings(res)...)
		tedits = testEdits(p, res, sedits, plan, forms, in.FixUnverified)
	}
	rv.Edits = mergeEdits(sedits, schemaSafe, tedits)
	in.timing("review-tests", t0)
	t0 = time.Now()

	// Lint on changed lines, impact and classification.
	changed := changedLines(cs)
	if in.Lint != nil {
		rv.Findings = append(rv.Findings, lintChanged(in.Lint, p, cs, changed, in.AllLines, in.Dialect, in.warn, in.Progress)...)
	}
	in.timing("review-lint", t0)
	dialect := in.Dialect
	if dialect == "" {
		dialect = p.Adapter
	}
	t0 = time.Now()
	Classify(cs, rv, dialect)
	in.timing("review-classify", t0)
	review.Narrate(ctx, rv, in.Narrator, changed)
	catalogLineage(ctx, &in, cs, rv, ids)
	return rv, nil
}

// catalogLineage compares OpenMetadata's lineage of the changed models with dbt's graph when
// a catalog is configured. A catalog that cannot be reached is a warning, not a failed review.
func catalogLineage(ctx context.Context, in *Inputs, cs *change.ChangeSet, rv *review.Review, ids []string) {
	c, svc := in.OpenMetadata, in.OpenMetadataService
	if c == nil {
		return
	}
	diffs, missing, err := openmetadata.Verify(ctx, c, cs.Head, svc, ids)
	if err != nil {
		in.warn("OpenMetadata lineage not compared: %v", err)
		return
	}
	path := func(id string) string {
		if m := cs.Model(id); m != nil {
			return m.Path
		}
		return ""
	}
	for _, id := range missing {
		if cs.Model(id).Change == change.Added {
			continue // a new model reaches the catalog once it is built and ingested
		}
		rv.Findings = append(rv.Findings, review.Finding{Agent: "lineage", Rule: "catalog-missing-table", Severity: review.SeverityInfo,
			Path: path(id), Line: 1, Message: fmt.Sprintf("%s is not in the OpenMetadata catalog (service %s)", dbt.ShortID(id), svc),
			Suggestion: "dataops lineage push --select " + dbt.ShortID(id)})
	}
	for _, d := range diffs {
		msg := fmt.Sprintf("dbt has the edge %s -> %s; the OpenMetadata catalog does not", d.From, d.To)
		sug := "dataops lineage push --select " + dbt.ShortID(d.Node)
		if !d.InDbt {
			msg = fmt.Sprintf("the OpenMetadata catalog has the edge %s -> %s; dbt does not (stale, or lineage from outside dbt)", d.From, d.To)
			sug = ""
		}
		rv.Findings = append(rv.Findings, review.Finding{Agent: "lineage", Rule: "catalog-lineage", Severity: review.SeverityInfo,
			Path: path(d.Node), Line: 1, Message: msg, Suggestion: sug})
	}
}

// fromSchema is a Synthesizer finding as the review lists it: the same finding, by the schema
// agent.
func fromSchema(f schema.Finding) review.Finding {
	f.Agent = review.AgentSchema
	return f
}

// describedOf turns the plan's descriptions into the review's.
func describedOf(plan *schema.Plan) []review.Description {
	var out []review.Description
	for _, d := range plan.Descriptions() {
		out = append(out, review.Description{Model: d.Model, Column: d.Column, Description: d.Description,
			From: d.From, Source: d.Source, File: d.File})
	}
	return out
}

package mcp

import (
	"context"
	"fmt"
	"sort"

	"github.com/dataops-dev/dataops/internal/change"
	"github.com/dataops-dev/dataops/internal/review"
	"github.com/dataops-dev/dataops/internal/schema"
	"github.com/dataops-dev/dataops/internal/testgen"
)

type baseInput struct {
	Base string `json:"base,omitempty" jsonschema:"the git ref the work tree is compared with (default: the server's base, main unless set)"`
}

// ImpactAnswer is what impact_analysis answers.
type ImpactAnswer struct {
	Base     string           `json:"base"`
	Summary  ImpactSummary    `json:"summary"`
	Changes  []review.Change  `json:"changes" jsonschema:"each changed model: change, classification and why, changed columns, downstream nodes and the downstream columns that read a changed column"`
	Findings []review.Finding `json:"findings" jsonschema:"what breaks, at the file and line of the reader"`
	Warnings []string         `json:"warnings,omitempty"`
	Note     string           `json:"note,omitempty"`
}

// ImpactSummary counts a change.
type ImpactSummary struct {
	Models         int            `json:"models_changed"`
	ByChange       map[string]int `json:"by_change" jsonschema:"added, removed, modified, renamed"`
	Classification map[string]int `json:"classification" jsonschema:"breaking, partial, non-breaking"`
	Downstream     int            `json:"downstream_nodes"`
}

// SchemaDiff is what schema_diff answers.
type SchemaDiff struct {
	Base          string              `json:"base"`
	Models        []ModelSchemaChange `json:"models"`
	PropertyFiles []change.FileChange `json:"property_files,omitempty"`
	Note          string              `json:"note,omitempty"`
}

// ModelSchemaChange is one changed model's columns and config.
type ModelSchemaChange struct {
	UniqueID   string                  `json:"unique_id"`
	Change     string                  `json:"change"`
	From       string                  `json:"from,omitempty"`
	Path       string                  `json:"path,omitempty"`
	Columns    []change.ColumnChange   `json:"columns"`
	Config     []change.ConfigChange   `json:"config,omitempty"`
	Properties []change.PropertyChange `json:"properties,omitempty"`
}

// LineageDiff is what lineage_diff answers: the changed models and what they reach.
type LineageDiff struct {
	Base  string        `json:"base"`
	Nodes []DiffNode    `json:"nodes"`
	Edges []review.Edge `json:"edges" jsonschema:"from is a parent of to, among the nodes listed"`
	Note  string        `json:"note,omitempty"`
}

// DiffNode is a node of a lineage diff.
type DiffNode struct {
	UniqueID       string `json:"unique_id"`
	Change         string `json:"change" jsonschema:"added, removed, modified, renamed, or impacted (downstream of a change)"`
	Classification string `json:"classification,omitempty"`
}

type schemaInput struct {
	Base   string   `json:"base,omitempty" jsonschema:"only what the change from this git ref touched; empty: every model"`
	Select []string `json:"select,omitempty" jsonschema:"dbt node selection (name, path:, tag:, +graph operators)"`
	Cursor string   `json:"cursor,omitempty"`
	Limit  int      `json:"limit,omitempty" jsonschema:"edits per page (default 100)"`
}

// SchemaPlanAnswer is what plan_schema answers.
type SchemaPlanAnswer struct {
	Edits      []EditDiff       `json:"edits" jsonschema:"the property-file edits, as unified diffs"`
	Findings   []schema.Finding `json:"findings"`
	Valid      bool             `json:"valid" jsonschema:"the project reloads with the edits and nothing new breaks"`
	TotalEdits int              `json:"total_edits"`
	NextCursor string           `json:"next_cursor,omitempty"`
	Note       string           `json:"note,omitempty"`
}

// EditDiff is one file's edit.
type EditDiff struct {
	Path   string   `json:"path"`
	Agents []string `json:"agents,omitempty"`
	Diff   string   `json:"diff"`
	Safe   bool     `json:"safe" jsonschema:"validated: written by review --fix and the apply tools"`
}

type testsInput struct {
	Base      string   `json:"base,omitempty" jsonschema:"only the models the change from this git ref touched"`
	Models    []string `json:"models,omitempty" jsonschema:"only these models (names or unique ids)"`
	Threshold float64  `json:"threshold,omitempty" jsonschema:"confidence at or above which a test of any kind is proposed (default: each kind's calibrated threshold)"`
	Cursor    string   `json:"cursor,omitempty"`
	Limit     int      `json:"limit,omitempty" jsonschema:"suggestions per page (default 100)"`
}

// TestsAnswer is what suggest_tests answers.
type TestsAnswer struct {
	Suggestions []*testgen.Suggestion    `json:"suggestions" jsonschema:"each with its confidence, the evidence (reasons) and whether data confirmed it"`
	Freshness   []*testgen.Freshness     `json:"freshness,omitempty"`
	Conflicts   []*testgen.ValueConflict `json:"conflicts,omitempty" jsonschema:"accepted_values tests the models' SQL contradicts: values the column can hold that the test does not list"`
	Learned     testgen.LearnedSummary   `json:"learned"`
	Total       int                      `json:"total"`
	NextCursor  string                   `json:"next_cursor,omitempty"`
	Note        string                   `json:"note,omitempty"`
}

type reviewInput struct {
	Base   string `json:"base,omitempty" jsonschema:"the git ref the work tree is compared with (default: the server's base)"`
	Cursor string `json:"cursor,omitempty" jsonschema:"next_cursor of the previous page of findings"`
	Limit  int    `json:"limit,omitempty" jsonschema:"findings per page (default 100)"`
}

// ReviewAnswer is what review_change answers.
type ReviewAnswer struct {
	Base          string           `json:"base"`
	Summary       review.Summary   `json:"summary"`
	Changes       []review.Change  `json:"changes"`
	Findings      []review.Finding `json:"findings" jsonschema:"severity, file and line, message and a suggestion, most severe first"`
	TotalFindings int              `json:"total_findings"`
	NextCursor    string           `json:"next_cursor,omitempty"`
	Edits         []EditDiff       `json:"edits"`
	Note          string           `json:"note,omitempty"`
}

func (s *Server) addChangeTools() {
	addTool(s, tool{name: "impact_analysis", title: "Impact of a change", readOnly: true,
		description: "What the change from a git ref to the work tree does: changed models and columns, breaking or not, and what it breaks downstream."},
		s.impact)
	addTool(s, tool{name: "schema_diff", title: "Schema diff", readOnly: true,
		description: "The columns each changed model added, removed, renamed or retyped since a git ref, with config and property changes."},
		s.schemaDiff)
	addTool(s, tool{name: "lineage_diff", title: "Lineage diff", readOnly: true,
		description: "The models a change touched since a git ref and the downstream nodes they reach, with the edges between them."},
		s.lineageDiff)
	addTool(s, tool{name: "plan_schema", title: "Schema plan", readOnly: true,
		description: "The property-file (schema.yml) edits that bring documented columns in step with the SQL, as validated diffs."},
		s.planSchema)
	addTool(s, tool{name: "suggest_tests", title: "Test suggestions", readOnly: true,
		description: "The data tests untested models and columns need, each with its confidence and the evidence behind it."},
		s.suggestTests)
	addTool(s, tool{name: "review_change", title: "Review a change", readOnly: true,
		description: "The full review of the change from a git ref: classification, impact, schema and test edits, lint on changed lines."},
		s.reviewChange)
}

func (s *Server) base(b string) string {
	if b == "" {
		return s.opts.Base
	}
	return b
}

// impactOf runs the change comparison for base.
func (s *Server) impactOf(ctx context.Context, base string) (*Impact, error) {
	im, err := s.eng.Impact(ctx, base)
	if err != nil {
		return nil, err
	}
	if im.Review == nil {
		im.Review = &review.Review{}
	}
	return im, nil
}

func (s *Server) impact(ctx context.Context, in baseInput) (*ImpactAnswer, error) {
	base := s.base(in.Base)
	im, err := s.impactOf(ctx, base)
	if err != nil {
		return nil, err
	}
	out := &ImpactAnswer{Base: base, Changes: []review.Change{}, Findings: []review.Finding{}, Warnings: im.Warnings,
		Summary: ImpactSummary{ByChange: map[string]int{}, Classification: map[string]int{}}}
	var ns notes
	downstream := map[string]bool{}
	for _, c := range im.Review.Changes {
		out.Summary.Models++
		out.Summary.ByChange[c.Change]++
		out.Summary.Classification[c.Classification]++
		for _, id := range c.Impact {
			downstream[id] = true
		}
	}
	out.Summary.Downstream = len(downstream)
	out.Changes = append(out.Changes, im.Review.Changes...)
	if len(out.Changes) > maxSteps {
		ns.add("%d of %d changed models shown; schema_diff and lineage_diff list them all a page at a time.", maxSteps, len(out.Changes))
		out.Changes = out.Changes[:maxSteps]
	}
	out.Findings = append(out.Findings, im.Review.Findings...)
	if len(out.Findings) > maxSteps {
		ns.add("%d of %d findings shown (most severe first).", maxSteps, len(out.Findings))
		out.Findings = out.Findings[:maxSteps]
	}
	if len(im.Review.Changes) == 0 {
		ns.add("No model changed between %s and the work tree.", base)
	}
	out.Note = ns.String()
	return out, nil
}

func (s *Server) schemaDiff(ctx context.Context, in baseInput) (*SchemaDiff, error) {
	base := s.base(in.Base)
	im, err := s.impactOf(ctx, base)
	if err != nil {
		return nil, err
	}
	out := &SchemaDiff{Base: base, Models: []ModelSchemaChange{}, PropertyFiles: im.PropertyFiles}
	for _, m := range im.Models {
		out.Models = append(out.Models, ModelSchemaChange{UniqueID: m.UniqueID, Change: string(m.Change), From: m.From, Path: m.Path,
			Columns: nonNilSlice(m.Columns), Config: m.Config, Properties: m.Properties})
	}
	if len(out.Models) > maxPage {
		out.Note = fmt.Sprintf("%d of %d changed models shown.", maxPage, len(out.Models))
		out.Models = out.Models[:maxPage]
	}
	return out, nil
}

func (s *Server) lineageDiff(ctx context.Context, in baseInput) (*LineageDiff, error) {
	base := s.base(in.Base)
	im, err := s.impactOf(ctx, base)
	if err != nil {
		return nil, err
	}
	out := &LineageDiff{Base: base, Nodes: []DiffNode{}, Edges: nonNilSlice(im.Review.Lineage)}
	seen := map[string]bool{}
	for _, c := range im.Review.Changes {
		out.Nodes = append(out.Nodes, DiffNode{UniqueID: c.UniqueID, Change: c.Change, Classification: c.Classification})
		seen[c.UniqueID] = true
	}
	var impacted []string
	for _, c := range im.Review.Changes {
		for _, id := range c.Impact {
			if !seen[id] {
				seen[id] = true
				impacted = append(impacted, id)
			}
		}
	}
	sort.Strings(impacted)
	for _, id := range impacted {
		out.Nodes = append(out.Nodes, DiffNode{UniqueID: id, Change: "impacted"})
	}
	if len(out.Nodes) > maxPage {
		keep := map[string]bool{}
		for _, n := range out.Nodes[:maxPage] {
			keep[n.UniqueID] = true
		}
		var edges []review.Edge
		for _, e := range out.Edges {
			if keep[e.From] && keep[e.To] {
				edges = append(edges, e)
			}
		}
		out.Note = fmt.Sprintf("%d of %d nodes shown (changed models first).", maxPage, len(out.Nodes))
		out.Nodes, out.Edges = out.Nodes[:maxPage], nonNilSlice(edges)
	}
	return out, nil
}

func (s *Server) schemaPlan(ctx context.Context, base string, selects []string) (*SchemaPlan, error) {
	plan, err := s.eng.SchemaPlan(ctx, SchemaRequest{Base: base, Selects: selects})
	if err != nil {
		return nil, err
	}
	return plan, nil
}

func (s *Server) planSchema(ctx context.Context, in schemaInput) (*SchemaPlanAnswer, error) {
	plan, err := s.schemaPlan(ctx, in.Base, in.Select)
	if err != nil {
		return nil, err
	}
	var ns notes
	page, next, err := pageOf(plan.Edits, in.Cursor, in.Limit)
	if err != nil {
		return nil, err
	}
	out := &SchemaPlanAnswer{Edits: []EditDiff{}, Findings: nonNilSlice(plan.Findings), Valid: !plan.Invalid,
		TotalEdits: len(plan.Edits), NextCursor: next}
	diffs := schema.Diffs(page)
	for i, e := range page {
		out.Edits = append(out.Edits, EditDiff{Path: e.Path, Agents: []string{review.AgentSchema},
			Diff: ns.clipField(diffs[i], maxDiffChars, "the diff of "+e.Path), Safe: !plan.Invalid})
	}
	if len(out.Findings) > maxSteps {
		ns.add("%d of %d findings shown.", maxSteps, len(out.Findings))
		out.Findings = out.Findings[:maxSteps]
	}
	if len(plan.Edits) == 0 {
		ns.add("Property files are in step with the models.")
	}
	out.Note = ns.String()
	return out, nil
}

// testsPlan asks the Test Enhancer on the warm project.
func (s *Server) testsPlan(ctx context.Context, base string, models []string, threshold float64) (*TestsPlan, error) {
	snap, err := s.warm.get(ctx)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, m := range models {
		id, err := resolve(snap.p, m)
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	all, err := snap.inferredAll(ctx)
	if err != nil {
		return nil, err
	}
	return s.eng.Tests(ctx, snap.p, all.res, TestsRequest{Base: base, Models: ids, Threshold: threshold})
}

func (s *Server) suggestTests(ctx context.Context, in testsInput) (*TestsAnswer, error) {
	plan, err := s.testsPlan(ctx, in.Base, in.Models, in.Threshold)
	if err != nil {
		return nil, err
	}
	res := plan.Result
	if res == nil {
		res = &testgen.Result{}
	}
	page, next, err := pageOf(res.Suggestions, in.Cursor, in.Limit)
	if err != nil {
		return nil, err
	}
	out := &TestsAnswer{Suggestions: nonNilSlice(page), Freshness: res.Freshness, Conflicts: res.Conflicts, Learned: res.Learned,
		Total: len(res.Suggestions), NextCursor: next}
	if len(res.Suggestions) == 0 && len(res.Conflicts) == 0 {
		out.Note = "No test to propose: the models in scope are tested as this team tests."
	}
	return out, nil
}

func (s *Server) reviewChange(ctx context.Context, in reviewInput) (*ReviewAnswer, error) {
	base := s.base(in.Base)
	rv, err := s.eng.Review(ctx, base)
	if err != nil {
		return nil, err
	}
	return reviewAnswer(base, rv, in.Cursor, in.Limit)
}

func reviewAnswer(base string, rv *review.Review, cursor string, limit int) (*ReviewAnswer, error) {
	page, next, err := pageOf(rv.Findings, cursor, limit)
	if err != nil {
		return nil, err
	}
	var ns notes
	if rv.Summary.Findings == nil {
		rv.Summary.Findings = map[string]int{}
	}
	if rv.Summary.Classification == nil {
		rv.Summary.Classification = map[string]int{}
	}
	out := &ReviewAnswer{Base: base, Summary: rv.Summary, Changes: nonNilSlice(rv.Changes), Findings: nonNilSlice(page),
		TotalFindings: len(rv.Findings), NextCursor: next, Edits: []EditDiff{}}
	for _, e := range rv.Edits {
		out.Edits = append(out.Edits, EditDiff{Path: e.Path, Agents: e.Agents, Safe: e.Safe,
			Diff: ns.clipField(e.Diff, maxDiffChars, "the diff of "+e.Path)})
	}
	out.Note = ns.String()
	return out, nil
}

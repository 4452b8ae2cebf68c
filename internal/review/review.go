package review

import (
	"path"
	"sort"
	"strings"

	"github.com/dataops-dev/dataops/internal/change"
	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/finding"
)

// Severities, from most to least severe (internal/finding's).
const (
	SeverityError   = finding.Error
	SeverityWarning = finding.Warning
	SeverityInfo    = finding.Info
)

// Agents that produce findings.
const (
	AgentSchema = "schema"
	AgentTests  = "tests"
	AgentLint   = "lint"
	AgentImpact = "impact"
)

// Classifications of a changed model.
const (
	NonBreaking = "non-breaking"
	// Partial: a removed, renamed or retyped column is read downstream; only those readers
	// are affected.
	Partial = "partial"
	// Breaking: the grain or the filter of the model changed, so every reader sees other rows.
	Breaking = "breaking"
)

// Finding is one thing the review reports, always located in a file the user wrote: the one
// finding type of every agent (internal/finding).
type Finding = finding.Finding

// Edit is a proposed change to one file: the unified diff, and the whole old and new content
// for writers and for GitHub suggestion blocks.
type Edit struct {
	Path   string   `json:"path"`
	Agents []string `json:"agents"`
	Diff   string   `json:"diff"`
	// Safe edits passed validation (the project reloads with them and nothing new breaks);
	// --fix writes only these.
	Safe bool   `json:"safe"`
	Old  []byte `json:"-"`
	New  []byte `json:"-"`
}

// Change is one changed model with its classification and impact.
type Change struct {
	UniqueID       string                `json:"unique_id"`
	Name           string                `json:"name"`
	Path           string                `json:"path"`
	Change         string                `json:"change"`
	From           string                `json:"from,omitempty"`
	Classification string                `json:"classification"`
	Reasons        []string              `json:"reasons"`
	Columns        []change.ColumnChange `json:"columns"`
	Impact         []string              `json:"impact"`
	ColumnImpact   []change.ColumnImpact `json:"column_impact,omitempty"`
}

// Summary is the table at the top of a review.
type Summary struct {
	ModelsChanged  int            `json:"models_changed"`
	ModelsAdded    int            `json:"models_added"`
	ModelsRemoved  int            `json:"models_removed"`
	ColumnsChanged int            `json:"columns_changed"`
	EditsProposed  int            `json:"edits_proposed"`
	TestsProposed  int            `json:"tests_proposed"`
	TestsConfirmed int            `json:"tests_confirmed"`
	Lint           int            `json:"lint_violations"`
	Downstream     int            `json:"downstream_nodes"`
	Findings       map[string]int `json:"findings"`
	Classification map[string]int `json:"classification"`
}

// Edge is a dependency between two nodes of the lineage drawn in the Markdown report.
type Edge struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// Review is the whole review of one change.
type Review struct {
	// Base and Head name the compared git refs in text output (JSON readers know them).
	Base     string    `json:"-"`
	Head     string    `json:"-"`
	Summary  Summary   `json:"summary"`
	Changes  []Change  `json:"changes"`
	Findings []Finding `json:"findings"`
	Edits    []Edit    `json:"edits"`
	// Lineage holds the edges among changed and downstream nodes (Markdown's Mermaid chart).
	Lineage []Edge `json:"lineage,omitempty"`
	// Prefix is the project's folder inside its git repository, slash-terminated ("" at the
	// top): the formats GitHub reads (workflow annotations, SARIF) name files from the
	// repository's top, as its pull requests do. Paths in the review stay project-relative.
	Prefix string `json:"-"`
	// PerRule is the most findings of one rule the text and Markdown formats list (0: all);
	// the rest are counted, and JSON and SARIF always carry every finding.
	PerRule int `json:"-"`
	// Descriptions are the column descriptions the edits write, with their sources.
	Descriptions []Description `json:"descriptions,omitempty"`
	// Knowledge is what the team's memory brings to the change (playbook rules, past comments).
	Knowledge *Knowledge `json:"knowledge,omitempty"`
	// Narrative is what a language model added; nil without one.
	Narrative *Narrative `json:"narrative,omitempty"`
}

// RepoPath names a project-relative path from the repository's top: prefix (the project's
// folder inside the repository) joined and cleaned, so a file above the project
// (../../pyproject.toml) gets its own name.
func RepoPath(prefix, p string) string {
	if prefix == "" {
		return p
	}
	return path.Clean(prefix + p)
}

// Rank orders severities: error 3, warning 2, info 1, anything else 0.
func Rank(sev string) int { return finding.Rank(sev) }

// Finish sorts findings (severity, path, line), fills empty slices and computes the summary.
func (r *Review) Finish() {
	if r.Changes == nil {
		r.Changes = []Change{}
	}
	if r.Findings == nil {
		r.Findings = []Finding{}
	}
	if r.Edits == nil {
		r.Edits = []Edit{}
	}
	// Every finding on a file points at a line of it: a finding about the file as a whole
	// (one skipped for its size) is on its first. Line 0 is no line: GitHub refuses an
	// annotation there and editors open nothing.
	for i := range r.Findings {
		if r.Findings[i].Path != "" && r.Findings[i].Line < 1 {
			r.Findings[i].Line = 1
		}
	}
	sort.SliceStable(r.Findings, func(i, j int) bool {
		a, b := r.Findings[i], r.Findings[j]
		if Rank(a.Severity) != Rank(b.Severity) {
			return Rank(a.Severity) > Rank(b.Severity)
		}
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		return a.Rule < b.Rule
	})
	sort.Slice(r.Edits, func(i, j int) bool { return r.Edits[i].Path < r.Edits[j].Path })
	s := Summary{Findings: map[string]int{SeverityError: 0, SeverityWarning: 0, SeverityInfo: 0},
		Classification: map[string]int{NonBreaking: 0, Partial: 0, Breaking: 0}}
	down := map[string]bool{}
	for _, c := range r.Changes {
		switch c.Change {
		case string(change.Added):
			s.ModelsAdded++
		case string(change.Removed):
			s.ModelsRemoved++
		}
		s.ModelsChanged++
		s.ColumnsChanged += len(c.Columns)
		s.Classification[c.Classification]++
		for _, id := range c.Impact {
			down[id] = true
		}
	}
	s.Downstream = len(down)
	for _, f := range r.Findings {
		s.Findings[f.Severity]++
		switch {
		case f.Agent == AgentLint:
			s.Lint++
		case f.Agent == AgentTests && f.Rule == RuleMissingTest:
			s.TestsProposed++
			if strings.Contains(f.Message, "confirmed on data") {
				s.TestsConfirmed++
			}
		}
	}
	s.EditsProposed = len(r.Edits)
	r.Summary = s
}

// Exceeds reports whether any finding is at or above failOn ("error", "warning", "info";
// "never" never is).
func (r *Review) Exceeds(failOn string) bool {
	if failOn == "never" {
		return false
	}
	for _, f := range r.Findings {
		if Rank(f.Severity) >= Rank(failOn) {
			return true
		}
	}
	return false
}

// Rule names the review itself produces.
const (
	RuleMissingTest      = "missing-test"
	RuleDownstreamColumn = "downstream-column"
	RuleGrainChange      = "grain-change"
	// RuleUnlistedValue: the SQL can produce a value its accepted_values test does not list.
	RuleUnlistedValue = "unlisted-value"
)

func shortName(id string) string { return dbt.ShortID(id) }

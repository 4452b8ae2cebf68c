package review

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/dataops-dev/dataops/internal/change"
)

func sample() *Review {
	r := &Review{
		Changes: []Change{
			{UniqueID: "model.p.a", Name: "a", Path: "models/a.sql", Change: "modified", Classification: Partial, Reasons: []string{"column x (removed) is read by b.x"},
				Columns: []change.ColumnChange{{Name: "x", Change: change.Removed}}, Impact: []string{"model.p.b"}},
			{UniqueID: "model.p.c", Name: "c", Path: "models/c.sql", Change: "added", Classification: NonBreaking, Reasons: []string{"new model"}},
		},
		Findings: []Finding{
			{Agent: AgentLint, Rule: "LT01", Severity: SeverityWarning, Path: "models/c.sql", Line: 3, Column: 2, Message: "spaces: '   '", Suggestion: "dataops lint --fix models/c.sql"},
			{Agent: AgentImpact, Rule: RuleDownstreamColumn, Severity: SeverityError, Path: "models/b.sql", Line: 4, Message: "b.x reads a.x, which this change removed"},
			{Agent: AgentTests, Rule: RuleMissingTest, Severity: SeverityInfo, Path: "models/c.sql", Line: 1, Message: "c.id has no unique test (confidence 0.9, confirmed on data)", Suggestion: "- unique\n"},
		},
		Edits:   []Edit{{Path: "models/_m.yml", Agents: []string{"schema"}, Diff: "--- a/models/_m.yml\n+++ b/models/_m.yml\n@@ -1 +1,2 @@\n x\n+y\n", Safe: true}},
		Lineage: []Edge{{From: "model.p.a", To: "model.p.b"}},
	}
	r.Finish()
	return r
}

// A finding on a file is on a line of it: one that names none (about the whole file) is on
// the first, never on line 0; a finding on no file keeps no line.
func TestFinishPutsFindingsOnRealLines(t *testing.T) {
	r := &Review{Findings: []Finding{
		{Agent: AgentSchema, Rule: "few-columns", Severity: SeverityInfo, Path: "models/x.yml"},
		{Agent: AgentSchema, Rule: "dbt-parse", Severity: SeverityWarning},
		{Agent: AgentLint, Rule: "LT01", Severity: SeverityWarning, Path: "models/x.sql", Line: 7},
	}}
	r.Finish()
	got := map[string]int{}
	for _, f := range r.Findings {
		got[f.Rule] = f.Line
	}
	if got["few-columns"] != 1 || got["dbt-parse"] != 0 || got["LT01"] != 7 {
		t.Errorf("lines %v", got)
	}
}

func TestFinishSortsAndCounts(t *testing.T) {
	r := sample()
	if r.Findings[0].Severity != SeverityError || r.Findings[2].Severity != SeverityInfo {
		t.Errorf("findings not sorted by severity: %+v", r.Findings)
	}
	s := r.Summary
	if s.ModelsChanged != 2 || s.ModelsAdded != 1 || s.ColumnsChanged != 1 || s.Downstream != 1 || s.Lint != 1 ||
		s.TestsProposed != 1 || s.TestsConfirmed != 1 || s.EditsProposed != 1 || s.Classification[Partial] != 1 {
		t.Errorf("summary %+v", s)
	}
	for sev, want := range map[string]bool{"error": true, "warning": true, "info": true, "never": false} {
		if got := r.Exceeds(sev); got != want {
			t.Errorf("Exceeds(%s) = %v", sev, got)
		}
	}
	r.Findings = r.Findings[1:]
	if r.Exceeds("error") {
		t.Error("warnings exceed error")
	}
}

func TestJSONContract(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, "json", sample()); err != nil {
		t.Fatal(err)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"summary", "changes", "findings", "edits"} {
		if _, ok := doc[k]; !ok {
			t.Errorf("JSON lacks %q", k)
		}
	}
	var fs []map[string]any
	json.Unmarshal(doc["findings"], &fs)
	for _, k := range []string{"agent", "rule", "severity", "path", "line", "message", "suggestion"} {
		if _, ok := fs[0][k]; !ok {
			t.Errorf("finding lacks %q: %v", k, fs[0])
		}
	}
	empty := &Review{}
	empty.Finish()
	b.Reset()
	Write(&b, "json", empty)
	if !strings.Contains(b.String(), `"findings": []`) || !strings.Contains(b.String(), `"edits": []`) {
		t.Errorf("empty review has null lists:\n%s", b.String())
	}
}

func TestSARIF(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, "sarif", sample()); err != nil {
		t.Fatal(err)
	}
	var log struct {
		Version string
		Runs    []struct {
			Tool struct {
				Driver struct{ Rules []struct{ ID string } }
			}
			Results []struct {
				RuleID    string
				Level     string
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string }
						Region           struct{ StartLine, StartColumn int }
					}
				}
			}
		}
	}
	if err := json.Unmarshal(b.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	if log.Version != "2.1.0" || len(log.Runs) != 1 || len(log.Runs[0].Results) != 3 || len(log.Runs[0].Tool.Driver.Rules) != 3 {
		t.Fatalf("sarif: %s", b.String())
	}
	r := log.Runs[0].Results[0]
	if r.RuleID != "impact/downstream-column" || r.Level != "error" || r.Locations[0].PhysicalLocation.ArtifactLocation.URI != "models/b.sql" || r.Locations[0].PhysicalLocation.Region.StartLine != 4 {
		t.Errorf("first result %+v", r)
	}
}

func TestAnnotationsEscape(t *testing.T) {
	r := &Review{Findings: []Finding{{Agent: "lint", Rule: "LT01", Severity: "warning", Path: "models/a,b.sql", Line: 2, Column: 3, Message: "50% off\nsecond line"}}}
	var b bytes.Buffer
	Write(&b, "github", r)
	want := "::warning file=models/a%2Cb.sql,line=2,col=3,title=lint LT01::50%25 off%0Asecond line\n"
	if b.String() != want {
		t.Errorf("annotation\n got %q\nwant %q", b.String(), want)
	}
}

func TestMarkdownSkipAndPrefix(t *testing.T) {
	r := sample()
	md := Markdown(r, MarkdownOptions{PathPrefix: "dbt/", Skip: func(f Finding) bool { return f.Agent == AgentLint }, NoEdits: true})
	for _, want := range []string{"`dbt/models/b.sql:4`", "```mermaid", "n0 --> n1", ":::partial", "| `a` | modified | **partial** |"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "LT01") || strings.Contains(md, "Proposed edits") {
		t.Errorf("skipped finding or edits shown:\n%s", md)
	}
	if err := Write(&bytes.Buffer{}, "yaml", r); err == nil {
		t.Error("unknown format accepted")
	}
}

// bigReview is the shape of a large real change: one model read by 371 downstream nodes (some
// short names twice, as a model and a snapshot of one name), a column read by the same reader
// twice, and 450 findings, most of them one lint rule.
func bigReview() *Review {
	var impact []string
	for i := 0; i < 371; i++ {
		impact = append(impact, fmt.Sprintf("model.p.m%03d", i))
	}
	impact = append(impact, "snapshot.p.m000", "snapshot.p.m001")
	m := &change.ModelChange{UniqueID: "model.p.base", Change: change.Modified, Impact: impact,
		Columns: []change.ColumnChange{{Name: "x", Change: change.Removed}}}
	for i := 0; i < 30; i++ {
		m.ColImpact = append(m.ColImpact, change.ColumnImpact{Node: fmt.Sprintf("model.p.m%03d", i%20), NodeColumn: "x", Column: "x"})
	}
	class, reasons := Classify(m, nil, nil)
	r := &Review{PerRule: DefaultPerRule, Prefix: "src/ol_dbt/",
		Changes: []Change{{UniqueID: m.UniqueID, Name: "base", Path: "models/base.sql", Change: "modified", Classification: class, Reasons: reasons, Impact: impact}}}
	for i := 0; i < 440; i++ {
		r.Findings = append(r.Findings, Finding{Agent: AgentLint, Rule: "LT05", Severity: SeverityWarning, Path: fmt.Sprintf("models/f%03d.sql", i), Line: 3, Message: "Line is too long."})
	}
	for i := 0; i < 8; i++ {
		r.Findings = append(r.Findings, Finding{Agent: AgentImpact, Rule: RuleDownstreamColumn, Severity: SeverityError, Path: fmt.Sprintf("models/m%03d.sql", i), Line: 2, Message: "reads base.x, which this change removed"})
	}
	r.Findings = append(r.Findings, Finding{Agent: AgentLint, Rule: "CP01", Severity: SeverityInfo, Path: "models/a.sql", Line: 1, Message: "Keywords must be consistently lower case."},
		Finding{Agent: AgentLint, Rule: "CP01", Severity: SeverityWarning, Path: "models/b.sql", Line: 1, Message: "Keywords must be consistently lower case."})
	for i := 0; i < 40; i++ {
		r.Lineage = append(r.Lineage, Edge{From: m.UniqueID, To: impact[i]})
	}
	r.Finish()
	return r
}

func TestTextReadableAtScale(t *testing.T) {
	r := bigReview()
	var b bytes.Buffer
	if err := Write(&b, "text", r); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	first, _, _ := strings.Cut(out, "\n")
	if first != "dataops review: 1 model changed (1 partial), 373 downstream; 450 findings: 8 error, 441 warning, 1 info; 0 edits, 0 tests proposed" {
		t.Errorf("first line: %q", first)
	}
	for _, want := range []string{
		"Findings by rule (at most 10 each; --format json lists every one)\n  impact/downstream-column: 8 errors\n",
		"  lint/LT05: 440 warnings\n", "    … 430 more lint/LT05\n",
		"  lint/CP01: 1 warning, 1 info\n    models/b.sql:1: warning: Keywords",
		"downstream (371): m000, m001, m002, m003, m004, m005, m006, m007, m008, m009 and 361 more\n",
		"column x (removed) is read by m000.x, m001.x, m002.x, m003.x, m004.x, m005.x, m006.x, m007.x, m008.x, m009.x and 10 more\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q", want)
		}
	}
	if n := strings.Count(out, "Line is too long."); n != 10 {
		t.Errorf("%d LT05 lines, want 10", n)
	}
	if !strings.HasSuffix(out, "\n") {
		t.Error("text does not end with a newline")
	}
	b.Reset()
	Write(&b, "json", r)
	var doc struct{ Findings []Finding }
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil || len(doc.Findings) != 450 {
		t.Errorf("JSON holds %d findings (%v), want all 450", len(doc.Findings), err)
	}
}

func TestMarkdownReadableAtScale(t *testing.T) {
	r := bigReview()
	md := Markdown(r, MarkdownOptions{PerRule: r.PerRule})
	for _, want := range []string{
		"## dataops review\n\n1 model changed (1 partial), 373 downstream; 450 findings: 8 error, 441 warning, 1 info; 0 edits, 0 tests proposed\n",
		"At most 10 per rule; `dataops review --format json` lists every finding.",
		"**lint/LT05** (440 warnings)", "- … 430 more\n", "more[\"",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
	if n := strings.Count(md, "Line is too long."); n != 10 {
		t.Errorf("%d LT05 lines, want 10", n)
	}
	if n := strings.Count(md, ":::downstream\n"); n > chartNodes {
		t.Errorf("chart draws %d downstream nodes, want at most %d", n, chartNodes)
	}
	if all := Markdown(r, MarkdownOptions{}); strings.Count(all, "Line is too long.") != 440 {
		t.Error("without a cap, Markdown lists every finding")
	}
}

// TestGitHubFormatsUseRepositoryPaths: a project in src/ol_dbt of its repository; the
// annotations and SARIF name files from the repository's top, a file above the project too.
func TestGitHubFormatsUseRepositoryPaths(t *testing.T) {
	r := &Review{Prefix: "src/ol_dbt/", Findings: []Finding{
		{Agent: "lint", Rule: "LT05", Severity: "warning", Path: "models/a.sql", Line: 2, Message: "long"},
		{Agent: "trust", Rule: "base-config", Severity: "info", Path: "../../pyproject.toml", Line: 1, Message: "edited"},
	}}
	r.Finish()
	var b bytes.Buffer
	Write(&b, "github", r)
	for _, want := range []string{"::warning file=src/ol_dbt/models/a.sql,line=2,", "::notice file=pyproject.toml,line=1,"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("annotations lack %q:\n%s", want, b.String())
		}
	}
	b.Reset()
	Write(&b, "sarif", r)
	for _, want := range []string{`"uri": "src/ol_dbt/models/a.sql"`, `"uri": "pyproject.toml"`} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("SARIF lacks %s", want)
		}
	}
	b.Reset()
	Write(&b, "json", r)
	if !strings.Contains(b.String(), `"path": "models/a.sql"`) {
		t.Error("JSON paths are project-relative, as the contract says")
	}
}

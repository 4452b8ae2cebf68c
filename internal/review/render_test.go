package review

import (
	"bytes"
	"encoding/json"
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

package pipeline

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/fsconfine"
	"github.com/dataops-dev/dataops/internal/review"
	"github.com/dataops-dev/dataops/internal/schema"
	"github.com/dataops-dev/dataops/internal/testgen"
	"github.com/dataops-dev/dataops/internal/yamledit"
)

// testFindings reports each proposed test where its column is declared or selected; tests the
// data contradicts are not proposed. A test not checked on data says that --fix leaves it out
// unless --fix-unverified is given.
func testFindings(res *testgen.Result, forms schema.Forms, writeUnverified bool) []review.Finding {
	var out []review.Finding
	for _, s := range res.Suggestions {
		if s.Status == testgen.Failed {
			continue
		}
		target := s.Model
		if s.Column != "" {
			target += "." + s.Column
		}
		status := "not checked on data, so --fix leaves it out"
		switch {
		case s.Status == testgen.Confirmed:
			status = "confirmed on data"
		case writeUnverified:
			status = "not checked on data"
		}
		why := ""
		if len(s.Reasons) > 0 {
			why = ": " + s.Reasons[0]
		}
		line := s.Pos.Line
		if line < 1 {
			line = 1
		}
		out = append(out, review.Finding{Agent: review.AgentTests, Rule: review.RuleMissingTest, Severity: review.SeverityInfo,
			Path: s.Pos.Path, Line: line, Column: s.Pos.Column,
			Message:    fmt.Sprintf("%s has no %s test (confidence %.2f, %s)%s", target, s.Test, s.Confidence, status, why),
			Suggestion: testYAML(s, forms.TestArguments)})
	}
	return out
}

// conflictFindings reports each accepted_values test a changed model's SQL contradicts, at the
// line that selects the column: the test fails once a row holds a value it does not list.
func conflictFindings(res *testgen.Result) []review.Finding {
	var out []review.Finding
	for _, c := range res.Conflicts {
		out = append(out, review.Finding{Agent: review.AgentTests, Rule: review.RuleUnlistedValue, Severity: review.SeverityWarning,
			Path: c.Pos.Path, Line: max(c.Pos.Line, 1), Column: c.Pos.Column, Message: c.Message()})
	}
	return out
}

// testYAML shows a proposed test as the project writes tests: arguments under `arguments:` or
// inline (dbt before 1.10.5, or a project that keeps that habit).
func testYAML(s *testgen.Suggestion, nested bool) string {
	if len(s.Arguments) == 0 {
		return "- " + s.Test + "\n"
	}
	keys := slices.Sorted(maps.Keys(s.Arguments))
	var b strings.Builder
	indent := "    "
	if nested {
		fmt.Fprintf(&b, "- %s:\n    arguments:\n", s.Test)
		indent = "      "
	} else {
		fmt.Fprintf(&b, "- %s:\n", s.Test)
	}
	for _, k := range keys {
		fmt.Fprintf(&b, "%s%s: %s\n", indent, k, ShowValue(s.Arguments[k]))
	}
	return b.String()
}

// testEdits places the proposed tests in the property files as the schema edits leave them,
// so a test on a column (or model) the Synthesizer adds lands in the same edit. Only tests
// confirmed on data are edits, unless writeUnverified: a guess is shown as a finding, never
// written by --fix behind the reviewer's back.
func testEdits(p *dbt.Project, res *testgen.Result, sedits []schema.FileEdit, plan *schema.Plan, forms schema.Forms, writeUnverified bool) []review.Edit {
	current := map[string][]byte{}
	for _, e := range sedits {
		current[e.Path] = e.New
	}
	newEntry := map[string]string{}
	for _, op := range plan.Ops {
		if op.Kind == schema.OpAddModel {
			newEntry[op.Model] = op.File
		}
	}
	byFile := map[string][]*testgen.Suggestion{}
	for _, s := range res.Suggestions {
		// A test the team wrote, which the change dropped with its model's entry, is written
		// back unconfirmed: it is theirs, not a guess.
		if s.Status == testgen.Failed || s.Status == testgen.Unverified && !writeUnverified && s.Source != testgen.SourceBase {
			continue
		}
		n := p.AnyNode(s.UniqueID)
		file := ""
		switch {
		case n != nil && n.Patch != nil && n.Patch.File != "":
			file = n.Patch.File
		case newEntry[s.Model] != "":
			file = newEntry[s.Model]
		default:
			continue
		}
		byFile[file] = append(byFile[file], s)
	}
	var out []review.Edit
	for file, ss := range byFile {
		old, err := fsconfine.ReadFile(p.Root, file)
		if err != nil && current[file] == nil {
			continue
		}
		src := old
		if c, ok := current[file]; ok {
			src = c
		}
		f, err := yamledit.Load(file, src)
		if err != nil {
			continue
		}
		yp := f.Plan()
		yp.Style = yp.Style.Settle(forms.TestsKey, forms.TestArguments)
		for _, s := range ss {
			_ = yp.AddTest(yamledit.ModelRef(s.Model), s.Column, toYAMLTest(s))
		}
		if yp.Len() == 0 {
			continue
		}
		data, err := yp.Apply()
		if err != nil {
			continue
		}
		out = append(out, review.Edit{Path: file, Agents: []string{review.AgentTests}, Old: old, New: data, Safe: true})
	}
	return out
}

// toYAMLTest writes a suggestion as a property-file test, arguments in the order dbt's docs
// write them.
func toYAMLTest(s *testgen.Suggestion) yamledit.Test {
	t := yamledit.Test{Name: s.Test}
	keys := slices.Collect(maps.Keys(s.Arguments))
	rank := func(k string) int {
		switch k {
		case "values", "to", "combination_of_columns":
			return 0
		case "field":
			return 1
		}
		return 2
	}
	sort.Slice(keys, func(i, j int) bool {
		return rank(keys[i]) < rank(keys[j]) || rank(keys[i]) == rank(keys[j]) && keys[i] < keys[j]
	})
	for _, k := range keys {
		t.Args = append(t.Args, yamledit.KV{Key: k, Value: s.Arguments[k]})
	}
	return t
}

// mergeEdits joins the schema edits and the test edits (which already build on the schema
// edits of the same file) into one edit per file.
func mergeEdits(sedits []schema.FileEdit, schemaSafe bool, tedits []review.Edit) []review.Edit {
	by := map[string]*review.Edit{}
	for _, e := range sedits {
		by[e.Path] = &review.Edit{Path: e.Path, Agents: []string{review.AgentSchema}, Old: e.Old, New: e.New, Safe: schemaSafe}
	}
	for _, t := range tedits {
		if e, ok := by[t.Path]; ok {
			e.New = t.New
			e.Agents = append(e.Agents, review.AgentTests)
			continue
		}
		tc := t
		by[t.Path] = &tc
	}
	out := make([]review.Edit, 0, len(by))
	for _, e := range by {
		e.Diff = yamledit.Diff(e.Path, string(e.Old), string(e.New))
		out = append(out, *e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// ShowValue writes a value as YAML flow reads it (JSON is a subset): a test's argument, a
// config value in a diff; nil is "(unset)".
func ShowValue(v any) string {
	if v == nil {
		return "(unset)"
	}
	// Without HTML escaping: `">= 0"` reads as the team wrote it, not as "\u003e= 0".
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

package schema

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type fixedDescriber struct {
	asked []DescribeRequest
}

func (f *fixedDescriber) Describe(_ context.Context, reqs []DescribeRequest) ([]Description, []Note) {
	f.asked = reqs
	var out []Description
	for _, r := range reqs {
		out = append(out, Description{Model: r.Model, Column: r.Column, Text: "Words for " + r.Column + ".", By: "test-model"})
	}
	return out, []Note{{Rule: "llm", Severity: "info", Path: "models/schema.yml", Message: "described"}}
}

// Only columns the plan adds without a description are asked about; answers are written with
// their provenance in meta, and descriptions from the project's own sources stay as they are.
func TestDescribeFillsOnlyUndescribedNewColumns(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "models"), 0o755)
	os.WriteFile(filepath.Join(root, "models/schema.yml"), []byte("version: 2\nmodels:\n  - name: orders\n    columns:\n      - name: id\n        description: Human words.\n"), 0o644)
	plan := &Plan{Ops: []Op{
		{Kind: OpAddColumn, File: "models/schema.yml", Model: "orders", After: "id", Column: ColumnSpec{Name: "status"}},
		{Kind: OpAddColumn, File: "models/schema.yml", Model: "orders", After: "status", Column: ColumnSpec{Name: "amount", Description: "Copied.", DescriptionFrom: "upstream:model.x.stg.amount"}},
		{Kind: OpAddColumn, File: "models/schema.yml", Model: "orders", After: "amount", Column: ColumnSpec{Name: "note", Description: "TODO", DescriptionFrom: "placeholder"}},
	}}
	d := &fixedDescriber{}
	Describe(context.Background(), plan, d)
	if len(d.asked) != 2 || d.asked[0].Column != "status" || d.asked[1].Column != "note" {
		t.Fatalf("asked %+v", d.asked)
	}
	edits, notes := Apply(root, plan.Ops, Forms{})
	if len(notes) != 0 || len(edits) != 1 {
		t.Fatalf("%v %v", edits, notes)
	}
	got := string(edits[0].New)
	for _, want := range []string{"description: Human words.", "- name: status\n        description: Words for status.\n        meta:\n          description_from: llm\n          description_model: test-model",
		"description: Copied.", "description: Words for note."} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in\n%s", want, got)
		}
	}
	if strings.Count(got, "description_from") != 2 || len(plan.Notes) != 1 {
		t.Fatalf("%s\nnotes %v", got, plan.Notes)
	}
	// No describer, nothing asked: the plan is unchanged.
	before := plan.Ops[0].Column
	Describe(context.Background(), plan, nil)
	if plan.Ops[0].Column != before {
		t.Fatal("changed without a describer")
	}
}

package schema

import (
	"context"
	"strings"
)

// DescribeRequest is a new column none of the team's sources described (upstream column,
// project, history, dictionary, docs): at most a text made from its name.
type DescribeRequest struct {
	Model  string // the entry's name
	Column string
	File   string // the property file the column is added to
}

// Description answers a DescribeRequest: the text and the language model that wrote it.
type Description struct {
	Model, Column string
	Text          string
	By            string
}

// Describer writes descriptions the project's own sources do not have (a language model,
// checked against the engine's facts before it answers). It returns what it could describe and
// notes on what it dropped or could not do.
type Describer interface {
	Describe(ctx context.Context, reqs []DescribeRequest) ([]Description, []Note)
}

// Describe asks d for the columns the plan adds without a description (or with the
// placeholder) and fills in its answers, marked as written by a model. A human's text is
// never replaced: only columns the plan adds are asked about. Without a Describer, or with
// nothing to ask, the plan is left as it is.
func Describe(ctx context.Context, plan *Plan, d Describer) {
	if d == nil || plan == nil {
		return
	}
	type slot struct{ spec *ColumnSpec }
	slots := map[[2]string]slot{}
	var reqs []DescribeRequest
	want := func(model, file string, c *ColumnSpec) {
		// A text made from the column's name alone, or the placeholder, is what a model with
		// the SQL in front of it can improve on; every other source is the team's own words.
		if c.Description != "" && c.DescriptionFrom != FromPlaceholder && c.DescriptionFrom != FromName {
			return
		}
		k := [2]string{strings.ToLower(model), strings.ToLower(c.Name)}
		if _, dup := slots[k]; dup {
			return
		}
		slots[k] = slot{c}
		reqs = append(reqs, DescribeRequest{Model: model, Column: c.Name, File: file})
	}
	for i := range plan.Ops {
		op := &plan.Ops[i]
		switch op.Kind {
		case OpAddColumn:
			want(op.Model, op.File, &op.Column)
		case OpAddModel:
			if op.Entry != nil {
				for j := range op.Entry.Columns {
					want(op.Entry.Name, op.File, &op.Entry.Columns[j])
				}
			}
		}
	}
	if len(reqs) == 0 {
		return
	}
	got, notes := d.Describe(ctx, reqs)
	for _, g := range got {
		s, ok := slots[[2]string{strings.ToLower(g.Model), strings.ToLower(g.Column)}]
		if !ok || strings.TrimSpace(g.Text) == "" {
			continue
		}
		s.spec.Description, s.spec.DescriptionFrom, s.spec.DescriptionBy = g.Text, DescriptionFromLLM, g.By
	}
	plan.Notes = append(plan.Notes, notes...)
	plan.sort()
}

// DescriptionFromLLM marks a description a language model wrote; the column entry says so in
// its meta (description_from: llm, with the model), so a reviewer knows whose words they are.
const DescriptionFromLLM = "llm"

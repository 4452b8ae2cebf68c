package agent

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/dataops-dev/dataops/internal/llm"
	"github.com/dataops-dev/dataops/internal/schema"
)

// AgentDescribe is the describer's name in accounts and settings.
const AgentDescribe = "describe"

const describeSystem = `You write dbt column descriptions for a data team.
For each column asked, write one plain sentence (at most 25 words) saying what the column holds, from its SQL, lineage, sampled values and the team's documents.
Do not restate the column name as the description. Name only columns and models that appear in the facts. If the facts do not tell, answer an empty description.
` + DataRule

var describeSchema = json.RawMessage(`{"type":"object","properties":{"descriptions":{"type":"array","items":{"type":"object","properties":{"column":{"type":"string"},"description":{"type":"string","maxLength":400}},"required":["column","description"],"additionalProperties":false}}},"required":["descriptions"],"additionalProperties":false}`)

// Describer is the Schema Synthesizer's language agent: one task per model for the new
// columns nothing documents; each answer passes the guardrails before it is returned.
type Describer struct {
	Runtime  *Runtime
	Facts    *Facts
	MinScore float64
	// By names the model for the description_model mark.
	By     string
	Redact func(string) string
	// Record receives each task's outcome (the orchestrator keeps them in short-term memory).
	Record func(Outcome)
}

// Outcome is what one agent task did.
type Outcome struct {
	Agent    string    `json:"agent"`
	Subject  string    `json:"subject"`
	Status   string    `json:"status"` // ok, fallback
	Error    string    `json:"error,omitempty"`
	Kept     int       `json:"kept"`
	Dropped  int       `json:"dropped"`
	Steps    int       `json:"steps"`
	Usage    llm.Usage `json:"usage"`
	Repaired bool      `json:"repaired,omitempty"`
}

var _ schema.Describer = (*Describer)(nil)

// Describe answers the requests model by model.
func (d *Describer) Describe(ctx context.Context, reqs []schema.DescribeRequest) ([]schema.Description, []schema.Note) {
	byModel := map[string][]schema.DescribeRequest{}
	var order []string
	for _, r := range reqs {
		if _, ok := byModel[r.Model]; !ok {
			order = append(order, r.Model)
		}
		byModel[r.Model] = append(byModel[r.Model], r)
	}
	sort.Strings(order)
	var out []schema.Description
	var notes []schema.Note
	for _, m := range order {
		got, ns := d.model(ctx, m, byModel[m])
		out = append(out, got...)
		notes = append(notes, ns...)
	}
	return out, notes
}

func (d *Describer) model(ctx context.Context, model string, reqs []schema.DescribeRequest) ([]schema.Description, []schema.Note) {
	f := d.Facts
	id, n, _ := f.node(model)
	file := reqs[0].File
	note := func(sev, msg string) schema.Note {
		return schema.Note{Rule: "llm-description", Severity: sev, Path: file, Model: model, Message: msg}
	}
	oc := Outcome{Agent: AgentDescribe, Subject: model, Status: "ok"}
	defer func() {
		if d.Record != nil {
			d.Record(oc)
		}
	}()
	if n == nil {
		oc.Status = "fallback"
		return nil, nil
	}
	input, vocab := d.input(ctx, id, reqs)
	task := Task{Agent: AgentDescribe, System: describeSystem, Input: input,
		Tools:  f.Tools("column_lineage", "sample_column", "search_memory"),
		Output: llm.Schema{Name: "descriptions", Description: "The descriptions of the columns asked.", Schema: describeSchema}}
	res, err := d.Runtime.Run(ctx, task)
	oc.Steps, oc.Usage = res.Steps, res.Usage
	if err != nil {
		oc.Status, oc.Error = "fallback", err.Error()
		return nil, []schema.Note{note("info", "language model gave no descriptions for "+model+" ("+err.Error()+"); the columns are added without")}
	}
	oc.Repaired = res.Repaired
	var ans struct {
		Descriptions []struct{ Column, Description string }
	}
	json.Unmarshal(res.Output, &ans)
	asked := map[string]string{}
	for _, r := range reqs {
		asked[strings.ToLower(r.Column)] = r.Column
	}
	var out []schema.Description
	var notes []schema.Note
	for _, a := range ans.Descriptions {
		col, ok := asked[strings.ToLower(a.Column)]
		text := strings.Join(strings.Fields(a.Description), " ")
		if !ok || text == "" {
			continue
		}
		delete(asked, strings.ToLower(a.Column))
		if why, score := d.check(col, text, vocab); why != "" {
			oc.Dropped++
			notes = append(notes, note("info", fmt.Sprintf("language model's description of %s.%s dropped (%s, score %.2f)", model, col, why, score)))
			continue
		}
		oc.Kept++
		out = append(out, schema.Description{Model: model, Column: col, Text: text, By: d.By})
	}
	return out, notes
}

// check is the second, engine-grounded look at a description: "" when it passes.
func (d *Describer) check(column, text string, vocab Vocabulary) (string, float64) {
	if Suspicious(text, d.Redact) {
		return "it carries an instruction or a credential-shaped value", 0
	}
	for _, name := range Identifiers(text) {
		if !d.Facts.Known(name) && !vocab[strings.ToLower(name)] {
			return "it names " + name + ", which the project does not have", 0
		}
	}
	own := map[string]bool{}
	for _, w := range Words(column) {
		own[w] = true
	}
	rest := 0
	for _, w := range Words(text) {
		if !own[w] {
			rest++
		}
	}
	if rest < 2 {
		return "it only repeats the column name", 0
	}
	score := vocab.Support(text)
	if score < d.MinScore {
		return "too little of it is grounded in the SQL, lineage, samples or documents", score
	}
	return "", score
}

// input is the task's prompt, and the vocabulary of the facts it shows (what a grounded
// description may draw on).
func (d *Describer) input(ctx context.Context, id string, reqs []schema.DescribeRequest) (string, Vocabulary) {
	f := d.Facts
	n := f.Project.Nodes[id]
	vocab := Vocabulary{}
	var b strings.Builder
	fmt.Fprintf(&b, "Model %s (%s). Describe these new columns: ", n.Name, n.OriginalFilePath)
	for i, r := range reqs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(r.Column)
	}
	b.WriteString(".\n\nThe model's SQL:\n")
	b.WriteString(Quote("sql", numbered(n.RawCode, n.Source().Position(0).Line)))
	vocab.Add(n.Name, n.RawCode, n.Description)
	cols := f.columnFacts(id)
	b.WriteString("\n\nIts columns as the engine infers them:\n" + Quote("columns", cols))
	vocab.Add(cols)
	var lineage, samples, docs []string
	for _, r := range reqs {
		if up := f.upstreamFacts(id, r.Column, 0); len(up) > 0 {
			lineage = append(lineage, r.Column+" <- "+strings.Join(up, "; "))
		}
		if f.Sampler != nil {
			if vals, err := f.Sampler.Sample(ctx, id, r.Column, max(f.SampleRows, 1)); err == nil && len(vals) > 0 {
				samples = append(samples, r.Column+": "+strings.Join(vals, ", "))
			}
		}
		if f.Memory != nil {
			if hits, err := f.Memory.Search(ctx, strings.ReplaceAll(r.Column, "_", " ")+" "+n.Name, "", "", 2); err == nil {
				for _, h := range hits {
					docs = append(docs, r.Column+": "+clip(h, 400))
				}
			}
		}
	}
	for _, part := range []struct {
		title, kind string
		lines       []string
	}{{"Lineage", "lineage", lineage}, {"Sampled values", "sample", samples}, {"The team's documents", "memory", docs}} {
		if len(part.lines) == 0 {
			continue
		}
		text := strings.Join(part.lines, "\n")
		b.WriteString("\n\n" + part.title + ":\n" + Quote(part.kind, text))
		vocab.Add(text)
	}
	b.WriteString("\n\nAnswer with the JSON object of descriptions.")
	return b.String(), vocab
}

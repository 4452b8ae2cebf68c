package review

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
)

type fixedNarrator struct {
	n     *Narrative
	risks []Risk
	err   error
}

func (f fixedNarrator) Narrate(context.Context, *Review) (*Narrative, []Risk, error) {
	return f.n, f.risks, f.err
}

func TestNarrateKeepsOnlyRisksOnChangedLines(t *testing.T) {
	changed := map[string]map[int]bool{"models/orders.sql": {4: true, 5: true}}
	r := &Review{}
	Narrate(context.Background(), r, fixedNarrator{n: &Narrative{Summary: "Adds a join to payments in orders.", By: "m"}, risks: []Risk{
		{Kind: "join_fan_out", Path: "models/orders.sql", Line: 4, EndLine: 5, Message: "the join to payments can repeat orders"},
		{Kind: "null_semantics", Path: "models/orders.sql", Line: 5, EndLine: 6, Message: "line 6 is not changed"},
		{Kind: "grain", Path: "models/other.sql", Line: 4, Message: "not a changed file"},
	}}, changed)
	if len(r.Findings) != 1 || r.Findings[0].Line != 4 || r.Findings[0].Severity != SeverityInfo || !strings.HasPrefix(r.Findings[0].Message, "join fan out: ") {
		t.Fatalf("%+v", r.Findings)
	}
	if r.Narrative == nil || len(r.Narrative.Notes) != 1 || !strings.Contains(r.Narrative.Notes[0], "2 risk(s) dropped") {
		t.Fatalf("%+v", r.Narrative)
	}
	r.Finish()
	if r.Exceeds("warning") {
		t.Fatal("a model's risk changed the exit code")
	}
	var text, md bytes.Buffer
	Write(&text, "text", r)
	Write(&md, "markdown", r)
	if !strings.Contains(text.String(), "Summary (written by m, checked against the project)\n  Adds a join") || !strings.Contains(md.String(), "### Summary\n\nAdds a join") {
		t.Fatalf("%s\n%s", text.String(), md.String())
	}
}

func TestNarrateFailureIsANote(t *testing.T) {
	r := &Review{}
	Narrate(context.Background(), r, fixedNarrator{err: errors.New("the run's token budget is spent")}, nil)
	if r.Narrative == nil || r.Narrative.Summary != "" || !strings.Contains(r.Narrative.Notes[0], "budget is spent; this is the deterministic review") {
		t.Fatalf("%+v", r.Narrative)
	}
	r2 := &Review{}
	Narrate(context.Background(), r2, nil, nil)
	if r2.Narrative != nil {
		t.Fatal("no narrator, yet a narrative")
	}
}

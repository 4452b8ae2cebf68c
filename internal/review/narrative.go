package review

import (
	"context"
	"fmt"
	"strings"
)

// AgentLLM marks findings a language model proposed (and the engine checked).
const AgentLLM = "llm"

// RuleLogicRisk is a risk in the changed SQL's logic a language model pointed at.
const RuleLogicRisk = "logic-risk"

// Narrative is what a language model adds to a review: a summary for humans, and notes on
// what it could not do (a budget spent, a provider that failed), so a reader knows the review
// is the deterministic one.
type Narrative struct {
	Summary string   `json:"summary,omitempty"`
	By      string   `json:"by,omitempty"`
	Notes   []string `json:"notes,omitempty"`
}

// Risk is a logic risk in the change, citing lines of a changed file.
type Risk struct {
	Kind    string `json:"kind"`
	Path    string `json:"path"`
	Line    int    `json:"line"`
	EndLine int    `json:"end_line,omitempty"`
	Message string `json:"message"`
}

// Narrator writes the narrative and the risks of a review (a language model whose answers
// were checked against the engine's facts).
type Narrator interface {
	Narrate(ctx context.Context, r *Review) (*Narrative, []Risk, error)
}

// Narrate asks n for a summary and risks and adds them to r. A risk whose lines are not all
// lines the change added or modified in its file (changed, per file relative to the project)
// is dropped, and the narrative says how many were. A failure leaves r as it was, with a note.
// Risks are info findings: they inform a reader and never change the exit code.
func Narrate(ctx context.Context, r *Review, n Narrator, changed map[string]map[int]bool) {
	if n == nil {
		return
	}
	nar, risks, err := n.Narrate(ctx, r)
	if nar == nil {
		nar = &Narrative{}
	}
	if err != nil {
		nar.Notes = append(nar.Notes, "language model: "+err.Error()+"; this is the deterministic review")
	}
	dropped := 0
	for _, k := range risks {
		end := max(k.EndLine, k.Line)
		lines := changed[k.Path]
		ok := k.Line > 0 && end-k.Line < 200 && len(lines) > 0
		for l := k.Line; ok && l <= end; l++ {
			ok = lines[l]
		}
		if !ok {
			dropped++
			continue
		}
		msg := k.Message
		if k.Kind != "" {
			msg = strings.ReplaceAll(k.Kind, "_", " ") + ": " + msg
		}
		r.Findings = append(r.Findings, Finding{Agent: AgentLLM, Rule: RuleLogicRisk, Severity: SeverityInfo, Path: k.Path, Line: k.Line, Message: msg})
	}
	if dropped > 0 {
		nar.Notes = append(nar.Notes, fmt.Sprintf("%d risk(s) dropped: the lines they cite are not lines this change wrote", dropped))
	}
	if nar.Summary != "" || len(nar.Notes) > 0 {
		r.Narrative = nar
	}
}

// writeNarrativeText prints the summary and notes under the text report's table.
func writeNarrativeText(b *strings.Builder, n *Narrative) {
	if n == nil {
		return
	}
	if n.Summary != "" {
		fmt.Fprintf(b, "\nSummary (written by %s, checked against the project)\n", orModel(n.By))
		for _, l := range wrap(inline(n.Summary), 96) {
			fmt.Fprintf(b, "  %s\n", l)
		}
	}
	for _, note := range n.Notes {
		fmt.Fprintf(b, "  note: %s\n", inline(note))
	}
}

// writeNarrativeMarkdown prints the summary as inert text (a model's words are PR-derived
// text: no mention, link or HTML may come of them).
func writeNarrativeMarkdown(b *strings.Builder, n *Narrative) {
	if n == nil {
		return
	}
	if n.Summary != "" {
		fmt.Fprintf(b, "\n### Summary\n\n%s\n\n<sub>Written by %s and checked against the project.</sub>\n", MarkdownText(n.Summary), htmlText(orModel(n.By)))
	}
	for _, note := range n.Notes {
		fmt.Fprintf(b, "\n> %s\n", MarkdownText(note))
	}
}

func orModel(by string) string {
	if by == "" {
		return "a language model"
	}
	return by
}

func wrap(s string, width int) []string {
	var out []string
	line := ""
	for _, w := range strings.Fields(s) {
		if line != "" && len(line)+1+len(w) > width {
			out = append(out, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	if line != "" {
		out = append(out, line)
	}
	return out
}

package review

import (
	"fmt"
	"strings"
)

// A review of a large change can hold hundreds of findings and name hundreds of downstream
// nodes. The text and Markdown formats are read by people: they open with one summary line,
// list findings by rule with a cap per rule, and name at most a few nodes inline with the count
// of the rest. JSON and SARIF, read by programs, carry everything.

// DefaultPerRule is how many findings of one rule the text and Markdown formats list unless
// told otherwise.
const DefaultPerRule = 10

// inlineNames is how many names a list in a sentence shows before counting the rest.
const inlineNames = 10

// SummaryLine is the review in one line: what changed, what it reaches, what was found and
// proposed.
func SummaryLine(r *Review) string {
	s := r.Summary
	changed := plural(s.ModelsChanged, "model", "models") + " changed"
	var kinds []string
	for _, k := range []struct {
		n    int
		what string
	}{{s.Classification[Breaking], Breaking}, {s.Classification[Partial], Partial}} {
		if k.n > 0 {
			kinds = append(kinds, fmt.Sprintf("%d %s", k.n, k.what))
		}
	}
	if len(kinds) > 0 {
		changed += " (" + strings.Join(kinds, ", ") + ")"
	}
	return fmt.Sprintf("%s, %d downstream; %s: %d error, %d warning, %d info; %s, %s proposed",
		changed, s.Downstream, plural(len(r.Findings), "finding", "findings"),
		s.Findings[SeverityError], s.Findings[SeverityWarning], s.Findings[SeverityInfo],
		plural(s.EditsProposed, "edit", "edits"), plural(s.TestsProposed, "test", "tests"))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// ruleGroup is the findings of one agent's rule, in the review's order.
type ruleGroup struct {
	Agent, Rule string
	Items       []Finding
}

// Title is "agent/rule".
func (g *ruleGroup) Title() string { return g.Agent + "/" + g.Rule }

// Counts says how many findings of each severity the group holds: "12 warnings", "1 error, 3
// warnings".
func (g *ruleGroup) Counts() string {
	n := map[string]int{}
	for _, f := range g.Items {
		n[f.Severity]++
	}
	var parts []string
	for _, sev := range []string{SeverityError, SeverityWarning, SeverityInfo} {
		switch {
		case n[sev] == 0:
		case sev == SeverityInfo:
			parts = append(parts, fmt.Sprintf("%d info", n[sev]))
		default:
			parts = append(parts, plural(n[sev], sev, sev+"s"))
		}
	}
	return strings.Join(parts, ", ")
}

// mixed reports whether the group holds findings of more than one severity (lint warnings
// configured as `warnings` are info), so each line needs its own.
func (g *ruleGroup) mixed() bool {
	for _, f := range g.Items {
		if f.Severity != g.Items[0].Severity {
			return true
		}
	}
	return false
}

// groupByRule groups findings by agent and rule. Findings come sorted by severity, so groups
// come in the order of their most severe finding, then of where they first occur.
func groupByRule(fs []Finding) []*ruleGroup {
	var out []*ruleGroup
	at := map[[2]string]*ruleGroup{}
	for _, f := range fs {
		k := [2]string{f.Agent, f.Rule}
		g := at[k]
		if g == nil {
			g = &ruleGroup{Agent: f.Agent, Rule: f.Rule}
			at[k] = g
			out = append(out, g)
		}
		g.Items = append(g.Items, f)
	}
	return out
}

// shown is how many of n items a cap of max lets through (max 0: all).
func shown(n, max int) int {
	if max > 0 && n > max {
		return max
	}
	return n
}

// nameList joins names for a sentence: duplicates dropped (first place kept), at most max of
// them (0: all), then how many more there are.
func nameList(names []string, max int) string {
	seen := make(map[string]bool, len(names))
	uniq := make([]string, 0, len(names))
	for _, n := range names {
		if !seen[n] {
			seen[n] = true
			uniq = append(uniq, n)
		}
	}
	k := shown(len(uniq), max)
	out := strings.Join(uniq[:k], ", ")
	if k < len(uniq) {
		out += fmt.Sprintf(" and %d more", len(uniq)-k)
	}
	return out
}

// uniqueCount counts distinct names.
func uniqueCount(names []string) int {
	seen := make(map[string]bool, len(names))
	for _, n := range names {
		seen[n] = true
	}
	return len(seen)
}

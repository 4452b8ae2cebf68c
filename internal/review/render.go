package review

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Formats are the renderers Write knows.
var Formats = []string{"text", "markdown", "json", "sarif", "github"}

// Write renders r in format.
func Write(w io.Writer, format string, r *Review) error {
	switch format {
	case "text":
		return writeText(w, r)
	case "markdown":
		_, err := io.WriteString(w, Markdown(r, MarkdownOptions{PerRule: r.PerRule}))
		return err
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	case "sarif":
		return writeSARIF(w, r)
	case "github":
		return writeAnnotations(w, r)
	}
	return fmt.Errorf("unknown format %q (want %s)", format, strings.Join(Formats, ", "))
}

func writeText(w io.Writer, r *Review) error {
	var b strings.Builder
	s := r.Summary
	fmt.Fprintf(&b, "dataops review")
	if r.Base != "" {
		fmt.Fprintf(&b, " %s..%s", r.Base, orWork(r.Head))
	}
	fmt.Fprintf(&b, ": %s\n\n", SummaryLine(r))
	fmt.Fprintf(&b, "  models changed     %d (%d added, %d removed)\n", s.ModelsChanged, s.ModelsAdded, s.ModelsRemoved)
	fmt.Fprintf(&b, "  columns changed    %d\n", s.ColumnsChanged)
	fmt.Fprintf(&b, "  classification     %d breaking, %d partial, %d non-breaking\n", s.Classification[Breaking], s.Classification[Partial], s.Classification[NonBreaking])
	fmt.Fprintf(&b, "  downstream nodes   %d\n", s.Downstream)
	fmt.Fprintf(&b, "  edits proposed     %d file(s)\n", s.EditsProposed)
	fmt.Fprintf(&b, "  tests proposed     %d (%d confirmed on data)\n", s.TestsProposed, s.TestsConfirmed)
	fmt.Fprintf(&b, "  lint violations    %d\n", s.Lint)
	fmt.Fprintf(&b, "  findings           %d error, %d warning, %d info\n", s.Findings[SeverityError], s.Findings[SeverityWarning], s.Findings[SeverityInfo])
	writeNarrativeText(&b, r.Narrative)
	if len(r.Changes) == 0 {
		fmt.Fprintf(&b, "\nNo model changes.\n")
	} else {
		fmt.Fprintf(&b, "\nChanges\n")
		for _, c := range r.Changes {
			fmt.Fprintf(&b, "  %-12s %-9s %s (%s)\n", c.Classification, c.Change, c.Name, c.Path)
			for _, why := range c.Reasons {
				fmt.Fprintf(&b, "      %s\n", why)
			}
			if len(c.Impact) > 0 {
				short := make([]string, len(c.Impact))
				for i, id := range c.Impact {
					short[i] = shortName(id)
				}
				fmt.Fprintf(&b, "      downstream (%d): %s\n", uniqueCount(short), nameList(short, inlineNames))
			}
		}
	}
	if len(r.Findings) > 0 {
		fmt.Fprintf(&b, "\nFindings by rule")
		groups := groupByRule(r.Findings)
		for _, g := range groups {
			if shown(len(g.Items), r.PerRule) < len(g.Items) {
				fmt.Fprintf(&b, " (at most %d each; --format json lists every one)", r.PerRule)
				break
			}
		}
		b.WriteString("\n")
		for _, g := range groups {
			fmt.Fprintf(&b, "  %s: %s\n", g.Title(), g.Counts())
			mixed := g.mixed()
			n := shown(len(g.Items), r.PerRule)
			for _, f := range g.Items[:n] {
				sev := ""
				if mixed {
					sev = f.Severity + ": "
				}
				fmt.Fprintf(&b, "    %s: %s%s\n", location(f), sev, f.Message)
				if f.Suggestion != "" {
					for _, l := range strings.Split(strings.TrimRight(f.Suggestion, "\n"), "\n") {
						fmt.Fprintf(&b, "        | %s\n", l)
					}
				}
			}
			if n < len(g.Items) {
				fmt.Fprintf(&b, "    … %d more %s\n", len(g.Items)-n, g.Title())
			}
		}
	}
	writeDescriptionsText(&b, r)
	writeKnowledgeText(&b, r)
	if len(r.Edits) > 0 {
		fmt.Fprintf(&b, "\nEdits (dataops review --fix writes the safe ones)\n")
		for _, e := range r.Edits {
			state := "safe"
			if !e.Safe {
				state = "not safe: validation failed"
			}
			fmt.Fprintf(&b, "\n# %s (%s; %s)\n%s", e.Path, strings.Join(e.Agents, ", "), state, e.Diff)
		}
	}
	out := b.String()
	if !strings.HasSuffix(out, "\n") {
		out += "\n"
	}
	_, err := io.WriteString(w, out)
	return err
}

func orWork(h string) string {
	if h == "" {
		return "work tree"
	}
	return h
}

func location(f Finding) string {
	if f.Column > 0 {
		return fmt.Sprintf("%s:%d:%d", f.Path, f.Line, f.Column)
	}
	return fmt.Sprintf("%s:%d", f.Path, f.Line)
}

// MarkdownOptions tune the Markdown report (GitHub review bodies use them).
type MarkdownOptions struct {
	// PathPrefix is prepended to paths (the project's folder inside the repository).
	PathPrefix string
	// Skip leaves these findings out of the findings list (they are inline comments).
	Skip func(Finding) bool
	// NoEdits leaves the edits' diffs out.
	NoEdits bool
	// PerRule is the most findings of one rule listed (0: all); the rest are counted.
	PerRule int
}

// Markdown renders the review as a Markdown document: the summary table, the changes with
// their classification, a Mermaid chart of changed and downstream nodes, findings by rule
// and the edits as diffs.
func Markdown(r *Review, o MarkdownOptions) string {
	var b strings.Builder
	s := r.Summary
	b.WriteString("## dataops review\n\n")
	fmt.Fprintf(&b, "%s\n\n", MarkdownText(SummaryLine(r)))
	b.WriteString("| | |\n|---|---|\n")
	fmt.Fprintf(&b, "| Models changed | %d (%d added, %d removed) |\n", s.ModelsChanged, s.ModelsAdded, s.ModelsRemoved)
	fmt.Fprintf(&b, "| Columns changed | %d |\n", s.ColumnsChanged)
	fmt.Fprintf(&b, "| Classification | %d breaking, %d partial, %d non-breaking |\n", s.Classification[Breaking], s.Classification[Partial], s.Classification[NonBreaking])
	fmt.Fprintf(&b, "| Downstream nodes | %d |\n", s.Downstream)
	fmt.Fprintf(&b, "| Edits proposed | %d file(s) |\n", s.EditsProposed)
	fmt.Fprintf(&b, "| Tests proposed | %d (%d confirmed on data) |\n", s.TestsProposed, s.TestsConfirmed)
	fmt.Fprintf(&b, "| Lint violations | %d |\n", s.Lint)
	fmt.Fprintf(&b, "| Findings | %d error, %d warning, %d info |\n", s.Findings[SeverityError], s.Findings[SeverityWarning], s.Findings[SeverityInfo])
	writeNarrativeMarkdown(&b, r.Narrative)
	if len(r.Changes) > 0 {
		b.WriteString("\n### Changes\n\n| Model | Change | Classification | Why |\n|---|---|---|---|\n")
		for _, c := range r.Changes {
			fmt.Fprintf(&b, "| %s | %s | **%s** | %s |\n", pipes(MarkdownCode(c.Name)), cell(c.Change), cell(c.Classification), cell(strings.Join(c.Reasons, "; ")))
		}
		writeMermaid(&b, r)
	}
	var kept []Finding
	for _, f := range r.Findings {
		if o.Skip == nil || !o.Skip(f) {
			kept = append(kept, f)
		}
	}
	if len(kept) > 0 {
		b.WriteString("\n### Findings\n")
		groups := groupByRule(kept)
		for _, g := range groups {
			if shown(len(g.Items), o.PerRule) < len(g.Items) {
				fmt.Fprintf(&b, "\nAt most %d per rule; `dataops review --format json` lists every finding.\n", o.PerRule)
				break
			}
		}
		for _, g := range groups {
			fmt.Fprintf(&b, "\n**%s** (%s)\n\n", MarkdownText(g.Title()), g.Counts())
			mixed := g.mixed()
			n := shown(len(g.Items), o.PerRule)
			for _, f := range g.Items[:n] {
				sev := ""
				if mixed {
					sev = f.Severity + ": "
				}
				fmt.Fprintf(&b, "- %s %s%s\n", MarkdownCode(RepoPath(o.PathPrefix, f.Path)+location(f)[len(f.Path):]), sev, MarkdownText(f.Message))
				if f.Suggestion != "" {
					b.WriteString(indent(MarkdownFence("", f.Suggestion), "  "))
				}
			}
			if n < len(g.Items) {
				fmt.Fprintf(&b, "- … %d more\n", len(g.Items)-n)
			}
		}
	}
	writeKnowledgeMarkdown(&b, r, o)
	writeDescriptionsMarkdown(&b, r, o)
	if len(r.Edits) > 0 && !o.NoEdits {
		b.WriteString("\n### Proposed edits\n\nRun `dataops review --fix` to write the safe ones.\n")
		for _, e := range r.Edits {
			state := ""
			if !e.Safe {
				state = " (not safe: validation failed)"
			}
			fmt.Fprintf(&b, "\n<details><summary><code>%s</code> (%s)%s</summary>\n\n%s\n\n</details>\n", htmlText(RepoPath(o.PathPrefix, e.Path)), htmlText(strings.Join(e.Agents, ", ")), state, MarkdownFence("diff", e.Diff))
		}
	}
	return b.String()
}

// chartNodes is the most nodes the Mermaid chart draws one by one.
const chartNodes = 40

// writeMermaid draws changed models and their downstream nodes, colored by classification.
func writeMermaid(b *strings.Builder, r *Review) {
	class := map[string]string{}
	nodes := map[string]bool{}
	for _, c := range r.Changes {
		class[c.UniqueID] = c.Classification
		nodes[c.UniqueID] = true
		for _, id := range c.Impact {
			nodes[id] = true
		}
	}
	for _, e := range r.Lineage {
		nodes[e.From], nodes[e.To] = true, true
	}
	// A chart of hundreds of nodes says nothing: past chartNodes, downstream nodes are drawn
	// only where a changed model feeds them directly, and the rest are one counted node.
	hidden := 0
	if len(nodes) > chartNodes {
		direct := map[string]bool{}
		for _, e := range r.Lineage {
			if class[e.From] != "" {
				direct[e.To] = true
			}
		}
		var down []string
		for id := range nodes {
			if class[id] == "" {
				down = append(down, id)
			}
		}
		sort.Slice(down, func(i, j int) bool {
			if direct[down[i]] != direct[down[j]] {
				return direct[down[i]]
			}
			return down[i] < down[j]
		})
		room := max(chartNodes-(len(nodes)-len(down)), 0)
		for i, id := range down {
			if i >= room || !direct[id] {
				delete(nodes, id)
				hidden++
			}
		}
	}
	ids := make([]string, 0, len(nodes))
	for id := range nodes {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	key := map[string]string{}
	for i, id := range ids {
		key[id] = fmt.Sprintf("n%d", i)
	}
	var m strings.Builder
	m.WriteString("flowchart LR\n")
	for _, id := range ids {
		fmt.Fprintf(&m, "  %s[\"%s\"]", key[id], mermaidLabel(shortName(id)))
		switch class[id] {
		case Breaking:
			m.WriteString(":::breaking")
		case Partial:
			m.WriteString(":::partial")
		case NonBreaking:
			m.WriteString(":::changed")
		default:
			m.WriteString(":::downstream")
		}
		m.WriteString("\n")
	}
	if hidden > 0 {
		fmt.Fprintf(&m, "  more[\"%d more downstream\"]:::downstream\n", hidden)
	}
	for _, e := range r.Lineage {
		if nodes[e.From] && nodes[e.To] {
			fmt.Fprintf(&m, "  %s --> %s\n", key[e.From], key[e.To])
		}
	}
	m.WriteString("  classDef breaking fill:#f8d7da,stroke:#842029\n")
	m.WriteString("  classDef partial fill:#fff3cd,stroke:#997404\n")
	m.WriteString("  classDef changed fill:#d1e7dd,stroke:#0f5132\n")
	m.WriteString("  classDef downstream fill:#e2e3e5,stroke:#41464b\n")
	b.WriteString("\n" + MarkdownFence("mermaid", m.String()) + "\n")
}

// cell is PR text in a table cell: escaped text, with pipes escaped so the row keeps its cells.
func cell(s string) string { return pipes(MarkdownText(s)) }

// pipes escapes every pipe, inside code spans too (GFM splits cells before reading spans).
func pipes(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// inline keeps a message on one line; runs of spaces stay (lint messages quote them).
func inline(s string) string {
	return strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s)
}

func indent(s, pre string) string {
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		b.WriteString(pre + l + "\n")
	}
	return b.String()
}

// writeAnnotations prints GitHub Actions workflow commands, one per finding, each naming its
// file from the repository's top (GitHub places annotations by repository path).
func writeAnnotations(w io.Writer, r *Review) error {
	var b strings.Builder
	for _, f := range r.Findings {
		level := "notice"
		switch f.Severity {
		case SeverityError:
			level = "error"
		case SeverityWarning:
			level = "warning"
		}
		msg := f.Message
		if f.Suggestion != "" {
			msg += "\n" + f.Suggestion
		}
		msg = PlainText(msg)
		fmt.Fprintf(&b, "::%s file=%s,line=%d", level, escapeProp(RepoPath(r.Prefix, f.Path)), f.Line)
		if f.Column > 0 {
			fmt.Fprintf(&b, ",col=%d", f.Column)
		}
		fmt.Fprintf(&b, ",title=%s::%s\n", escapeProp(f.Agent+" "+f.Rule), escapeData(msg))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Workflow command escaping, as the Actions runner reads it.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func escapeProp(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

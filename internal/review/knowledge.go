package review

import (
	"fmt"
	"strings"
	"unicode"
)

// Description is a column description the Schema Synthesizer wrote, with the source it came
// from, so a reviewer can judge it.
type Description struct {
	Model       string `json:"model"`
	Column      string `json:"column"`
	Description string `json:"description"`
	// From is the source kind and what in it (upstream:<node>.<column>, project:<model>.<column>,
	// history:<commit>, dictionary, docs, name, placeholder).
	From string `json:"description_from"`
	// Source is the file and line the text was taken from.
	Source string `json:"source,omitempty"`
	// File is the property file it is written to.
	File string `json:"file"`
}

// Reference is a piece of the team's knowledge the review brings up: a playbook rule that
// concerns a changed model, or a past review comment on one.
type Reference struct {
	Kind    string   `json:"kind"` // playbook_rule or review_comment
	Text    string   `json:"text"`
	Heading string   `json:"heading,omitempty"`
	Source  string   `json:"source"` // path:line, or github:owner/repo#12
	Author  string   `json:"author,omitempty"`
	Models  []string `json:"models"` // the changed models it concerns
}

// Knowledge is what the team's memory brings to a review.
type Knowledge struct {
	Rules    []Reference `json:"rules"`
	Comments []Reference `json:"comments"`
}

func (k *Knowledge) empty() bool { return k == nil || len(k.Rules) == 0 && len(k.Comments) == 0 }

// writeDescriptionsText lists the descriptions written and where each came from.
func writeDescriptionsText(b *strings.Builder, r *Review) {
	if len(r.Descriptions) == 0 {
		return
	}
	fmt.Fprintf(b, "\nDescriptions written\n")
	for _, d := range r.Descriptions {
		src := ""
		if d.Source != "" {
			src = " (" + d.Source + ")"
		}
		fmt.Fprintf(b, "  %s.%s: from %s%s\n      %s\n", d.Model, d.Column, d.From, src, clipWords(d.Description, 300))
	}
}

// writeKnowledgeText lists the playbook rules and past comments that concern the change.
func writeKnowledgeText(b *strings.Builder, r *Review) {
	if r.Knowledge.empty() {
		return
	}
	fmt.Fprintf(b, "\nFrom the team's memory\n")
	for _, ref := range r.Knowledge.Rules {
		fmt.Fprintf(b, "  rule %s (%s): %s\n", ref.Source, strings.Join(ref.Models, ", "), clipWords(ref.Text, 300))
	}
	for _, ref := range r.Knowledge.Comments {
		by := ""
		if ref.Author != "" {
			by = " by " + ref.Author
		}
		fmt.Fprintf(b, "  comment %s%s (%s): %s\n", ref.Source, by, strings.Join(ref.Models, ", "), clipWords(ref.Text, 300))
	}
}

// writeDescriptionsMarkdown is the descriptions table, folded: a new model can add many.
func writeDescriptionsMarkdown(b *strings.Builder, r *Review, o MarkdownOptions) {
	if len(r.Descriptions) == 0 {
		return
	}
	fmt.Fprintf(b, "\n<details><summary>Descriptions written (%d)</summary>\n\n| Column | Description | From |\n|---|---|---|\n", len(r.Descriptions))
	for _, d := range r.Descriptions {
		from := MarkdownCode(d.From)
		if d.Source != "" {
			from += " " + MarkdownCode(sourcePath(o, d.Source))
		}
		fmt.Fprintf(b, "| %s | %s | %s |\n", pipes(MarkdownCode(d.Model+"."+d.Column)), cell(clipWords(d.Description, 300)), pipes(from))
	}
	b.WriteString("\n</details>\n")
}

// writeKnowledgeMarkdown lists the rules and comments with their sources.
func writeKnowledgeMarkdown(b *strings.Builder, r *Review, o MarkdownOptions) {
	if r.Knowledge.empty() {
		return
	}
	b.WriteString("\n### From the team's memory\n")
	if len(r.Knowledge.Rules) > 0 {
		b.WriteString("\n**Playbook rules that concern this change**\n\n")
		for _, ref := range r.Knowledge.Rules {
			head := ""
			if ref.Heading != "" {
				head = MarkdownText(ref.Heading) + ": "
			}
			fmt.Fprintf(b, "- %s%s (%s; %s)\n", head, MarkdownText(clipWords(ref.Text, 300)), MarkdownCode(sourcePath(o, ref.Source)), modelList(ref.Models))
		}
	}
	if len(r.Knowledge.Comments) > 0 {
		b.WriteString("\n**Past review comments on these models**\n\n")
		for _, ref := range r.Knowledge.Comments {
			by := ""
			if ref.Author != "" {
				by = " by " + MarkdownText(ref.Author)
			}
			fmt.Fprintf(b, "- %s (%s%s; %s)\n", MarkdownText(clipWords(ref.Text, 300)), MarkdownCode(ref.Source), by, modelList(ref.Models))
		}
	}
}

// sourcePath puts the project's folder before a repository path (not before a URL).
func sourcePath(o MarkdownOptions, s string) string {
	if strings.Contains(s, ":") && !strings.ContainsAny(strings.SplitN(s, ":", 2)[0], "/.") && !isLineSuffix(s) {
		return s
	}
	return o.PathPrefix + s
}

// isLineSuffix reports whether s is path:line.
func isLineSuffix(s string) bool {
	i := strings.LastIndexByte(s, ':')
	if i < 0 || i == len(s)-1 {
		return false
	}
	for _, c := range s[i+1:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func modelList(ms []string) string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = MarkdownCode(m)
	}
	return strings.Join(out, ", ")
}

// clipWords puts remembered text on one line, without control characters (a document or a
// comment could hold terminal escapes), cut to about n bytes.
func clipWords(s string, n int) string {
	s = strings.Join(strings.Fields(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)), " ")
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}

package learn

import (
	"strings"

	"github.com/dataops-dev/dataops/internal/lazyregexp"
	"github.com/dataops-dev/dataops/internal/memory"
)

// Retrieved descriptions are scored on one scale in [0, 1] so that one threshold
// (schema.DocsThreshold, calibrated on real projects: docs/schema.md) decides which are used.

// nameParts are the terms of a column name as memory's keyword search reads it (parts,
// expanded abbreviations, singular), without the whole identifier.
func nameParts(column string) []string {
	whole := strings.ToLower(column)
	var out []string
	seen := map[string]bool{}
	for _, t := range memory.Terms(column) {
		if t == whole && strings.ContainsAny(whole, "_") || seen[t] {
			continue
		}
		seen[t] = true
		out = append(out, t)
	}
	return out
}

// canonicalParts are the parts of a name, each in one form: an abbreviation as its expansion
// (amt as amount, id as identifier), a plural as its singular. Each part counts once, so
// user_id and daily_user_id share two of four terms, not three of five.
func canonicalParts(name string) []string {
	var out []string
	seen := map[string]bool{}
	for _, p := range identifierSplit(name) {
		ts := memory.Terms(p)
		if len(ts) == 0 {
			continue
		}
		t := ts[len(ts)-1]
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

// EntryScore compares a column with the column a dictionary entry is about: 1 for the same
// name, else the Jaccard overlap of their canonical parts (installation_id_plugin and
// installation_id: 0.67; last_server_ip and server_ip: 0.67; created_at and updated_at: 0.33).
func EntryScore(column, entry string) float64 {
	if strings.EqualFold(column, entry) {
		return 1
	}
	a, b := canonicalParts(column), canonicalParts(entry)
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	in := map[string]bool{}
	for _, t := range a {
		in[t] = true
	}
	common := 0
	for _, t := range b {
		if in[t] {
			common++
		}
	}
	return float64(common) / float64(len(a)+len(b)-common)
}

var sentenceEnd = lazyregexp.New(`(?m)[.!?](\s+|$)|\n\s*\n|\n\s*[-*+]\s+|\n#+\s`)

// sentences cuts a chunk into sentences and list items.
func sentences(text string) []string {
	var out []string
	last := 0
	for _, loc := range sentenceEnd.FindAllStringIndex(text, -1) {
		end := loc[0] + 1
		if text[loc[0]] == '\n' {
			end = loc[0]
		}
		if s := strings.TrimSpace(text[last:end]); s != "" {
			out = append(out, s)
		}
		last = loc[1]
	}
	if s := strings.TrimSpace(text[last:]); s != "" {
		out = append(out, s)
	}
	return out
}

// ChunkScore finds the sentence of a doc chunk that describes a column and scores it:
//   - 1.0 when it defines the column: it starts with the name (`customer_id`: ..., customer_id
//     is ..., **customer_id** - ...), and that name is cut off the returned text;
//   - 0.8 when it names the column exactly and the name has two parts or more (a one-word
//     name such as status is in too many sentences to mean anything alone);
//   - 0 otherwise (no text returned): a sentence that merely shares words with the name is no
//     better than the name itself (docs/schema.md, the calibration).
func ChunkScore(column, chunk string) (string, float64) {
	name := strings.ToLower(column)
	multi := len(identifierSplit(column)) > 1
	best, score := "", 0.0
	for _, s := range sentences(chunk) {
		if d, ok := definition(s, name); ok {
			return d, 1
		}
		if score > 0 || !multi {
			continue
		}
		for _, t := range memory.Terms(s) {
			if t == name {
				best, score = cleanSentence(s), 0.8
				break
			}
		}
	}
	return best, score
}

func identifierSplit(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == '_' || r == '-' || r == ' ' })
}

var definitionHead = lazyregexp.New("^[-*+>\\s]*[`*_\"']*([A-Za-z0-9_]+)[`*_\"']*\\s*(:|-|–|—|=|\\bis\\b|\\bare\\b)\\s*")

// definition reports whether a sentence defines the column, and returns its definition.
func definition(s, name string) (string, bool) {
	m := definitionHead.FindStringSubmatchIndex(s)
	if m == nil || !strings.EqualFold(s[m[2]:m[3]], name) {
		return "", false
	}
	rest := strings.TrimSpace(s[m[1]:])
	if rest == "" {
		return "", false
	}
	return cleanSentence(strings.ToUpper(rest[:1]) + rest[1:]), true
}

// cleanSentence drops list and emphasis markers and ends the sentence with a period.
func cleanSentence(s string) string {
	s = strings.Join(strings.Fields(strings.TrimLeft(s, "-*+> #")), " ")
	if s != "" && !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "!") && !strings.HasSuffix(s, "?") {
		s += "."
	}
	return s
}

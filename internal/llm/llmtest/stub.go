package llmtest

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/dataops-dev/dataops/internal/lazyregexp"
)

// Stub is a deterministic stand-in for a language model, for tests, replays and measuring the
// agents' overhead without a provider: it answers the describer's and the review narrator's
// prompts and the rules agent's from the facts the prompts quote, at once, in the answer schema.
// It calls no tool.
// Its words are plain derivations of the facts (which columns an expression reads, which lines
// add a join); they say nothing a real model would not, and are only as good as a baseline.
func Stub(s Seen) Reply {
	prompt := ""
	if len(s.Messages) > 0 {
		prompt = s.Messages[0].Text
	}
	switch s.Output {
	case "descriptions":
		return Reply{Text: stubDescriptions(prompt)}
	case "review":
		return Reply{Text: stubReview(prompt)}
	case "rule_tests":
		return Reply{Text: stubRules(prompt)}
	}
	return Reply{Text: "{}"}
}

var (
	askedRE   = lazyregexp.New(`Describe these new columns: ([^\n]*)\.\n`)
	modelRE   = lazyregexp.New(`^Model (\S+) `)
	columnRE  = lazyregexp.New(`(?m)^- (\S+)(?: \(([^)]*)\))?(?: = (.*?))?(?: -- documented: (.*))?$`)
	lineageRE = lazyregexp.New(`(?m)^(\S+) <- (\S+?) \((\w+)\)(?:: ([^;\n]*))?`)
	wordRE    = lazyregexp.New(`[A-Za-z_][A-Za-z0-9_]*`)
)

var sqlWords = map[string]bool{"case": true, "when": true, "then": true, "else": true, "end": true, "and": true, "or": true,
	"not": true, "null": true, "is": true, "in": true, "as": true, "cast": true, "true": true, "false": true, "coalesce": true,
	"sum": true, "count": true, "avg": true, "min": true, "max": true, "distinct": true, "over": true, "partition": true, "by": true,
	"order": true, "date_trunc": true, "lower": true, "upper": true, "round": true, "nullif": true, "like": true, "between": true}

func stubDescriptions(prompt string) string {
	model := ""
	if m := modelRE.FindStringSubmatch(prompt); m != nil {
		model = m[1]
	}
	exprs := map[string][2]string{}
	for _, m := range columnRE.FindAllStringSubmatch(prompt, -1) {
		exprs[strings.ToLower(m[1])] = [2]string{m[3], m[2]}
	}
	lineage := map[string][2]string{}
	for _, m := range lineageRE.FindAllStringSubmatch(prompt, -1) {
		if _, ok := lineage[strings.ToLower(m[1])]; !ok {
			lineage[strings.ToLower(m[1])] = [2]string{m[2], m[4]}
		}
	}
	type answer struct {
		Column      string `json:"column"`
		Description string `json:"description"`
	}
	out := struct {
		Descriptions []answer `json:"descriptions"`
	}{Descriptions: []answer{}}
	m := askedRE.FindStringSubmatch(prompt)
	if m == nil {
		b, _ := json.Marshal(out)
		return string(b)
	}
	for _, col := range strings.Split(m[1], ", ") {
		e := exprs[strings.ToLower(col)]
		var read []string
		seen := map[string]bool{}
		for _, w := range wordRE.FindAllString(e[0], -1) {
			lw := strings.ToLower(w)
			if sqlWords[lw] || seen[lw] || strings.EqualFold(w, col) {
				continue
			}
			seen[lw] = true
			read = append(read, w)
		}
		var d string
		switch {
		case len(read) > 0 && len(read) <= 4:
			d = fmt.Sprintf("Computed in %s from %s.", model, strings.Join(read, " and "))
		case lineage[strings.ToLower(col)][1] != "":
			d = lineage[strings.ToLower(col)][1]
		case lineage[strings.ToLower(col)][0] != "":
			d = fmt.Sprintf("Taken from %s in %s.", lineage[strings.ToLower(col)][0], model)
		}
		out.Descriptions = append(out.Descriptions, answer{Column: col, Description: d})
	}
	b, _ := json.Marshal(out)
	return string(b)
}

var (
	changeRE = lazyregexp.New(`(?m)^- (\w+) (\S+) \(([^)]*)\): ([a-z-]+)`)
	fileRE   = lazyregexp.New(`(?m)^(\S+\.sql) \((\w+)\):$`)
	addedRE  = lazyregexp.New(`^\s*(\d+) \+ (.*)$`)
	joinRE   = lazyregexp.New(`(?i)\bjoin\s+(?:\{\{\s*(?:ref|source)\(([^)]*)\)\s*\}\}|(\w[\w.]*))`)
	notInRE  = lazyregexp.New(`(?i)\bnot\s+in\s*\(`)
)

func stubReview(prompt string) string {
	type risk struct {
		Kind    string `json:"kind"`
		Path    string `json:"path"`
		Line    int    `json:"line"`
		EndLine int    `json:"end_line"`
		Message string `json:"message"`
	}
	out := struct {
		Summary string `json:"summary"`
		Risks   []risk `json:"risks"`
	}{Risks: []risk{}}
	var parts []string
	for _, m := range changeRE.FindAllStringSubmatch(prompt, -1) {
		parts = append(parts, fmt.Sprintf("%s %s (%s)", m[1], m[2], m[4]))
	}
	if len(parts) > 0 {
		out.Summary = "This change touches " + strings.Join(parts, ", ") + "."
	}
	path := ""
	for _, l := range strings.Split(prompt, "\n") {
		if m := fileRE.FindStringSubmatch(l); m != nil {
			path = m[1]
			continue
		}
		m := addedRE.FindStringSubmatch(l)
		if m == nil || path == "" {
			continue
		}
		var line int
		fmt.Sscan(m[1], &line)
		if j := joinRE.FindStringSubmatch(m[2]); j != nil {
			name := j[2]
			if args := strings.Split(j[1], ","); j[1] != "" {
				name = strings.Trim(args[len(args)-1], "'\" ")
			}
			out.Risks = append(out.Risks, risk{Kind: "join_fan_out", Path: path, Line: line, EndLine: line,
				Message: fmt.Sprintf("The join to %s can repeat rows when its key is not unique.", name)})
		}
		if notInRE.MatchString(m[2]) {
			out.Risks = append(out.Risks, risk{Kind: "null_semantics", Path: path, Line: line, EndLine: line,
				Message: "NOT IN over a list holding NULL keeps no rows."})
		}
	}
	b, _ := json.Marshal(out)
	return string(b)
}

var (
	ruleColsRE     = lazyregexp.New(`state about its columns: ([^\n]*)\.\n`)
	ruleSentenceRE = lazyregexp.New(`(?m)^\[(\d+)\] \S*(?: \(description of (\S+)\))?: (.*)$`)
	ruleModelRE    = lazyregexp.New(`(?m)^(\w+): (\w[\w, ]*)$`)
	ruleListRE     = lazyregexp.New(`(?i)\b(?:is|are|be)\s+(?:one of|either)\s*:?\s*(.+)$`)
	ruleMinRE      = lazyregexp.New(`(?i)\b(?:never negative|non-negative|not negative|at least (-?[\d.]+)|no less than (-?[\d.]+))`)
	ruleMaxRE      = lazyregexp.New(`(?i)\b(?:at most|no more than|never more than|never exceeds?) (-?[\d.]+)`)
	ruleBetweenRE  = lazyregexp.New(`(?i)\bbetween (-?[\d.]+) and (-?[\d.]+)`)
	ruleRefRE      = lazyregexp.New(`(?i)\b(?:references?|refers? to|foreign key to|points? to)\s+(?:the\s+|an?\s+)?(\w+)(?:\.(\w+))?`)
)

// stubRules reads each numbered sentence the way a careful reader would: a list after "is one
// of", a bound after "never negative", "at least", "between", a model after "references".
func stubRules(prompt string) string {
	type answer struct {
		Sentence   int      `json:"sentence"`
		Column     string   `json:"column"`
		Test       string   `json:"test"`
		Values     []string `json:"values"`
		To         string   `json:"to"`
		Field      string   `json:"field"`
		MinValue   string   `json:"min_value"`
		MaxValue   string   `json:"max_value"`
		Expression string   `json:"expression"`
	}
	out := struct {
		Tests []answer `json:"tests"`
	}{Tests: []answer{}}
	var cols []string
	if m := ruleColsRE.FindStringSubmatch(prompt); m != nil {
		cols = strings.Split(m[1], ", ")
	}
	models := map[string][]string{}
	for _, m := range ruleModelRE.FindAllStringSubmatch(prompt, -1) {
		models[strings.ToLower(m[1])] = strings.Split(m[2], ", ")
	}
	utils := strings.Contains(prompt, "dbt_utils is available")
	for _, m := range ruleSentenceRE.FindAllStringSubmatch(prompt, -1) {
		var n int
		fmt.Sscan(m[1], &n)
		text := m[3]
		// Each rule is about the column named last before it (or the described column).
		about := func(at int) string {
			if m[2] != "" {
				return m[2]
			}
			return columnBefore(text, at, cols)
		}
		add := func(a answer) {
			if a.Column != "" {
				if a.Values == nil {
					a.Values = []string{}
				}
				a.Sentence = n
				out.Tests = append(out.Tests, a)
			}
		}
		if l := ruleListRE.FindStringSubmatchIndex(text); l != nil {
			var vals []string
			for _, part := range regexp.MustCompile(`,\s*|\s+or\s+|\s+and\s+`).Split(text[l[2]:l[3]], -1) {
				v := strings.Trim(strings.TrimSpace(part), "`'\".()")
				v = strings.TrimPrefix(strings.TrimPrefix(v, "or "), "and ")
				if v != "" && !strings.Contains(v, " ") {
					vals = append(vals, v)
				}
			}
			if len(vals) >= 2 {
				add(answer{Column: about(l[0]), Test: "accepted_values", Values: vals})
			}
		}
		if r := ruleRefRE.FindStringSubmatchIndex(text); r != nil {
			col := about(r[0])
			target := strings.ToLower(text[r[2]:r[3]])
			field := ""
			if r[4] >= 0 {
				field = text[r[4]:r[5]]
			}
			for _, name := range sortedKeys(models) {
				if name != target && !strings.HasSuffix(name, "_"+target) {
					continue
				}
				if field == "" {
					for _, c := range models[name] {
						if strings.EqualFold(c, col) {
							field = c
						}
					}
				}
				if field != "" {
					add(answer{Column: col, Test: "relationships", To: name, Field: field})
				}
				break
			}
		}
		if !utils {
			continue
		}
		if b := ruleBetweenRE.FindStringSubmatchIndex(text); b != nil {
			add(answer{Column: about(b[0]), Test: "accepted_range", MinValue: text[b[2]:b[3]], MaxValue: text[b[4]:b[5]]})
			continue
		}
		var rng answer
		at := -1
		if lo := ruleMinRE.FindStringSubmatchIndex(text); lo != nil {
			rng.Test, rng.MinValue, at = "accepted_range", "0", lo[0]
			for _, g := range []int{2, 4} {
				if lo[g] >= 0 {
					rng.MinValue = text[lo[g]:lo[g+1]]
				}
			}
		}
		if hi := ruleMaxRE.FindStringSubmatchIndex(text); hi != nil {
			rng.Test, rng.MaxValue = "accepted_range", text[hi[2]:hi[3]]
			if at < 0 {
				at = hi[0]
			}
		}
		if rng.Test != "" {
			rng.Column = about(at)
			add(rng)
		}
	}
	b, _ := json.Marshal(out)
	return string(b)
}

// columnBefore is the column of cols the text names last before position at.
func columnBefore(text string, at int, cols []string) string {
	low := strings.ToLower(text[:max(at, 0)])
	best, pos := "", -1
	for _, c := range cols {
		for _, form := range []string{strings.ToLower(c), strings.ReplaceAll(strings.ToLower(c), "_", " ")} {
			re := regexp.MustCompile(`(^|[^a-z0-9_])` + regexp.QuoteMeta(form) + `($|[^a-z0-9_])`)
			for _, loc := range re.FindAllStringIndex(low, -1) {
				if loc[0] > pos {
					best, pos = c, loc[0]
				}
			}
		}
	}
	return best
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

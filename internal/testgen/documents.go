package testgen

import (
	"strings"

	"github.com/dataops-dev/dataops/internal/lazyregexp"
)

// What the project's own documents say about a column: the values a description lists
// ("Possible values are `allow` or `deny`", a bullet list, a markdown table of statuses) and
// the model a description names as the one a key refers to ("Foreign key to `dim_stops`").
// Descriptions arrive with their docs blocks already resolved by the loader; a data
// dictionary adds one more description per column name.

// Glossary is a data dictionary: a description per column name. The Schema Synthesizer's
// dictionary satisfies it.
type Glossary interface {
	Lookup(column string) (string, bool)
}

// docValues is a value list read from a description.
type docValues struct {
	values []string
	// formatted: every value was written as code or in quotes, so its spelling is meant
	// literally; plain words may differ in case from the data.
	formatted bool
}

// listIntro finds the phrases that announce a value list. The list follows the match.
var listIntro = lazyregexp.New(`(?i)\b(?:(?:possible|valid|allowed|accepted|permitted|expected|supported)\s+values?(?:\s+for\s+this\s+(?:field|column))?(?:\s+(?:are|is|include|includes))?|values?\s+(?:are|include)|(?:is|must\s+be|can\s+be)\s+(?:one\s+of|either)|(?:may|can)\s+be|one\s+of(?:\s+the\s+following(?:\s+\w+)?)?|takes?\s+(?:one\s+of\s+)?the\s+(?:following\s+)?values|either|options\s+are|enum(?:eration)?)[ \t]*(?:[:\-–][ \t]*)?`)

// maxListValues is the longest list taken from prose: a longer enumeration is more often a
// catalogue than the closed set a test pins down.
const maxListValues = 30

// valuesIn reads the value list a description gives, or nil. A list needs at least two
// values; prose items longer than a few words mean the "list" was a sentence.
func valuesIn(desc string) *docValues {
	if desc == "" {
		return nil
	}
	if v := tableValues(desc); v != nil {
		return v
	}
	for _, loc := range listIntro.FindAllStringIndex(desc, -1) {
		if sampledIntro(desc, loc[0]) {
			// "Common values include ...": a sample, not the set (examples.go).
			continue
		}
		rest := desc[loc[1]:]
		if v := bulletValues(rest); v != nil {
			return v
		}
		if v := inlineValues(rest); v != nil {
			return v
		}
		if strings.Contains(strings.ToLower(desc[loc[0]:loc[1]]), "value") {
			if v := qualifiedValues(rest); v != nil {
				return v
			}
		}
	}
	if v := pipeValues(desc); v != nil {
		return v
	}
	if v := legendValues(desc); v != nil {
		return v
	}
	if v := quotedValues(desc); v != nil {
		return v
	}
	if v := foldedBullets(desc); v != nil {
		return v
	}
	if v := dashValues(desc); v != nil {
		return v
	}
	if v := thatIsValues(desc); v != nil {
		return v
	}
	if v := colonValues(desc); v != nil {
		return v
	}
	if v := parenValues(desc); v != nil {
		return v
	}
	return conditionalValues(desc)
}

// qualifiedValues reads a list that a short clause separates from an intro naming values,
// after a colon: "accepted values according to the billing team: gold, silver, and bronze".
func qualifiedValues(s string) *docValues {
	end := sentenceEnd(s)
	i := strings.Index(s[:end], ": ")
	if i < 0 || strings.ContainsAny(s[:i], "`'\"(") || len(strings.Fields(s[:i])) > maxQualifierWords {
		return nil
	}
	return inlineValues(s[i+2:])
}

// maxQualifierWords is the longest clause between a list's intro and its colon.
const maxQualifierWords = 8

// inlineValues reads "a, b, or c" up to the end of the sentence.
func inlineValues(s string) *docValues {
	s = strings.TrimLeft(s, " \t")
	if strings.HasPrefix(s, "\n") {
		return nil
	}
	end := sentenceEnd(s)
	s = s[:end]
	// A parenthesized list is the list: "One of (`A`, `B`)".
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")") {
		s = s[1 : len(s)-1]
	}
	s = dropParens(s)
	var parts []string
	for _, part := range splitOutsideCode(s) {
		part = strings.TrimSpace(part)
		for _, w := range []string{"or ", "and ", "either "} {
			part = strings.TrimPrefix(part, w)
		}
		if part = strings.TrimSpace(part); part != "" {
			parts = append(parts, part)
		}
	}
	return cleanValues(listItems(parts))
}

// bulletValues reads a list of bullet lines right after the intro: "* `single`",
// "- 1: walkway", "• 2: stairs".
func bulletValues(s string) *docValues {
	lines := strings.Split(s, "\n")
	if len(lines) < 3 || strings.TrimSpace(lines[0]) != "" {
		return nil
	}
	var items []string
	for _, l := range lines[1:] {
		t := strings.TrimSpace(l)
		if t == "" {
			if len(items) == 0 {
				continue
			}
			break
		}
		var body string
		for _, b := range []string{"* ", "- ", "• ", "•"} {
			if strings.HasPrefix(t, b) {
				body = strings.TrimSpace(t[len(b):])
				break
			}
		}
		if body == "" {
			break
		}
		items = append(items, bulletTerm(body))
	}
	return cleanValues(items)
}

// bulletTerm is the value a bullet line names: its leading code span, else what comes before
// a colon or a dash that starts its explanation.
func bulletTerm(body string) string {
	if strings.HasPrefix(body, "`") {
		if i := strings.IndexByte(body[1:], '`'); i >= 0 {
			return body[:i+2]
		}
	}
	for _, sep := range []string{": ", " - ", " – ", " — ", ":"} {
		if i := strings.Index(body, sep); i > 0 {
			return strings.TrimSpace(body[:i])
		}
	}
	return body
}

// tableValues reads the first column of a markdown table whose header names a value column.
func tableValues(s string) *docValues {
	var rows [][]string
	for _, l := range strings.Split(s, "\n") {
		t := strings.TrimSpace(l)
		if !strings.HasPrefix(t, "|") {
			if len(rows) > 0 {
				break
			}
			continue
		}
		cells := strings.Split(strings.Trim(t, "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		rows = append(rows, cells)
	}
	if len(rows) < 4 || !isRule(rows[1]) {
		return nil
	}
	head := strings.ToLower(strings.Trim(rows[0][0], "`*"))
	switch head {
	case "value", "values", "code", "status", "state", "type", "name", "key", "category", "kind", "level":
	default:
		if !strings.HasSuffix(head, "_status") && !strings.HasSuffix(head, "_type") && !strings.HasSuffix(head, "_code") {
			return nil
		}
	}
	var items []string
	for _, r := range rows[2:] {
		items = append(items, r[0])
	}
	return cleanValues(items)
}

func isRule(cells []string) bool {
	for _, c := range cells {
		if strings.Trim(c, "-: ") != "" {
			return false
		}
	}
	return true
}

// cleanValues unquotes the items and keeps the list only when every item looks like one
// value: written as code or in quotes, or a single short word.
func cleanValues(items []string) *docValues {
	if len(items) < 2 || len(items) > maxListValues {
		return nil
	}
	out := &docValues{formatted: true}
	seen := map[string]bool{}
	for _, it := range items {
		it = strings.TrimSpace(strings.TrimRight(strings.TrimSpace(it), ".;"))
		v, quoted := unquoteValue(it)
		if quoted && strings.HasSuffix(v, ",") {
			// "Passenger," "Total Other.": words quoted from prose, not values.
			return nil
		}
		if !quoted {
			out.formatted = false
			if strings.ContainsAny(v, " \t`'\"()[]{}") && !titleWords(v) || len(v) > 40 || v == "" {
				return nil
			}
		}
		if v == "" && !quoted || len(v) > 80 {
			return nil
		}
		if !seen[v] {
			seen[v] = true
			out.values = append(out.values, v)
		}
	}
	if len(out.values) < 2 {
		return nil
	}
	return out
}

// unquoteValue strips one layer of code or quote marks.
func unquoteValue(s string) (string, bool) {
	if len(s) >= 2 {
		switch {
		case s[0] == '`' && s[len(s)-1] == '`' && !strings.Contains(s[1:len(s)-1], "`"),
			s[0] == '\'' && s[len(s)-1] == '\'' && !strings.Contains(s[1:len(s)-1], "'"),
			s[0] == '"' && s[len(s)-1] == '"' && !strings.Contains(s[1:len(s)-1], `"`):
			return s[1 : len(s)-1], true
		case strings.HasPrefix(s, "“") && strings.HasSuffix(s, "”") && len(s) > len("“”"):
			return s[len("“") : len(s)-len("”")], true
		}
	}
	return s, false
}

// sentenceEnd is where the sentence starting at s ends: a period, semicolon or line break
// outside code spans.
func sentenceEnd(s string) int {
	inCode := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '`':
			inCode = !inCode
		case inCode:
		case c == '\n', c == ';':
			return i
		case c == '.' && (i+1 == len(s) || s[i+1] == ' ' || s[i+1] == '\n'):
			return i
		}
	}
	return len(s)
}

// splitOutsideCode splits on commas, " or " and " and " that are not inside code spans or
// quotes.
func splitOutsideCode(s string) []string {
	var out []string
	start, inCode, inQuote := 0, false, byte(0)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '`' && inQuote == 0:
			inCode = !inCode
		case inCode:
		case (c == '\'' || c == '"') && (inQuote == 0 && (i == 0 || s[i-1] == ' ' || s[i-1] == ',' || s[i-1] == '(') || inQuote == c):
			if inQuote == c {
				inQuote = 0
			} else {
				inQuote = c
			}
		case inQuote != 0:
		case c == ',' || c == '/':
			out = append(out, s[start:i])
			start = i + 1
		case c == ' ' && (strings.HasPrefix(s[i:], " or ") || strings.HasPrefix(s[i:], " and ")):
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// dropParens removes parenthesized remarks outside code and quotes: "A (default label) or
// B", but not "'small (2-10)'". A quote opens only where a word may start, as in
// splitOutsideCode, so that an apostrophe is no quote.
func dropParens(s string) string {
	var b strings.Builder
	depth, inCode, inQuote := 0, false, byte(0)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '`' && depth == 0 && inQuote == 0:
			inCode = !inCode
			b.WriteByte(c)
		case inCode:
			b.WriteByte(c)
		case depth == 0 && (c == '\'' || c == '"') && (inQuote == c || inQuote == 0 && (i == 0 || s[i-1] == ' ' || s[i-1] == ',' || s[i-1] == '/')):
			if inQuote == c {
				inQuote = 0
			} else {
				inQuote = c
			}
			b.WriteByte(c)
		case inQuote != 0:
			b.WriteByte(c)
		case c == '(':
			depth++
		case c == ')' && depth > 0:
			depth--
		case depth == 0:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// refIntro finds the phrases that say a column refers to another relation; the relation
// follows the match.
var refIntro = lazyregexp.New(`(?i)\b(?:foreign\s+key|fk|surrogate\s+key|key|id|identifier)\s+(?:to|for|from|of|into|in|referencing|references|pointing\s+to)\s+(?:the\s+|an?\s+)?|\b(?:references|refers\s+to|links\s+to|joins?\s+(?:to|with)|used\s+for\s+joining\s+(?:to|with))\s+(?:the\s+|an?\s+)?`)

// refPhrase is an entity of two or three words before the word for a table: "the insurance
// plan table", "late charge adjustment table".
var refPhrase = lazyregexp.New(`^([A-Za-z]+(?:\s+[A-Za-z]+){1,2})\s+(?:table|dimension|relation|entity)\b`)

var refWords = lazyregexp.New("^`?([A-Za-z_][A-Za-z0-9_]*)(?:\\.([A-Za-z_][A-Za-z0-9_]*))?`?(?:\\s+(table|model|dimension|dim|relation|view|entity|record|records))?")

// docRef is a relation a description says a column refers to: a model name as written, or
// the entity a "<entity> table" phrase names.
type docRef struct {
	model  string // a name as written, to look up among the project's models
	field  string // the column, when written as model.column
	entity string // from "the customers table", "event dimension"
}

// refsIn lists the relations a description names as the one the column refers to.
func refsIn(desc string) []docRef {
	var out []docRef
	for _, loc := range refIntro.FindAllStringIndex(desc, -1) {
		if m := refPhrase.FindStringSubmatch(desc[loc[1]:]); m != nil {
			e := strings.ToLower(strings.Join(strings.Fields(m[1]), "_"))
			// The first word alone may still name a model ("the customers dimension table").
			out = append(out, docRef{model: e, entity: e})
		}
		m := refWords.FindStringSubmatch(desc[loc[1]:])
		if m == nil {
			continue
		}
		r := docRef{model: m[1], field: m[2]}
		if m[3] != "" {
			r.entity = strings.ToLower(m[1])
		}
		out = append(out, r)
	}
	return out
}

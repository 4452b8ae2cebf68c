package testgen

import (
	"strings"

	"github.com/dataops-dev/dataops/internal/lazyregexp"
)

// More of the ways a description lists a column's values, beyond an announced list
// (documents.go): after a dash ("where the category came from - seed, llm_discovered or
// manual"), in a closing parenthesis ("format of the course (Online, Other, Hybrid)"), each
// quoted value followed by what it means ("'course' for course runs, 'program' for
// programs"), a list that ends in a clause ("a and b, but only a is used") or in the words for
// no value ("Spring, Fall, or blank"). Each form asks more of the list than an announced one:
// a dash or a parenthesis is as often an aside as a list.

// dashIntro finds a dash that sets a list apart from the phrase it explains.
var dashIntro = lazyregexp.New(`\s(?:-|–|—)\s+`)

// dashValues reads a list that follows a dash and runs to the end of its sentence: the values
// offered as alternatives ("a, b or c") or all quoted.
func dashValues(desc string) *docValues {
	for _, loc := range dashIntro.FindAllStringIndex(desc, -1) {
		rest := desc[loc[1]:]
		body := strings.TrimSpace(rest[:sentenceEnd(rest)])
		v := inlineValues(body)
		if v == nil {
			continue
		}
		if v.formatted || alternatives(body) && singleWords(v.values) {
			return v
		}
	}
	return nil
}

// foldedBullet finds one item of a bullet list that YAML's folded style (`>`) ran into one
// line: "Method of payment: - CHECK: Check payments - CASH: Cash payments". Its term is a
// single code-like token (CHECK, credit_card, 3), before a colon, an equals sign or a dash.
// bulletMark finds every bullet, so that a list whose bullets are prose names no values.
var (
	foldedBullet = lazyregexp.New(`(?:^|\s)[-*•]\s+[` + "`" + `'"]?([A-Z0-9][A-Z0-9_]*|[a-z][a-z0-9_]*)[` + "`" + `'"]?\s*(?::|=|\s[-–—])\s`)
	bulletMark   = lazyregexp.New(`(?:^|\s)[-*•]\s+\S`)
)

// foldedBullets reads the values of a bullet list folded into one line, when every bullet of
// the description opens with a value and there are at least two. Lists still on their own
// lines are bulletValues'.
func foldedBullets(desc string) *docValues {
	if desc = strings.TrimSpace(desc); strings.Contains(desc, "\n") {
		return nil
	}
	items := foldedBullet.Regexp().FindAllStringSubmatch(desc, -1)
	if len(items) < 2 || len(items) != len(bulletMark.Regexp().FindAllStringIndex(desc, -1)) {
		return nil
	}
	terms := make([]string, len(items))
	for i, m := range items {
		terms[i] = m[1]
	}
	return cleanValues(terms)
}

// colonIntro finds a colon that opens what follows it: "Bucket: 'single' / 'small'".
var colonIntro = lazyregexp.New(`:\s+`)

// quotedValues reads a list whose every value is quoted or written as code, after a colon
// ("Bucket: 'single' / 'small (2-10)' / 'whale (>1000)'") or opening the description
// ("'usd' or 'native' - which unit the buckets apply to"). Quotes say the spelling is meant;
// an example ("e.g.: 'a', 'b'") is not the set.
func quotedValues(desc string) *docValues {
	starts := []int{0}
	for _, loc := range colonIntro.FindAllStringIndex(desc, -1) {
		if examplesFollow(desc[:loc[0]]) {
			continue
		}
		starts = append(starts, loc[1])
	}
	for _, at := range starts {
		rest := desc[at:]
		if q := quotedRe.FindStringIndex(rest); q == nil || q[0] != 0 {
			continue
		}
		if v := inlineValues(rest); v != nil && v.formatted {
			return v
		}
	}
	return nil
}

// thatIsIntro finds "i.e." (or "that is"), which, unlike "e.g.", restates the whole: "The
// type of agent, i.e. HYBRID or SERVERLESS".
var thatIsIntro = lazyregexp.New(`(?i)(?:^|[\s(,])(?:i\.\s?e\.?|that is)[,:]?\s+`)

// thatIsValues reads the alternatives of single words that follow "i.e." to the end of their
// sentence; "i.e." before prose ("i.e. the date it was placed") is no list.
func thatIsValues(desc string) *docValues {
	return wordAlternativesAfter(desc, thatIsIntro, nil)
}

// wordAlternativesAfter reads, after a match of intro (not one skip refuses, given the text
// before it), alternatives of single words to the end of their sentence (or of the
// parenthesis it sits in).
func wordAlternativesAfter(desc string, intro *lazyregexp.Regexp, skip func(before string) bool) *docValues {
	for _, loc := range intro.FindAllStringIndex(desc, -1) {
		if skip != nil && skip(desc[:loc[0]]) {
			continue
		}
		rest := desc[loc[1]:]
		body := strings.TrimSuffix(strings.TrimSpace(rest[:sentenceEnd(rest)]), ")")
		if v := inlineValues(body); v != nil && alternatives(body) && singleWords(v.values) {
			return v
		}
	}
	return nil
}

// examplesFollow says the words before a colon announce examples ("e.g.:", "for example:").
func examplesFollow(before string) bool {
	before = strings.TrimRight(strings.ToLower(before), ".")
	for _, w := range []string{"e.g", "example", "examples", "such as", "ex"} {
		if strings.HasSuffix(before, w) {
			return true
		}
	}
	return false
}

// colonValues reads plain words offered as alternatives after a colon, to the end of their
// sentence: "Discriminator for respondent type: staff, student, or family."
func colonValues(desc string) *docValues {
	return wordAlternativesAfter(desc, colonIntro, examplesFollow)
}

// alternatives says a prose list offers its items as choices: "a, b or c", "a or b".
func alternatives(body string) bool {
	return strings.Contains(dropParens(body), " or ")
}

// breakdownIntro finds, before a parenthesis, the words that make its list the parts of what
// is counted or summed: "Number of bytes used by all stages (named, table, and user)", "Count
// of orders (paid, refunded)". The list names kinds of another thing, not the column's values.
var breakdownIntro = lazyregexp.New(`(?i)\b(?:number|count|amount|sum|total)\s+of\b`)

// parenValues reads a parenthesized list that closes the description's first sentence:
// "(Online, Other, Hybrid)", "('mitxonline' or 'mitxpro')". Examples ("(e.g. a, b)") are not
// the whole set.
func parenValues(desc string) *docValues {
	s := strings.TrimSpace(desc)
	s = strings.TrimSpace(s[:sentenceEndParens(s)])
	if !strings.HasSuffix(s, ")") {
		return nil
	}
	open := strings.LastIndexByte(s, '(')
	if open < 0 {
		return nil
	}
	if breakdownIntro.MatchString(s[:open]) {
		return nil
	}
	// A list in parentheses may wrap lines; the parenthesis, not the line, closes it.
	body := strings.Join(strings.Fields(s[open+1:len(s)-1]), " ")
	if strings.Contains(body, "://") {
		return nil
	}
	low := strings.ToLower(body)
	for _, p := range []string{"e.g", "eg ", "i.e", "ie ", "such as", "for example", "like ", "see ", "ex.", "ex:"} {
		if strings.HasPrefix(low, p) {
			return nil
		}
	}
	v := inlineValues(body)
	if v == nil {
		return nil
	}
	if v.formatted {
		return v
	}
	// Plain words only: numbers in parentheses are more often the ones excluded or
	// referenced ("other than (5307, 5339)"), and names with spaces another thing's kinds.
	for _, val := range v.values {
		if !strings.ContainsAny(val, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") {
			return nil
		}
	}
	if singleWords(v.values) && (alternatives(body) || len(v.values) >= 3) {
		return v
	}
	if len(v.values) >= 3 && !strings.Contains(body, "/") && titleNames(v.values) {
		// "(Never Smoked, Ex-Smoker, Current Smoker, Unknown)": names in title case, a few
		// words each, are labels a CASE writes, not prose; alternatives inside them ("ACH
		// Payment/Withdrawal, Wire Transfer") name kinds of something else.
		return v
	}
	return nil
}

// titleNames says every value is a capitalized word or a short name in title case.
func titleNames(vals []string) bool {
	for _, v := range vals {
		if c := v[0]; strings.ContainsAny(v, " \t") && !titleWords(v) || !(c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// singleWords says no value has a space: the lists a dash or a parenthesis sets apart hold
// codes; names of several words there are more often prose.
func singleWords(vals []string) bool {
	for _, v := range vals {
		if strings.ContainsAny(v, " \t") {
			return false
		}
	}
	return true
}

// sentenceEndParens is sentenceEnd that does not end a sentence inside parentheses.
func sentenceEndParens(s string) int {
	depth, inCode := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '`':
			inCode = !inCode
		case inCode:
		case c == '(':
			depth++
		case c == ')':
			if depth > 0 {
				depth--
			}
		case depth > 0:
		case c == '\n', c == ';':
			return i
		case c == '.' && (i+1 == len(s) || s[i+1] == ' ' || s[i+1] == '\n'):
			return i
		}
	}
	return len(s)
}

// noValue are the words a list ends with to say the column may be empty: not values a test
// pins down.
var noValue = map[string]bool{"blank": true, "null": true, "empty": true, "nothing": true}

// openEnded are the words that end a list of examples.
var openEnded = map[string]bool{"etc": true, "etc.": true, "...": true, "…": true, "and so on": true, "and more": true, "others": true}

// listItems turns the parts of an inline list into its items: a closing clause cut off
// ("b, but only a is used"), a part of quoted values side by side split ("\"a\" \"b\""), a
// quoted value followed by its meaning reduced to the value when every part is quoted, and
// the words for no value dropped; nil for a list that ends in "etc".
func listItems(parts []string) []string {
	var items []string
	for _, part := range parts {
		part = strings.TrimSpace(part)
		if strings.HasPrefix(part, "but ") || strings.HasPrefix(part, "though ") || strings.HasPrefix(part, "although ") {
			break
		}
		if qs := sideBySide(part); qs != nil {
			items = append(items, qs...)
			continue
		}
		items = append(items, part)
	}
	if heads := quotedHeads(items); heads != nil {
		items = heads
	}
	if n := len(items); n > 0 && openEnded[strings.ToLower(strings.Trim(strings.TrimSpace(items[n-1]), "`'\"“”"))] {
		// "'public', 'private', 'etc'": examples of an open set, not the set.
		return nil
	}
	out := items[:0]
	for _, it := range items {
		if noValue[strings.ToLower(strings.Trim(strings.TrimRight(it, ".;"), "`'\"“”"))] {
			continue
		}
		out = append(out, it)
	}
	return out
}

var sideBySideRe = lazyregexp.New(`^(?:"[^"]+"\s+)+"[^"]+"$|^(?:'[^']+'\s+)+'[^']+'$|^(?:` + "`[^`]+`" + `\s+)+` + "`[^`]+`$")
var quotedRe = lazyregexp.New(`"[^"]+"|'[^']+'|` + "`[^`]+`")

// sideBySide splits quoted values written one after the other without a comma.
func sideBySide(part string) []string {
	if !sideBySideRe.MatchString(part) {
		return nil
	}
	return quotedRe.FindAllString(part, -1)
}

// quotedHeads reduces "'course' for course run certificates" to "'course'" when every item
// opens with a quoted value and at least one goes on to explain it; nil otherwise.
func quotedHeads(items []string) []string {
	if len(items) < 2 {
		return nil
	}
	out := make([]string, 0, len(items))
	explained := false
	for _, it := range items {
		loc := quotedRe.FindStringIndex(it)
		if loc == nil || loc[0] != 0 {
			if noValue[strings.ToLower(strings.TrimRight(it, ".;"))] {
				out = append(out, it)
				continue
			}
			return nil
		}
		if rest := strings.TrimSpace(it[loc[1]:]); rest != "" {
			explained = true
		}
		out = append(out, it[:loc[1]])
	}
	if !explained {
		return nil
	}
	return out
}

// titleWords says an unquoted item is a short name in title case ("January IAP", "New
// Business"): a value with spaces that is no sentence.
func titleWords(s string) bool {
	ws := strings.Fields(s)
	if len(ws) < 2 || len(ws) > 3 {
		return false
	}
	for _, w := range ws {
		c := w[0]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
		if strings.ContainsAny(w, "`'\"()[]{}") {
			return false
		}
	}
	return true
}

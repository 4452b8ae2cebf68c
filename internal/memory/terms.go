package memory

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Terms returns the lower-cased terms of text as keyword search sees them. Data people write
// identifiers in prose ("joins on cust_id"), and search for them by their parts, so an
// identifier gives each of its snake_case, camelCase or digit-free parts and also the whole
// identifier; a part that is a common data abbreviation (amt, qty, dt, ...) also gives its
// expansion. Plurals fold to the singular ("orders" finds "order"), the whole identifier is
// kept as written so an exact name still scores highest.
func Terms(text string) []string {
	var out []string
	for _, w := range splitWords(text) {
		out = appendWordTerms(out, w)
	}
	return out
}

// word is one run of letters, digits and underscores, with its parts.
type word struct {
	whole string   // lower-cased, surrounding underscores trimmed
	parts []string // lower-cased; one part (== whole) for a plain word
}

func appendWordTerms(out []string, w word) []string {
	for _, p := range w.parts {
		out = append(out, fold(p))
		for _, e := range abbreviations[p] {
			out = append(out, fold(e))
		}
	}
	if len(w.parts) > 1 {
		out = append(out, w.whole)
	}
	return out
}

func splitWords(text string) []word {
	var words []word
	start := -1
	for i, r := range text {
		in := r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)
		switch {
		case in && start < 0:
			start = i
		case !in && start >= 0:
			words = appendWord(words, text[start:i])
			start = -1
		}
	}
	if start >= 0 {
		words = appendWord(words, text[start:])
	}
	return words
}

func appendWord(words []word, raw string) []word {
	raw = strings.Trim(raw, "_")
	if raw == "" {
		return words
	}
	parts := splitIdentifier(raw)
	if len(parts) == 0 {
		return words
	}
	return append(words, word{whole: strings.ToLower(raw), parts: parts})
}

// splitIdentifier cuts at underscores, at a lower-to-upper change (orderDate), and before the
// last capital of a capital run followed by a lower-case letter (HTTPServer: http, server).
func splitIdentifier(s string) []string {
	var parts []string
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			parts = append(parts, cur.String())
			cur.Reset()
		}
	}
	var prev rune
	for i, r := range s {
		if r == '_' {
			flush()
			prev = r
			continue
		}
		if unicode.IsUpper(r) && cur.Len() > 0 {
			next, _ := utf8.DecodeRuneInString(s[i+utf8.RuneLen(r):])
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && unicode.IsLower(next)) {
				flush()
			}
		}
		cur.WriteRune(unicode.ToLower(r))
		prev = r
	}
	flush()
	return parts
}

// fold maps an English plural to its singular, enough for column and model names; it leaves
// words that merely end in s (status, address, analysis) alone.
func fold(w string) string {
	n := len(w)
	switch {
	case n <= 3 || w[n-1] != 's':
		return w
	case strings.HasSuffix(w, "ies") && n > 4:
		return w[:n-3] + "y"
	case strings.HasSuffix(w, "sses"), strings.HasSuffix(w, "xes"), strings.HasSuffix(w, "ches"), strings.HasSuffix(w, "shes"):
		return w[:n-2]
	case strings.HasSuffix(w, "ss"), strings.HasSuffix(w, "us"), strings.HasSuffix(w, "is"):
		return w
	}
	return w[:n-1]
}

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
	out := make([]string, 0, len(text)/4+2)
	eachWord(text, func(w word) { out = appendWordTerms(out, w) })
	return out
}

// word is one run of letters, digits and underscores, with its parts.
type word struct {
	raw   string   // as written, surrounding underscores trimmed
	parts []string // lower-cased; one part for a plain word; valid only during the callback
}

// whole is the lower-cased identifier.
func (w word) whole() string { return strings.ToLower(w.raw) }

func appendWordTerms(out []string, w word) []string {
	for _, p := range w.parts {
		out = append(out, fold(p))
		for _, e := range abbreviations[p] {
			out = append(out, fold(e))
		}
	}
	if len(w.parts) > 1 {
		out = append(out, w.whole())
	}
	return out
}

// eachWord calls fn for each word of text, in order, reusing one parts slice so that
// tokenising allocates little: the keyword index runs it over every text on open.
func eachWord(text string, fn func(word)) {
	var parts []string
	emit := func(raw string) {
		raw = strings.Trim(raw, "_")
		if raw == "" {
			return
		}
		parts = splitIdentifier(parts[:0], raw)
		if len(parts) > 0 {
			fn(word{raw: raw, parts: parts})
		}
	}
	start := -1
	for i, r := range text {
		in := r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)
		switch {
		case in && start < 0:
			start = i
		case !in && start >= 0:
			emit(text[start:i])
			start = -1
		}
	}
	if start >= 0 {
		emit(text[start:])
	}
}

// splitIdentifier cuts at underscores, at a lower-to-upper change (orderDate), and before the
// last capital of a capital run followed by a lower-case letter (HTTPServer: http, server).
func splitIdentifier(parts []string, s string) []string {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return splitIdentifierUnicode(parts, s)
		}
	}
	// ASCII, nearly every identifier and word: parts are substrings of s, lower-cased only
	// when they hold a capital.
	start, upper := -1, false
	flush := func(end int) {
		if start >= 0 && end > start {
			p := s[start:end]
			if upper {
				p = strings.ToLower(p)
			}
			parts = append(parts, p)
		}
		start, upper = -1, false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '_' {
			flush(i)
			continue
		}
		isUpper := 'A' <= c && c <= 'Z'
		if isUpper && start >= 0 && i > start {
			prev := s[i-1]
			prevLower := 'a' <= prev && prev <= 'z'
			prevDigit := '0' <= prev && prev <= '9'
			prevUpper := 'A' <= prev && prev <= 'Z'
			nextLower := i+1 < len(s) && 'a' <= s[i+1] && s[i+1] <= 'z'
			if prevLower || prevDigit || (prevUpper && nextLower) {
				flush(i)
			}
		}
		if start < 0 {
			start = i
		}
		upper = upper || isUpper
	}
	flush(len(s))
	return parts
}

func splitIdentifierUnicode(parts []string, s string) []string {
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

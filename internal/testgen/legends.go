package testgen

import (
	"strings"

	"github.com/dataops-dev/dataops/internal/lazyregexp"
)

// Legends: a description that explains a coded column code by code, one per line
// ("Code for the patient's relation to the subscriber:\n0 = Self\n1 = Spouse\n2 = Child") or
// in one run of pairs ("(0=Bill Insurance, 1=Do Not Bill Insurance)"). The codes are the
// column's values, written as the source writes them; the labels are what they mean. A legend
// announces no list the way documents.go's intros do, so it asks for a shape of its own: at
// least two codes, all numbers or all short upper-case codes (or all quoted), each with a
// label that starts with a letter, on lines that follow a line ending in a colon (or that
// open the description), or two pairs or more in one line.

// legendCode is one code of a legend: an integer, a short upper-case code, or a quoted value.
const legendCode = `(?:-?\d{1,6}|[A-Z][A-Z0-9_]{0,5}|'[^'\n]{1,40}'|"[^"\n]{1,40}"|` + "`[^`\\n]{1,40}`" + `)`

// legendLine is one line of a legend: a bullet may open it, several codes may share a label
// ("6, 8: additional modes").
var legendLine = lazyregexp.New(`^\s*(?:[-*•]\s*)?(` + legendCode + `(?:\s*,\s*` + legendCode + `)*)\s*(?:=>|→|=|:|–|—|\s-)\s*[A-Za-z(]`)

// legendPair is one pair of an inline legend, the code after an opening, a comma or a space.
var legendPair = lazyregexp.New(`(?:^|[\s(,;])(` + legendCode + `)\s?=\s?[A-Za-z]`)

var legendSplit = lazyregexp.New(`\s*,\s*`)

// legendValues reads the codes of a legend, or nil.
func legendValues(desc string) *docValues {
	if v := lineLegend(desc); v != nil {
		return v
	}
	for _, line := range strings.Split(desc, "\n") {
		ms := legendPair.FindAllStringSubmatchIndex(line, -1)
		if len(ms) < 2 || legendAfterExamples(line[:ms[0][2]]) {
			continue
		}
		codes := make([]string, len(ms))
		for i, m := range ms {
			codes[i] = line[m[2]:m[3]]
		}
		if v := legendCodes(codes); v != nil {
			return v
		}
	}
	return nil
}

// lineLegend reads the first run of two legend lines or more that opens the description or
// follows a line ending in a colon. A blank line or any other line ends the run: what comes
// after it ("Note: other standard values ... are not used") is not the set.
func lineLegend(desc string) *docValues {
	lines := strings.Split(desc, "\n")
	for i := 0; i < len(lines); i++ {
		if !legendLine.MatchString(lines[i]) {
			continue
		}
		if prev := lastNonBlank(lines[:i]); prev != "" && (!strings.HasSuffix(prev, ":") || legendAfterExamples(prev)) {
			continue
		}
		var codes []string
		j := i
		for ; j < len(lines); j++ {
			m := legendLine.FindStringSubmatch(lines[j])
			if m == nil {
				break
			}
			codes = append(codes, legendSplit.Split(m[1], -1)...)
		}
		if j-i >= 2 {
			return legendCodes(codes)
		}
		i = j
	}
	return nil
}

func lastNonBlank(lines []string) string {
	for i := len(lines) - 1; i >= 0; i-- {
		if t := strings.TrimSpace(lines[i]); t != "" {
			return t
		}
	}
	return ""
}

// legendCodes keeps a legend's codes when they are of one kind (numbers, upper-case codes or
// quoted values) and distinct: a mix is prose that happens to hold a colon.
func legendCodes(codes []string) *docValues {
	if len(codes) < 2 || len(codes) > maxListValues {
		return nil
	}
	kind := func(c string) byte {
		switch {
		case c[0] == '-' || c[0] >= '0' && c[0] <= '9':
			return 'n'
		case c[0] >= 'A' && c[0] <= 'Z':
			return 'u'
		}
		return 'q'
	}
	out := &docValues{formatted: true}
	seen := map[string]bool{}
	k := kind(codes[0])
	for _, c := range codes {
		if kind(c) != k {
			return nil
		}
		v, _ := unquoteValue(c)
		if seen[v] {
			return nil
		}
		seen[v] = true
		out.values = append(out.values, v)
	}
	return out
}

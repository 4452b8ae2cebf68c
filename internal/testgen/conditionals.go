package testgen

import (
	"strings"

	"github.com/dataops-dev/dataops/internal/lazyregexp"
)

// Conditionals: a description that gives each value with the condition that produces it, as
// the CASE behind the column is written. "'safe' if the address is a Safe, else
// 'eoa_or_contract'." "Met if max_score >= benchmark_goal, Not Met otherwise, No Data if the
// student has no qualifying score." "Has IEP when ..., else when ..., otherwise No IEP." An
// "else" or "otherwise" closes the set, so the values named are all there is; without one
// ("'unknown' if no signal") the sentence names one value among others. Each value is
// quoted, or a short name in title case or a code in capitals: lower-case words there are
// more often columns ("origin_inviter when via the farm, else raw_inviter") and numbers
// counts ("1 if the user played the video, otherwise 0").
//
// Codes, each with what it stands for: "N for not homeless, Y1 for homeless while in the
// custody of a parent, Y2 for homeless and unaccompanied", "-1 for a future-dated
// enrollment, 3 for graduated, 0 for currently enrolled, 2 for withdrawn". Every clause of
// the sentence must be such a pair, codes all numbers or all capitals (a legend, legends.go).

var (
	condIf        = lazyregexp.New(`^(.+?)\s+(?:if|when)\s+\S`)
	condOtherwise = lazyregexp.New(`(?i)^(.+?)\s+(?:otherwise|else)$`)
	condElse      = lazyregexp.New(`(?i)^(?:else|otherwise)\s+(.+)$`)
	condElseIf    = lazyregexp.New(`(?i)^(?:else|otherwise)\s+(?:if|when)\s`)
	codeFor       = lazyregexp.New(`^(` + legendCode + `)\s+for\s+\S`)
	comparison    = lazyregexp.New(`\s(?:[<>!]?=|[<>])\s`)
)

// conditionalValues reads the values of a sentence that gives each with its condition, or of
// one that gives codes with their meanings; nil otherwise.
func conditionalValues(desc string) *docValues {
	ss := sentences(desc)
	for i, s := range ss {
		if v := ifElseValues(s); v != nil {
			return v
		}
		if v := codeForValues(s); v != nil {
			// "... 4 for hotels. Zero means no selection was made." (codemeans.go)
			for _, next := range ss[i+1:] {
				if c := codeMeansValue(next, v.values); c != "" {
					v.values = append(v.values, c)
					break
				}
			}
			return v
		}
	}
	return nil
}

// sentences splits a description into its sentences, and a sentence at a dash that starts
// what explains the words before it ("Homelessness code — N for not homeless, ...").
func sentences(desc string) []string {
	var out []string
	for rest := desc; strings.TrimSpace(rest) != ""; {
		end := sentenceEndParens(rest)
		s := strings.Join(strings.Fields(rest[:end]), " ")
		out = append(out, s)
		if i := dashIntro.FindStringIndex(s); i != nil {
			out = append(out, s[i[1]:])
		}
		if end >= len(rest) {
			break
		}
		rest = rest[end+1:]
	}
	return out
}

// clauses splits a sentence at its commas, parenthesized remarks set aside.
func clauses(s string) []string {
	var out []string
	for _, c := range strings.Split(dropParens(s), ",") {
		if c = strings.TrimSpace(c); c != "" {
			out = append(out, c)
		}
	}
	return out
}

func ifElseValues(s string) *docValues {
	cs := clauses(s)
	if len(cs) < 2 {
		return nil
	}
	var items []string
	closed := false
	for i, c := range cs {
		if condElseIf.MatchString(c) {
			// "else when the student carries an FEFP code": one more condition of the value
			// before it.
			if i == 0 {
				return nil
			}
			continue
		}
		// Each expression runs once: its submatch says whether it matched.
		m := condElse.FindStringSubmatch(c)
		if m == nil {
			m = condOtherwise.FindStringSubmatch(c)
		}
		if m != nil {
			closed = true
		} else if m = condIf.FindStringSubmatch(c); m == nil {
			return nil
		}
		label := strings.TrimSpace(m[1])
		if !conditionLabel(label) {
			return nil
		}
		items = append(items, label)
	}
	if !closed {
		return nil
	}
	return cleanValues(listItems(items))
}

// conditionLabel says a value named before its condition is one: quoted, a code in
// capitals, or a name of up to three words in title case; a word for no value too (it is
// dropped later).
func conditionLabel(s string) bool {
	if v, quoted := unquoteValue(s); quoted {
		// "`metric_rate >= goal_proportion` when ...": an expression, not a value.
		return !comparison.MatchString(v)
	}
	if noValue[strings.ToLower(s)] {
		return true
	}
	ws := strings.Fields(s)
	if len(ws) == 0 || len(ws) > 3 {
		return false
	}
	for _, w := range ws {
		if c := w[0]; !(c >= 'A' && c <= 'Z') || strings.ContainsAny(w, "`'\"()[]{}=<>") {
			return false
		}
	}
	return true
}

func codeForValues(s string) *docValues {
	cs := clauses(s)
	if len(cs) < 2 {
		return nil
	}
	var codes []string
	for _, c := range cs {
		for _, w := range []string{"or ", "and "} {
			c = strings.TrimPrefix(c, w)
		}
		m := codeFor.FindStringSubmatch(c)
		if m == nil {
			return nil
		}
		if strings.ContainsAny(m[1], "*%") {
			// "`chain.*` for on-chain actions": a pattern of values, not one.
			return nil
		}
		codes = append(codes, m[1])
	}
	return legendCodes(codes)
}

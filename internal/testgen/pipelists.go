package testgen

import (
	"strings"

	"github.com/dataops-dev/dataops/internal/lazyregexp"
)

// Pipes: a description that lists a column's values separated by vertical bars, as a type
// is written in code ("current (app.gnosis.io) | legacy (Metri) | both | none.", "Enum:
// personal | group | migration | other", "'onchain' | 'api' | NULL — which source..."). The
// list opens the description or follows a colon, and runs to the end of its sentence or to
// a dash that starts the explanation; each value is one word or code, or quoted, a remark in
// parentheses after it set aside. A bar inside a parenthesis ("(kind, log_index | order_uid)")
// is no list of the column's values.

// pipeSep splits a list written with bars.
var pipeSep = lazyregexp.New(`\s+\|\s+`)

// pipeValues reads a list written with bars, or nil.
func pipeValues(desc string) *docValues {
	if !strings.Contains(desc, " | ") {
		return nil
	}
	starts := []int{0}
	for _, loc := range colonIntro.FindAllStringIndex(desc, -1) {
		if !examplesFollow(desc[:loc[0]]) {
			starts = append(starts, loc[1])
		}
	}
	for _, at := range starts {
		rest := strings.TrimLeft(desc[at:], " \t\n")
		body := dropParens(rest[:sentenceEndParens(rest)])
		if i := dashIntro.FindStringIndex(body); i != nil {
			body = body[:i[0]]
		}
		parts := pipeSep.Split(strings.TrimSpace(body), -1)
		if len(parts) < 2 {
			continue
		}
		var items []string
		ok := true
		for _, p := range parts {
			p = strings.TrimSpace(strings.TrimRight(strings.TrimSpace(p), ".;,"))
			if _, quoted := unquoteValue(p); !quoted && (p == "" || strings.ContainsAny(p, " \t`'\"")) {
				ok = false
				break
			}
			items = append(items, p)
		}
		if !ok {
			continue
		}
		if v := cleanValues(listItems(items)); v != nil {
			return v
		}
	}
	return nil
}

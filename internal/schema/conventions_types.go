package schema

import (
	"fmt"
	"strings"
)

// checkBooleanPrefix: a boolean column reads as a question: `is_active`, `has_orders`.
func checkBooleanPrefix(c *Conventions, m *ModelFacts, out *[]Finding) {
	if len(c.BooleanPrefixes) == 0 {
		return
	}
	for i := range m.Columns {
		col := &m.Columns[i]
		// A leading underscore marks a column as internal (`_is_current`); the question is
		// what follows it.
		if typeClass(col.DataType) != "boolean" || hasAnyPrefix(strings.TrimLeft(strings.ToLower(col.Name), "_"), c.BooleanPrefixes) {
			continue
		}
		base := strings.ToLower(col.Name)
		// `isactive`, `is_active_flag`, `active_flag`: keep the meaning, drop the noise.
		for _, noise := range yesNoSuffixes {
			base = strings.TrimSuffix(base, "_"+noise)
		}
		for _, p := range []string{"is", "has"} {
			if strings.HasPrefix(base, p) && len(base) > len(p)+2 && !strings.HasPrefix(base, p+"_") {
				base = base[len(p):]
				break
			}
		}
		s := c.BooleanPrefixes[0] + strings.TrimLeft(base, "_")
		*out = append(*out, m.columnFinding(col, fmt.Sprintf("boolean column %q should start with %s", col.Name, orList(c.BooleanPrefixes)), s))
	}
}

// checkTimestampSuffix: a timestamp column says when something happened: `created_at`.
func checkTimestampSuffix(c *Conventions, m *ModelFacts, out *[]Finding) {
	suffixRule(c.TimestampSuffix, "timestamp", []string{"_timestamp", "_datetime", "_time", "_ts", "_dt", "_date", "_on"}, m, out)
}

// checkDateSuffix: a date column says which day: `order_date`.
func checkDateSuffix(c *Conventions, m *ModelFacts, out *[]Finding) {
	suffixRule(c.DateSuffix, "date", []string{"_dt", "_day", "_at", "_on"}, m, out)
}

func suffixRule(suffix, class string, replaceable []string, m *ModelFacts, out *[]Finding) {
	if suffix == "" {
		return
	}
	for i := range m.Columns {
		col := &m.Columns[i]
		name := strings.ToLower(col.Name)
		if typeClass(col.DataType) != class || strings.HasSuffix(name, suffix) || name == strings.TrimPrefix(suffix, "_") {
			continue
		}
		s := name
		for _, r := range replaceable {
			if strings.HasSuffix(s, r) && len(s) > len(r) {
				s = strings.TrimSuffix(s, r)
				break
			}
		}
		s += suffix
		*out = append(*out, m.columnFinding(col, fmt.Sprintf("%s column %q should end in %s", class, col.Name, suffix), s))
	}
}

// checkIDSuffix: an identifier written as one word (`customerid`) is `customer_id`. Words that
// merely end in "id" (paid, valid, uuid) are not identifiers.
func checkIDSuffix(c *Conventions, m *ModelFacts, out *[]Finding) {
	if c.IDSuffix == "" {
		return
	}
	word := strings.TrimPrefix(strings.ToLower(c.IDSuffix), "_")
	for i := range m.Columns {
		col := &m.Columns[i]
		name := strings.ToLower(col.Name)
		if !isSnake(col.Name) || !strings.HasSuffix(name, word) || strings.HasSuffix(name, c.IDSuffix) {
			continue
		}
		last := name[strings.LastIndexByte(name, '_')+1:]
		stem := strings.TrimSuffix(last, word)
		if len(stem) < 3 || notIDWords[last] {
			continue
		}
		s := strings.TrimSuffix(name, word) + c.IDSuffix
		*out = append(*out, m.columnFinding(col, fmt.Sprintf("identifier column %q should end in %s", col.Name, c.IDSuffix), s))
	}
}

// notIDWords end in "id" without being identifiers.
var notIDWords = map[string]bool{
	"paid": true, "unpaid": true, "prepaid": true, "postpaid": true, "overpaid": true, "valid": true,
	"invalid": true, "void": true, "avoid": true, "android": true, "hybrid": true, "rapid": true,
	"liquid": true, "fluid": true, "solid": true, "grid": true, "uuid": true, "guid": true,
	"acid": true, "humid": true, "vivid": true, "pyramid": true, "orchid": true, "squid": true,
	"covid": true, "said": true, "laid": true, "raid": true, "maid": true, "candid": true,
	"lucid": true, "rigid": true, "timid": true, "placid": true, "afraid": true, "mermaid": true,
	"druid": true, "david": true, "madrid": true, "stupid": true, "tepid": true, "insipid": true,
	"morbid": true, "torrid": true, "splendid": true, "intrepid": true, "braid": true,
	// identifiers whose standard name is one word: splitting them (orc_id) names nothing
	"orcid": true, "openid": true, "pmid": true, "pmcid": true, "ssid": true, "bssid": true, "rowid": true,
}

func hasAnyPrefix(s string, ps []string) bool {
	for _, p := range ps {
		if strings.HasPrefix(s, strings.ToLower(p)) {
			return true
		}
	}
	return false
}

func orList(xs []string) string {
	switch len(xs) {
	case 0:
		return ""
	case 1:
		return xs[0]
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " or " + xs[len(xs)-1]
}

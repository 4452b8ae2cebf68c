package testgen

import (
	"strconv"
	"strings"
)

// Value sets for accepted_values: how they are written for the column's type, and when a set
// seen in the data is closed and stable enough to pin down.
//
// The rule for data: a column gets a value set from its data only when
//   - its name is not an id, key, time, amount, count or free-text name (those are not
//     enumerations even when a small table makes them look like one), and its type is text or
//     an integer named as a code, type, status, level or tier (booleans need no set; floats
//     and dates are measures);
//   - it holds at most maxDataValues distinct values, over at least minDataRows rows;
//   - every value recurs: the rows number at least minRowsPerValue per distinct value, and no
//     value is seen fewer than minValueCount times (a value seen once is the tail of a set
//     that is still growing, which a test would turn into a failure next week);
//   - no value is longer than maxValueLen bytes.

const (
	maxDataValues   = 12
	minDataRows     = 20
	minRowsPerValue = 5
	minValueCount   = 2
	// maxValueLen: a longer value is text, not a code.
	maxValueLen = 100
)

// enumSuffixes name the integer columns that are codes rather than quantities.
var enumSuffixes = []string{"_code", "_type", "_status", "_state", "_level", "_tier", "_category", "_kind", "_class", "_flag", "_mode"}

// notEnumSuffixes name columns that are never a closed set of values.
var notEnumSuffixes = []string{
	"_id", "_key", "_sk", "_pk", "_fk", "_at", "_ts", "_timestamp", "_time", "_date", "_day", "_month", "_year",
	"_count", "_cnt", "_number", "_num", "_amount", "_amt", "_usd", "_price", "_cost", "_revenue", "_total", "_sum",
	"_name", "_email", "_url", "_uri", "_description", "_desc", "_comment", "_note", "_notes", "_message", "_text",
	"_title", "_address", "_phone", "_hash", "_ip", "_path", "_version", "_pct", "_percent", "_rate", "_ratio",
}

// enumCandidate says whether a column's name allows a value set from data.
func enumCandidate(name string) bool {
	l := strings.ToLower(name)
	if isIDLike(l) || l == "name" || l == "email" || l == "description" || l == "date" {
		return false
	}
	for _, s := range notEnumSuffixes {
		if strings.HasSuffix(l, s) {
			return false
		}
	}
	for _, p := range []string{"is_", "has_", "was_", "should_", "can_"} {
		if strings.HasPrefix(l, p) {
			return false
		}
	}
	return true
}

// typeClass sorts a SQL type name: "number", "integer", "boolean", "time", "text" or "".
func typeClass(t string) string {
	t = strings.ToLower(strings.TrimSpace(t))
	switch {
	case t == "":
		return ""
	case strings.HasPrefix(t, "bool"):
		return "boolean"
	case strings.Contains(t, "int") && !strings.Contains(t, "interval") && !strings.Contains(t, "point"):
		return "integer"
	case strings.HasPrefix(t, "numeric"), strings.HasPrefix(t, "decimal"), strings.HasPrefix(t, "number"),
		strings.HasPrefix(t, "float"), strings.HasPrefix(t, "double"), t == "real",
		strings.HasPrefix(t, "bignumeric"), strings.HasPrefix(t, "bigdecimal"), strings.HasPrefix(t, "dec("), t == "dec",
		t == "money", t == "smallmoney":
		return "number"
	case strings.HasPrefix(t, "date"), strings.HasPrefix(t, "time"), strings.HasPrefix(t, "interval"):
		return "time"
	case strings.HasPrefix(t, "varchar"), strings.HasPrefix(t, "char"), strings.HasPrefix(t, "text"),
		strings.HasPrefix(t, "string"), strings.HasPrefix(t, "character"), t == "bpchar", t == "name":
		return "text"
	}
	return ""
}

// dataValueSet applies the rule above to one column's data; it returns the values (most
// frequent first) and why they qualify, or nil.
func dataValueSet(name string, cd ColumnData) ([]string, string) {
	if !enumCandidate(name) || cd.Values == nil || cd.Distinct < 2 || cd.Distinct > maxDataValues {
		return nil, ""
	}
	switch typeClass(cd.Type) {
	case "text":
	case "integer":
		l := strings.ToLower(name)
		ok := false
		for _, s := range enumSuffixes {
			ok = ok || strings.HasSuffix(l, s) || l == s[1:]
		}
		if !ok {
			return nil, ""
		}
	default:
		return nil, ""
	}
	nonNull := cd.Rows - cd.Nulls
	if nonNull < minDataRows || nonNull < minRowsPerValue*cd.Distinct || int64(len(cd.Values)) != cd.Distinct {
		return nil, ""
	}
	vals := make([]string, 0, len(cd.Values))
	for _, v := range cd.Values {
		if v.Count < minValueCount || len(v.Value) > maxValueLen {
			return nil, ""
		}
		vals = append(vals, v.Value)
	}
	return vals, strconv.FormatInt(cd.Distinct, 10) + " distinct values over " + strconv.FormatInt(nonNull, 10) + " rows, each seen at least " + strconv.Itoa(minValueCount) + " times"
}

// valuesArguments writes accepted_values arguments: numbers and booleans unquoted for a
// numeric or boolean column (dbt's quote: false), strings otherwise.
func valuesArguments(vals []string, dataType string) map[string]any {
	out := make([]any, len(vals))
	switch typeClass(dataType) {
	case "integer", "number":
		ok := true
		for i, v := range vals {
			if n, err := strconv.ParseInt(v, 10, 64); err == nil {
				out[i] = n
			} else if f, err := strconv.ParseFloat(v, 64); err == nil {
				out[i] = f
			} else {
				ok = false
				break
			}
		}
		if ok {
			return map[string]any{"values": out, "quote": false}
		}
	case "boolean":
		ok := true
		for i, v := range vals {
			b, err := strconv.ParseBool(v)
			if err != nil {
				ok = false
				break
			}
			out[i] = b
		}
		if ok {
			return map[string]any{"values": out, "quote": false}
		}
	}
	for i, v := range vals {
		out[i] = v
	}
	return map[string]any{"values": out}
}

// spellAsData gives documented values the spelling the data uses ("website" in prose,
// "Website" in the table).
func spellAsData(doc, data []string) []string {
	out := make([]string, len(doc))
	for i, v := range doc {
		out[i] = v
		for _, d := range data {
			if strings.EqualFold(v, d) {
				out[i] = d
				break
			}
		}
	}
	return out
}

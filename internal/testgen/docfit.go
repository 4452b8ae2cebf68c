package testgen

import (
	"strconv"
	"strings"

	"github.com/dataops-dev/dataops/internal/lazyregexp"
)

// Whether a value list read from a description can be the column's values, and the scales a
// description gives as a range rather than a list.
//
// A description often lists words about the column that are not what it holds: "Date of the
// transaction (procedure, payment, or adjustment)" names the kinds of transaction a date is
// taken from, "Whether the patient is South Asian (Indian, Pakistani, Bangladeshi)" what a
// flag means. A date or a time holds no words; a boolean, or a column named as a yes/no
// question, holds its two answers, and a description's other words explain the question.
//
// A small scale of integers is written as its two ends: "IMD quintile (1-5)", "Day of week
// (0-6, where 0 is Sunday)", "(1=most deprived, 10=least deprived)". The team's test lists
// every step (values: [1, 2, 3, 4, 5]); reading the ends as the list would write a test that
// fails on every row between them.

// docListFits says whether a description's value list may be the column's values.
func docListFits(c *column, vals []string) bool {
	if allNumbers(vals) {
		return true
	}
	if yesNo(vals) {
		return true
	}
	switch typeClass(c.dataType) {
	case "time", "boolean":
		return false
	}
	switch c.pattern {
	case "*_at", "*_ts", "*_timestamp", "*_time", "*_date":
		// named as a date or a time, whatever type was inferred
		return false
	}
	return !flagName(c.lower)
}

// allNumbers says every value is a number.
func allNumbers(vals []string) bool {
	for _, v := range vals {
		if _, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err != nil {
			return false
		}
	}
	return len(vals) > 0
}

// maxScale is the widest scale read from its two ends: days of a month are the most a team
// lists; a wider range ("valid range (10-150)") bounds a measure, it enumerates nothing.
const maxScale = 31

// scaleRange is a range of integers in parentheses, alone or before a comment: "(1-5)",
// "(0-6, where 0 is Sunday)", "(1 to 12)".
var scaleRange = lazyregexp.New(`\(\s*(\d{1,2})\s*(?:-|–|to)\s*(\d{1,2})\s*(?:\)|[,;:]\s*(?:where|with)\b)`)

// scaleValues reads a small scale of integers from a description: a range in parentheses, or
// a legend of exactly two codes that are the ends of one. Nil when there is none, when the
// range is one of several (buckets: "(0-30, 31-60, 61-90)", which the range's closing does
// not match), or when the column is no integer code (a measure, a date, text, a flag).
func scaleValues(c *column, desc string) []string {
	switch typeClass(c.dataType) {
	case "", "integer", "number":
	default:
		return nil
	}
	if quantityName(c, desc) || flagName(c.lower) {
		return nil
	}
	var lo, hi int
	if ms := scaleRange.FindAllStringSubmatchIndex(desc, -1); len(ms) == 1 {
		m := ms[0]
		lo, _ = strconv.Atoi(desc[m[2]:m[3]])
		hi, _ = strconv.Atoi(desc[m[4]:m[5]])
	} else if v := legendValues(desc); v != nil && len(v.values) == 2 {
		a, errA := strconv.Atoi(v.values[0])
		b, errB := strconv.Atoi(v.values[1])
		if errA != nil || errB != nil || b-a < 2 {
			// Two codes next to each other are the codes (0 = no, 1 = yes), not the ends.
			return nil
		}
		lo, hi = a, b
	} else {
		return nil
	}
	if lo > 1 || hi <= lo+1 || hi-lo > maxScale {
		return nil
	}
	out := make([]string, 0, hi-lo+1)
	for i := lo; i <= hi; i++ {
		out = append(out, strconv.Itoa(i))
	}
	return out
}

// quantityName says the column's name or description makes it a quantity (a count, an amount,
// a size): its range bounds it, it enumerates nothing.
func quantityName(c *column, desc string) bool {
	for _, s := range measureSuffixes {
		if strings.HasSuffix(c.lower, s) {
			return true
		}
	}
	for _, p := range measurePrefixes {
		if strings.HasPrefix(c.lower, p) {
			return true
		}
	}
	return measureDesc.MatchString(desc)
}

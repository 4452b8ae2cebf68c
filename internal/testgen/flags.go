package testgen

import "strings"

// Flags: a boolean column, or an integer one named as a yes/no question, holds two values
// whatever the data says, so its value set needs no evidence beyond its type and name. Some
// teams pin every such flag with accepted_values (a staging layer converting a source's 0/1
// codes to booleans checks each conversion), most pin none; the evidence only makes the
// column a candidate, at a low prior, and the team's habits (evidenceLadder) decide.

// flagPrefixes and flagSuffixes name the columns that answer a yes/no question.
var (
	flagPrefixes = []string{"is_", "has_", "was_", "were_", "are_", "should_", "can_", "did_", "does_", "will_"}
	flagSuffixes = []string{"_flag", "_yn", "_ind"}
)

// flagName says whether a column's name asks a yes/no question.
func flagName(lower string) bool {
	if lower == "flag" {
		return true
	}
	for _, p := range flagPrefixes {
		if strings.HasPrefix(lower, p) && len(lower) > len(p) {
			return true
		}
	}
	for _, s := range flagSuffixes {
		if strings.HasSuffix(lower, s) {
			return true
		}
	}
	return false
}

// flagValues gives a flag's two values and the type class they are written for: true and
// false for a boolean column (or a flag-named one of unknown type, which warehouses store as
// booleans far more often than as numbers), 0 and 1 for an integer one named as a flag. A text
// flag ('Y'/'N', 'yes'/'no') is left to the other evidence: its spelling is the team's.
func flagValues(c *column) ([]string, string) {
	switch typeClass(c.dataType) {
	case "boolean":
		return []string{"true", "false"}, "boolean"
	case "integer":
		if flagName(c.lower) {
			return []string{"0", "1"}, "integer"
		}
	case "":
		if flagName(c.lower) {
			return []string{"true", "false"}, "boolean"
		}
	}
	return nil, ""
}

// yesNo says a value list is the two answers of a flag, however spelled.
func yesNo(vals []string) bool {
	if len(vals) != 2 {
		return false
	}
	pair := strings.ToLower(vals[0]) + "|" + strings.ToLower(vals[1])
	switch pair {
	case "0|1", "1|0", "true|false", "false|true", "y|n", "n|y", "yes|no", "no|yes", "t|f", "f|t":
		return true
	}
	return false
}

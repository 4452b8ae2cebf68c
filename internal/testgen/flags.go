package testgen

import "strings"

// Flags: an integer column named as a yes/no question holds 0 and 1, and a test of its values
// catches the 2 or the -1 a source sends one day. Some teams pin every such flag with
// accepted_values, most pin none; the evidence only makes the column a candidate, at a low
// prior, and the team's habits (evidenceLadder) decide.

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

// flagValues gives an integer flag's two values, 0 and 1. A boolean column gets none: it
// cannot hold anything but true and false, so a test of its values could never fail. A text
// flag ('Y'/'N', 'yes'/'no') is left to the other evidence (its spelling is the team's), and
// so is a flag of unknown type, which may be either.
func flagValues(c *column) []string {
	if typeClass(c.dataType) == "integer" && flagName(c.lower) {
		return []string{"0", "1"}
	}
	return nil
}

// boolValues gives a boolean column's two values. Testing them cannot fail while the column
// is a boolean, yet some teams write the test on every boolean they have, so that a change
// that turns one into 'Y'/'N' or 0/1 fails it: the evidence is a class of its own ("bool"),
// starts lowest, and only such a team's habit lifts it (a team that leaves its booleans alone
// keeps it near zero).
func boolValues(c *column) []string {
	if typeClass(c.dataType) == "boolean" {
		return []string{"true", "false"}
	}
	return nil
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

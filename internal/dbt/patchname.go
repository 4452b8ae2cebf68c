package dbt

import "strings"

// KindUnknownPatch is a property entry naming a node that does not exist: dbt only warns and
// drops everything the entry says (description, columns, tests).
const KindUnknownPatch = "unknown-patch"

// fileSuffixes are what an engineer writes after a node's name when naming its file instead.
var fileSuffixes = []string{".sql", ".py", ".yml", ".yaml", ".csv"}

// EntryMeans reports whether a property entry's name is a node's name with its file's
// extension (`- name: daily_revenue.sql` for daily_revenue): the entry obviously means that
// node, though dbt matches names exactly and drops it.
func EntryMeans(entry, node string) bool {
	bare, ok := trimFileSuffix(entry)
	return ok && bare == node
}

// trimFileSuffix takes a file's extension off a name; false when it has none.
func trimFileSuffix(name string) (string, bool) {
	for _, s := range fileSuffixes {
		if len(name) > len(s) && strings.EqualFold(name[len(name)-len(s):], s) {
			return name[:len(name)-len(s)], true
		}
	}
	return name, false
}

// MeantName is the one of names a property entry named entry matching none of them most
// likely means, or "": the name with its file's extension, in another case, or within a
// small edit distance of one name alone.
func MeantName(entry string, names []string) string {
	for _, n := range names {
		if EntryMeans(entry, n) {
			return n
		}
	}
	bare, _ := trimFileSuffix(entry)
	folded := strings.ToLower(bare)
	for _, n := range names {
		if strings.ToLower(n) == folded {
			return n
		}
	}
	// A typo: at most one edit in a short name, two in a longer one, and a single such name
	// (two candidates as close are a guess).
	limit := 1
	if len(folded) >= 8 {
		limit = 2
	}
	return nearestName(folded, names, limit)
}

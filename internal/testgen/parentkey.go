package testgen

import "strings"

// A parent column names another row by the kind of key its name says: parent_id by an id,
// parent_key by a key. A model keyed by a surrogate (unique_key, hashed from its id and its
// source) is no target for parent_id, whose values are ids: a relationships test from one to
// the other fails on every row.

// keySuffix is the kind of key a column name ends in: "id", "key", or "" when it says neither.
func keySuffix(name string) string {
	name = strings.ToLower(name)
	switch {
	case name == "id" || strings.HasSuffix(name, "_id"):
		return "id"
	case name == "key" || strings.HasSuffix(name, "_key"):
		return "key"
	}
	return ""
}

// parentKey is the key of keys that a parent column col refers to: the first that is not of
// the other kind (a name that says neither may be either), or "" when none is.
func parentKey(col string, keys []string) string {
	want := keySuffix(col)
	for _, k := range keys {
		if s := keySuffix(k); k != col && (s == "" || want == "" || s == want) {
			return k
		}
	}
	return ""
}

package testgen

import "strings"

// descriptionSuffixes name the columns that hold the text describing a code
// (admit_type_description beside admit_type_code): their descriptions name the code table
// ("Description of the admit type code"), but the value is prose, found in no key.
var descriptionSuffixes = []string{"_description", "_desc", "_descr"}

// describesCode reports whether a column's name says it holds a description rather than a
// code or a key, so that neither its documentation nor a code table named like it makes it a
// reference.
func describesCode(col string) bool {
	l := strings.ToLower(col)
	if l == "description" {
		return true
	}
	for _, s := range descriptionSuffixes {
		if strings.HasSuffix(l, s) {
			return true
		}
	}
	return false
}

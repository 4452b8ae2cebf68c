package testgen

import (
	"strings"

	"github.com/dataops-dev/dataops/internal/lazyregexp"
)

// A code list often leaves one code for the sentence after it: "1 for shelters or
// transitional housing, 2 for doubled-up, 3 for unsheltered, 4 for hotels or motels. Zero
// means no selection was made." The sentence names a value the column holds (the team tests
// 0–4); the list alone would give a test that fails on every row without a selection.

// codeMeans is a sentence that gives one more code with its meaning: "Zero means ...",
// "0 means ...", "N indicates ...", "9 stands for ...".
var codeMeans = lazyregexp.New(`^(` + legendCode + `|[Zz]ero)\s+(?:means|indicates|stands for|is used for|denotes)\s+\S`)

// codeMeansValue is the code a sentence adds to the codes read before it (all numbers, or all
// capitals: the new one must be of their kind), or "".
func codeMeansValue(s string, codes []string) string {
	m := codeMeans.FindStringSubmatch(s)
	if m == nil || len(codes) == 0 {
		return ""
	}
	c := m[1]
	if strings.EqualFold(c, "zero") {
		c = "0"
	}
	number := func(v string) bool { return v != "" && strings.Trim(v, "-0123456789") == "" && v != "-" }
	if number(c) != number(codes[0]) {
		return ""
	}
	for _, v := range codes {
		if v == c {
			return ""
		}
	}
	return c
}

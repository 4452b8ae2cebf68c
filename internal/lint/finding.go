package lint

import "sort"

// Violation is one finding, located in the file the user wrote (never in rendered SQL).
// Lines and columns are 1-based; columns count characters as SQLFluff does.
type Violation struct {
	Path        string
	Line        int
	Col         int
	EndLine     int
	EndCol      int
	Code        string
	Name        string
	Description string
	Warning     bool
	// Fixable says the rule offered a fix that applies to literal source text.
	Fixable bool
	fixes   []Edit
}

// Edit replaces source bytes [Start, End) with Text.
type Edit struct {
	Start, End int
	Text       string
}

// FileResult is everything linting one file produced.
type FileResult struct {
	Path       string
	Violations []Violation
	// Fixed is the source with fixes applied (only when fixing was asked and something
	// changed).
	Fixed   string
	Changed bool
	// Problems are reasons the file could not be linted fully (templating, reading), located.
	Problems []string
}

func sortViolations(vs []Violation) {
	sort.SliceStable(vs, func(i, j int) bool {
		a, b := vs[i], vs[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Col != b.Col {
			return a.Col < b.Col
		}
		return a.Code < b.Code
	})
}

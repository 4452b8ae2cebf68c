// Package finding is the one shape of a problem dataops reports in a file the user wrote, and
// the one set of severities: the Schema Synthesizer's notes and convention checks, the Test
// Enhancer's proposals, lint violations on changed lines and the review's impact findings
// all end up as a Finding (the review contract's `findings`, `dataops schema --format json`).
//
// It is a leaf: it imports nothing of dataops, so every layer can use it.
package finding

// Severities, from most to least severe. They are plain strings, as the JSON contracts and
// the settings (`schema.conventions.severity`, `review.fail_on`) spell them.
const (
	Error   = "error"
	Warning = "warning"
	Info    = "info"
)

// Finding is one problem in a file the user wrote. Path is relative to the project root;
// Line and Column are 1-based (Column 0: the whole line). Suggestion, when set, is what the
// rule proposes instead (a name, a test, a command), never applied without the user.
type Finding struct {
	Agent      string `json:"agent"`
	Rule       string `json:"rule"`
	Severity   string `json:"severity"` // Error, Warning or Info
	Path       string `json:"path"`
	Line       int    `json:"line"`
	Column     int    `json:"column,omitempty"`
	Message    string `json:"message"`
	Suggestion string `json:"suggestion"`
}

// Rank orders severities: error 3, warning 2, info 1, anything else 0.
func Rank(sev string) int {
	switch sev {
	case Error:
		return 3
	case Warning:
		return 2
	case Info:
		return 1
	}
	return 0
}

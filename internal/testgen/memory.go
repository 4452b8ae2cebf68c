package testgen

// Memory is what the team's memory says about a test on columns like one at hand: how often
// the team wrote it on columns of that name in past pull requests, and what became of the
// enhancer's earlier proposals of it on columns of that name or pattern. Each Evidence is a
// count of cases (N) of which K had the test; it moves the estimate as K more observations
// in N would. Nil (no memory) changes nothing.
type Memory interface {
	Evidence(column, pattern, test string) []Evidence
}

// Evidence is one tally from memory, general first (a pattern before a name).
type Evidence struct {
	N, K float64
	// Why is the reason shown with the suggestion.
	Why string
}

// ColumnPattern is the family of a column name the enhancer learns by (*_id, *_at, is_*).
func ColumnPattern(column string) string { return columnPattern(column) }

// memoryShrink is how many observations the estimate before memory is worth. Outcomes are
// noisy (a pull request leaves a good test out for reasons of its own), so they move the
// estimate gently: thirty rejections halve it, which sinks the weak proposals of a pattern the
// team keeps rejecting and leaves its strong ones. Chosen by replaying a real repository's
// history in commit order (docs/measurements.md): with 3 or 10, early rejections also sank
// tests the team wrote later, and recall fell; with 30 precision rose and recall held.
const memoryShrink = 30.0

// recall moves an estimate by what memory holds and says why.
func recall(m Memory, c *column, test string, est float64) (float64, string) {
	if m == nil {
		return est, ""
	}
	why := ""
	for _, e := range m.Evidence(c.lower, c.pattern, test) {
		if e.N <= 0 {
			continue
		}
		est = (e.K + memoryShrink*est) / (e.N + memoryShrink)
		why = e.Why
	}
	return est, why
}

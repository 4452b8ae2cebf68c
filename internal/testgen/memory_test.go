package testgen

import (
	"path/filepath"
	"strings"
	"testing"
)

// fixedMemory answers with the same tallies for every column of one pattern and test.
type fixedMemory struct {
	pattern, test string
	ev            []Evidence
}

func (m fixedMemory) Evidence(column, pattern, test string) []Evidence {
	if pattern == m.pattern && test == m.test {
		return m.ev
	}
	return nil
}

// TestMemoryMovesConfidence: outcomes of earlier proposals raise a test the team keeps and
// sink one it rejects, and say so among the reasons.
func TestMemoryMovesConfidence(t *testing.T) {
	p, inf := loadCase(t, filepath.Join("testdata", "cases", "enum"))
	base := Suggest(p, inf, Options{Threshold: 0.01})
	var target *Suggestion
	for _, s := range base.Suggestions {
		if s.Column != "" && s.Confidence > 0.2 && s.Confidence < 0.9 {
			target = s
			break
		}
	}
	if target == nil {
		t.Fatal("no suggestion with a middling confidence to move")
	}
	pat := columnPattern(strings.ToLower(target.Column))
	find := func(res *Result) *Suggestion {
		for _, s := range res.Suggestions {
			if s.UniqueID == target.UniqueID && s.Column == target.Column && s.Test == target.Test {
				return s
			}
		}
		return nil
	}
	kept := Suggest(p, inf, Options{Threshold: 0.01, Memory: fixedMemory{pat, target.Test,
		[]Evidence{{N: 10, K: 10, Why: "kept every time"}}}})
	up := find(kept)
	if up == nil || up.Confidence <= target.Confidence || !contains(up.Reasons, "kept every time") {
		t.Errorf("kept: %+v, before %.2f", up, target.Confidence)
	}
	rejected := Suggest(p, inf, Options{Threshold: 0.01, Memory: fixedMemory{pat, target.Test,
		[]Evidence{{N: 10, K: 0, Why: "rejected every time"}}}})
	down := find(rejected)
	if down != nil && down.Confidence >= target.Confidence {
		t.Errorf("rejected: %+v, before %.2f", down, target.Confidence)
	}
	// Rejected often enough, it is no longer proposed at all.
	if s := find(Suggest(p, inf, Options{Memory: fixedMemory{pat, target.Test, []Evidence{{N: 90, K: 0, Why: "no"}}}})); s != nil {
		t.Errorf("still proposed after 90 rejections: %+v", s)
	}
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

package schema

import "testing"

func TestSplitJoined(t *testing.T) {
	vocab := map[string]int{"grade": 4, "level": 6, "test": 5, "tests": 1, "score": 7, "core": 1, "complete": 2,
		"lunch": 2, "status": 9, "student": 8, "first": 3, "name": 12, "pass": 1}
	for name, want := range map[string]string{
		"gradelevel":        "grade_level",
		"testscorecomplete": "test_score_complete", // fewest words, then the most used ones
		"lunchstatus":       "lunch_status",
		"studentid":         "student_id",
		"FirstName":         "FirstName", // written apart already
		"grade_level":       "grade_level",
		"status":            "status",   // a word of its own
		"levels":            "levels",   // no split covers it
		"password":          "password", // "word" is no name part here
		"gradex":            "gradex",
	} {
		if got := splitJoined(name, vocab); got != want {
			t.Errorf("splitJoined(%q) = %q, want %q", name, got, want)
		}
	}
	if d, want := nameDescription("int_students", splitJoined("lunchstatus", vocab)), "The status of the lunch."; d != want {
		t.Errorf("described as %q, want %q", d, want)
	}
}

package token

import "testing"

func TestFilePosition(t *testing.T) {
	f := NewFile("m.sql", "select a\n  from t\r\nwhere x")
	for _, c := range []struct {
		off       Pos
		line, col int
	}{{0, 1, 1}, {7, 1, 8}, {8, 1, 9}, {9, 2, 1}, {11, 2, 3}, {19, 3, 1}, {-5, 1, 1}, {1000, 3, 8}} {
		if got := f.Position(c.off); got.Line != c.line || got.Column != c.col {
			t.Errorf("Position(%d) = %d:%d, want %d:%d", c.off, got.Line, got.Column, c.line, c.col)
		}
	}
	if f.LineCount() != 3 || f.LineStart(2) != 9 || f.LineStart(4) != NoPos || f.LineStart(0) != NoPos {
		t.Errorf("LineCount %d, LineStart(2) %d", f.LineCount(), f.LineStart(2))
	}
}

func TestKinds(t *testing.T) {
	if Template.String() != "Template" || Kind(200).String() != "Kind?" {
		t.Errorf("names: %s %s", Template, Kind(200))
	}
	for k := EOF; k <= Template; k++ {
		want := k == Whitespace || k == Newline || k == LineComment || k == BlockComment
		if k.Trivia() != want {
			t.Errorf("%s.Trivia() = %v", k, k.Trivia())
		}
		if k.String() == "Kind?" {
			t.Errorf("kind %d has no name", k)
		}
	}
}

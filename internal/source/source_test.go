package source

import (
	"strings"
	"testing"
)

func TestPosition(t *testing.T) {
	for _, c := range []struct {
		text      string
		off       int
		line, col int
	}{
		{"select 1", 0, 1, 1},
		{"select 1", 7, 1, 8},
		{"select 1", 8, 1, 9},        // the end of the text
		{"select 1", 99, 1, 9},       // clamped
		{"select 1", -3, 1, 1},       // clamped
		{"a\nbc\n", 2, 2, 1},         // just after "\n"
		{"a\nbc\n", 5, 3, 1},         // the empty last line
		{"a\r\nb", 1, 1, 2},          // "\r" is the line's last character
		{"a\r\nb", 3, 2, 1},          // "\r\n" is one line break
		{"é = 'ü'\nx", 8, 1, 7},      // characters, not bytes: "é" and "ü" are two bytes
		{"é = 'ü'\nx", 10, 2, 1},     //
		{"\tx", 1, 1, 2},             // a tab is one column
		{"\xff\xfex", 2, 1, 3},       // each invalid byte is one column
		{"日本語 x", len("日本語 "), 1, 5}, // three-byte characters
	} {
		p := NewFile("f.sql", c.text).Position(c.off)
		if p != (Position{Path: "f.sql", Line: c.line, Column: c.col}) {
			t.Errorf("Position(%q, %d) = %v, want f.sql:%d:%d", c.text, c.off, p, c.line, c.col)
		}
	}
}

// A template cut out of a file: its first line continues the line of the opening tag.
func TestShift(t *testing.T) {
	file := "-- a\n-- b\n{% snapshot s %}select\n  id from t\n{% endsnapshot %}\n"
	start := len("-- a\n-- b\n{% snapshot s %}")
	body := file[start : len(file)-len("{% endsnapshot %}\n")]
	s := ShiftAt(file, start)
	if s != (Shift{Offset: start, Line: 2, Column: 16}) {
		t.Fatalf("ShiftAt = %+v", s)
	}
	f := NewShifted("snapshots/s.sql", body, s)
	whole := NewFile("snapshots/s.sql", file)
	for _, word := range []string{"select", "id", "from", "t\n"} {
		off := strings.Index(body, word)
		if got, want := f.Position(off), whole.Position(start+off); got != want {
			t.Errorf("%q: %v, want %v as in the whole file", word, got, want)
		}
		if back := f.Offset(f.Position(off).Line, f.Position(off).Column); back != off {
			t.Errorf("%q: Offset(Position(%d)) = %d", word, off, back)
		}
	}
}

func TestOffset(t *testing.T) {
	f := NewFile("", "ab\néx\n")
	for _, c := range []struct{ line, col, want int }{
		{1, 1, 0}, {1, 3, 2}, {1, 9, 2}, {2, 2, 5}, {3, 1, 7}, {9, 1, 7}, {0, 1, 0},
	} {
		if got := f.Offset(c.line, c.col); got != c.want {
			t.Errorf("Offset(%d, %d) = %d, want %d", c.line, c.col, got, c.want)
		}
	}
}

type shiftBy int

func (s shiftBy) Source(out int) (int, bool) { return out + int(s), true }

func TestMap(t *testing.T) {
	f := NewShifted("m.sql", "{{ x }}\nselect y", Shift{Line: 4})
	if p := (Map{File: f}).Position(8); p != (Position{Path: "m.sql", Line: 6, Column: 1}) {
		t.Errorf("without an origin: %v", p)
	}
	if p := (Map{File: f, Origin: shiftBy(8)}).Position(7); p != (Position{Path: "m.sql", Line: 6, Column: 8}) {
		t.Errorf("through an origin: %v", p)
	}
}

func TestPositionString(t *testing.T) {
	for p, want := range map[Position]string{
		{Path: "a.sql", Line: 3, Column: 7}: "a.sql:3:7",
		{Path: "a.sql", Line: 3}:            "a.sql:3",
		{Path: "a.sql"}:                     "a.sql",
	} {
		if got := p.String(); got != want {
			t.Errorf("%#v.String() = %q, want %q", p, got, want)
		}
	}
}

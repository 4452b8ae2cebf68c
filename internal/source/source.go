package source

import (
	"sort"
	"strconv"
	"unicode/utf8"
)

// Position is a place in a file: 1-based line and column (see the package comment for how
// columns count). Line 0 means the file as a whole.
type Position struct {
	Path   string `json:"path"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
}

// IsValid reports whether the position names a line.
func (p Position) IsValid() bool { return p.Line > 0 }

// String is path:line:column, path:line without a column, or the path alone.
func (p Position) String() string {
	s := p.Path
	if p.Line > 0 {
		s += ":" + strconv.Itoa(p.Line)
		if p.Column > 0 {
			s += ":" + strconv.Itoa(p.Column)
		}
	}
	return s
}

// Shift says where a text cut out of a larger file starts in that file. The zero Shift is a
// whole file.
type Shift struct {
	Offset int // bytes of the file before the text
	Line   int // lines of the file before the text's first line
	Column int // characters before the text on its first line
}

// ToFile moves a line and column of the text to the file.
func (s Shift) ToFile(line, column int) (int, int) {
	if line == 1 {
		column += s.Column
	}
	return line + s.Line, column
}

// FromFile moves a line and column of the file to the text (lines before it become 0 or less).
func (s Shift) FromFile(line, column int) (int, int) {
	line -= s.Line
	if line == 1 {
		column -= s.Column
	}
	return line, column
}

// ShiftAt is the Shift of a text that starts at byte offset off of the whole file text.
func ShiftAt(text string, off int) Shift {
	p := NewFile("", text).Position(off)
	return Shift{Offset: min(max(off, 0), len(text)), Line: p.Line - 1, Column: p.Column - 1}
}

// File is one text and where its lines start.
type File struct {
	Path  string
	Text  string
	Shift Shift
	lines []int // offset of the first byte of each line
}

// NewFile indexes the lines of text; path is what its positions name.
func NewFile(path, text string) *File {
	f := &File{Path: path, Text: text, lines: []int{0}}
	for i := 0; i < len(text); i++ {
		if text[i] == '\n' {
			f.lines = append(f.lines, i+1)
		}
	}
	return f
}

// NewShifted is NewFile for a text cut out of the file at path.
func NewShifted(path, text string, s Shift) *File {
	f := NewFile(path, text)
	f.Shift = s
	return f
}

// LineCount is the number of lines of the text (a text without "\n" has one).
func (f *File) LineCount() int { return len(f.lines) }

// Position is where the byte at off of the text is in the file.
func (f *File) Position(off int) Position {
	off = min(max(off, 0), len(f.Text))
	i := sort.Search(len(f.lines), func(i int) bool { return f.lines[i] > off }) - 1
	line, col := f.Shift.ToFile(i+1, 1+runeCount(f.Text[f.lines[i]:off]))
	return Position{Path: f.Path, Line: line, Column: col}
}

// Offset is the inverse of Position: the byte offset of the text at a line and column of the
// file. A place before the text gives 0; past the end of a line or of the text, the line's end
// or the text's end.
func (f *File) Offset(line, column int) int {
	line, column = f.Shift.FromFile(line, column)
	if line < 1 {
		return 0
	}
	if line > len(f.lines) {
		return len(f.Text)
	}
	off := f.lines[line-1]
	for col := 1; col < column && off < len(f.Text) && f.Text[off] != '\n'; col++ {
		_, w := utf8.DecodeRuneInString(f.Text[off:])
		off += w
	}
	return off
}

// runeCount counts characters; utf8.RuneCountInString already counts each invalid byte once.
func runeCount(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return utf8.RuneCountInString(s)
		}
	}
	return len(s)
}

// Origin takes an offset of a rendered text to the offset of the template text it came from;
// literal says the byte was copied from the template (else the offset is the start of the tag
// that produced it). internal/jinja's OffsetMap is one.
type Origin interface {
	Source(outOffset int) (srcOffset int, literal bool)
}

// Map takes offsets of a text rendered from File's text back to positions in the file.
type Map struct {
	File   *File
	Origin Origin // nil when the rendered text is File's text itself
}

// Position is where the rendered byte at off came from.
func (m Map) Position(off int) Position {
	if m.Origin != nil {
		off, _ = m.Origin.Source(off)
	}
	return m.File.Position(off)
}

// Package token defines the lexical tokens of the SQL front end and the positions they carry.
// Positions are byte offsets into one source text; a File turns them into line and column only
// when they are shown, as go/token does.
package token

import "sort"

// Kind is the lexical class of a token. Keywords are not a lexical class: whether `date` is a
// keyword or a column name depends on where it stands, so the parser decides.
type Kind uint8

const (
	EOF          Kind = iota
	Illegal           // a byte no dialect accepts here; kept so nothing is lost
	Whitespace        // spaces and tabs (and other non-newline blanks)
	Newline           // "\n" or "\r\n"
	LineComment       // -- ... or # ... (MySQL/BigQuery) or // ... (Snowflake), without the newline
	BlockComment      // /* ... */ (nested where the dialect nests them)
	Ident             // unquoted identifier or keyword
	QuotedIdent       // "x", `x`, [x]
	String            // '...', E'...', N'...', r'...', b'...', '''...''', $$...$$, $tag$...$tag$
	Number            // 1, 1.5, .5, 1e10, 0x1F
	Param             // $1, ?, :name, @name (BigQuery), %(name)s
	Variable          // @stage, @var, @@session, $session_var: names the dialect reads as variables
	Comma             // ,
	Dot               // .
	Semicolon         // ;
	LParen            // (
	RParen            // )
	LBracket          // [
	RBracket          // ]
	LBrace            // {
	RBrace            // }
	Colon             // :   (Snowflake path access v:a, slices, named args)
	DoubleColon       // ::  (cast)
	Operator          // every other operator: = <> != < <= > >= + - * / % || -> ->> => ! ~ & | ^ << >> etc.
	Template          // leftover Jinja: {{ ... }}, {% ... %}, {# ... #} kept whole so unrendered SQL still lexes
)

var kindNames = [...]string{
	EOF: "EOF", Illegal: "Illegal", Whitespace: "Whitespace", Newline: "Newline",
	LineComment: "LineComment", BlockComment: "BlockComment", Ident: "Ident",
	QuotedIdent: "QuotedIdent", String: "String", Number: "Number", Param: "Param",
	Variable: "Variable", Comma: "Comma", Dot: "Dot", Semicolon: "Semicolon",
	LParen: "LParen", RParen: "RParen", LBracket: "LBracket", RBracket: "RBracket",
	LBrace: "LBrace", RBrace: "RBrace", Colon: "Colon", DoubleColon: "DoubleColon",
	Operator: "Operator", Template: "Template",
}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind?"
}

// Trivia reports whether the kind carries no meaning for the parser.
func (k Kind) Trivia() bool {
	return k == Whitespace || k == Newline || k == LineComment || k == BlockComment
}

// Pos is a byte offset into a source text. NoPos is -1.
type Pos int

const NoPos Pos = -1

// Token is one lexeme. Text is the exact source slice [Pos, End), so concatenating the Text of
// every token reproduces the input byte for byte.
type Token struct {
	Kind Kind
	Pos  Pos
	End  Pos
	Text string
}

// Position is a human position: 1-based line and column (column counts bytes).
type Position struct {
	Line   int
	Column int
}

// File maps offsets of one text to lines and columns.
type File struct {
	Name  string
	lines []int // offset of the first byte of each line
	size  int
}

// NewFile indexes the line starts of src.
func NewFile(name, src string) *File {
	f := &File{Name: name, lines: []int{0}, size: len(src)}
	for i := 0; i < len(src); i++ {
		if src[i] == '\n' {
			f.lines = append(f.lines, i+1)
		}
	}
	return f
}

// Position returns the line and column of an offset (clamped to the text).
func (f *File) Position(p Pos) Position {
	off := int(p)
	if off < 0 {
		off = 0
	}
	if off > f.size {
		off = f.size
	}
	i := sort.Search(len(f.lines), func(i int) bool { return f.lines[i] > off }) - 1
	return Position{Line: i + 1, Column: off - f.lines[i] + 1}
}

// LineStart returns the offset of the first byte of a 1-based line.
func (f *File) LineStart(line int) Pos {
	if line < 1 || line > len(f.lines) {
		return NoPos
	}
	return Pos(f.lines[line-1])
}

// LineCount is the number of lines (a text without newline has one).
func (f *File) LineCount() int { return len(f.lines) }

package yamledit

import (
	"bytes"
	"sort"
	"unicode/utf8"
)

// text is a property file as the editor sees it: LF-only bytes plus what it takes to map every
// offset back to the file as written. The YAML parser miscounts lines after a comment that ends
// in CRLF, so parsing and all offset arithmetic happen on the normalised copy; splices are moved
// back onto the original bytes at the end, which keeps every untouched CR where it was.
type text struct {
	orig  []byte
	src   []byte // orig with every "\r\n" turned into "\n"
	crAt  []int  // offsets in src of each '\n' that was "\r\n" in orig, ascending
	lines []int  // offsets in src where each line starts
	crlf  bool   // most line breaks are CRLF: new lines get CRLF too
	bom   int    // length of the byte order mark orig starts with, which src leaves out
}

// utf8BOM is the byte order mark some Windows editors put at the start of a file: the parser
// would read it as part of the first key (a file of `\ufeffmodels:` declares no models).
var utf8BOM = []byte("\xef\xbb\xbf")

func newText(orig []byte) *text {
	t := &text{orig: orig}
	body := orig
	if bytes.HasPrefix(orig, utf8BOM) {
		t.bom = len(utf8BOM)
		body = orig[t.bom:]
	}
	if bytes.Contains(body, []byte("\r\n")) {
		src := make([]byte, 0, len(body))
		lf := 0
		for i := 0; i < len(body); i++ {
			if body[i] == '\r' && i+1 < len(body) && body[i+1] == '\n' {
				t.crAt = append(t.crAt, len(src))
				continue
			}
			if body[i] == '\n' {
				lf++
			}
			src = append(src, body[i])
		}
		t.src = src
		t.crlf = len(t.crAt)*2 > lf
	} else {
		t.src = body
	}
	t.lines = append(t.lines, 0)
	for i, c := range t.src {
		if c == '\n' {
			t.lines = append(t.lines, i+1)
		}
	}
	return t
}

// origOffset maps an offset in src to the same place in orig. An offset that points at a '\n'
// that was "\r\n" maps to the '\r', so a splice ending a line keeps the line's own break.
func (t *text) origOffset(off int) int {
	return t.bom + off + sort.SearchInts(t.crAt, off)
}

// offset turns the parser's 1-based line and rune column into a byte offset in src.
func (t *text) offset(line, col int) int {
	if line < 1 {
		return 0
	}
	if line > len(t.lines) {
		return len(t.src)
	}
	off := t.lines[line-1]
	for c := 1; c < col && off < len(t.src) && t.src[off] != '\n'; c++ {
		_, n := utf8.DecodeRune(t.src[off:])
		off += n
	}
	return off
}

// lineOf returns the 1-based line holding off.
func (t *text) lineOf(off int) int {
	off = t.clamp(off)
	return sort.Search(len(t.lines), func(i int) bool { return t.lines[i] > off })
}

// clamp keeps an offset inside the text, so a miscomputed extent cannot index out of range.
func (t *text) clamp(off int) int {
	if off < 0 {
		return 0
	}
	if off > len(t.src) {
		return len(t.src)
	}
	return off
}

// colOf returns the 0-based byte column of off in its line; indentation is ASCII spaces, so for
// the places we ask about (keys and dashes) this is also the display column.
func (t *text) colOf(off int) int {
	off = t.clamp(off)
	return off - t.lineStart(off)
}

func (t *text) lineStart(off int) int {
	return t.lines[t.lineOf(off)-1]
}

// lineEnd returns the offset just past the '\n' ending the line of off (or len(src)).
func (t *text) lineEnd(off int) int {
	off = t.clamp(off)
	i := bytes.IndexByte(t.src[off:], '\n')
	if i < 0 {
		return len(t.src)
	}
	return off + i + 1
}

// lineContentEnd returns the offset of the '\n' ending the line of off (or len(src)).
func (t *text) lineContentEnd(off int) int {
	off = t.clamp(off)
	i := bytes.IndexByte(t.src[off:], '\n')
	if i < 0 {
		return len(t.src)
	}
	return off + i
}

// indentOf counts the leading spaces of the line starting at ls.
func (t *text) indentOf(ls int) int {
	n := 0
	for ls+n < len(t.src) && t.src[ls+n] == ' ' {
		n++
	}
	return n
}

// lineKind classifies the line starting at ls.
func (t *text) lineKind(ls int) (blank, comment bool, indent int) {
	e := t.lineContentEnd(ls)
	i := ls
	for i < e && (t.src[i] == ' ' || t.src[i] == '\t') {
		i++
	}
	if i == e {
		return true, false, i - ls
	}
	return false, t.src[i] == '#', i - ls
}

// trimEnd finds where the content of a block node ends: walking back from bound (a line start or
// the end of the text) it drops blank lines and comment lines indented at most minIndent, which
// introduce whatever follows rather than belong to the node. Deeper comments stay with the node.
// The result is the end of the last kept line's content (trailing blanks excluded), and never
// less than floor.
func (t *text) trimEnd(bound, floor, minIndent int) int {
	pos := bound
	for pos > floor {
		ls := t.lineStart(pos - 1)
		if pos-1 >= 0 && t.src[pos-1] != '\n' {
			// bound in the middle of a line (flow context): nothing to trim by lines.
			return trimRightSpace(t.src, floor, pos)
		}
		if ls < floor && t.lineStart(floor) == ls {
			return maxInt(floor, trimRightSpace(t.src, floor, pos-1))
		}
		blank, comment, ind := t.lineKind(ls)
		if blank || (comment && ind <= minIndent) {
			pos = ls
			continue
		}
		return maxInt(floor, trimRightSpace(t.src, ls, t.lineContentEnd(ls)))
	}
	return floor
}

// trimRightSpace returns the end of s[lo:hi] without trailing spaces, tabs and newlines.
func trimRightSpace(s []byte, lo, hi int) int {
	for hi > lo && (s[hi-1] == ' ' || s[hi-1] == '\t' || s[hi-1] == '\n' || s[hi-1] == '\r') {
		hi--
	}
	return hi
}

func maxInt(a, b int) int {
	if a > b {
		return a
	}
	return b
}

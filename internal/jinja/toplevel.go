package jinja

import "strings"

// macroFileBlocks are the top-level blocks dbt keeps from a macro file. dbt cuts a macro file
// into these blocks with its own tag scanner and hands each block to Jinja on its own; the
// text between them (a `{% ### banner ### %}` line, a stray `{{ }}`, a top-level `{% set %}`)
// never reaches Jinja, so whatever it holds neither fails the file nor takes effect.
var macroFileBlocks = map[string]bool{"macro": true, "materialization": true, "test": true, "data_test": true}

// maskTopLevel returns src with every byte outside the file's top-level macro, materialization
// and test blocks turned into a space (line breaks kept), so the file parses as dbt parses it
// and every offset still points at the same byte of the original. ok is false when the scan
// cannot pair the blocks up (an unclosed block or tag, an unterminated string or comment): the
// file is then parsed whole, as before, and its error reported where Jinja finds it.
func maskTopLevel(src string) (masked string, ok bool) {
	type span struct{ start, end int }
	var keep []span
	open, openAt := "", 0
	for i := 0; i < len(src); {
		j := strings.IndexByte(src[i:], '{')
		if j < 0 || i+j+1 >= len(src) {
			break
		}
		j += i
		switch src[j+1] {
		case '#':
			k := strings.Index(src[j+2:], "#}")
			if k < 0 {
				return src, false
			}
			i = j + 2 + k + 2
		case '{':
			k, found := ScanToClose(src, j+2, "}}")
			if !found {
				return src, false
			}
			i = k
		case '%':
			name, after := tagName(src, j+2)
			if name == "" {
				// Not a tag to dbt's scanner (`{% ### %}`, `{% # note %}`): plain text.
				i = j + 2
				continue
			}
			k, found := ScanToClose(src, after, "%}")
			if !found {
				return src, false
			}
			if name == "raw" {
				// dbt's scanner reads a raw block whole, tags inside it included.
				r := strings.Index(src[k:], "endraw")
				if r < 0 {
					return src, false
				}
				if k, found = ScanToClose(src, k+r, "%}"); !found {
					return src, false
				}
			}
			switch {
			case open == "" && macroFileBlocks[name]:
				open, openAt = name, j
			case open != "" && name == "end"+open:
				keep = append(keep, span{openAt, k})
				open = ""
			}
			i = k
		default:
			i = j + 1
		}
	}
	if open != "" {
		return src, false
	}
	b := []byte(src)
	prev := 0
	blank := func(from, to int) {
		for x := from; x < to; x++ {
			if b[x] != '\n' && b[x] != '\r' {
				b[x] = ' '
			}
		}
	}
	for _, s := range keep {
		blank(prev, s.start)
		prev = s.end
	}
	blank(prev, len(b))
	return string(b), true
}

// tagName reads what follows a "{%": an optional '-' or '+', blanks, then a name. It returns
// "" when no name follows, as dbt's scanner then sees no tag.
func tagName(src string, i int) (string, int) {
	if i < len(src) && (src[i] == '-' || src[i] == '+') {
		i++
	}
	for i < len(src) && isBlankByte(src[i]) {
		i++
	}
	start := i
	for i < len(src) && (src[i] == '_' || isASCIILetter(src[i]) || (i > start && isASCIIDigit(src[i]))) {
		i++
	}
	return src[start:i], i
}

// ScanToClose finds the end of a tag or expression as Jinja's lexer does: just past the first
// close that is not inside a quoted string (a hook written as a string in a config call holds
// `{{this}}` as text). found is false when the file ends first. The linter's JJ01 reads tags
// with it too.
func ScanToClose(src string, i int, close string) (int, bool) {
	for i < len(src) {
		c := src[i]
		switch {
		case c == '\'' || c == '"':
			k := i + 1
			for k < len(src) && src[k] != c {
				if src[k] == '\\' {
					k++
				}
				k++
			}
			if k >= len(src) {
				return i, false
			}
			i = k + 1
		case len(src)-i >= len(close) && src[i:i+len(close)] == close:
			return i + len(close), true
		default:
			i++
		}
	}
	return i, false
}

func isBlankByte(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}
func isASCIILetter(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }
func isASCIIDigit(c byte) bool  { return c >= '0' && c <= '9' }

// Package lexer splits SQL text into tokens for every dialect in package dialect. It keeps
// everything, trivia included (whitespace, newlines, comments, leftover Jinja), so the token
// texts concatenate back to the input byte for byte: the linter reads layout from the same
// tokens the parser reads meaning from. It never fails and never panics: bytes it cannot place
// become Illegal tokens, unterminated strings and comments run to the end of the input and are
// reported through an optional callback. It never decides what is a keyword; the parser does.
package lexer

import (
	"strings"

	"github.com/dataops-dev/dataops/internal/sql/dialect"
	"github.com/dataops-dev/dataops/internal/sql/token"
)

// ErrorHandler receives lexical problems: an unterminated string, identifier or comment.
type ErrorHandler func(pos token.Pos, msg string)

// Lex returns the tokens of src, trivia included, ending with one EOF token.
func Lex(src string, d dialect.Dialect) []token.Token {
	return LexWithErrors(src, d, nil)
}

// LexWithErrors is Lex that also reports lexical problems to errh (which may be nil).
func LexWithErrors(src string, d dialect.Dialect, errh ErrorHandler) []token.Token {
	// Counting first and allocating exactly once is cheaper than growing: the scan runs at
	// hundreds of MB/s, while every extra byte of pointer-holding tokens costs the collector.
	n := 1
	c := scanner{src: src, d: &d, last: token.EOF}
	for c.pos < len(src) {
		start := c.pos
		k := c.next()
		if c.pos <= start {
			c.pos = start + 1
		}
		if !k.Trivia() {
			c.last = k
		}
		n++
	}
	return AppendTokens(make([]token.Token, 0, n), src, d, errh)
}

// AppendTokens appends the tokens of src to dst and returns it; callers that lex many files
// reuse one buffer this way.
func AppendTokens(dst []token.Token, src string, d dialect.Dialect, errh ErrorHandler) []token.Token {
	s := scanner{src: src, d: &d, errh: errh, last: token.EOF}
	for s.pos < len(src) {
		start := s.pos
		k := s.next()
		if s.pos <= start { // defensive: the scanner must always advance
			s.pos = start + 1
			k = token.Illegal
		}
		dst = append(dst, token.Token{Kind: k, Pos: token.Pos(start), End: token.Pos(s.pos), Text: src[start:s.pos]})
		if !k.Trivia() {
			s.last = k
		}
	}
	return append(dst, token.Token{Kind: token.EOF, Pos: token.Pos(len(src)), End: token.Pos(len(src))})
}

// Scan calls fn with each token of src as AppendTokens lists them (trivia included, the EOF
// token last) and stops early when fn returns false: for a reader that looks at each token
// once, without a slice of them all (a 150 KB model is some 50,000 tokens).
func Scan(src string, d dialect.Dialect, fn func(token.Token) bool) {
	s := scanner{src: src, d: &d, last: token.EOF}
	for s.pos < len(src) {
		start := s.pos
		k := s.next()
		if s.pos <= start {
			s.pos = start + 1
			k = token.Illegal
		}
		if !fn(token.Token{Kind: k, Pos: token.Pos(start), End: token.Pos(s.pos), Text: src[start:s.pos]}) {
			return
		}
		if !k.Trivia() {
			s.last = k
		}
	}
	fn(token.Token{Kind: token.EOF, Pos: token.Pos(len(src)), End: token.Pos(len(src))})
}

// Character classes, one table lookup per byte in the hot loops.
const (
	clsIdentStart = 1 << iota // letters, _, non-ASCII bytes
	clsIdent                  // identifier continuation: the above plus digits and $
	clsDigit
	clsHex
	clsSpace // blanks other than newlines
)

var class [256]uint8

func init() {
	for c := 0; c < 256; c++ {
		var k uint8
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_', c >= 0x80:
			k |= clsIdentStart | clsIdent
		case c >= '0' && c <= '9':
			k |= clsIdent | clsDigit | clsHex
		case c == '$':
			k |= clsIdent
		case c == ' ', c == '\t', c == '\f', c == '\v':
			k |= clsSpace
		}
		if c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' {
			k |= clsHex
		}
		class[c] = k
	}
}

type scanner struct {
	src  string
	pos  int
	d    *dialect.Dialect
	errh ErrorHandler
	last token.Kind // kind of the previous non-trivia token
}

func (s *scanner) error(pos int, msg string) {
	if s.errh != nil {
		s.errh(token.Pos(pos), msg)
	}
}

// at returns the byte at pos+i, or 0 past the end.
func (s *scanner) at(i int) byte {
	if j := s.pos + i; j < len(s.src) {
		return s.src[j]
	}
	return 0
}

func (s *scanner) next() token.Kind {
	src := s.src
	c := src[s.pos]
	switch {
	case class[c]&clsSpace != 0:
		s.pos++
		for s.pos < len(src) && class[src[s.pos]]&clsSpace != 0 {
			s.pos++
		}
		return token.Whitespace
	case class[c]&clsIdentStart != 0:
		if c >= 0xC2 && s.blankRune() {
			// A byte order mark (U+FEFF) or a no-break space pasted from a document.
			for s.pos < len(s.src) && s.src[s.pos] >= 0xC2 && s.blankRune() {
				if s.src[s.pos] == 0xC2 {
					s.pos += 2
				} else {
					s.pos += 3
				}
			}
			return token.Whitespace
		}
		return s.identOrPrefixedString()
	case class[c]&clsDigit != 0:
		return s.number()
	}
	switch c {
	case '\n':
		s.pos++
		return token.Newline
	case '\r':
		if s.at(1) == '\n' {
			s.pos += 2
			return token.Newline
		}
		s.pos++
		return token.Whitespace
	case '\'':
		if s.d.TripleQuotes && s.at(1) == '\'' && s.at(2) == '\'' {
			return s.tripleQuoted('\'', s.d.BackslashEscapes)
		}
		return s.quoted('\'', s.d.BackslashEscapes, token.String)
	case '"':
		if s.d.DoubleQuotedStrings {
			if s.d.TripleQuotes && s.at(1) == '"' && s.at(2) == '"' {
				return s.tripleQuoted('"', s.d.BackslashEscapes)
			}
			return s.quoted('"', s.d.BackslashEscapes, token.String)
		}
		return s.quoted('"', false, token.QuotedIdent)
	case '`':
		return s.quoted('`', s.d.BackslashEscapes, token.QuotedIdent)
	case '[':
		if s.d.BracketIdents {
			return s.quoted(']', false, token.QuotedIdent)
		}
		s.pos++
		return token.LBracket
	case '-':
		if s.at(1) == '-' {
			return s.lineComment()
		}
		if s.at(1) == '>' {
			if s.at(2) == '>' {
				s.pos += 3
			} else {
				s.pos += 2
			}
			return token.Operator
		}
		s.pos++
		return token.Operator
	case '/':
		if s.at(1) == '*' {
			return s.blockComment()
		}
		if s.at(1) == '/' {
			if s.d.SlashComments {
				return s.lineComment()
			}
			s.pos += 2 // DuckDB integer division
			return token.Operator
		}
		s.pos++
		return token.Operator
	case '#':
		if s.d.HashComments {
			return s.lineComment()
		}
		if s.d.BracketIdents && (class[s.at(1)]&clsIdentStart != 0 || s.at(1) == '#' && class[s.at(2)]&clsIdentStart != 0) {
			start := s.pos
			s.pos++ // T-SQL temporary tables: #t, ##t
			if s.at(0) == '#' {
				s.pos++
			}
			hashes := s.pos
			s.identTail()
			if s.pos > hashes {
				return token.Ident
			}
			s.pos = start
		}
		return s.operator()
	case '.':
		if class[s.at(1)]&clsDigit != 0 && !s.afterName() {
			return s.number()
		}
		s.pos++
		return token.Dot
	case ',':
		s.pos++
		return token.Comma
	case ';':
		s.pos++
		return token.Semicolon
	case '(':
		s.pos++
		return token.LParen
	case ')':
		s.pos++
		return token.RParen
	case ']':
		s.pos++
		return token.RBracket
	case '{':
		if k, ok := s.template(); ok {
			return k
		}
		s.pos++
		return token.LBrace
	case '}':
		s.pos++
		return token.RBrace
	case ':':
		switch s.at(1) {
		case ':':
			s.pos += 2
			return token.DoubleColon
		case '=':
			s.pos += 2
			return token.Operator
		}
		if class[s.at(1)]&clsIdentStart != 0 && s.paramContext() {
			s.pos++
			s.identTail()
			return token.Param
		}
		s.pos++
		return token.Colon
	case '$':
		return s.dollar()
	case '?':
		if n := s.at(1); (n == '|' || n == '&' || n == '-') && !s.d.AtParams {
			s.pos += 2 // Postgres jsonb ?| ?& and geometric ?-
			return token.Operator
		}
		s.pos++
		return token.Param
	case '@':
		return s.at_()
	case '%':
		if s.at(1) == '(' {
			// Python DB-API %(name)s placeholders, as dbt hooks and scripts sometimes hold.
			j := s.pos + 2
			for j < len(s.src) && class[s.src[j]]&clsIdent != 0 {
				j++
			}
			if j > s.pos+2 && j+1 < len(s.src) && s.src[j] == ')' && s.src[j+1] == 's' {
				s.pos = j + 2
				return token.Param
			}
		}
		s.pos++
		return token.Operator
	case '<', '>', '=', '!', '|', '&', '~', '^', '*', '+':
		return s.operator()
	}
	s.pos++
	return token.Illegal
}

// afterName reports whether the previous token ends a name, so `.5` after it is `. 5` field
// access (t.1 in some dialects) rather than a number.
func (s *scanner) afterName() bool {
	if s.pos == 0 {
		return false
	}
	p := s.src[s.pos-1]
	return class[p]&clsIdent != 0 || p == '"' || p == '`' || p == ')' || p == ']'
}

// paramContext reports whether a `:name` here is a bind parameter rather than Snowflake path
// access or a slice bound: only right after an operator, a comma, an opening parenthesis or at
// the start of a statement.
func (s *scanner) paramContext() bool {
	switch s.last {
	case token.EOF, token.Operator, token.Comma, token.LParen, token.Semicolon:
		return true
	}
	return false
}

func (s *scanner) identTail() {
	for s.pos < len(s.src) {
		c := s.src[s.pos]
		if class[c]&clsIdent == 0 {
			return
		}
		if c >= 0xC2 && s.blankRune() {
			return // a no-break space or BOM ends a word, as a space would
		}
		s.pos++
	}
}

// blankRune reports whether a non-ASCII blank (U+00A0, U+FEFF) starts at the current byte.
func (s *scanner) blankRune() bool {
	c := s.src[s.pos]
	return c == 0xC2 && s.at(1) == 0xA0 || c == 0xEF && s.at(1) == 0xBB && s.at(2) == 0xBF
}

func (s *scanner) identOrPrefixedString() token.Kind {
	c := s.src[s.pos]
	// String prefixes: the prefix letter(s) immediately followed by a quote.
	switch c | 0x20 {
	case 'e', 'n', 'x', 'b', 'r', 'u':
		if k, ok := s.prefixedString(); ok {
			return k
		}
	}
	s.pos++
	s.identTail()
	if s.at(0) == '{' && s.at(1) == '{' {
		if s.glue() {
			return token.Template // name_{{ suffix }}
		}
	}
	return token.Ident
}

// glue extends a word with adjacent Jinja and identifier characters (a_{{ x }}_b): a name
// Jinja builds is one token. It reports whether a template was absorbed.
func (s *scanner) glue() bool {
	absorbed := false
	for s.pos < len(s.src) {
		c := s.src[s.pos]
		if c == '{' && s.at(1) == '{' {
			j := indexFrom(s.src, "}}", s.pos+2)
			if j < 0 {
				break
			}
			s.pos = j + 2
			absorbed = true
			continue
		}
		if class[c]&clsIdent != 0 {
			at := s.pos
			if s.identTail(); s.pos > at {
				continue
			}
			// A no-break space after the template ends the word without advancing.
		}
		break
	}
	return absorbed
}

func (s *scanner) prefixedString() (token.Kind, bool) {
	start := s.pos
	i := 0
	raw, escapes := false, s.d.BackslashEscapes
	for ; i < 2; i++ {
		switch s.at(i) | 0x20 {
		case 'r':
			if !s.d.RawStrings {
				return 0, false
			}
			raw = true
			continue
		case 'b', 'x', 'n':
			continue
		case 'e':
			if i == 0 {
				escapes = true
				continue
			}
		case 'u':
			if i == 0 && s.at(1) == '&' && (s.at(2) == '\'' || s.at(2) == '"') {
				s.pos += 2
				if s.at(0) == '"' {
					return s.quoted('"', false, token.QuotedIdent), true
				}
				return s.quoted('\'', false, token.String), true
			}
		}
		break
	}
	if i == 0 {
		return 0, false
	}
	q := s.at(i)
	if q != '\'' && !(q == '"' && s.d.DoubleQuotedStrings) {
		return 0, false
	}
	if i == 2 && !(raw || (s.at(0)|0x20 == 'b' && s.at(1)|0x20 == 'r')) {
		return 0, false // only rb / br combine
	}
	s.pos = start + i
	if raw {
		escapes = true // in raw strings a backslash still keeps the next quote from closing
	}
	if s.d.TripleQuotes && s.at(1) == q && s.at(2) == q {
		return s.tripleQuoted(q, escapes), true
	}
	return s.quoted(q, escapes, token.String), true
}

// quoted scans a quoted run from the opening byte at s.pos to the closing byte `closer`, where a
// doubled closer stands for itself and, when escapes is set, a backslash protects the next byte.
func (s *scanner) quoted(closer byte, escapes bool, k token.Kind) token.Kind {
	start := s.pos
	s.pos++
	src := s.src
	for s.pos < len(src) {
		c := src[s.pos]
		switch {
		case c == '{' && k == token.String && s.pos+2 < len(src) && src[s.pos+1] == '{' && (src[s.pos+2] == ' ' || src[s.pos+2] == '-'):
			// Unrendered Jinja inside a string ('{{ var('start') }}') may hold quotes of its
			// own; a one-line {{ ... }} is skipped whole.
			if j := strings.Index(src[s.pos:], "}}"); j > 0 && !strings.ContainsRune(src[s.pos:s.pos+j], '\n') {
				s.pos += j + 2
				continue
			}
		case c == closer:
			if s.pos+1 < len(src) && src[s.pos+1] == closer {
				s.pos += 2
				continue
			}
			s.pos++
			return k
		case c == '\\' && escapes:
			s.pos += 2
			continue
		}
		s.pos++
	}
	s.pos = len(src)
	if k == token.String {
		s.error(start, "unterminated string")
	} else {
		s.error(start, "unterminated quoted identifier")
	}
	return k
}

func (s *scanner) tripleQuoted(q byte, escapes bool) token.Kind {
	start := s.pos
	s.pos += 3
	src := s.src
	for s.pos < len(src) {
		c := src[s.pos]
		if c == '\\' && escapes {
			s.pos += 2
			continue
		}
		if c == q && s.pos+2 < len(src) && src[s.pos+1] == q && src[s.pos+2] == q {
			s.pos += 3
			return token.String
		}
		s.pos++
	}
	s.pos = len(src)
	s.error(start, "unterminated string")
	return token.String
}

func (s *scanner) lineComment() token.Kind {
	src := s.src
	for s.pos < len(src) && src[s.pos] != '\n' {
		s.pos++
	}
	if s.pos > 0 && s.pos < len(src) && src[s.pos-1] == '\r' {
		s.pos-- // leave "\r\n" whole for the Newline token
	}
	return token.LineComment
}

func (s *scanner) blockComment() token.Kind {
	start := s.pos
	s.pos += 2
	depth := 1
	src := s.src
	for s.pos < len(src) {
		c := src[s.pos]
		if c == '*' && s.pos+1 < len(src) && src[s.pos+1] == '/' {
			s.pos += 2
			depth--
			if depth == 0 {
				return token.BlockComment
			}
			continue
		}
		if c == '/' && s.d.NestedComments && s.pos+1 < len(src) && src[s.pos+1] == '*' {
			s.pos += 2
			depth++
			continue
		}
		s.pos++
	}
	s.error(start, "unterminated comment")
	return token.BlockComment
}

func (s *scanner) number() token.Kind {
	src := s.src
	start := s.pos
	if src[s.pos] == '0' && (s.at(1)|0x20 == 'x') && class[s.at(2)]&clsHex != 0 {
		s.pos += 2
		for s.pos < len(src) && class[src[s.pos]]&clsHex != 0 {
			s.pos++
		}
		return token.Number
	}
	s.digits()
	if s.pos < len(src) && src[s.pos] == '.' && !(s.pos+1 < len(src) && src[s.pos+1] == '.') {
		s.pos++
		s.digits()
	}
	if s.pos < len(src) && src[s.pos]|0x20 == 'e' {
		j := s.pos + 1
		if j < len(src) && (src[j] == '+' || src[j] == '-') {
			j++
		}
		if j < len(src) && class[src[j]]&clsDigit != 0 {
			s.pos = j
			s.digits()
		}
	}
	if s.d.NumberSuffix && s.pos < len(src) {
		switch src[s.pos] | 0x20 {
		case 'l', 's', 'y', 'd', 'f':
			if class[s.at(1)]&clsIdent == 0 {
				s.pos++
			}
		case 'b':
			if s.at(1)|0x20 == 'd' && class[s.at(2)]&clsIdent == 0 {
				s.pos += 2
			}
		}
	}
	if s.d.DigitIdents && s.pos < len(src) && class[src[s.pos]]&clsIdent != 0 && class[src[s.pos]]&clsDigit == 0 && allDigits(src[start:s.pos]) {
		// Digits run into a name: 1688_price is one identifier where the dialect allows it.
		for s.pos < len(src) && class[src[s.pos]]&clsIdent != 0 {
			s.pos++
		}
		return token.Ident
	}
	return token.Number
}

// allDigits reports whether a number's text is digits (and underscores) only: `1.5e3x` is
// no name.
func allDigits(b string) bool {
	for i := 0; i < len(b); i++ {
		if c := b[i]; class[c]&clsDigit == 0 && c != '_' {
			return false
		}
	}
	return true
}

// digits consumes decimal digits with single underscores between them (1_000).
func (s *scanner) digits() {
	src := s.src
	for s.pos < len(src) {
		c := src[s.pos]
		if class[c]&clsDigit != 0 {
			s.pos++
			continue
		}
		if c == '_' && s.pos > 0 && class[src[s.pos-1]]&clsDigit != 0 && class[s.at(1)]&clsDigit != 0 {
			s.pos++
			continue
		}
		return
	}
}

func (s *scanner) dollar() token.Kind {
	src := s.src
	start := s.pos
	n := s.at(1)
	switch {
	case n == '$' && s.d.DollarQuotes:
		if j := indexFrom(src, "$$", start+2); j >= 0 {
			s.pos = j + 2
		} else {
			s.pos = len(src)
			s.error(start, "unterminated dollar-quoted string")
		}
		return token.String
	case class[n]&clsDigit != 0:
		s.pos++
		for s.pos < len(src) && class[src[s.pos]]&clsDigit != 0 {
			s.pos++
		}
		return token.Param
	case class[n]&clsIdentStart != 0:
		j := start + 1
		for j < len(src) && class[src[j]]&clsIdent != 0 && src[j] != '$' {
			j++
		}
		if s.d.DollarTags && j < len(src) && src[j] == '$' {
			tag := src[start : j+1]
			if k := indexFrom(src, tag, j+1); k >= 0 {
				s.pos = k + len(tag)
			} else {
				s.pos = len(src)
				s.error(start, "unterminated dollar-quoted string")
			}
			return token.String
		}
		s.pos = j
		return token.Variable // Snowflake $session_var
	}
	s.pos++
	return token.Illegal
}

func (s *scanner) at_() token.Kind {
	src := s.src
	n := s.at(1)
	switch {
	case n == '@' && class[s.at(2)]&clsIdentStart != 0:
		s.pos += 2
		s.identTail()
		return token.Variable
	case class[n]&clsIdentStart != 0 || (s.d.StagePaths && (n == '%' || n == '~')):
		s.pos++
		if s.d.AtParams {
			s.identTail()
			return token.Param
		}
		if s.d.StagePaths {
			// @db.schema.stage/path/file.csv.gz, @%table, @~ : one name.
			for s.pos < len(src) {
				c := src[s.pos]
				if class[c]&clsIdent != 0 || c == '.' || c == '/' || c == '%' || c == '~' || c == '-' || c == '=' {
					s.pos++
					continue
				}
				break
			}
			return token.Variable
		}
		s.identTail()
		return token.Variable
	}
	return s.operator()
}

// template scans leftover Jinja ({{ }}, {% %}, {# #}) as one token when it is closed.
func (s *scanner) template() (token.Kind, bool) {
	var closer string
	switch s.at(1) {
	case '{':
		closer = "}}"
	case '%':
		closer = "%}"
	case '#':
		closer = "#}"
	default:
		return 0, false
	}
	j := indexFrom(s.src, closer, s.pos+2)
	if j < 0 {
		return 0, false
	}
	s.pos = j + 2
	if closer == "}}" {
		s.glue() // {{ prefix }}_today
	}
	return token.Template, true
}

// operators, longest first within each leading byte.
var operators = [256][]string{
	'<': {"<=>", "<->", "<#>", "<<=", "<=", "<>", "<<", "<@", "<"},
	'>': {">>=", ">=", ">>", ">"},
	'=': {"=>", "==", "="},
	'!': {"!~~*", "!~~", "!~*", "!=", "!~", "!!", "!<", "!>", "!"},
	'|': {"||/", "|/", "||", "|>", "|"},
	'&': {"&&", "&<", "&>", "&"},
	'~': {"~~*", "~~", "~*", "~"},
	'^': {"^@", "^="},
	'*': {"**", "*"},
	'+': {"+"},
	'#': {"#>>", "#>", "#-", "#"},
	'@': {"@>", "@@", "@"},
}

func (s *scanner) operator() token.Kind {
	rest := s.src[s.pos:]
	for _, op := range operators[rest[0]] {
		if len(rest) >= len(op) && rest[:len(op)] == op {
			s.pos += len(op)
			return token.Operator
		}
	}
	s.pos++
	return token.Operator
}

func indexFrom(s, sub string, from int) int {
	if from > len(s) {
		return -1
	}
	if i := strings.Index(s[from:], sub); i >= 0 {
		return from + i
	}
	return -1
}

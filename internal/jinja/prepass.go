package jinja

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/nikolalohinski/gonja/v2/config"
	"github.com/nikolalohinski/gonja/v2/tokens"
)

// nameUse is where a free name (or a dotted chain like dbt_utils.star) first appears in one
// template, so a stub can report an unknown macro at the spot the user wrote it.
type nameUse struct {
	Line, Col int // from gonja: 1-based line, 1-based byte column in the normalized text
	Pos       int // byte offset in the normalized text
}

// scanNames lists the names a template reads, with the first position of each name and of
// each dotted chain starting at a name. Names that can only be attribute names, filter or
// test names, keyword arguments or tag names are left out: binding them would be harmless,
// but reporting them would not.
func scanNames(toks []*tokens.Token) map[string]nameUse {
	names := map[string]nameUse{}
	for i, t := range toks {
		if t.Type != tokens.Name {
			continue
		}
		if i > 0 {
			switch prev := toks[i-1]; prev.Type {
			case tokens.Dot, tokens.Pipe, tokens.Is, tokens.BlockBegin:
				continue
			case tokens.Not:
				if i > 1 && toks[i-2].Type == tokens.Is {
					continue
				}
			case tokens.Name:
				// "for x in", "macro name(", "import ... as x": the name being bound.
				switch prev.Val {
				case "for", "macro", "test", "as", "import", "set", "materialization", "snapshot", "docs":
					continue
				}
			}
		}
		if i+1 < len(toks) && toks[i+1].Type == tokens.Assign {
			continue // keyword argument or {% set x = %}
		}
		if jinjaKeywords[t.Val] || strings.HasPrefix(t.Val, "__dataops") {
			continue
		}
		use := nameUse{Line: t.Line, Col: t.Col, Pos: t.Pos}
		if _, ok := names[t.Val]; !ok {
			names[t.Val] = use
		}
		chain := t.Val
		for j := i + 1; j+1 < len(toks) && toks[j].Type == tokens.Dot && toks[j+1].Type == tokens.Name; j += 2 {
			chain += "." + toks[j+1].Val
			if _, ok := names[chain]; !ok {
				names[chain] = use // reported where the dotted name starts
			}
		}
	}
	return names
}

// jinjaKeywords are names the expression grammar or the tags consume themselves.
var jinjaKeywords = map[string]bool{
	"true": true, "false": true, "none": true, "True": true, "False": true, "None": true,
	"and": true, "or": true, "not": true, "in": true, "is": true, "if": true, "else": true,
	"elif": true, "endif": true, "for": true, "endfor": true, "recursive": true,
	"with": true, "without": true, "context": true, "only": true, "ignore": true, "missing": true,
	"loop": true, "caller": true, "varargs": true, "kwargs": true, "self": true,
	"endmacro": true, "endcall": true, "endset": true, "endfilter": true, "endwith": true,
	"endraw": true, "endtest": true, "enddocs": true, "endmaterialization": true,
	"endsnapshot": true, "import": true, "from": true, "as": true,
}

// lexTemplate lexes src (already newline-normalized) into the tokens the parser reads. A lexer
// error ends the stream early, which gonja's parser would take as a silent end of template;
// it is returned so the render can report it.
// lexAllMax is the largest template lexed in one go; real models and macro files are well
// under it.
const lexAllMax = 256 << 10

func lexTemplate(src string, cfg *config.Config) ([]*tokens.Token, *tokens.Token) {
	guarded, bad := guardLexer(src)
	if bad >= 0 {
		return nil, &tokens.Token{Type: tokens.Error, Pos: bad, Val: "a number followed by '.' and a non-ASCII character is not supported here"}
	}
	// gonja's LexAll preallocates a token for every three bytes of input, some twenty times the
	// size of the input whatever it holds; past lexAllMax the tokens are made as they come.
	var stream *tokens.Stream
	if len(guarded) <= lexAllMax {
		stream = tokens.LexAll(guarded, cfg)
	} else {
		stream = tokens.Lex(guarded, cfg)
	}
	var out []*tokens.Token
	for {
		t := stream.Current()
		if t == nil {
			return out, nil
		}
		if t.Type == tokens.Error {
			return out, t
		}
		switch t.Type {
		case tokens.Data, tokens.Comment, tokens.EOF:
		case tokens.String:
			fixString(t, src)
		case tokens.Integer:
			// Python's ints have no bound; gonja's are int64 and refuse a longer literal (a TON
			// contract hash passed to a macro). As a string it prints the same digits.
			if _, err := strconv.ParseInt(t.Val, 10, 64); err != nil && strings.Trim(t.Val, "0123456789_") == "" {
				t.Type, t.Val = tokens.String, gonjaString(strings.ReplaceAll(t.Val, "_", ""))
			}
		default:
			trimName(t)
			if t.Val == "" && t.Type == tokens.Name {
				// A bare newline inside a tag lexes as an empty name.
				stream.Next()
				continue
			}
			if t.Type == tokens.Name {
				// A keyword operator at the end of a line lexes as a name.
				if typ, ok := keywordOps[t.Val]; ok {
					t.Type = typ
				}
				// gonja knows None but not Jinja's lowercase none (except as the test in
				// "is none").
				if t.Val == "none" && !afterIs(out) {
					t.Val = "None"
				}
			}
		}
		out = append(out, t)
		if t.Type == tokens.EOF {
			if at := tooNested(out); at != nil {
				return out, at
			}
			return out, nil
		}
		stream.Next()
	}
}

// tokenError turns a lexer error token into a message.
func tokenError(t *tokens.Token) string {
	msg := strings.TrimSpace(t.Val)
	if msg == "" {
		msg = "unexpected character"
	}
	return msg
}

// trimName drops whitespace gonja's lexer leaves at the start of a token that follows a bare
// newline inside a tag ("[1,\n2]" lexes the second item as "\n2"), moving the token's
// position to the token itself.
func trimName(t *tokens.Token) {
	n := len(t.Val) - len(strings.TrimLeft(t.Val, " \t\r\n"))
	if n == 0 {
		return
	}
	skipped := t.Val[:n]
	t.Val = t.Val[n:]
	t.Pos += n
	if i := strings.LastIndexByte(skipped, '\n'); i >= 0 {
		t.Line += strings.Count(skipped, "\n")
		t.Col = n - i
	} else {
		t.Col += n
	}
}

func afterIs(out []*tokens.Token) bool {
	n := len(out)
	return n > 0 && (out[n-1].Type == tokens.Is || out[n-1].Type == tokens.Not && n > 1 && out[n-2].Type == tokens.Is)
}

var keywordOps = map[string]tokens.Type{"and": tokens.And, "or": tokens.Or, "in": tokens.In, "is": tokens.Is, "not": tokens.Not}

// fixString sets a string literal's value from the template text. gonja's lexer takes a
// newline before a string into the token (and then loses the string's first character), and
// its own unescaping mangles backslashes; Jinja reads string literals with Python's escapes.
// The value is stored in the form gonja's parser turns back into it (see gonjaString).
func fixString(t *tokens.Token, src string) {
	s := t.Pos
	for s < len(src) && (src[s] == '\n' || src[s] == ' ' || src[s] == '\t' || src[s] == '\r') {
		s++
	}
	if s >= len(src) || (src[s] != '\'' && src[s] != '"') {
		return
	}
	val, ok := pyString(src[s:])
	if !ok {
		return
	}
	skipped := src[t.Pos:s]
	t.Val = gonjaString(val)
	t.Pos = s
	if i := strings.LastIndexByte(skipped, '\n'); i >= 0 {
		t.Line += strings.Count(skipped, "\n")
		t.Col = len(skipped) - i
	} else {
		t.Col += len(skipped)
	}
}

// pyString decodes the quoted literal at the start of s with Python's escapes (as Jinja
// does); ok is false when it is not closed.
func pyString(s string) (string, bool) {
	q := s[0]
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		c := s[i]
		if c == q {
			return b.String(), true
		}
		if c != '\\' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		i++
		switch e := s[i]; e {
		case '\\', '\'', '"':
			b.WriteByte(e)
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case 'a':
			b.WriteByte('\a')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'v':
			b.WriteByte('\v')
		case '\n':
			// a backslash-newline continues the line
		case 'x', 'u', 'U':
			n := map[byte]int{'x': 2, 'u': 4, 'U': 8}[e]
			if i+n < len(s) {
				if r, err := strconv.ParseUint(s[i+1:i+1+n], 16, 32); err == nil && utf8.ValidRune(rune(r)) {
					b.WriteRune(rune(r))
					i += n
					continue
				}
			}
			b.WriteByte('\\')
			b.WriteByte(e)
		default:
			if e >= '0' && e <= '7' {
				j := i
				for j < len(s) && j < i+3 && s[j] >= '0' && s[j] <= '7' {
					j++
				}
				r, _ := strconv.ParseUint(s[i:j], 8, 32)
				b.WriteRune(rune(r))
				i = j - 1
				continue
			}
			b.WriteByte('\\')
			b.WriteByte(e)
		}
	}
	return "", false
}

// gonjaString encodes v so that gonja's parser, which quotes a string token, turns "\\\\"
// into "\\" and unquotes the result, ends with v again.
func gonjaString(v string) string {
	return strings.ReplaceAll(v, `\`, `\\`)
}

// guardLexer prepares text for gonja's lexer. It hides escaped backslashes inside string
// literals of tags, which the lexer takes for an escaped quote ('\\\\' would run the
// string on): each "\\\\" pair becomes "__" (same length, so offsets hold; string values are
// read from the original text afterwards). It also finds a number followed by "." and a
// non-ASCII character inside a tag, which sends the lexer into an endless loop; bad is the
// offset of such a spot, or -1. A no-break space inside a tag (text pasted from a document)
// becomes two spaces: Jinja's lexer takes it for whitespace, gonja's for the start of a name.
func guardLexer(src string) (out string, bad int) {
	bad = -1
	if !strings.Contains(src, `\\`) && !hasDigitDotNonASCII(src) && !strings.Contains(src, "\u00a0") {
		return src, bad
	}
	b := []byte(src)
	for i := 0; i+1 < len(b); i++ {
		if b[i] != '{' {
			continue
		}
		switch b[i+1] {
		case '#':
			if j := strings.Index(src[i+2:], "#}"); j >= 0 {
				i += j + 3
			}
			continue
		case '{', '%':
		default:
			continue
		}
		if b[i+1] == '%' && isRawTag(src[i:]) {
			if j := strings.Index(src[i:], "endraw"); j >= 0 {
				i += j
			}
			continue
		}
		closer := "}}"
		if b[i+1] == '%' {
			closer = "%}"
		}
		j := i + 2
		for j+1 < len(b) && src[j:j+2] != closer {
			switch c := b[j]; {
			case c == '\'' || c == '"':
				q := c
				j++
				for j < len(b) && b[j] != q {
					if b[j] == '\\' && j+1 < len(b) {
						if b[j+1] == '\\' {
							b[j], b[j+1] = '_', '_'
						}
						j++
					}
					j++
				}
			case c == 0xC2 && b[j+1] == 0xA0:
				b[j], b[j+1] = ' ', ' '
				j++
			case c >= '0' && c <= '9' && j+2 < len(b) && b[j+1] == '.' && b[j+2] >= 0x80:
				if bad < 0 {
					bad = j + 1
				}
			}
			j++
		}
		i = j
	}
	return string(b), bad
}

func hasDigitDotNonASCII(s string) bool {
	for i := strings.IndexByte(s, '.'); i >= 0; {
		if i > 0 && i+1 < len(s) && s[i-1] >= '0' && s[i-1] <= '9' && s[i+1] >= 0x80 {
			return true
		}
		j := strings.IndexByte(s[i+1:], '.')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return false
}

func isRawTag(s string) bool {
	s = strings.TrimPrefix(s, "{%")
	s = strings.TrimPrefix(s, "-")
	s = strings.TrimLeft(s, " \t\n")
	return strings.HasPrefix(s, "raw") && len(s) > 3 && !isIdentByte(s[3])
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// maxTemplateNesting bounds brackets inside expressions and blocks inside blocks. gonja's
// parser (and our rewriting) recurse on both, and Go cannot recover from a stack overflow,
// so a template nested deeper than any real one is refused before parsing.
const maxTemplateNesting = 256

var blockOpeners = map[string]bool{"if": true, "for": true, "macro": true, "call": true, "filter": true,
	"with": true, "test": true, "materialization": true, "docs": true, "snapshot": true, "autoescape": true}

// tooNested returns an error token at the first place nesting goes past the bound, or nil.
func tooNested(toks []*tokens.Token) *tokens.Token {
	brackets, blocks := 0, 0
	for i, t := range toks {
		switch t.Type {
		case tokens.LeftParenthesis, tokens.LeftBracket, tokens.LeftBrace:
			brackets++
		case tokens.RightParenthesis, tokens.RightBracket, tokens.RightBrace:
			brackets--
		case tokens.BlockBegin:
			if i+1 >= len(toks) || toks[i+1].Type != tokens.Name {
				continue
			}
			name := toks[i+1].Val
			switch {
			case blockOpeners[name]:
				blocks++
			case name == "set":
				block := true
				for j := i + 2; j < len(toks) && toks[j].Type != tokens.BlockEnd; j++ {
					if toks[j].Type == tokens.Assign {
						block = false
						break
					}
				}
				if block {
					blocks++
				}
			case strings.HasPrefix(name, "end"):
				blocks--
			}
		}
		if brackets > maxTemplateNesting || blocks > maxTemplateNesting {
			return &tokens.Token{Type: tokens.Error, Pos: t.Pos, Val: "template nested too deeply"}
		}
	}
	return nil
}

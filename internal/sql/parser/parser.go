// Package parser reads SQL of every dialect in package dialect into the tree of package ast.
// It is tolerant: it always returns a tree, with Bad nodes where the input was broken and an
// error (with its position) for each, resynchronizing at commas, closing parentheses, clause
// keywords and semicolons so the rest of the file stays usable. Keywords are contextual: `date`,
// `value`, `type`, `left` are column names wherever a keyword cannot stand. It never panics on
// any input, never reads files and never resolves names.
package parser

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/dataops-dev/dataops/internal/sql/ast"
	"github.com/dataops-dev/dataops/internal/sql/dialect"
	"github.com/dataops-dev/dataops/internal/sql/lexer"
	"github.com/dataops-dev/dataops/internal/sql/token"
)

// Error is one syntax error at a byte offset, with its line and column.
type Error struct {
	Pos token.Pos
	token.Position
	Msg string
}

func (e *Error) Error() string { return fmt.Sprintf("%d:%d: %s", e.Line, e.Column, e.Msg) }

// ErrorList is a list of syntax errors sorted by position.
type ErrorList []*Error

func (l ErrorList) Error() string {
	switch len(l) {
	case 0:
		return "no errors"
	case 1:
		return l[0].Error()
	}
	return fmt.Sprintf("%s (and %d more errors)", l[0].Error(), len(l)-1)
}

// Err returns the list as an error, or nil when it is empty.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}

// maxErrors bounds the work spent on input that is not SQL at all.
const maxErrors = 50

// maxDepth bounds nesting so hostile input cannot exhaust the stack.
const maxDepth = 500

// bailout unwinds the parser when the input is hopeless; Parse recovers it.
type bailout struct{}

// Parse parses src as a sequence of statements in dialect d.
func Parse(src string, d dialect.Dialect) (*ast.File, ErrorList) {
	p := &parser{src: src, d: d}
	p.init()
	f := &ast.File{Span: ast.Span{Start: 0, Stop: token.Pos(len(src))}}
	func() {
		defer func() {
			if r := recover(); r != nil {
				if _, ok := r.(bailout); !ok {
					// A bug, not the user's fault; keep the promise of never panicking on input
					// but say clearly that the parser failed here.
					p.errs = append(p.errs, &Error{Pos: p.pos(), Msg: fmt.Sprintf("internal parser error: %v", r)})
				}
				if p.i < len(p.toks)-1 {
					f.Stmts = append(f.Stmts, &ast.BadStmt{Span: ast.Span{Start: p.pos(), Stop: token.Pos(len(src))}})
				}
			}
		}()
		p.file(f)
	}()
	return f, p.errorList()
}

// ParseExpr parses a single expression (used by tests and by callers holding a fragment).
func ParseExpr(src string, d dialect.Dialect) (ast.Expr, ErrorList) {
	p := &parser{src: src, d: d}
	p.init()
	var x ast.Expr
	func() {
		defer func() {
			if r := recover(); r != nil {
				if _, ok := r.(bailout); !ok {
					p.errs = append(p.errs, &Error{Pos: p.pos(), Msg: fmt.Sprintf("internal parser error: %v", r)})
				}
			}
		}()
		x = p.expr()
		if p.tok().Kind != token.EOF {
			p.errorf(p.pos(), "unexpected %s after expression", p.describe())
		}
	}()
	if x == nil {
		x = &ast.BadExpr{Span: ast.Span{Start: 0, Stop: token.Pos(len(src))}}
	}
	return x, p.errorList()
}

type parser struct {
	src   string
	d     dialect.Dialect
	toks  []token.Token // significant tokens, ending with EOF
	i     int
	errs  ErrorList
	depth int
	// inCallArgs counts enclosing call argument lists (reset inside subqueries and
	// parentheses): only there does `x -> body` read as a lambda.
	inCallArgs int
	// speculating counts open speculative parses, which give up at their first error.
	speculating int
}

// lexBuffers recycles the full token stream (trivia included), which the parser needs only
// while it copies out the significant tokens.
var lexBuffers = sync.Pool{New: func() any { return new([]token.Token) }}

func (p *parser) init() {
	buf := lexBuffers.Get().(*[]token.Token)
	all := lexer.AppendTokens((*buf)[:0], p.src, p.d, func(pos token.Pos, msg string) { p.errorf(pos, "%s", msg) })
	n := 0
	for _, t := range all {
		if !p.skippable(t) {
			n++
		}
	}
	p.toks = make([]token.Token, 0, n)
	for _, t := range all {
		if !p.skippable(t) {
			p.toks = append(p.toks, t)
		}
	}
	clear(all) // drop references to the source before pooling
	*buf = all[:0]
	lexBuffers.Put(buf)
}

// skippable drops trivia and Jinja statements/comments ({% %}, {# #}): they carry no SQL
// meaning, while {{ }} stands for a value or a name and stays.
func (p *parser) skippable(t token.Token) bool {
	if t.Kind.Trivia() {
		return true
	}
	return t.Kind == token.Template && len(t.Text) >= 2 && (t.Text[1] == '%' || t.Text[1] == '#')
}

func (p *parser) errorList() ErrorList {
	if len(p.errs) == 0 {
		return nil
	}
	f := token.NewFile("", p.src)
	sort.SliceStable(p.errs, func(i, j int) bool { return p.errs[i].Pos < p.errs[j].Pos })
	out := p.errs[:0]
	for i, e := range p.errs {
		if i > 0 && e.Pos == out[len(out)-1].Pos && e.Msg == out[len(out)-1].Msg {
			continue
		}
		e.Position = f.Position(e.Pos)
		out = append(out, e)
	}
	return out
}

func (p *parser) errorf(pos token.Pos, format string, args ...any) {
	if p.speculating > 0 {
		panic(speculationFailed{})
	}
	// One error per position: a second complaint about the same spot is noise.
	if n := len(p.errs); n > 0 && p.errs[n-1].Pos == pos {
		return
	}
	p.errs = append(p.errs, &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)})
	if len(p.errs) > maxErrors {
		panic(bailout{})
	}
}

// ---------------------------------------------------------------------------------------------
// Token access

func (p *parser) tok() token.Token { return p.toks[p.i] }

func (p *parser) peek(n int) token.Token {
	j := p.i + n
	if j >= len(p.toks) {
		j = len(p.toks) - 1
	}
	return p.toks[j]
}

func (p *parser) next() {
	if p.i < len(p.toks)-1 {
		p.i++
	}
}

func (p *parser) pos() token.Pos { return p.toks[p.i].Pos }

// prevEnd is the end of the last consumed token.
func (p *parser) prevEnd() token.Pos {
	if p.i == 0 {
		return p.toks[0].Pos
	}
	return p.toks[p.i-1].End
}

func (p *parser) at(k token.Kind) bool { return p.toks[p.i].Kind == k }

func (p *parser) got(k token.Kind) bool {
	if p.toks[p.i].Kind == k {
		p.next()
		return true
	}
	return false
}

func isKw(t token.Token, kw string) bool {
	return t.Kind == token.Ident && len(t.Text) == len(kw) && strings.EqualFold(t.Text, kw)
}

func (p *parser) isKw(kw string) bool          { return isKw(p.toks[p.i], kw) }
func (p *parser) peekKw(n int, kw string) bool { return isKw(p.peek(n), kw) }

func (p *parser) gotKw(kw string) bool {
	if p.isKw(kw) {
		p.next()
		return true
	}
	return false
}

// gotKws consumes a sequence of keywords only when all of them are present.
func (p *parser) gotKws(kws ...string) bool {
	for i, kw := range kws {
		if !p.peekKw(i, kw) {
			return false
		}
	}
	for range kws {
		p.next()
	}
	return true
}

func (p *parser) isOp(op string) bool {
	t := p.toks[p.i]
	return t.Kind == token.Operator && t.Text == op
}

func (p *parser) gotOp(op string) bool {
	if p.isOp(op) {
		p.next()
		return true
	}
	return false
}

// describe names the current token for messages.
func (p *parser) describe() string {
	t := p.tok()
	switch t.Kind {
	case token.EOF:
		return "end of input"
	case token.Ident, token.Operator:
		return fmt.Sprintf("%q", t.Text)
	}
	text := t.Text
	if len(text) > 20 {
		text = text[:20] + "..."
	}
	return fmt.Sprintf("%s %q", strings.ToLower(t.Kind.String()), text)
}

func (p *parser) expect(k token.Kind, what string) bool {
	if p.got(k) {
		return true
	}
	p.errorf(p.pos(), "expected %s, found %s", what, p.describe())
	return false
}

func (p *parser) expectKw(kw string) bool {
	if p.gotKw(kw) {
		return true
	}
	p.errorf(p.pos(), "expected %s, found %s", strings.ToUpper(kw), p.describe())
	return false
}

// closeParen expects `)`; when it is missing it reports and skips to the matching `)`, stopping
// early at a clause keyword or `;` so that one bad argument does not swallow the rest of the
// query.
func (p *parser) closeParen() {
	if p.got(token.RParen) {
		return
	}
	p.errorf(p.pos(), "expected ), found %s", p.describe())
	depth := 0
	for {
		switch p.tok().Kind {
		case token.EOF, token.Semicolon:
			return
		case token.LParen, token.LBracket:
			depth++
		case token.RBracket:
			depth--
		case token.RParen:
			if depth == 0 {
				p.next()
				return
			}
			depth--
		case token.Ident:
			if depth == 0 && p.atClauseWord() {
				return
			}
		}
		p.next()
	}
}

func (p *parser) enter() {
	p.depth++
	if p.depth > maxDepth {
		p.errorf(p.pos(), "nesting too deep")
		panic(bailout{})
	}
}

func (p *parser) leave() { p.depth-- }

// clauseWords end an expression or item list: resynchronization stops at them.
var clauseWords = map[string]bool{
	"from": true, "where": true, "group": true, "having": true, "qualify": true, "window": true,
	"order": true, "limit": true, "offset": true, "fetch": true, "union": true, "intersect": true,
	"except": true, "minus": true, "select": true, "into": true, "on": true, "using": true,
	"join": true, "then": true, "else": true, "end": true, "when": true, "returning": true,
}

func (p *parser) atClauseWord() bool {
	t := p.tok()
	if t.Kind != token.Ident || len(t.Text) > 9 || p.peek(1).Kind == token.Dot {
		// `order.id` qualifies a column; no clause begins so.
		return false
	}
	return clauseWords[lower(t.Text)] && !p.atGroupColumn()
}

// atGroupColumn reports whether `group` here is a column's name: Spark reserves the word only
// in GROUP BY, so elsewhere it is a name (`select id, group from t group by id, group`).
func (p *parser) atGroupColumn() bool {
	return p.d.GroupColumns && p.isKw("group") && !p.peekKw(1, "by")
}

// lower lower-cases a word for keyword comparison. Upper-case keywords (SELECT, FROM) come
// back as interned constants without allocating; other words fall back to strings.ToLower.
func lower(s string) string {
	up := false
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			up = true
			break
		}
	}
	if !up {
		return s
	}
	if len(s) <= 24 {
		var buf [24]byte
		for i := 0; i < len(s); i++ {
			c := s[i]
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			buf[i] = c
		}
		if k, ok := interned()[string(buf[:len(s)])]; ok { // no allocation for the lookup
			return k
		}
	}
	return strings.ToLower(s)
}

// interned holds every word the parser compares against, built on first use: as the package
// is initialised it would cost every run of the binary, most of which parse no SQL.
var interned = sync.OnceValue(func() map[string]string {
	m := map[string]string{}
	for _, words := range []map[string]bool{clauseWords, aliasReserved, exprStartReserved, niladic, typedLiteralTypes, createModifiers, joinWords} {
		for k := range words {
			m[k] = k
		}
	}
	for _, k := range strings.Fields(`all and any array at before between case cast changes char character
		connect create day days delete div double exclude exists extract false from glob global hour
		hours ignore ilike in insert interval is isnull lambda like long map merge minute minutes mod
		month months national not notnull null nulls or overlaps partition regexp rename replace
		respect rlike row safe_cast sample select similar some start struct tablesample true try_cast
		update values with xor year years second seconds week weeks quarter quarters trim position
		overlay convert sql`) {
		m[k] = k
	}
	return m
})

// skipBad consumes a broken stretch up to the next `,`, `)`, `;` or clause keyword at nesting
// depth zero and returns its span start. It always consumes at least one token unless it
// already stands at a stop.
func (p *parser) skipBad() (token.Pos, token.Pos) {
	start := p.pos()
	depth := 0
	for {
		t := p.tok()
		switch t.Kind {
		case token.EOF, token.Semicolon:
			return start, p.prevEndOr(start)
		case token.LParen, token.LBracket, token.LBrace:
			depth++
		case token.RParen, token.RBracket, token.RBrace:
			if depth == 0 {
				return start, p.prevEndOr(start)
			}
			depth--
		case token.Comma:
			if depth == 0 {
				return start, p.prevEndOr(start)
			}
		case token.Ident:
			if depth == 0 && p.atClauseWord() {
				return start, p.prevEndOr(start)
			}
		}
		p.next()
	}
}

func (p *parser) prevEndOr(start token.Pos) token.Pos {
	if e := p.prevEnd(); e > start {
		return e
	}
	return start
}

func (p *parser) badExpr(msg string) *ast.BadExpr {
	p.errorf(p.pos(), "%s, found %s", msg, p.describe())
	from, to := p.skipBad()
	return &ast.BadExpr{Span: ast.Span{Start: from, Stop: to}}
}

// ---------------------------------------------------------------------------------------------
// Identifiers

// identFrom turns an Ident or QuotedIdent token into an ast.Ident.
func (p *parser) identFrom(t token.Token) *ast.Ident {
	id := &ast.Ident{Span: ast.Span{Start: t.Pos, Stop: t.End}, Name: t.Text}
	if t.Kind == token.QuotedIdent && len(t.Text) > 0 {
		q := t.Text[0]
		if q == 'U' || q == 'u' { // U&"..."
			body := t.Text
			if len(body) > 2 {
				body = body[2:]
			}
			id.Quote = '"'
			id.Name = unquote(body, '"', '"')
			return id
		}
		closer := q
		if q == '[' {
			closer = ']'
		}
		id.Quote = q
		if q == '`' && p.d.BackslashEscapes && strings.IndexByte(t.Text, '\\') >= 0 {
			// The lexer let a backslash protect the next byte, so the name is what the
			// escapes spell, and it prints as written.
			id.Name, id.Raw = unescapeBackticks(t.Text), t.Text
			return id
		}
		id.Name = unquote(t.Text, q, closer)
	}
	return id
}

// unescapeBackticks is the name a backtick-quoted identifier spells when a backslash escapes
// the byte after it: \` and \\ stand for the byte, a doubled backtick for one, and a backslash
// before anything else stays as written.
func unescapeBackticks(text string) string {
	body := strings.TrimPrefix(text, "`")
	body = strings.TrimSuffix(body, "`")
	var b strings.Builder
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case c == '\\' && i+1 < len(body) && (body[i+1] == '`' || body[i+1] == '\\'):
			i++
			c = body[i]
		case c == '`' && i+1 < len(body) && body[i+1] == '`':
			i++
		}
		b.WriteByte(c)
	}
	return b.String()
}

// stringIdent is the identifier a string token stands for where a name may be written as one.
func stringIdent(t token.Token, name string) *ast.Ident {
	return &ast.Ident{Span: ast.Span{Start: t.Pos, Stop: t.End}, Name: name, Quote: '"', Raw: t.Text}
}

// unquote strips the quotes of text (which starts with the opener) and undoes doubled closers.
func unquote(text string, opener, closer byte) string {
	if len(text) == 0 || text[0] != opener {
		return text
	}
	body := text[1:]
	if len(body) > 0 && body[len(body)-1] == closer {
		body = body[:len(body)-1]
	}
	dbl := string([]byte{closer, closer})
	if strings.Contains(body, dbl) {
		body = strings.ReplaceAll(body, dbl, string(closer))
	}
	return body
}

func (p *parser) atIdent() bool {
	k := p.tok().Kind
	return k == token.Ident || k == token.QuotedIdent
}

// ident reads any identifier, keywords included (callers decide when a keyword may stand).
func (p *parser) ident() *ast.Ident {
	if p.atIdent() {
		id := p.identFrom(p.tok())
		p.next()
		return id
	}
	if isJinjaValue(p.tok()) {
		t := p.tok()
		p.next()
		return &ast.Ident{Span: ast.Span{Start: t.Pos, Stop: t.End}, Name: t.Text}
	}
	p.errorf(p.pos(), "expected identifier, found %s", p.describe())
	return &ast.Ident{Span: ast.Span{Start: p.pos(), Stop: p.pos()}}
}

// name reads a dotted name a.b.c.
func (p *parser) name() *ast.Name {
	start := p.pos()
	n := &ast.Name{Parts: []*ast.Ident{p.ident()}}
	for p.at(token.Dot) && (p.peek(1).Kind == token.Ident || p.peek(1).Kind == token.QuotedIdent || isJinjaValue(p.peek(1))) {
		p.next()
		n.Parts = append(n.Parts, p.ident())
	}
	n.Span = ast.Span{Start: start, Stop: p.prevEndOr(start)}
	return n
}

func isJinjaValue(t token.Token) bool {
	return t.Kind == token.Template && !strings.HasPrefix(t.Text, "{%") && !strings.HasPrefix(t.Text, "{#")
}

// identList reads ( a, b, c ).
func (p *parser) parenIdentList() []*ast.Ident {
	if !p.expect(token.LParen, "(") {
		return nil
	}
	var list []*ast.Ident
	for !p.at(token.RParen) && !p.at(token.EOF) {
		if !p.atIdent() {
			p.errorf(p.pos(), "expected column name, found %s", p.describe())
			p.skipBad()
		} else {
			list = append(list, p.ident())
		}
		if !p.got(token.Comma) {
			break
		}
	}
	p.closeParen()
	return list
}

// tokensUntil collects significant tokens up to (not including) a stop at depth zero.
func (p *parser) tokensUntil(stop func() bool) []token.Token {
	start := p.i
	depth := 0
	for {
		if p.at(token.EOF) || p.at(token.Semicolon) && depth > 0 {
			if depth > 0 {
				p.errorf(p.pos(), "expected ), found %s", p.describe())
			}
			break
		}
		if depth == 0 && (p.at(token.Semicolon) || stop()) {
			break
		}
		switch p.tok().Kind {
		case token.LParen, token.LBracket, token.LBrace:
			depth++
		case token.RParen, token.RBracket, token.RBrace:
			if depth == 0 {
				return p.toks[start:p.i:p.i]
			}
			depth--
		}
		p.next()
	}
	return p.toks[start:p.i:p.i]
}

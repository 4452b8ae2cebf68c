package jinja

import (
	"strconv"

	"github.com/nikolalohinski/gonja/v2/tokens"
)

// fixTokens rewrites the token stream so gonja's parser accepts Jinja that dbt projects
// write but gonja's grammar lacks:
//
//   - conditional expressions anywhere (`(a if c else b)`, in call arguments, dict values,
//     list items) become `((c) and [a] or [b])[0]`, which gonja parses and evaluates lazily
//     with the same result;
//   - trailing commas before `)` and `}` are dropped;
//   - a bare tuple (`{{ a, b }}`, `{% set t = a, b %}`) is parenthesized, and so is a
//     subscript's (`x['a', 'b']`);
//   - a filtered operand is parenthesized (`a|lower in b|map('lower')` becomes
//     `(a|lower) in (b|map('lower'))`): filters bind tighter than any operator in Jinja, while
//     gonja only accepts them at the end of a whole expression; a filter after a test takes
//     the test as its operand (`x is not none | string` is `(x is not none) | string`);
//   - `f(x, *args, **kwargs)` passes them as marker keyword arguments, which
//     prepareTree turns into a call that spreads them;
//   - `{% for a, b, c in rows %}` (three or more targets) and `{% set a, b = pair %}` unpack
//     through a temporary: `{% for __t in rows %}{% set a = __t[0] %}...`.
//
// Only tokens inside {{ }} and {% %} change; text is untouched, so offsets stay exact.
func fixTokens(toks []*tokens.Token) []*tokens.Token {
	r := &tokenRewriter{}
	out := make([]*tokens.Token, 0, len(toks)+8)
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if t.Type != tokens.VariableBegin && t.Type != tokens.BlockBegin {
			out = append(out, t)
			continue
		}
		endType := tokens.VariableEnd
		if t.Type == tokens.BlockBegin {
			endType = tokens.BlockEnd
		}
		end := -1
		for j := i + 1; j < len(toks); j++ {
			if toks[j].Type == endType {
				end = j
				break
			}
			if toks[j].Type == tokens.VariableBegin || toks[j].Type == tokens.BlockBegin || toks[j].Type == tokens.EOF {
				break
			}
		}
		if end < 0 {
			out = append(out, t)
			continue
		}
		region := tidyTag(toks[i+1 : end])
		if t.Type == tokens.VariableBegin {
			out = append(out, t)
			out = append(out, bareTuple(r.expr(region, true), toks[end])...)
			out = append(out, toks[end])
		} else {
			out = append(out, r.tag(t, region, toks[end])...)
		}
		i = end
	}
	return out
}

// bareTuple parenthesizes an expression that is a bare tuple (`{{ a, b }}`,
// `{% set t = a, b %}`): Jinja reads it as a tuple, gonja only in parentheses.
func bareTuple(body []*tokens.Token, end *tokens.Token) []*tokens.Token {
	if len(body) == 0 || !hasTopLevelComma(body) {
		return body
	}
	out := make([]*tokens.Token, 0, len(body)+2)
	out = append(out, synth(body[0], tokens.LeftParenthesis, "("))
	out = append(out, body...)
	return append(out, synth(end, tokens.RightParenthesis, ")"))
}

// hasTopLevelComma reports whether an expression is a bare tuple: a comma outside any
// brackets.
func hasTopLevelComma(ts []*tokens.Token) bool {
	return topLevelHas(ts, tokens.Comma)
}

// subscriptTuple reports whether a subscript's inside is a tuple: a top-level comma, and no
// top-level colon (a slice).
func subscriptTuple(ts []*tokens.Token) bool {
	return topLevelHas(ts, tokens.Comma) && !topLevelHas(ts, tokens.Colon)
}

// topLevelHas reports whether a token of type typ stands outside any brackets.
func topLevelHas(ts []*tokens.Token, typ tokens.Type) bool {
	depth := 0
	for _, t := range ts {
		switch t.Type {
		case tokens.LeftParenthesis, tokens.LeftBracket, tokens.LeftBrace:
			depth++
		case tokens.RightParenthesis, tokens.RightBracket, tokens.RightBrace:
			depth--
		case typ:
			if depth == 0 {
				return true
			}
		}
	}
	return false
}

type tokenRewriter struct{ tmp int }

func (r *tokenRewriter) temp() string {
	r.tmp++
	return "dataops tmp " + strconv.Itoa(r.tmp)
}

// tidyTag rewrites a tag's tokens the way Jinja's parser reads them where gonja's would not: a
// trailing comma before `)` or `}` is dropped, and string literals that follow each other make
// one string (Python's implicit concatenation: dbt-codegen writes `"source x.sh """~ name ~""" "`).
// A joined token keeps the first one's position. The file's tokens are not modified: in itself
// is returned when nothing changes, else a copy.
func tidyTag(in []*tokens.Token) []*tokens.Token {
	var out []*tokens.Token // nil until something changes
	for i, t := range in {
		trailingComma := t.Type == tokens.Comma && i+1 < len(in) &&
			(in[i+1].Type == tokens.RightParenthesis || in[i+1].Type == tokens.RightBrace)
		adjacent := t.Type == tokens.String && i > 0 && in[i-1].Type == tokens.String
		if !trailingComma && !adjacent {
			if out != nil {
				out = append(out, t)
			}
			continue
		}
		if out == nil {
			out = append([]*tokens.Token{}, in[:i]...)
		}
		if adjacent {
			prev := *out[len(out)-1]
			prev.Val += t.Val
			out[len(out)-1] = &prev
		}
	}
	if out == nil {
		return in
	}
	return out
}

// bodyStatements are the statements whose header Jinja lets end with a colon: those whose
// body it reads next.
var bodyStatements = map[string]bool{
	"if": true, "elif": true, "else": true, "for": true, "macro": true, "call": true, "filter": true,
	"with": true, "block": true, "autoescape": true, "set": true, "test": true, "materialization": true,
}

// tag rewrites one {% ... %} tag, returning its tokens from begin to end inclusive (and any
// tags added after it).
func (r *tokenRewriter) tag(begin *tokens.Token, region []*tokens.Token, end *tokens.Token) []*tokens.Token {
	wrap := func(body []*tokens.Token) []*tokens.Token {
		out := make([]*tokens.Token, 0, len(body)+2)
		out = append(out, begin)
		out = append(out, body...)
		return append(out, end)
	}
	if len(region) == 0 || region[0].Type != tokens.Name {
		return wrap(region)
	}
	name := region[0]
	rest := region[1:]
	if n := len(rest); n > 0 && rest[n-1].Type == tokens.Colon && bodyStatements[name.Val] {
		// Jinja skips a colon after the header of a statement with a body, for Python's sake
		// (`{% if x: %}`, `{% for a in b: %}`, `{% else: %}`); gonja refuses it.
		rest = rest[:n-1]
		region = region[:len(region)-1]
	}
	switch name.Val {
	case "for":
		in := -1
		for i, t := range rest {
			if t.Type == tokens.In {
				in = i
				break
			}
		}
		if in < 0 {
			return wrap(region)
		}
		targets := splitNames(rest[:in])
		iter := r.expr(rest[in+1:], false)
		if len(targets) <= 2 {
			return wrap(append(append([]*tokens.Token{name}, rest[:in+1]...), iter...))
		}
		tmp := r.temp()
		plainEnd := synth(end, tokens.BlockEnd, "%}")
		out := []*tokens.Token{begin, name, synth(name, tokens.Name, tmp), rest[in]}
		out = append(out, iter...)
		out = append(out, plainEnd)
		return append(out, r.unpack(begin, end, targets, tmp)...)
	case "set":
		assign := -1
		for i, t := range rest {
			if t.Type == tokens.Assign {
				assign = i
				break
			}
		}
		if assign < 0 {
			return wrap(region)
		}
		targets := splitNames(rest[:assign])
		value := bareTuple(r.expr(rest[assign+1:], true), end)
		if len(targets) <= 1 {
			return wrap(append(append([]*tokens.Token{name}, rest[:assign+1]...), value...))
		}
		tmp := r.temp()
		out := []*tokens.Token{begin, name, synth(name, tokens.Name, tmp), rest[assign]}
		out = append(out, value...)
		out = append(out, synth(end, tokens.BlockEnd, "%}"))
		return append(out, r.unpack(begin, end, targets, tmp)...)
	case "if", "elif":
		return wrap(append([]*tokens.Token{name}, r.expr(rest, false)...))
	case "import", "from", "raw", "endraw":
		return wrap(region)
	}
	return wrap(append([]*tokens.Token{name}, r.expr(rest, true)...))
}

// unpack emits {% set target_i = tmp[i] %} for each target; the last tag takes the original
// end token so its whitespace control still applies to the text after it.
func (r *tokenRewriter) unpack(begin, end *tokens.Token, targets []*tokens.Token, tmp string) []*tokens.Token {
	var out []*tokens.Token
	for i, t := range targets {
		e := synth(end, tokens.BlockEnd, "%}")
		if i == len(targets)-1 {
			e = end
		}
		out = append(out,
			synth(begin, tokens.BlockBegin, "{%"),
			synth(t, tokens.Name, "set"),
			t,
			synth(t, tokens.Assign, "="),
			synth(t, tokens.Name, tmp),
			synth(t, tokens.LeftBracket, "["),
			synth(t, tokens.Integer, strconv.Itoa(i)),
			synth(t, tokens.RightBracket, "]"),
			e,
		)
	}
	return out
}

// splitNames reads "a, b, c" (optionally parenthesized); nil when it is anything else.
func splitNames(ts []*tokens.Token) []*tokens.Token {
	if len(ts) >= 2 && ts[0].Type == tokens.LeftParenthesis && ts[len(ts)-1].Type == tokens.RightParenthesis {
		ts = ts[1 : len(ts)-1]
	}
	var names []*tokens.Token
	for i, t := range ts {
		if i%2 == 0 {
			if t.Type != tokens.Name {
				return nil
			}
			names = append(names, t)
		} else if t.Type != tokens.Comma {
			return nil
		}
	}
	return names
}

func synth(at *tokens.Token, typ tokens.Type, val string) *tokens.Token {
	t := &tokens.Token{Type: typ, Val: val}
	if at != nil {
		t.Pos, t.Line, t.Col = at.Pos, at.Line, at.Col
	}
	return t
}

// atom is a token or a bracketed group whose inside is already rewritten.
type atom struct {
	tok   *tokens.Token
	open  *tokens.Token
	inner []*tokens.Token
	close *tokens.Token
}

func (a atom) flat(out []*tokens.Token) []*tokens.Token {
	if a.open == nil {
		return append(out, a.tok)
	}
	out = append(out, a.open)
	out = append(out, a.inner...)
	if a.close != nil {
		out = append(out, a.close)
	}
	return out
}

func closerOf(t tokens.Type) tokens.Type {
	switch t {
	case tokens.LeftParenthesis:
		return tokens.RightParenthesis
	case tokens.LeftBracket:
		return tokens.RightBracket
	case tokens.LeftBrace:
		return tokens.RightBrace
	}
	return tokens.Error
}

// expr rewrites an expression sequence. topCond says whether a conditional expression at the
// top level is rewritten (not in an {% if %} test or a for loop's filter).
func (r *tokenRewriter) expr(ts []*tokens.Token, topCond bool) []*tokens.Token {
	atoms, _ := r.atoms(ts, 0, tokens.Error)
	return r.pieces(atoms, topCond)
}

// atoms groups ts[i:] up to the closer `until`, rewriting each group's inside.
func (r *tokenRewriter) atoms(ts []*tokens.Token, i int, until tokens.Type) ([]atom, int) {
	var out []atom
	for i < len(ts) {
		t := ts[i]
		if t.Type == until {
			return out, i
		}
		if c := closerOf(t.Type); c != tokens.Error {
			inner, j := r.atoms(ts, i+1, c)
			a := atom{open: t, inner: r.pieces(inner, true)}
			if j < len(ts) {
				a.close = ts[j]
			}
			if t.Type == tokens.LeftBracket && len(out) > 0 && isPrimary(out[len(out)-1]) && a.close != nil && subscriptTuple(a.inner) {
				// x['a', 'b'] subscripts with a tuple, which gonja reads only in parentheses.
				a.inner = append(append([]*tokens.Token{synth(a.inner[0], tokens.LeftParenthesis, "(")}, a.inner...), synth(a.close, tokens.RightParenthesis, ")"))
			}
			out = append(out, a)
			i = j + 1
			continue
		}
		out = append(out, atom{tok: t})
		i++
	}
	return out, i
}

func isDelimiter(a atom) bool {
	if a.tok == nil {
		return false
	}
	switch a.tok.Type {
	case tokens.Comma, tokens.Colon, tokens.Assign:
		return true
	}
	return false
}

func isName(a atom, name string) bool {
	return a.tok != nil && a.tok.Type == tokens.Name && a.tok.Val == name
}

// pieces splits a group's atoms at top-level delimiters and rewrites conditional
// expressions in each piece.
func (r *tokenRewriter) pieces(atoms []atom, cond bool) []*tokens.Token {
	var out []*tokens.Token
	start := 0
	for i := 0; i <= len(atoms); i++ {
		if i < len(atoms) && !isDelimiter(atoms[i]) {
			continue
		}
		piece := wrapFilters(splat(atoms[start:i]))
		if cond {
			out = r.conditional(piece, out)
		} else {
			for _, a := range piece {
				out = a.flat(out)
			}
		}
		if i < len(atoms) {
			out = atoms[i].flat(out)
		}
		start = i + 1
	}
	return out
}

func (r *tokenRewriter) conditional(piece []atom, out []*tokens.Token) []*tokens.Token {
	ifAt := -1
	for i, a := range piece {
		if i > 0 && isName(a, "if") {
			ifAt = i
			break
		}
	}
	if ifAt < 0 {
		for _, a := range piece {
			out = a.flat(out)
		}
		return out
	}
	elseAt := -1
	for i := ifAt + 1; i < len(piece); i++ {
		if isName(piece[i], "else") {
			elseAt = i
			break
		}
	}
	at := piece[ifAt].tok
	a := piece[:ifAt]
	var c, b []atom
	if elseAt < 0 {
		c = piece[ifAt+1:]
	} else {
		c = piece[ifAt+1 : elseAt]
		b = piece[elseAt+1:]
	}
	out = append(out, synth(at, tokens.LeftParenthesis, "("), synth(at, tokens.LeftParenthesis, "("))
	for _, x := range c {
		out = x.flat(out)
	}
	out = append(out, synth(at, tokens.RightParenthesis, ")"), synth(at, tokens.And, "and"), synth(at, tokens.LeftBracket, "["))
	for _, x := range a {
		out = x.flat(out)
	}
	out = append(out, synth(at, tokens.RightBracket, "]"), synth(at, tokens.Or, "or"), synth(at, tokens.LeftBracket, "["))
	if b == nil {
		out = append(out, synth(at, tokens.Name, "None"))
	} else {
		out = r.conditional(b, out)
	}
	return append(out, synth(at, tokens.RightBracket, "]"), synth(at, tokens.RightParenthesis, ")"),
		synth(at, tokens.LeftBracket, "["), synth(at, tokens.Integer, "0"), synth(at, tokens.RightBracket, "]"))
}

var notPrimary = map[string]bool{"if": true, "else": true, "is": true, "in": true, "not": true, "and": true,
	"or": true, "for": true, "recursive": true}

func isPrimary(a atom) bool {
	if a.open != nil {
		return true
	}
	switch a.tok.Type {
	case tokens.String, tokens.Integer, tokens.Float:
		return true
	case tokens.Name:
		return !notPrimary[a.tok.Val]
	}
	return false
}

// wrapFilters parenthesizes each operand that has filters applied, with its filters.
func wrapFilters(piece []atom) []atom {
	hasPipe := false
	for _, a := range piece {
		if a.tok != nil && a.tok.Type == tokens.Pipe {
			hasPipe = true
			break
		}
	}
	if !hasPipe {
		return piece
	}
	var out []atom
	for i := 0; i < len(piece); i++ {
		a := piece[i]
		if a.tok == nil || a.tok.Type != tokens.Pipe || len(out) == 0 {
			out = append(out, a)
			continue
		}
		start := operandStart(out)
		if start == len(out) {
			out = append(out, a)
			continue
		}
		// The filter chain: | name [(args)] ...
		k := i
		for k < len(piece) && piece[k].tok != nil && piece[k].tok.Type == tokens.Pipe {
			k++
			if k < len(piece) && piece[k].tok != nil && piece[k].tok.Type == tokens.Name {
				k++
			}
			for k+1 < len(piece) && piece[k].tok != nil && piece[k].tok.Type == tokens.Dot {
				k += 2 // dotted filter names are not Jinja, but keep them together
			}
			if k < len(piece) && piece[k].open != nil && piece[k].open.Type == tokens.LeftParenthesis {
				k++
			}
		}
		var inner []*tokens.Token
		for _, x := range out[start:] {
			inner = x.flat(inner)
		}
		for _, x := range piece[i:k] {
			inner = x.flat(inner)
		}
		at := a.tok
		out = append(out[:start], atom{open: synth(at, tokens.LeftParenthesis, "("), inner: inner, close: synth(at, tokens.RightParenthesis, ")")})
		i = k - 1
	}
	return out
}

// operandStart is where the operand that ends out begins: a primary with its attribute,
// index and call suffixes. When that primary is a test's name (`x is not none | f`), the
// operand is the whole test: in Jinja a filter after a test applies to the test's result.
func operandStart(out []atom) int {
	start := primaryStart(out)
	for start < len(out) && out[start].tok != nil && out[start].tok.Type == tokens.Name {
		is := start - 1
		if is >= 1 && out[is].tok != nil && out[is].tok.Type == tokens.Not {
			is--
		}
		if is < 1 || out[is].tok == nil || out[is].tok.Type != tokens.Is {
			break
		}
		subject := primaryStart(out[:is])
		if subject == is {
			break
		}
		start = subject
	}
	return start
}

// primaryStart is where the primary with its suffixes that ends out begins (len(out) when
// out does not end with one).
func primaryStart(out []atom) int {
	start := len(out)
	for j := len(out) - 1; j >= 0; j-- {
		b := out[j]
		if b.open != nil {
			start = j
			continue
		}
		if !isPrimary(b) {
			break
		}
		start = j
		if j >= 2 && out[j-1].tok != nil && out[j-1].tok.Type == tokens.Dot {
			j--
			continue
		}
		break
	}
	return start
}

// splat turns a leading `*x` or `**x` of a call argument into a marker keyword argument.
func splat(piece []atom) []atom {
	if len(piece) < 2 || piece[0].tok == nil {
		return piece
	}
	var name string
	switch piece[0].tok.Type {
	case tokens.Multiply:
		name = splatArgs
	case tokens.Power:
		name = splatKwargs
	default:
		return piece
	}
	at := piece[0].tok
	out := []atom{{tok: synth(at, tokens.Name, name)}, {tok: synth(at, tokens.Assign, "=")}}
	return append(out, piece[1:]...)
}

const (
	splatArgs   = "dataops *args"
	splatKwargs = "dataops **kwargs"
)

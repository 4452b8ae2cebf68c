package parser

import (
	"strings"

	"github.com/dataops-dev/dataops/internal/sql/ast"
	"github.com/dataops-dev/dataops/internal/sql/token"
)

// Binding powers, loosest first.
const (
	precOr    = 1
	precAnd   = 2
	precNot   = 3
	precCmp   = 4 // = <> < > IS LIKE IN BETWEEN
	precOther = 5 // || -> ->> @> and every other operator, bitwise included
	precAdd   = 6
	precMul   = 7
	precExp   = 8
	precUnary = 9
)

var operatorPrec = map[string]int{
	"=": precCmp, "==": precCmp, "<>": precCmp, "!=": precCmp, "<": precCmp, ">": precCmp,
	"<=": precCmp, ">=": precCmp, "<=>": precCmp,
	"+": precAdd, "-": precAdd,
	"*": precMul, "/": precMul, "%": precMul, "//": precMul,
	"^": precExp, "**": precExp,
}

// expr parses a full expression.
func (p *parser) expr() ast.Expr { return p.binary(precOr) }

// exprList parses comma-separated expressions up to (not including) the closing token.
func (p *parser) exprList(closer token.Kind) []ast.Expr {
	var list []ast.Expr
	for !p.at(closer) && !p.at(token.EOF) {
		list = append(list, p.expr())
		if !p.got(token.Comma) {
			break
		}
	}
	return list
}

func (p *parser) binary(minPrec int) ast.Expr {
	p.enter()
	defer p.leave()
	x := p.unary()
	for {
		t := p.tok()
		var prec int
		switch t.Kind {
		case token.Operator:
			if t.Text == "=>" || t.Text == ":=" {
				return x
			}
			prec = operatorPrec[t.Text]
			if prec == 0 {
				prec = precOther
			}
			if t.Text == "|>" {
				return x // BigQuery pipe syntax ends the expression
			}
		case token.Param:
			// A bind parameter is an operand, so a `?` right after one is not a parameter: it is
			// the Postgres jsonb key-exists operator (`fields ? 'label'`), which the lexer cannot
			// tell from a parameter without knowing what came before.
			if t.Text == "?" {
				prec = precOther
			}
		case token.Ident:
			switch lower(t.Text) {
			case "or":
				prec = precOr
			case "xor":
				prec = precOr
			case "and":
				prec = precAnd
			case "is", "in", "like", "ilike", "rlike", "regexp", "between", "similar", "glob", "isnull", "notnull":
				prec = precCmp
			case "not":
				n := p.peek(1)
				if isKw(n, "in") || isKw(n, "like") || isKw(n, "ilike") || isKw(n, "rlike") || isKw(n, "regexp") || isKw(n, "between") || isKw(n, "similar") || isKw(n, "glob") {
					prec = precCmp
				}
			case "div", "mod":
				prec = precMul
			case "overlaps":
				prec = precCmp
			}
		}
		if prec == 0 && isJinjaValue(t) {
			// Leftover Jinja right after an expression usually expands to more of the same
			// list or condition ({{ partition_by_source_relation() }}); read past it.
			p.next()
			continue
		}
		if prec == 0 || prec < minPrec {
			return x
		}
		x = p.infix(x, prec)
	}
}

// infix continues x with the operator at the current token, whose binding power is prec.
func (p *parser) infix(x ast.Expr, prec int) ast.Expr {
	start := x.Pos()
	t := p.tok()
	span := func() ast.Span { return ast.Span{Start: start, Stop: p.prevEndOr(start)} }
	if t.Kind == token.Operator || t.Kind == token.Param {
		p.next()
		// x = ANY (subquery), x > ALL (array)
		if prec == precCmp && (p.isKw("any") || p.isKw("all") || p.isKw("some")) && p.peek(1).Kind == token.LParen {
			y := p.quantified()
			return &ast.Binary{Span: span(), Op: t.Text, OpPos: t.Pos, X: x, Y: y}
		}
		y := p.binary(prec + 1)
		return &ast.Binary{Span: span(), Op: t.Text, OpPos: t.Pos, X: x, Y: y}
	}
	word := lower(t.Text)
	not := false
	if word == "not" {
		not = true
		p.next()
		word = lower(p.tok().Text)
	}
	switch word {
	case "and", "or", "xor", "div", "mod", "overlaps":
		p.next()
		y := p.binary(prec + 1)
		return &ast.Binary{Span: span(), Op: strings.ToUpper(word), OpPos: t.Pos, X: x, Y: y}
	case "isnull":
		p.next()
		return &ast.Is{Span: span(), X: x, Value: "NULL"}
	case "notnull":
		p.next()
		return &ast.Is{Span: span(), X: x, Not: true, Value: "NULL"}
	case "is":
		p.next()
		n := p.gotKw("not")
		switch {
		case p.isKw("distinct"):
			p.next()
			p.expectKw("from")
			y := p.binary(precCmp + 1)
			return &ast.IsDistinctFrom{Span: span(), X: x, Y: y, Not: n}
		case p.isKw("null") || p.isKw("true") || p.isKw("false") || p.isKw("unknown"):
			v := strings.ToUpper(p.tok().Text)
			p.next()
			return &ast.Is{Span: span(), X: x, Not: n, Value: v}
		}
		p.errorf(p.pos(), "expected NULL, TRUE, FALSE or DISTINCT FROM after IS, found %s", p.describe())
		return &ast.Is{Span: span(), X: x, Not: n, Value: "NULL"}
	case "in":
		p.next()
		in := &ast.In{X: x, Not: not}
		if p.at(token.LParen) {
			p.next()
			if p.isKw("select") || p.isKw("with") || p.at(token.LParen) && p.parenStartsQuery() {
				in.Query = p.query()
			} else {
				in.List = p.exprList(token.RParen)
			}
			p.closeParen()
		} else {
			in.Other = p.binary(precCmp + 1) // IN UNNEST(arr), IN @param
		}
		in.Span = span()
		return in
	case "between":
		p.next()
		b := &ast.Between{X: x, Not: not}
		b.Symmetric = p.gotKw("symmetric")
		if !b.Symmetric {
			p.gotKw("asymmetric")
		}
		b.Lo = p.binary(precCmp + 1)
		p.expectKw("and")
		b.Hi = p.binary(precCmp + 1)
		b.Span = span()
		return b
	case "like", "ilike", "rlike", "regexp", "glob", "similar":
		p.next()
		op := strings.ToUpper(word)
		if word == "similar" {
			p.expectKw("to")
			op = "SIMILAR TO"
		}
		l := &ast.Like{X: x, Not: not, Op: op}
		if (p.isKw("any") || p.isKw("all") || p.isKw("some")) && p.peek(1).Kind == token.LParen {
			l.Quant = strings.ToUpper(p.tok().Text)
			p.next()
		}
		l.Pattern = p.binary(precCmp + 1)
		if p.gotKw("escape") {
			l.Escape = p.binary(precCmp + 1)
		}
		l.Span = span()
		return l
	}
	// Unreachable by construction of binary(); keep the parser moving.
	p.next()
	return x
}

func (p *parser) quantified() ast.Expr {
	start := p.pos()
	q := &ast.Quantified{Quant: strings.ToUpper(p.tok().Text)}
	p.next()
	p.next() // (
	if p.isKw("select") || p.isKw("with") {
		q.Query = p.query()
	} else {
		q.X = p.expr()
	}
	p.closeParen()
	q.Span = ast.Span{Start: start, Stop: p.prevEndOr(start)}
	return q
}

func (p *parser) unary() ast.Expr {
	t := p.tok()
	start := t.Pos
	switch t.Kind {
	case token.Operator:
		switch t.Text {
		case "-", "+", "~", "!", "@", "|/", "||/":
			p.next()
			x := p.binary(precUnary)
			return &ast.Unary{Span: ast.Span{Start: start, Stop: x.End()}, Op: t.Text, X: x}
		}
	case token.Ident:
		if isKw(t, "not") {
			p.next()
			x := p.binary(precNot)
			return &ast.Unary{Span: ast.Span{Start: start, Stop: x.End()}, Op: "NOT", X: x}
		}
		if (isKw(t, "prior") || isKw(t, "connect_by_root")) && p.peek(1).Kind == token.Ident {
			p.next()
			x := p.binary(precUnary)
			return &ast.Unary{Span: ast.Span{Start: start, Stop: x.End()}, Op: strings.ToUpper(t.Text), X: x}
		}
	}
	return p.postfix(p.primary())
}

// postfix applies ::type, [index], .field, :path, COLLATE and AT TIME ZONE, and reads past an
// outer-join marker (+).
func (p *parser) postfix(x ast.Expr) ast.Expr {
	for {
		start := x.Pos()
		t := p.tok()
		switch {
		case isColumnRef(x) && p.outerJoinMarker():
			// Oracle's and Snowflake's outer-join marker, `a.x = b.x (+)`: it makes the
			// join outer and leaves the column what it is.
			p.next()
			p.next()
			p.next()
			c := x.(*ast.ColumnRef)
			c.OuterJoin, c.Stop = true, p.prevEnd()
		case t.Kind == token.DoubleColon:
			p.next()
			typ := p.typeName()
			x = &ast.Cast{Span: ast.Span{Start: start, Stop: p.prevEndOr(start)}, Kind: ast.CastOperator, X: x, Type: typ}
		case t.Kind == token.LBracket && !p.d.BracketIdents:
			if path, ok := x.(*ast.Path); ok {
				p.next()
				el := &ast.PathElem{Bracket: true}
				el.Start = t.Pos
				el.Index = p.expr()
				p.expect(token.RBracket, "]")
				el.Stop = p.prevEnd()
				path.Elems = append(path.Elems, el)
				path.Stop = p.prevEnd()
				continue
			}
			x = p.index(x)
		case t.Kind == token.Dot:
			n := p.peek(1)
			switch {
			case n.Kind == token.Ident || n.Kind == token.QuotedIdent:
				p.next()
				name := p.ident()
				if path, ok := x.(*ast.Path); ok {
					path.Elems = append(path.Elems, &ast.PathElem{Span: name.Span, Name: name})
					path.Stop = name.End()
					continue
				}
				// DuckDB method call on a value: x.f(a) is f(x, a). Not for a word that cannot
				// begin an expression (x.or(a)), nor for x.f(*), which has no f(x, ...) form:
				// printed as a call they would not read back.
				star := p.peek(1).Kind == token.Operator && p.peek(1).Text == "*" && p.peek(2).Kind == token.RParen
				if p.at(token.LParen) && !star && (name.Quote != 0 || !exprStartReserved[lower(name.Name)]) {
					fn := p.call(&ast.Name{Span: name.Span, Parts: []*ast.Ident{name}})
					fn.Args = append([]ast.Expr{x}, fn.Args...)
					fn.Start = start
					x = fn
					continue
				}
				x = &ast.Field{Span: ast.Span{Start: start, Stop: name.End()}, X: x, Name: name}
			case n.Kind == token.Operator && n.Text == "*":
				p.next()
				p.next()
				x = p.starModifiers(&ast.Star{Span: ast.Span{Start: start, Stop: p.prevEnd()}, StructOf: x})
			default:
				return x
			}
		case t.Kind == token.Colon && p.d.ColonPaths && p.colonPathElem() && !isLiteral(x):
			p.next()
			nt := p.tok()
			p.next()
			var name *ast.Ident
			if nt.Kind == token.String {
				name = stringIdent(nt, stringValue(nt.Text))
			} else {
				name = p.identFrom(nt)
			}
			el := &ast.PathElem{Span: ast.Span{Start: t.Pos, Stop: nt.End}, Name: name, Colon: true}
			if path, ok := x.(*ast.Path); ok {
				path.Elems = append(path.Elems, el)
				path.Stop = nt.End
				continue
			}
			x = &ast.Path{Span: ast.Span{Start: start, Stop: nt.End}, X: x, Elems: []*ast.PathElem{el}}
		case isKw(t, "collate"):
			p.next()
			c := p.tok()
			p.next()
			x = &ast.Collate{Span: ast.Span{Start: start, Stop: p.prevEndOr(start)}, X: x, Collation: c.Text}
		case isKw(t, "at") && (p.peekKw(1, "time") && p.peekKw(2, "zone") || p.peekKw(1, "local")):
			p.next()
			if p.gotKw("local") {
				x = &ast.AtTimeZone{Span: ast.Span{Start: start, Stop: p.prevEndOr(start)}, X: x}
				continue
			}
			p.next()
			p.next()
			zone := p.binary(precUnary)
			x = &ast.AtTimeZone{Span: ast.Span{Start: start, Stop: p.prevEndOr(start)}, X: x, Zone: zone}
		default:
			return x
		}
	}
}

// colonPathElem reports whether the colon at the current token starts a semi-structured path
// element: a name, which Snowflake also reads after blanks (`data :header: shard_id`), or a
// string right after the colon (`v:'k'`); a string after blanks is something else, such as the
// value of an object constant's string key.
func (p *parser) colonPathElem() bool {
	n := p.peek(1)
	switch n.Kind {
	case token.Ident, token.QuotedIdent:
		return true
	case token.String:
		return n.Pos == p.tok().End
	}
	return false
}

func isLiteral(x ast.Expr) bool {
	_, ok := x.(*ast.Literal)
	return ok
}

func (p *parser) index(x ast.Expr) ast.Expr {
	start := x.Pos()
	p.next() // [
	ix := &ast.Index{X: x}
	if !p.at(token.Colon) {
		ix.Index = p.expr()
	}
	if p.got(token.Colon) {
		ix.Slice = true
		ix.Lo, ix.Index = ix.Index, nil
		if !p.at(token.RBracket) && !p.at(token.Colon) {
			ix.Hi = p.expr()
		}
		if p.got(token.Colon) && !p.at(token.RBracket) {
			ix.Step = p.expr()
		}
	}
	p.expect(token.RBracket, "]")
	ix.Span = ast.Span{Start: start, Stop: p.prevEndOr(start)}
	return ix
}

// exprStartReserved are words that cannot begin an expression; meeting one means the
// expression is missing.
var exprStartReserved = map[string]bool{
	"from": true, "where": true, "group": true, "having": true, "qualify": true, "window": true,
	"order": true, "limit": true, "union": true, "intersect": true, "except": true, "minus": true,
	"select": true, "on": true, "using": true, "join": true, "then": true, "else": true,
	"end": true, "when": true, "and": true, "or": true, "as": true, "into": true, "by": true,
	"returning": true, "fetch": true,
}

// niladic functions written without parentheses.
var niladic = map[string]bool{
	"current_date": true, "current_time": true, "current_timestamp": true, "localtime": true,
	"localtimestamp": true, "current_user": true, "session_user": true, "current_role": true,
	"current_catalog": true, "current_schema": true, "sysdate": true,
}

// typedLiteralTypes may prefix a string to make a typed literal: DATE '2024-01-01'.
var typedLiteralTypes = map[string]bool{
	"date": true, "time": true, "timestamp": true, "datetime": true, "timestamptz": true,
	"timestamp_ntz": true, "timestamp_ltz": true, "timestamp_tz": true, "json": true,
	"numeric": true, "decimal": true, "bignumeric": true, "uuid": true, "inet": true,
	"bytea": true, "real": true, "double": true, "float": true, "int": true, "integer": true,
	"bigint": true, "boolean": true, "bool": true, "varchar": true, "char": true, "text": true,
	"jsonb": true, "blob": true, "bit": true,
}

func (p *parser) primary() ast.Expr {
	t := p.tok()
	start := t.Pos
	switch t.Kind {
	case token.Number:
		p.next()
		return &ast.Literal{Span: ast.Span{Start: start, Stop: t.End}, Kind: ast.LitNumber, Text: t.Text, Value: t.Text}
	case token.String:
		p.next()
		lit := &ast.Literal{Span: ast.Span{Start: start, Stop: t.End}, Kind: ast.LitString, Text: t.Text, Value: stringValue(t.Text)}
		// 'a' 'b' (across lines or comments) is one literal, 'ab', in the standard, Postgres,
		// BigQuery and MySQL; engineers use it to wrap a long value.
		var body strings.Builder
		for t.Text[0] == '\'' && p.at(token.String) && p.tok().Text[0] == '\'' {
			n := p.tok()
			p.next()
			lit.Value += stringValue(n.Text)
			lit.Stop = n.End
			if !p.d.BackslashEscapes {
				lit.Text = "'" + strings.ReplaceAll(lit.Value, "'", "''") + "'"
				continue
			}
			// Where a backslash escapes, the value holds its escapes undecoded, so the
			// bodies are joined as written instead, each quote inside escaped: a doubled
			// quote at the start would read back as the start of a triple-quoted string.
			if body.Len() == 0 {
				escapedBody(&body, t.Text)
			}
			escapedBody(&body, n.Text)
			lit.Text = "'" + body.String() + "'"
		}
		return lit
	case token.Param, token.Variable:
		p.next()
		return &ast.Param{Span: ast.Span{Start: start, Stop: t.End}, Text: t.Text}
	case token.Colon:
		// :name bind parameter the lexer could not tell from path access.
		if n := p.peek(1); (n.Kind == token.Ident || n.Kind == token.Number) && n.Pos == t.End {
			p.next()
			p.next()
			return &ast.Param{Span: ast.Span{Start: start, Stop: n.End}, Text: p.src[start:n.End]}
		}
	case token.Template:
		p.next()
		return &ast.Template{Span: ast.Span{Start: start, Stop: t.End}, Text: t.Text}
	case token.LParen:
		return p.parenExpr()
	case token.LBracket:
		if !p.d.BracketIdents {
			p.next()
			a := &ast.Array{Elems: p.exprList(token.RBracket)}
			p.expect(token.RBracket, "]")
			a.Span = ast.Span{Start: start, Stop: p.prevEndOr(start)}
			return a
		}
	case token.LBrace:
		return p.braceStruct()
	case token.Operator:
		if t.Text == "*" {
			p.next()
			return p.starModifiers(&ast.Star{Span: ast.Span{Start: start, Stop: t.End}})
		}
	case token.QuotedIdent:
		return p.nameExpr()
	case token.Ident:
		if x := p.keywordExpr(); x != nil {
			return x
		}
		if exprStartReserved[lower(t.Text)] && p.peek(1).Kind != token.Dot && !p.atGroupColumn() {
			// `order.id`: a reserved word qualifying a column is a table's alias (Spark lets
			// one be named so).
			break
		}
		return p.nameExpr()
	}
	return p.missingExpr()
}

// missingExpr reports a missing expression; at a stop token it consumes nothing.
func (p *parser) missingExpr() ast.Expr {
	switch p.tok().Kind {
	case token.EOF, token.Semicolon, token.Comma, token.RParen, token.RBracket:
		p.errorf(p.pos(), "expected expression, found %s", p.describe())
		return &ast.BadExpr{Span: ast.Span{Start: p.pos(), Stop: p.pos()}}
	}
	if p.atClauseWord() || p.isKw("as") || p.at(token.DoubleColon) || p.atBinaryOnlyOperator() {
		// Nothing consumed: `select as id` or `select ::text as id` (a macro that rendered
		// empty) keeps its cast and alias, so readers still learn the output column's name.
		p.errorf(p.pos(), "expected expression, found %s", p.describe())
		return &ast.BadExpr{Span: ast.Span{Start: p.pos(), Stop: p.pos()}}
	}
	return p.badExpr("expected expression")
}

// atBinaryOnlyOperator reports an operator that cannot start an expression (`||`, `=`,
// `<`...): what follows a left operand that rendered empty.
func (p *parser) atBinaryOnlyOperator() bool {
	if t := p.tok(); t.Kind == token.Operator {
		switch t.Text {
		case "||", "=", "==", "<", ">", "<=", ">=", "<>", "!=", "/", "%":
			return true
		}
	}
	return false
}

// keywordExpr handles words that start special expression forms; it returns nil when the
// word is just a name here.
func (p *parser) keywordExpr() ast.Expr {
	t := p.tok()
	start := t.Pos
	n := p.peek(1)
	word := lower(t.Text)
	switch word {
	case "null":
		p.next()
		return &ast.Literal{Span: ast.Span{Start: start, Stop: t.End}, Kind: ast.LitNull, Text: "NULL", Value: "NULL"}
	case "true", "false":
		if n.Kind == token.Dot || n.Kind == token.LParen {
			return nil
		}
		p.next()
		return &ast.Literal{Span: ast.Span{Start: start, Stop: t.End}, Kind: ast.LitBool, Text: strings.ToUpper(t.Text), Value: strings.ToUpper(t.Text)}
	case "case":
		return p.caseExpr()
	case "cast", "try_cast", "safe_cast":
		if n.Kind == token.LParen && !p.castWithComma() {
			return p.castExpr()
		}
	case "exists":
		if n.Kind == token.LParen {
			p.next()
			p.next()
			q := p.query()
			p.closeParen()
			return &ast.Exists{Span: ast.Span{Start: start, Stop: p.prevEndOr(start)}, Query: q}
		}
	case "interval":
		if n.Kind == token.String || n.Kind == token.Number || n.Kind == token.LParen || n.Kind == token.Operator && n.Text == "-" || (n.Kind == token.Ident && !exprStartReserved[lower(n.Text)] && !aliasReserved[lower(n.Text)] && n.Kind != token.Comma) {
			return p.interval()
		}
	case "array":
		switch {
		case n.Kind == token.LBracket:
			p.next()
			p.next()
			a := &ast.Array{Keyword: true, Elems: p.exprList(token.RBracket)}
			p.expect(token.RBracket, "]")
			a.Span = ast.Span{Start: start, Stop: p.prevEndOr(start)}
			return a
		case n.Kind == token.LParen && (isKw(p.peek(2), "select") || isKw(p.peek(2), "with")):
			p.next()
			p.next()
			a := &ast.Array{Keyword: true, Query: p.query()}
			p.closeParen()
			a.Span = ast.Span{Start: start, Stop: p.prevEndOr(start)}
			return a
		case n.Kind == token.Operator && n.Text == "<":
			p.next()
			p.next()
			a := &ast.Array{Keyword: true, Type: p.typeName()}
			p.closeAngle()
			if p.got(token.LBracket) {
				a.Elems = append([]ast.Expr{}, p.exprList(token.RBracket)...) // non-nil: brackets written
				p.expect(token.RBracket, "]")
			}
			a.Span = ast.Span{Start: start, Stop: p.prevEndOr(start)}
			return a
		}
	case "struct":
		if n.Kind == token.LParen || n.Kind == token.Operator && n.Text == "<" {
			return p.structExpr()
		}
	case "map":
		if n.Kind == token.LBrace {
			p.next()
			p.next()
			m := &ast.Map{}
			for !p.at(token.RBrace) && !p.at(token.EOF) {
				es := p.pos()
				k := p.expr()
				p.expect(token.Colon, ":")
				v := p.expr()
				m.Entries = append(m.Entries, &ast.MapEntry{Span: ast.Span{Start: es, Stop: p.prevEndOr(es)}, Key: k, Value: v})
				if !p.got(token.Comma) {
					break
				}
			}
			p.expect(token.RBrace, "}")
			m.Span = ast.Span{Start: start, Stop: p.prevEndOr(start)}
			return m
		}
	case "row":
		if n.Kind == token.LParen {
			p.next()
			p.next()
			r := &ast.Row{Keyword: true, Exprs: p.exprList(token.RParen)}
			p.closeParen()
			r.Span = ast.Span{Start: start, Stop: p.prevEndOr(start)}
			return r
		}
	case "extract":
		if n.Kind == token.LParen && (p.peek(2).Kind == token.Ident || p.peek(2).Kind == token.String) && isKw(p.peek(3), "from") {
			p.next()
			p.next()
			field := p.tok().Text
			if p.at(token.String) {
				field = stringValue(field)
			}
			p.next()
			p.next() // FROM
			x := p.expr()
			p.closeParen()
			return &ast.Extract{Span: ast.Span{Start: start, Stop: p.prevEndOr(start)}, Field: strings.ToUpper(field), X: x}
		}
	case "any", "some", "all":
		if n.Kind == token.LParen {
			return p.quantified()
		}
	case "lambda":
		if n.Kind == token.Ident {
			p.next()
			l := &ast.Lambda{Keyword: true}
			for {
				l.Params = append(l.Params, p.ident())
				if !p.got(token.Comma) {
					break
				}
			}
			p.expect(token.Colon, ":")
			l.Body = p.expr()
			l.Span = ast.Span{Start: start, Stop: p.prevEndOr(start)}
			return l
		}
	}
	if n.Kind == token.String && typedLiteralTypes[word] {
		p.next()
		lit := p.primary().(*ast.Literal)
		return &ast.TypedLiteral{Span: ast.Span{Start: start, Stop: lit.End()}, Type: &ast.TypeName{Span: ast.Span{Start: start, Stop: t.End}, Name: strings.ToUpper(t.Text)}, Value: lit}
	}
	if niladic[word] && n.Kind != token.LParen && n.Kind != token.Dot {
		p.next()
		id := p.identFrom(t)
		return &ast.Func{Span: ast.Span{Start: start, Stop: t.End}, Name: &ast.Name{Span: id.Span, Parts: []*ast.Ident{id}}, NoParens: true}
	}
	return nil
}

// nameExpr reads a column reference, qualified star, function call or lambda parameter.
func (p *parser) nameExpr() ast.Expr {
	start := p.pos()
	if p.at(token.Ident) && p.peek(1).Kind == token.Operator && p.peek(1).Text == "->" && p.lambdaHere() && p.peek(2).Kind != token.String && p.peek(2).Kind != token.Number {
		id := p.ident()
		p.next() // ->
		body := p.expr()
		return &ast.Lambda{Span: ast.Span{Start: start, Stop: body.End()}, Params: []*ast.Ident{id}, Body: body}
	}
	parts := []*ast.Ident{p.ident()}
	for p.at(token.Dot) {
		n := p.peek(1)
		if n.Kind == token.Ident || n.Kind == token.QuotedIdent || isJinjaValue(n) {
			p.next()
			parts = append(parts, p.ident())
			continue
		}
		if n.Kind == token.Param && n.Text[0] == '$' { // Snowflake t.$1
			p.next()
			p.next()
			parts = append(parts, &ast.Ident{Span: ast.Span{Start: n.Pos, Stop: n.End}, Name: n.Text})
			continue
		}
		if n.Kind == token.Operator && n.Text == "*" {
			p.next()
			p.next()
			return p.starModifiers(&ast.Star{Span: ast.Span{Start: start, Stop: p.prevEnd()}, Qualifier: parts})
		}
		break
	}
	if p.at(token.LParen) && !p.outerJoinMarker() {
		return p.call(&ast.Name{Span: ast.Span{Start: start, Stop: p.prevEnd()}, Parts: parts})
	}
	return &ast.ColumnRef{Span: ast.Span{Start: start, Stop: p.prevEnd()}, Parts: parts}
}

// lambdaHere reports whether `->` at or after the current identifier starts a lambda rather
// than JSON access: only in dialects with lambdas, and only inside a call's argument list.
func (p *parser) lambdaHere() bool {
	return p.d.Lambdas && p.inCallArgs > 0
}

func (p *parser) parenExpr() ast.Expr {
	start := p.pos()
	if p.parenStartsQuery() {
		if p.peek(1).Kind != token.LParen {
			p.next()
			q := p.query()
			p.closeParen()
			return &ast.Subquery{Span: ast.Span{Start: start, Stop: p.prevEndOr(start)}, Query: q}
		}
		// ((select 1) union (select 2)) is a subquery, ((select 1) + 1) an expression: try
		// the query, and read the parentheses as an expression when it does not fit.
		if q, ok := p.tryParenQuery(); ok {
			return &ast.Subquery{Span: ast.Span{Start: start, Stop: p.prevEndOr(start)}, Query: q}
		}
	}
	// (a, b) -> body
	if p.d.Lambdas && p.inCallArgs > 0 {
		j := p.i + 1
		for j+1 < len(p.toks) && p.toks[j].Kind == token.Ident && (p.toks[j+1].Kind == token.Comma || p.toks[j+1].Kind == token.RParen) {
			if p.toks[j+1].Kind == token.RParen {
				if j+2 < len(p.toks) && p.toks[j+2].Kind == token.Operator && p.toks[j+2].Text == "->" {
					p.next()
					l := &ast.Lambda{Paren: true}
					for !p.at(token.RParen) {
						l.Params = append(l.Params, p.ident())
						p.got(token.Comma)
					}
					p.next() // )
					p.next() // ->
					l.Body = p.expr()
					l.Span = ast.Span{Start: start, Stop: p.prevEndOr(start)}
					return l
				}
				break
			}
			j += 2
		}
	}
	p.next() // (
	saved := p.inCallArgs
	p.inCallArgs = 0
	list := p.exprList(token.RParen)
	p.inCallArgs = saved
	p.closeParen()
	span := ast.Span{Start: start, Stop: p.prevEndOr(start)}
	if len(list) == 1 {
		return &ast.Paren{Span: span, X: list[0]}
	}
	if len(list) == 0 {
		p.errorf(start, "empty parentheses")
	}
	return &ast.Row{Span: span, Exprs: list}
}

// speculationFailed unwinds a speculative parse at its first error.
type speculationFailed struct{}

// tryParenQuery parses `( query )` at the current `(`; on any error it restores the parser and
// reports false.
func (p *parser) tryParenQuery() (q *ast.Query, ok bool) {
	save, nerr, calls := p.i, len(p.errs), p.inCallArgs
	p.speculating++
	defer func() {
		p.speculating--
		if r := recover(); r != nil {
			if _, spec := r.(speculationFailed); !spec {
				panic(r)
			}
			p.i, p.errs, p.inCallArgs = save, p.errs[:nerr], calls
			q, ok = nil, false
		}
	}()
	p.next()
	q = p.query()
	if !p.at(token.RParen) {
		panic(speculationFailed{})
	}
	p.next()
	return q, true
}

func (p *parser) braceStruct() ast.Expr {
	start := p.pos()
	p.next() // {
	s := &ast.Struct{}
	for !p.at(token.RBrace) && !p.at(token.EOF) {
		fs := p.pos()
		f := &ast.StructField{}
		if p.atIdent() && p.peek(1).Kind == token.Colon {
			f.Name = p.ident()
		} else {
			f.Key = p.binary(precOther)
		}
		p.expect(token.Colon, ":")
		f.Value = p.expr()
		f.Span = ast.Span{Start: fs, Stop: p.prevEndOr(fs)}
		s.Fields = append(s.Fields, f)
		if !p.got(token.Comma) {
			break
		}
	}
	p.expect(token.RBrace, "}")
	s.Span = ast.Span{Start: start, Stop: p.prevEndOr(start)}
	return s
}

func (p *parser) structExpr() ast.Expr {
	start := p.pos()
	p.next() // STRUCT
	s := &ast.Struct{Keyword: true}
	if p.gotOp("<") {
		ts := p.pos()
		typ := &ast.TypeName{Name: "STRUCT", Angle: true}
		for !p.isAngleClose() && !p.at(token.EOF) {
			fs := p.pos()
			f := &ast.TypeField{}
			if p.atIdent() && !p.peekIsTypeEnd(1) {
				f.Name = p.ident()
			}
			f.Type = p.typeName()
			f.Span = ast.Span{Start: fs, Stop: p.prevEndOr(fs)}
			typ.Fields = append(typ.Fields, f)
			if !p.got(token.Comma) {
				break
			}
		}
		p.closeAngle()
		typ.Span = ast.Span{Start: ts, Stop: p.prevEndOr(ts)}
		s.Type = typ
	}
	if p.expect(token.LParen, "(") {
		for !p.at(token.RParen) && !p.at(token.EOF) {
			fs := p.pos()
			f := &ast.StructField{Value: p.expr()}
			if p.gotKw("as") {
				f.Name = p.ident()
			}
			f.Span = ast.Span{Start: fs, Stop: p.prevEndOr(fs)}
			s.Fields = append(s.Fields, f)
			if !p.got(token.Comma) {
				break
			}
		}
		p.closeParen()
	}
	s.Span = ast.Span{Start: start, Stop: p.prevEndOr(start)}
	return s
}

// peekIsTypeEnd reports whether the token n ahead ends a struct field type (so the current
// identifier is a type, not a field name): `,` or `>`.
func (p *parser) peekIsTypeEnd(n int) bool {
	t := p.peek(n)
	return t.Kind == token.Comma || t.Kind == token.Operator && strings.HasPrefix(t.Text, ">")
}

func (p *parser) caseExpr() ast.Expr {
	start := p.pos()
	p.next() // CASE
	c := &ast.Case{}
	if !p.isKw("when") {
		c.Operand = p.expr()
	}
	for p.isKw("when") {
		ws := p.pos()
		p.next()
		w := &ast.When{Cond: p.expr()}
		if p.expectKw("then") {
			w.Result = p.expr()
		} else {
			w.Result = &ast.BadExpr{Span: ast.Span{Start: p.pos(), Stop: p.pos()}}
		}
		w.Span = ast.Span{Start: ws, Stop: p.prevEndOr(ws)}
		c.Whens = append(c.Whens, w)
	}
	if len(c.Whens) == 0 {
		p.errorf(p.pos(), "expected WHEN, found %s", p.describe())
	}
	if p.gotKw("else") {
		c.Else = p.expr()
	}
	if !p.expectKw("end") {
		// Resynchronize on the END that closes this CASE when it is nearby.
		p.skipBad()
		p.gotKw("end")
	}
	c.Span = ast.Span{Start: start, Stop: p.prevEndOr(start)}
	return c
}

// castWithComma reports whether the CAST( at the current token gives its type as a second
// argument, ClickHouse's cast(x, 'Array(String)'): that form is read as a plain call.
func (p *parser) castWithComma() bool {
	depth := 0
	for i := 2; ; i++ {
		t := p.peek(i)
		switch t.Kind {
		case token.EOF:
			return false
		case token.LParen, token.LBracket, token.LBrace:
			depth++
		case token.RParen, token.RBracket, token.RBrace:
			if depth == 0 {
				return false
			}
			depth--
		case token.Comma:
			if depth == 0 {
				return true
			}
		case token.Ident:
			if depth == 0 && isKw(t, "as") {
				return false
			}
		}
	}
}

func (p *parser) castExpr() ast.Expr {
	start := p.pos()
	kind := ast.CastCall
	switch lower(p.tok().Text) {
	case "try_cast":
		kind = ast.CastTry
	case "safe_cast":
		kind = ast.CastSafe
	}
	p.next()
	p.next() // (
	c := &ast.Cast{Kind: kind, X: p.expr()}
	if p.expectKw("as") {
		c.Type = p.typeName()
	}
	if p.gotKw("format") {
		c.Format = p.expr()
	}
	p.closeParen()
	c.Span = ast.Span{Start: start, Stop: p.prevEndOr(start)}
	return c
}

func (p *parser) interval() ast.Expr {
	start := p.pos()
	p.next() // INTERVAL
	iv := &ast.Interval{}
	switch {
	case p.at(token.String) || p.at(token.Number):
		iv.Value = p.primary()
	case p.isOp("-"):
		iv.Value = p.unary()
	default:
		iv.Value = p.binary(precUnary)
	}
	if p.at(token.Ident) && isIntervalUnit(p.tok().Text) {
		iv.Unit = strings.ToUpper(p.tok().Text)
		p.next()
		if p.isKw("to") && isIntervalUnit(p.peek(1).Text) {
			p.next()
			iv.ToUnit = strings.ToUpper(p.tok().Text)
			p.next()
		}
	}
	iv.Span = ast.Span{Start: start, Stop: p.prevEndOr(start)}
	return iv
}

func isIntervalUnit(s string) bool {
	switch lower(s) {
	case "year", "years", "month", "months", "day", "days", "hour", "hours", "minute", "minutes",
		"second", "seconds", "week", "weeks", "quarter", "quarters", "millisecond", "milliseconds",
		"microsecond", "microseconds", "nanosecond", "nanoseconds", "dayofweek", "isoweek", "decade",
		"century", "millennium", "year_month", "day_hour", "day_second", "hour_minute", "minute_second":
		return true
	}
	return false
}

func (p *parser) starModifiers(s *ast.Star) ast.Expr {
	for {
		switch {
		case (p.isKw("exclude") || p.isKw("except")) && (p.peek(1).Kind == token.LParen || p.isKw("exclude") && p.peek(1).Kind != token.Comma):
			s.ExceptKw = strings.ToUpper(p.tok().Text)
			p.next()
			if p.at(token.LParen) {
				s.Except = append(s.Except, p.parenQualifiedIdents()...)
			} else {
				s.Except = append(s.Except, p.ident())
			}
		case p.isKw("replace") && p.peek(1).Kind == token.LParen:
			p.next()
			p.next()
			for !p.at(token.RParen) && !p.at(token.EOF) {
				s.Replace = append(s.Replace, p.selectItem())
				if !p.got(token.Comma) {
					break
				}
			}
			p.closeParen()
		case p.isKw("rename") && (p.peek(1).Kind == token.LParen || p.peek(1).Kind == token.Ident || p.peek(1).Kind == token.QuotedIdent):
			p.next()
			paren := p.got(token.LParen)
			for {
				rs := p.pos()
				n := p.name()
				r := &ast.RenameItem{Old: &ast.ColumnRef{Span: n.Span, Parts: n.Parts}}
				p.expectKw("as")
				r.New = p.ident()
				r.Span = ast.Span{Start: rs, Stop: p.prevEndOr(rs)}
				s.Rename = append(s.Rename, r)
				if !paren || !p.got(token.Comma) {
					break
				}
			}
			if paren {
				p.closeParen()
			}
		case p.isKw("ilike") && p.peek(1).Kind == token.String:
			p.next()
			s.ILike = p.primary()
		case p.isKw("like") && p.peek(1).Kind == token.String:
			p.next()
			s.Like = p.primary()
		default:
			s.Stop = p.prevEndOr(s.Start)
			return s
		}
	}
}

// parenQualifiedIdents reads (a, t.b, ...) keeping the last part of each name: EXCLUDE lists
// name output columns.
func (p *parser) parenQualifiedIdents() []*ast.Ident {
	p.next() // (
	var list []*ast.Ident
	for !p.at(token.RParen) && !p.at(token.EOF) {
		if !p.atIdent() {
			p.errorf(p.pos(), "expected column name, found %s", p.describe())
			p.skipBad()
		} else {
			list = append(list, p.name().Last())
		}
		if !p.got(token.Comma) {
			break
		}
	}
	p.closeParen()
	return list
}

// ---------------------------------------------------------------------------------------------
// Calls

// call parses the argument list and trailing clauses of a call to name; the current token is
// the opening parenthesis.
func (p *parser) call(name *ast.Name) *ast.Func {
	start := name.Pos()
	f := &ast.Func{Name: name}
	if !p.expect(token.LParen, "(") {
		f.Span = ast.Span{Start: start, Stop: p.prevEndOr(start)}
		return f
	}
	fname := ""
	if last := name.Last(); last != nil && len(name.Parts) == 1 {
		fname = lower(last.Name)
	}
	p.inCallArgs++
	switch {
	case p.gotKw("distinct"):
		f.Distinct = true
	case p.isKw("all") && !p.nextEndsItem():
		p.next()
		f.All = true
	}
	if p.isOp("*") && p.peek(1).Kind == token.RParen {
		p.next()
		f.Star = true
	}
	if fname == "trim" && (p.isKw("both") || p.isKw("leading") || p.isKw("trailing")) {
		ks := p.pos()
		kw := strings.ToUpper(p.tok().Text)
		p.next()
		ka := &ast.KeywordArg{Keyword: kw}
		if !p.isKw("from") {
			ka.Value = p.expr()
		}
		ka.Span = ast.Span{Start: ks, Stop: p.prevEndOr(ks)}
		f.Args = append(f.Args, ka)
	}
	for !p.at(token.RParen) && !p.at(token.EOF) && !f.Star {
		if len(f.Args) > 0 && !p.keywordArgNext(fname) {
			if !p.got(token.Comma) {
				break
			}
		}
		if p.keywordArgNext(fname) {
			ks := p.pos()
			kw := strings.ToUpper(p.tok().Text)
			p.next()
			ka := &ast.KeywordArg{Keyword: kw, Value: p.expr()}
			ka.Span = ast.Span{Start: ks, Stop: p.prevEndOr(ks)}
			f.Args = append(f.Args, ka)
			continue
		}
		if p.isKw("order") && p.peekKw(1, "by") || p.isKw("limit") || p.isKw("ignore") || p.isKw("respect") || p.isKw("separator") || p.atHavingMax() {
			break
		}
		f.Args = append(f.Args, p.arg(fname))
	}
	if p.gotKws("ignore", "nulls") {
		f.Nulls, f.NullsInside = "IGNORE NULLS", true
	} else if p.gotKws("respect", "nulls") {
		f.Nulls, f.NullsInside = "RESPECT NULLS", true
	}
	if p.atHavingMax() { // BigQuery ANY_VALUE(x HAVING MAX y), after the nulls clause
		p.next()
		f.HavingMax = strings.ToUpper(p.tok().Text)
		p.next()
		f.Having = p.expr()
	}
	if p.isKw("order") && p.peekKw(1, "by") {
		p.next()
		p.next()
		f.OrderBy = p.orderItems()
	}
	if p.gotKw("limit") {
		f.Limit = p.expr()
	}
	if p.gotKw("separator") { // MySQL GROUP_CONCAT(... SEPARATOR ',')
		f.Separator = p.expr()
	}
	p.inCallArgs--
	p.closeParen()
	if f.Nulls == "" {
		if p.gotKws("ignore", "nulls") {
			f.Nulls = "IGNORE NULLS"
		} else if p.gotKws("respect", "nulls") {
			f.Nulls = "RESPECT NULLS"
		}
	}
	if p.isKw("within") && p.peekKw(1, "group") {
		p.next()
		p.next()
		if p.expect(token.LParen, "(") {
			if p.expectKw("order") && p.expectKw("by") {
				f.WithinGroup = p.orderItems()
			}
			p.closeParen()
		}
	}
	if p.isKw("filter") && p.peek(1).Kind == token.LParen {
		p.next()
		p.next()
		p.gotKw("where")
		f.Filter = p.expr()
		p.closeParen()
	}
	if p.isKw("over") {
		p.next()
		if p.at(token.LParen) {
			f.Over = p.windowSpecParen()
		} else {
			id := p.ident()
			f.Over = &ast.WindowSpec{Span: id.Span, Name: id}
		}
	}
	f.Span = ast.Span{Start: start, Stop: p.prevEndOr(start)}
	return f
}

// atHavingMax reports whether HAVING MAX or HAVING MIN starts here. Inside an argument list
// HAVING can begin no clause, but both words must match so a stray HAVING still reports the
// missing parenthesis.
func (p *parser) atHavingMax() bool {
	return p.isKw("having") && (p.peekKw(1, "max") || p.peekKw(1, "min"))
}

// keywordArgNext reports whether the next argument is introduced by a keyword instead of a
// comma: SUBSTRING(x FROM 1 FOR 2), TRIM(' ' FROM x), POSITION('a' IN s), OVERLAY(... PLACING).
func (p *parser) keywordArgNext(fname string) bool {
	switch {
	case p.isKw("from"), p.isKw("for"):
		return true
	case p.isKw("placing"):
		return fname == "overlay"
	case p.isKw("in"):
		return fname == "position"
	case p.isKw("using"):
		return fname == "convert" || fname == "char"
	}
	return false
}

// arg reads one call argument: name => value, a lambda, or an expression.
func (p *parser) arg(fname string) ast.Expr {
	start := p.pos()
	if p.atIdent() {
		n := p.peek(1)
		if n.Kind == token.Operator && (n.Text == "=>" || n.Text == ":=") {
			name := p.ident()
			op := p.tok().Text
			p.next()
			v := p.expr()
			return &ast.NamedArg{Span: ast.Span{Start: start, Stop: p.prevEndOr(start)}, Name: name, Op: op, Value: v}
		}
	}
	if fname == "position" {
		return p.binary(precCmp + 1) // POSITION(a IN b): IN separates, it is no predicate here
	}
	return p.expr()
}

func (p *parser) windowSpecParen() *ast.WindowSpec {
	start := p.pos()
	w := &ast.WindowSpec{Paren: true}
	if !p.expect(token.LParen, "(") {
		w.Span = ast.Span{Start: start, Stop: start}
		return w
	}
	if p.atIdent() && !p.isKw("partition") && !p.isKw("order") && !p.isKw("rows") && !p.isKw("range") && !p.isKw("groups") {
		w.Name = p.ident()
	}
	if p.isKw("partition") && p.peekKw(1, "by") {
		p.next()
		p.next()
		for {
			w.PartitionBy = append(w.PartitionBy, p.expr())
			if !p.got(token.Comma) {
				break
			}
		}
	}
	if p.isKw("order") && p.peekKw(1, "by") {
		p.next()
		p.next()
		w.OrderBy = p.orderItems()
	}
	if p.isKw("rows") || p.isKw("range") || p.isKw("groups") {
		fs := p.pos()
		fr := &ast.Frame{Unit: strings.ToUpper(p.tok().Text)}
		p.next()
		if p.gotKw("between") {
			fr.From = p.frameBound()
			p.expectKw("and")
			fr.To = p.frameBound()
		} else {
			fr.From = p.frameBound()
		}
		if p.gotKw("exclude") {
			switch {
			case p.gotKws("current", "row"):
				fr.Exclude = "CURRENT ROW"
			case p.gotKw("group"):
				fr.Exclude = "GROUP"
			case p.gotKw("ties"):
				fr.Exclude = "TIES"
			case p.gotKws("no", "others"):
				fr.Exclude = "NO OTHERS"
			default:
				p.errorf(p.pos(), "expected CURRENT ROW, GROUP, TIES or NO OTHERS, found %s", p.describe())
			}
		}
		fr.Span = ast.Span{Start: fs, Stop: p.prevEndOr(fs)}
		w.Frame = fr
	}
	p.closeParen()
	w.Span = ast.Span{Start: start, Stop: p.prevEndOr(start)}
	return w
}

func (p *parser) frameBound() *ast.FrameBound {
	start := p.pos()
	b := &ast.FrameBound{}
	switch {
	case p.gotKws("unbounded", "preceding"):
		b.Kind = "UNBOUNDED PRECEDING"
	case p.gotKws("unbounded", "following"):
		b.Kind = "UNBOUNDED FOLLOWING"
	case p.gotKws("current", "row"):
		b.Kind = "CURRENT ROW"
	default:
		b.Offset = p.binary(precAdd)
		switch {
		case p.gotKw("preceding"):
			b.Kind = "PRECEDING"
		case p.gotKw("following"):
			b.Kind = "FOLLOWING"
		default:
			p.errorf(p.pos(), "expected PRECEDING or FOLLOWING, found %s", p.describe())
			b.Kind = "PRECEDING"
		}
	}
	b.Span = ast.Span{Start: start, Stop: p.prevEndOr(start)}
	return b
}

// ---------------------------------------------------------------------------------------------
// Types

// typeName reads a data type.
func (p *parser) typeName() *ast.TypeName {
	start := p.pos()
	t := &ast.TypeName{}
	if isJinjaValue(p.tok()) { // cast(x as {{ dbt.type_string() }})
		t.Name = p.tok().Text
		p.next()
		t.Span = ast.Span{Start: start, Stop: p.prevEnd()}
		return t
	}
	if !p.atIdent() {
		p.errorf(p.pos(), "expected a type, found %s", p.describe())
		t.Name = "?"
		t.Span = ast.Span{Start: start, Stop: start}
		return t
	}
	first := p.tok()
	p.next()
	name := typeWord(first)
	for p.at(token.Dot) && (p.peek(1).Kind == token.Ident || p.peek(1).Kind == token.QuotedIdent) {
		p.next()
		name += "." + typeWord(p.tok())
		p.next()
	}
	switch lower(first.Text) {
	case "double":
		if p.gotKw("precision") {
			name += " PRECISION"
		}
	case "character", "char", "national":
		if p.isKw("varying") || (lower(first.Text) == "national" && (p.isKw("character") || p.isKw("char"))) {
			name += " " + strings.ToUpper(p.tok().Text)
			p.next()
			if p.isKw("varying") {
				name += " VARYING"
				p.next()
			}
		}
	case "long":
		if p.isKw("varchar") || p.isKw("text") || p.isKw("blob") {
			name += " " + strings.ToUpper(p.tok().Text)
			p.next()
		}
	}
	t.Name = name
	upper := strings.ToUpper(first.Text)
	switch {
	case p.isOp("<") && (upper == "ARRAY" || upper == "STRUCT" || upper == "MAP" || upper == "ROW" || upper == "OBJECT"):
		p.next()
		t.Angle = true
		if upper == "STRUCT" || upper == "ROW" || upper == "OBJECT" {
			t.Fields = p.typeFields(true)
		} else {
			for !p.isAngleClose() && !p.at(token.EOF) {
				t.Elems = append(t.Elems, p.typeName())
				if !p.got(token.Comma) {
					break
				}
			}
		}
		p.closeAngle()
	case p.at(token.LParen):
		switch upper {
		case "STRUCT", "ROW", "OBJECT", "UNION":
			p.next()
			t.Fields = p.typeFields(false)
			p.closeParen()
		case "MAP", "LIST", "ARRAY":
			p.next()
			for !p.at(token.RParen) && !p.at(token.EOF) {
				t.Elems = append(t.Elems, p.typeName())
				if !p.got(token.Comma) {
					break
				}
			}
			p.closeParen()
		default:
			p.next()
			t.Params = p.typeParams()
			p.closeParen()
		}
	}
	// TIMESTAMP(3) WITH TIME ZONE, TIME WITHOUT TIME ZONE
	if p.isKw("with") && p.peekKw(1, "time") && p.peekKw(2, "zone") || p.isKw("without") && p.peekKw(1, "time") && p.peekKw(2, "zone") {
		t.Name += " " + strings.ToUpper(p.tok().Text) + " TIME ZONE"
		p.next()
		p.next()
		p.next()
	}
	if p.isKw("with") && p.peekKw(1, "local") && p.peekKw(2, "time") && p.peekKw(3, "zone") {
		t.Name += " WITH LOCAL TIME ZONE"
		for i := 0; i < 4; i++ {
			p.next()
		}
	}
	if p.isKw("unsigned") || p.isKw("signed") {
		t.Name += " " + strings.ToUpper(p.tok().Text)
		p.next()
	}
	for p.at(token.LBracket) && !p.d.BracketIdents && (p.peek(1).Kind == token.RBracket || p.peek(1).Kind == token.Number && p.peek(2).Kind == token.RBracket) {
		p.next()
		p.got(token.Number)
		p.next()
		t.ArrayDims++
	}
	t.Span = ast.Span{Start: start, Stop: p.prevEndOr(start)}
	return t
}

// typeWord is a type name part: upper-cased when unquoted, kept with its quotes otherwise.
func typeWord(t token.Token) string {
	if t.Kind == token.QuotedIdent {
		return t.Text
	}
	return strings.ToUpper(t.Text)
}

func (p *parser) typeParams() []ast.Expr {
	var list []ast.Expr
	for !p.at(token.RParen) && !p.at(token.EOF) {
		switch {
		case p.at(token.Number) || p.at(token.String):
			list = append(list, p.primary())
		case p.atIdent():
			id := p.ident()
			list = append(list, &ast.ColumnRef{Span: id.Span, Parts: []*ast.Ident{id}})
			for p.at(token.Ident) { // varchar(10 char), number(38, 0) etc.
				p.next()
			}
		default:
			list = append(list, p.expr())
		}
		if !p.got(token.Comma) {
			break
		}
	}
	return list
}

func (p *parser) typeFields(angle bool) []*ast.TypeField {
	var fields []*ast.TypeField
	for !p.at(token.EOF) {
		if angle && p.isAngleClose() || !angle && p.at(token.RParen) {
			break
		}
		fs := p.pos()
		f := &ast.TypeField{}
		if p.atIdent() && !p.peekIsTypeEnd(1) && !(angle && p.peek(1).Kind == token.Operator && p.peek(1).Text == "<") {
			f.Name = p.ident()
			p.got(token.Colon) // Databricks STRUCT<a: INT>
		}
		f.Type = p.typeName()
		for p.at(token.Ident) && (p.isKw("not") || p.isKw("null") || p.isKw("options") || p.isKw("comment")) {
			p.tokensUntil(func() bool { return p.at(token.Comma) || p.isAngleClose() })
		}
		f.Span = ast.Span{Start: fs, Stop: p.prevEndOr(fs)}
		fields = append(fields, f)
		if !p.got(token.Comma) {
			break
		}
	}
	return fields
}

// isAngleClose reports whether the current token starts with `>` (a `>>` closes two levels).
func (p *parser) isAngleClose() bool {
	t := p.tok()
	return t.Kind == token.Operator && len(t.Text) > 0 && t.Text[0] == '>'
}

// closeAngle consumes one `>`, splitting `>>` or `>=` tokens the lexer joined.
func (p *parser) closeAngle() {
	t := &p.toks[p.i]
	if t.Kind != token.Operator || len(t.Text) == 0 || t.Text[0] != '>' {
		p.errorf(p.pos(), "expected >, found %s", p.describe())
		return
	}
	if len(t.Text) == 1 {
		p.next()
		return
	}
	t.Text = t.Text[1:]
	t.Pos++
}

// ---------------------------------------------------------------------------------------------
// Literals

// escapedBody writes the body of a quoted string as it would stand between single quotes in a
// dialect where a backslash escapes: a quote, doubled or bare in a triple-quoted string,
// becomes \'.
func escapedBody(b *strings.Builder, text string) {
	q := text[0]
	triple := len(text) >= 6 && text[1] == q && text[2] == q && strings.HasSuffix(text, text[:3])
	body := text[1:] // unterminated, as the lexer reported
	switch {
	case triple:
		body = text[3 : len(text)-3]
	case len(text) >= 2 && text[len(text)-1] == q:
		body = text[1 : len(text)-1]
	}
	for i := 0; i < len(body); i++ {
		switch c := body[i]; {
		case c == '\\' && i+1 < len(body):
			b.WriteString(body[i : i+2])
			i++
		case c == q && !triple && i+1 < len(body) && body[i+1] == q:
			b.WriteString(`\'`)
			i++
		case c == '\'':
			b.WriteString(`\'`)
		default:
			b.WriteByte(c)
		}
	}
}

// stringValue decodes a string token's text into its value: prefixes and quotes removed,
// doubled quotes undone, dollar quotes stripped. Backslash escapes are left as written.
func stringValue(text string) string {
	s := text
	for len(s) > 0 && s[0] != '\'' && s[0] != '"' && s[0] != '$' {
		s = s[1:] // prefixes: E N X B R U&
	}
	if len(s) == 0 {
		return text
	}
	if s[0] == '$' {
		j := strings.IndexByte(s[1:], '$')
		if j < 0 {
			return s
		}
		tag := s[:j+2]
		body := s[len(tag):]
		return strings.TrimSuffix(body, tag)
	}
	q := s[0]
	if len(s) >= 6 && s[1] == q && s[2] == q {
		body := s[3:]
		if strings.HasSuffix(body, s[:3]) {
			body = body[:len(body)-3]
		}
		return body
	}
	return unquote(s, q, q)
}

// outerJoinMarker reports whether (+) comes next.
func (p *parser) outerJoinMarker() bool {
	return p.at(token.LParen) && p.peek(1).Kind == token.Operator && p.peek(1).Text == "+" && p.peek(2).Kind == token.RParen
}

func isColumnRef(x ast.Expr) bool {
	_, ok := x.(*ast.ColumnRef)
	return ok
}

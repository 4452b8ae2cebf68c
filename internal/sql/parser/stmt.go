package parser

import (
	"strings"

	"github.com/dataops-dev/dataops/internal/sql/ast"
	"github.com/dataops-dev/dataops/internal/sql/token"
)

func (p *parser) file(f *ast.File) {
	for {
		// Empty statements and a leftover {{ config(...) }} standing alone between statements.
		for p.at(token.Semicolon) || p.at(token.Template) {
			p.next()
		}
		if p.at(token.EOF) {
			return
		}
		before := p.i
		s := p.stmt()
		if s != nil {
			f.Stmts = append(f.Stmts, s)
		}
		if !p.at(token.Semicolon) && !p.at(token.EOF) {
			p.errorf(p.pos(), "expected ; or end of input, found %s", p.describe())
			start := p.pos()
			for !p.at(token.Semicolon) && !p.at(token.EOF) {
				p.next()
			}
			if s == nil || p.i == before {
				f.Stmts = append(f.Stmts, &ast.BadStmt{Span: ast.Span{Start: start, Stop: p.prevEndOr(start)}})
			}
		}
		if p.i == before { // no progress: never loop forever
			p.next()
		}
	}
}

func (p *parser) stmt() ast.Stmt {
	t := p.tok()
	if t.Kind == token.LParen {
		return p.query()
	}
	if t.Kind != token.Ident {
		start := p.pos()
		p.errorf(start, "expected a statement, found %s", p.describe())
		for !p.at(token.Semicolon) && !p.at(token.EOF) {
			p.next()
		}
		return &ast.BadStmt{Span: ast.Span{Start: start, Stop: p.prevEndOr(start)}}
	}
	switch lower(t.Text) {
	case "select", "with", "values", "from":
		return p.query()
	case "create":
		if s := p.create(); s != nil {
			return s
		}
	case "insert":
		return p.insert()
	case "update":
		return p.update()
	case "delete":
		return p.delete()
	case "merge":
		return p.merge()
	}
	return p.other()
}

// other keeps a statement the tree does not model as its tokens.
func (p *parser) other() ast.Stmt {
	start := p.pos()
	kw := strings.ToUpper(p.tok().Text)
	from := p.i
	// Scripting blocks (Snowflake, T-SQL, BigQuery) hold semicolons between BEGIN and END; a
	// bare BEGIN [TRANSACTION] does not open one.
	block := kw == "DECLARE" || kw == "BEGIN" && !(p.peek(1).Kind == token.Semicolon || p.peek(1).Kind == token.EOF ||
		p.peekKw(1, "transaction") || p.peekKw(1, "work") || p.peekKw(1, "tran") || p.peekKw(1, "name"))
	depth, blocks := 0, 0
	for !p.at(token.EOF) {
		t := p.tok()
		if t.Kind == token.Semicolon && depth == 0 && blocks == 0 {
			break
		}
		switch t.Kind {
		case token.LParen:
			depth++
		case token.RParen:
			if depth > 0 {
				depth--
			}
		case token.Ident:
			if block && (isKw(t, "begin") || isKw(t, "case")) {
				blocks++
			}
			if block && isKw(t, "end") && blocks > 0 {
				n := p.peek(1)
				if !(isKw(n, "if") || isKw(n, "loop") || isKw(n, "for") || isKw(n, "while") || isKw(n, "repeat")) {
					blocks--
				}
			}
		}
		p.next()
	}
	return &ast.Other{Span: ast.Span{Start: start, Stop: p.prevEndOr(start)}, Keyword: kw, Tokens: p.toks[from:p.i:p.i]}
}

var createModifiers = map[string]bool{
	"temp": true, "temporary": true, "transient": true, "volatile": true, "global": true,
	"local": true, "secure": true, "materialized": true, "recursive": true, "external": true,
	"unlogged": true, "multiset": true, "dynamic": true, "iceberg": true, "hybrid": true,
	"streaming": true, "live": true, "or": false,
}

// create parses CREATE TABLE / VIEW; other CREATE statements return nil and become Other.
func (p *parser) create() ast.Stmt {
	save := p.i
	start := p.pos()
	p.next() // CREATE
	orReplace := p.gotKws("or", "replace")
	var mods []string
	for p.at(token.Ident) && createModifiers[lower(p.tok().Text)] {
		mods = append(mods, strings.ToUpper(p.tok().Text))
		p.next()
	}
	switch {
	case p.gotKw("table"):
		s := &ast.CreateTable{OrReplace: orReplace, Modifiers: mods}
		s.IfNotExists = p.gotKws("if", "not", "exists")
		s.Name = p.name()
		if p.at(token.LParen) && !p.parenStartsQuery() {
			s.Columns = p.columnDefs()
		}
		s.Options = p.tokensUntil(func() bool { return p.isKw("as") || p.atQueryStart() })
		if p.gotKw("as") || p.atQueryStart() {
			s.Query = p.query()
		}
		s.Span = ast.Span{Start: start, Stop: p.prevEndOr(start)}
		return s
	case p.gotKw("view"):
		s := &ast.CreateView{OrReplace: orReplace, Modifiers: mods}
		s.IfNotExists = p.gotKws("if", "not", "exists")
		s.Name = p.name()
		if p.at(token.LParen) {
			s.Columns = p.viewColumns()
		}
		s.Options = p.tokensUntil(func() bool { return p.isKw("as") })
		if p.expectKw("as") {
			s.Query = p.query()
		}
		s.Span = ast.Span{Start: start, Stop: p.prevEndOr(start)}
		return s
	}
	p.i = save
	return nil
}

func (p *parser) atQueryStart() bool {
	return p.isKw("select") || p.isKw("with") || (p.at(token.LParen) && p.parenStartsQuery())
}

// parenStartsQuery reports whether the `(` at the current token opens a query: the first
// token after any run of `(` is SELECT, WITH, VALUES or FROM.
func (p *parser) parenStartsQuery() bool {
	j := p.i
	for j < len(p.toks) && p.toks[j].Kind == token.LParen {
		j++
	}
	if j >= len(p.toks) {
		return false
	}
	t := p.toks[j]
	return isKw(t, "select") || isKw(t, "with") || isKw(t, "values") || isKw(t, "from") && j == p.i+1
}

func (p *parser) columnDefs() []*ast.ColumnDef {
	p.next()                   // (
	defs := []*ast.ColumnDef{} // `()` is an empty list, written back as one
	for !p.at(token.RParen) && !p.at(token.EOF) {
		start := p.pos()
		d := &ast.ColumnDef{}
		if p.atIdent() && !isTableConstraint(p.tok()) {
			d.Name = p.ident()
			if !p.at(token.Comma) && !p.at(token.RParen) {
				d.Type = p.typeName()
			}
		}
		d.Constraints = p.tokensUntil(func() bool { return p.at(token.Comma) })
		if d.Name == nil && len(d.Constraints) == 0 {
			// `(a int,, b int)`: nothing between two commas is no column a print could keep.
			p.errorf(start, "expected a column definition, found %s", p.tok().Kind)
		} else {
			d.Span = ast.Span{Start: start, Stop: p.prevEndOr(start)}
			defs = append(defs, d)
		}
		if !p.got(token.Comma) {
			break
		}
	}
	p.closeParen()
	return defs
}

func isTableConstraint(t token.Token) bool {
	for _, kw := range []string{"constraint", "primary", "unique", "foreign", "check", "index", "key", "like"} {
		if isKw(t, kw) {
			return true
		}
	}
	return false
}

// viewColumns reads CREATE VIEW's column list, where each name may carry COMMENT '...'.
func (p *parser) viewColumns() []*ast.Ident {
	p.next() // (
	var cols []*ast.Ident
	for !p.at(token.RParen) && !p.at(token.EOF) {
		if p.atIdent() {
			cols = append(cols, p.ident())
		}
		p.tokensUntil(func() bool { return p.at(token.Comma) })
		if !p.got(token.Comma) {
			break
		}
	}
	p.closeParen()
	return cols
}

func (p *parser) insert() ast.Stmt {
	start := p.pos()
	p.next() // INSERT
	s := &ast.Insert{}
	switch {
	case p.gotKw("overwrite"):
		s.Overwrite = true
	case p.gotKw("into"):
	default:
		p.expectKw("into")
	}
	p.gotKw("table")
	s.Table = p.name()
	if p.gotKw("as") {
		s.Alias = p.ident()
	}
	if p.isKw("partition") && p.peek(1).Kind == token.LParen {
		p.next()
		p.next()
		p.tokensUntil(func() bool { return false })
		p.closeParen()
	}
	p.gotKws("by", "name")
	if p.at(token.LParen) && !p.parenStartsQuery() {
		s.Columns = p.parenIdentList()
	}
	if p.gotKws("default", "values") {
		// no query
	} else {
		s.Query = p.query()
	}
	s.Tail = p.tokensUntil(func() bool { return false })
	s.Span = ast.Span{Start: start, Stop: p.prevEndOr(start)}
	return s
}

func (p *parser) update() ast.Stmt {
	start := p.pos()
	p.next() // UPDATE
	s := &ast.Update{Table: p.tablePrimary()}
	if p.expectKw("set") {
		s.Set = p.assignments()
	}
	if p.gotKw("from") {
		s.From = p.fromList()
	}
	if p.gotKw("where") {
		s.Where = p.expr()
	}
	s.Span = ast.Span{Start: start, Stop: p.prevEndOr(start)}
	return s
}

func (p *parser) assignments() []*ast.Assignment {
	var list []*ast.Assignment
	for {
		start := p.pos()
		a := &ast.Assignment{}
		if p.atIdent() {
			n := p.name()
			a.Target = &ast.ColumnRef{Span: n.Span, Parts: n.Parts}
		} else {
			p.errorf(p.pos(), "expected column name, found %s", p.describe())
			a.Target = &ast.ColumnRef{Span: ast.Span{Start: start, Stop: start}}
		}
		if p.expect(token.Operator, "=") {
			a.Value = p.expr()
		} else {
			a.Value = p.badExpr("expected =")
		}
		a.Span = ast.Span{Start: start, Stop: p.prevEndOr(start)}
		list = append(list, a)
		if !p.got(token.Comma) {
			return list
		}
	}
}

func (p *parser) delete() ast.Stmt {
	start := p.pos()
	p.next() // DELETE
	p.gotKw("from")
	s := &ast.Delete{Table: p.tablePrimary()}
	if p.gotKw("using") {
		s.Using = p.fromList()
	}
	if p.gotKw("where") {
		s.Where = p.expr()
	}
	s.Span = ast.Span{Start: start, Stop: p.prevEndOr(start)}
	return s
}

func (p *parser) merge() ast.Stmt {
	start := p.pos()
	p.next() // MERGE
	p.gotKw("into")
	s := &ast.Merge{Target: p.tablePrimary()}
	if p.expectKw("using") {
		s.Source = p.tablePrimary()
	}
	if p.expectKw("on") {
		s.On = p.expr()
	}
	for p.isKw("when") {
		cs := p.pos()
		p.next()
		c := &ast.MergeClause{Matched: true}
		if p.gotKw("not") {
			c.Matched = false
		}
		p.expectKw("matched")
		if p.gotKw("by") {
			if p.gotKw("source") {
				c.By = "SOURCE"
			} else if p.expectKw("target") {
				c.By = "TARGET"
			}
		}
		if p.gotKw("and") {
			c.Cond = p.expr()
		}
		p.expectKw("then")
		switch {
		case p.gotKw("update"):
			c.Action = "UPDATE"
			if p.expectKw("set") {
				if p.gotOp("*") {
					c.Star = true
				} else {
					c.Set = p.assignments()
				}
			}
		case p.gotKw("delete"):
			c.Action = "DELETE"
		case p.gotKw("insert"):
			c.Action = "INSERT"
			switch {
			case p.gotOp("*"):
				c.Star = true
			case p.gotKw("row"):
				c.Star = true
			default:
				if p.at(token.LParen) {
					c.Columns = p.parenIdentList()
				}
				if p.expectKw("values") && p.expect(token.LParen, "(") {
					c.Values = p.exprList(token.RParen)
					p.closeParen()
				}
			}
		case p.gotKws("do", "nothing"):
			c.Action = "DO NOTHING"
		default:
			p.errorf(p.pos(), "expected UPDATE, DELETE or INSERT, found %s", p.describe())
			p.tokensUntil(func() bool { return p.isKw("when") })
		}
		c.Span = ast.Span{Start: cs, Stop: p.prevEndOr(cs)}
		s.Clauses = append(s.Clauses, c)
	}
	s.Span = ast.Span{Start: start, Stop: p.prevEndOr(start)}
	return s
}

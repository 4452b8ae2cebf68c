package parser

import (
	"strings"

	"github.com/dataops-dev/dataops/internal/sql/ast"
	"github.com/dataops-dev/dataops/internal/sql/token"
)

// query parses WITH ... body ORDER BY ... LIMIT ...
func (p *parser) query() *ast.Query {
	p.enter()
	defer p.leave()
	saved := p.inCallArgs
	p.inCallArgs = 0
	defer func() { p.inCallArgs = saved }()
	start := p.pos()
	q := &ast.Query{}
	if p.isKw("with") {
		q.With = p.with()
	}
	q.Body = p.setExpr(0)
	p.queryTail(q)
	q.Span = ast.Span{Start: start, Stop: p.prevEndOr(start)}
	return q
}

// queryTail reads ORDER BY / LIMIT / OFFSET / FETCH after a query body, in any order.
func (p *parser) queryTail(q *ast.Query) {
	for {
		switch {
		case p.isKw("order") && p.peekKw(1, "by"):
			p.next()
			p.next()
			q.OrderBy = p.orderItems()
		case p.isKw("distribute") && p.peekKw(1, "by"):
			p.next()
			p.next()
			q.DistributeBy = p.exprListUntilClause()
		case p.isKw("sort") && p.peekKw(1, "by"):
			p.next()
			p.next()
			q.SortBy = p.orderItems()
		case p.isKw("cluster") && p.peekKw(1, "by"):
			p.next()
			p.next()
			q.ClusterBy = p.exprListUntilClause()
		case p.isKw("limit"):
			ls := p.pos()
			p.next()
			l := q.Limit
			if l == nil {
				l = &ast.Limit{}
			}
			if !p.gotKw("all") {
				l.Count = p.expr()
			}
			if p.got(token.Comma) {
				l.Comma = true
				l.Offset = l.Count
				l.Count = p.expr()
			}
			l.Span = ast.Span{Start: ls, Stop: p.prevEndOr(ls)}
			q.Limit = l
		case p.isKw("offset"):
			ls := p.pos()
			p.next()
			l := q.Limit
			if l == nil {
				l = &ast.Limit{Span: ast.Span{Start: ls}}
			}
			l.Offset = p.expr()
			if !p.gotKw("rows") {
				p.gotKw("row")
			}
			l.Stop = p.prevEndOr(ls)
			q.Limit = l
		case p.isKw("fetch"):
			ls := p.pos()
			p.next()
			l := q.Limit
			if l == nil {
				l = &ast.Limit{Span: ast.Span{Start: ls}}
			}
			l.Fetch = true
			if !p.gotKw("first") {
				p.expectKw("next")
			}
			if !p.isKw("rows") && !p.isKw("row") {
				l.Count = p.binary(precAdd)
			}
			l.Percent = p.gotKw("percent")
			if !p.gotKw("rows") {
				p.expectKw("row")
			}
			if p.gotKws("with", "ties") {
				l.WithTies = true
			} else {
				p.expectKw("only")
			}
			l.Stop = p.prevEndOr(ls)
			q.Limit = l
		case p.d.QueryHints && p.isKw("for") && (p.peekKw(1, "xml") || p.peekKw(1, "json") || p.peekKw(1, "browse")):
			// FOR XML PATH(''), TYPE / FOR JSON PATH, WITHOUT_ARRAY_WRAPPER: the shape of the
			// result, not its columns.
			p.next()
			for p.atIdent() && !(p.isKw("option") && p.peek(1).Kind == token.LParen) {
				p.next()
				if p.at(token.LParen) {
					p.skipParens()
				}
				p.got(token.Comma)
			}
		case p.d.QueryHints && p.isKw("option") && p.peek(1).Kind == token.LParen:
			p.next() // OPTION (MAXRECURSION 0): a hint to the planner
			p.skipParens()
		default:
			return
		}
	}
}

// exprListUntilClause reads comma-separated expressions (no surrounding parentheses).
func (p *parser) exprListUntilClause() []ast.Expr {
	var list []ast.Expr
	for {
		list = append(list, p.expr())
		if !p.got(token.Comma) {
			return list
		}
	}
}

func (p *parser) with() *ast.With {
	start := p.pos()
	p.next() // WITH
	w := &ast.With{Recursive: p.gotKw("recursive")}
	for {
		cs := p.pos()
		c := &ast.CTE{Name: p.ident()}
		if p.at(token.LParen) && !p.parenStartsQuery() {
			c.Columns = p.parenIdentList()
		}
		if !(p.d.CTEWithoutAs && p.at(token.LParen)) {
			p.expectKw("as")
		}
		switch {
		case p.gotKws("not", "materialized"):
			c.Materialized = "NOT MATERIALIZED"
		case p.gotKw("materialized"):
			c.Materialized = "MATERIALIZED"
		}
		if p.expect(token.LParen, "( before the CTE's query") {
			c.Query = p.query()
			p.closeParen()
		} else if p.isKw("select") || p.isKw("with") {
			c.Query = p.query() // reported above; the query itself is still worth reading
		} else {
			from, to := p.skipBad()
			c.Query = &ast.Query{Span: ast.Span{Start: from, Stop: to}, Body: &ast.BadQuery{Span: ast.Span{Start: from, Stop: to}}}
		}
		c.Span = ast.Span{Start: cs, Stop: p.prevEndOr(cs)}
		w.CTEs = append(w.CTEs, c)
		if !p.got(token.Comma) {
			break
		}
		// Tolerate a trailing comma before the main query.
		if p.isKw("select") {
			p.errorf(p.toks[p.i-1].Pos, "unexpected , after the last CTE")
			break
		}
	}
	w.Span = ast.Span{Start: start, Stop: p.prevEndOr(start)}
	return w
}

// setExpr parses query bodies joined by UNION / EXCEPT / MINUS (level 1) and INTERSECT
// (level 2, binding tighter), left-associative.
func (p *parser) setExpr(minPrec int) ast.QueryExpr {
	left := p.queryPrimary()
	for {
		var op string
		prec := 1
		// BigQuery's FULL / LEFT / INNER [OUTER] before a set operator matched by name.
		mode := ""
		for _, m := range []string{"full", "left", "inner"} {
			if p.isKw(m) {
				k := 1
				if p.peekKw(k, "outer") {
					k++
				}
				if p.peekKw(k, "union") || p.peekKw(k, "intersect") || p.peekKw(k, "except") {
					mode = strings.ToUpper(m)
					for ; k > 0; k-- {
						p.next()
					}
				}
			}
		}
		switch {
		case p.isKw("union"):
			op = "UNION"
		case p.isKw("except"):
			op = "EXCEPT"
		case p.isKw("minus"):
			op = "MINUS"
		case p.isKw("intersect"):
			op, prec = "INTERSECT", 2
		default:
			return left
		}
		if prec < minPrec {
			return left
		}
		p.next()
		s := &ast.SetOp{Op: op, Left: left, Mode: mode}
		if op == "MINUS" {
			s.Op, s.Minus = "EXCEPT", true
		}
		switch {
		case p.gotKw("all"):
			s.All = true
		case p.gotKw("distinct"):
			s.Distinct = true
		}
		if p.gotKws("by", "name") {
			s.ByName = true
			if p.isKw("on") && p.peek(1).Kind == token.LParen {
				p.next()
				s.On = p.parenIdentList()
			}
		}
		if p.gotKw("corresponding") {
			s.Corresponding = true
			if p.isKw("by") && p.peek(1).Kind == token.LParen {
				p.next()
				s.On = p.parenIdentList()
			}
		}
		s.Right = p.setExpr(prec + 1)
		s.Span = ast.Span{Start: left.Pos(), Stop: s.Right.End()}
		left = s
	}
}

func (p *parser) queryPrimary() ast.QueryExpr {
	switch {
	case p.isKw("select"):
		return p.selectCore()
	case p.isKw("from"):
		// DuckDB's FROM-first: FROM t [SELECT ...].
		start := p.pos()
		p.next()
		from := p.fromList()
		var s *ast.Select
		if p.isKw("select") {
			s = p.selectCore()
		} else {
			s = &ast.Select{Items: []*ast.SelectItem{{Span: ast.Span{Start: start, Stop: start}, Expr: &ast.Star{Span: ast.Span{Start: start, Stop: start}}}}}
			p.selectClauses(s)
		}
		s.From = append(from, s.From...)
		s.Span = ast.Span{Start: start, Stop: p.prevEndOr(start)}
		return s
	case p.isKw("values"):
		return p.values()
	case isJinjaValue(p.tok()):
		t := p.tok()
		p.next()
		return &ast.TemplateQuery{Span: ast.Span{Start: t.Pos, Stop: t.End}, Text: t.Text}
	case p.at(token.LParen):
		start := p.pos()
		p.next()
		q := p.query()
		p.closeParen()
		return &ast.ParenQuery{Span: ast.Span{Start: start, Stop: p.prevEndOr(start)}, Query: q}
	}
	p.errorf(p.pos(), "expected SELECT, found %s", p.describe())
	from, to := p.skipBad()
	return &ast.BadQuery{Span: ast.Span{Start: from, Stop: to}}
}

func (p *parser) values() *ast.Values {
	start := p.pos()
	p.next() // VALUES
	v := &ast.Values{}
	for {
		if p.got(token.LParen) {
			v.Rows = append(v.Rows, p.exprList(token.RParen))
			p.closeParen()
		} else if p.isKw("row") && p.peek(1).Kind == token.LParen {
			p.next()
			p.next()
			v.Rows = append(v.Rows, p.exprList(token.RParen))
			p.closeParen()
		} else {
			// VALUES 1, 2 (single-column rows, DuckDB/Spark)
			v.Rows = append(v.Rows, []ast.Expr{p.expr()})
		}
		if !p.got(token.Comma) {
			break
		}
	}
	v.Span = ast.Span{Start: start, Stop: p.prevEndOr(start)}
	return v
}

func (p *parser) selectCore() *ast.Select {
	start := p.pos()
	p.next() // SELECT
	s := &ast.Select{}
	for {
		switch {
		case p.isKw("distinct"):
			p.next()
			s.Distinct = true
			if p.isKw("on") && p.peek(1).Kind == token.LParen {
				p.next()
				p.next()
				s.DistinctOn = p.exprList(token.RParen)
				p.closeParen()
			}
			continue
		case p.isKw("all") && !p.nextEndsItem():
			p.next()
			s.All = true
			continue
		case p.isKw("top") && p.d.TopClause && (p.peek(1).Kind == token.Number || p.peek(1).Kind == token.LParen):
			ts := p.pos()
			p.next()
			t := &ast.Top{Count: p.primary()}
			t.Percent = p.gotKw("percent")
			t.WithTies = p.gotKws("with", "ties")
			t.Span = ast.Span{Start: ts, Stop: p.prevEndOr(ts)}
			s.Top = t
			continue
		case p.isKw("as") && (p.peekKw(1, "struct") || p.peekKw(1, "value")):
			p.next()
			s.SelectAs = strings.ToUpper(p.tok().Text)
			p.next()
			continue
		}
		break
	}
	s.Items = p.selectItems()
	if p.gotKw("into") { // T-SQL / Snowflake scripting SELECT ... INTO target
		p.tokensUntil(func() bool { return p.atClauseWord() })
	}
	if p.gotKw("from") {
		s.From = p.fromList()
	}
	p.selectClauses(s)
	s.Span = ast.Span{Start: start, Stop: p.prevEndOr(start)}
	return s
}

// nextEndsItem reports whether the token after the current one ends a select item, so
// `select all from t` reads `all` as a column.
func (p *parser) nextEndsItem() bool {
	k := p.peek(1).Kind
	return k == token.Comma || k == token.EOF || k == token.Semicolon || k == token.RParen || isKw(p.peek(1), "from")
}

// selectClauses reads WHERE, GROUP BY, HAVING, QUALIFY and WINDOW in any order.
func (p *parser) selectClauses(s *ast.Select) {
	for {
		switch {
		case p.isKw("where"):
			p.next()
			s.Where = p.expr()
		case p.isKw("group") && p.peekKw(1, "by"):
			s.GroupBy = p.groupBy()
		case p.isKw("having"):
			p.next()
			s.Having = p.expr()
		case p.isKw("qualify"):
			p.next()
			s.Qualify = p.expr()
		case p.isKw("window"):
			p.next()
			for {
				ws := p.pos()
				w := &ast.NamedWindow{Name: p.ident()}
				p.expectKw("as")
				w.Spec = p.windowSpecParen()
				w.Span = ast.Span{Start: ws, Stop: p.prevEndOr(ws)}
				s.Windows = append(s.Windows, w)
				if !p.got(token.Comma) {
					break
				}
			}
		case p.isKw("start") && p.peekKw(1, "with"):
			p.next()
			p.next()
			s.StartWith = p.expr()
		case p.isKw("connect") && p.peekKw(1, "by"):
			p.next()
			p.next()
			s.NoCycle = p.gotKw("nocycle")
			s.ConnectBy = p.expr()
		case isJinjaValue(p.tok()):
			p.next() // leftover Jinja standing for a clause: {{ dbt_utils.group_by(3) }}
		case p.isKw("using") && p.peekKw(1, "sample"):
			// DuckDB's USING SAMPLE 10% (bernoulli): sampling, no columns.
			p.next()
			p.tokensUntil(func() bool { return p.atClauseWord() })
		default:
			return
		}
	}
}

func (p *parser) selectItems() []*ast.SelectItem {
	var items []*ast.SelectItem
	for {
		if p.atClauseWord() && (len(items) > 0 || p.isKw("from")) {
			if len(items) == 0 {
				p.errorf(p.pos(), "expected select item, found %s", p.describe())
			}
			return items // a trailing comma before FROM is accepted (DuckDB, BigQuery, Snowflake)
		}
		if p.at(token.EOF) || p.at(token.RParen) || p.at(token.Semicolon) {
			if len(items) == 0 {
				p.errorf(p.pos(), "expected select item, found %s", p.describe())
			}
			return items
		}
		items = append(items, p.selectItem())
		if p.got(token.Comma) {
			continue
		}
		if p.atItemEnd() {
			return items
		}
		// Junk after an item (a missing comma, a stray word): report it, skip to the next
		// comma or clause and keep the remaining items.
		p.errorf(p.pos(), "expected , or FROM after select item, found %s", p.describe())
		p.skipBad()
		if !p.got(token.Comma) {
			return items
		}
	}
}

// atItemEnd reports whether the current token can follow a complete select item.
func (p *parser) atItemEnd() bool {
	switch p.tok().Kind {
	case token.EOF, token.Semicolon, token.RParen:
		return true
	case token.Ident:
		return p.atClauseWord() || aliasReserved[lower(p.tok().Text)] || softReserved(lower(p.tok().Text), p.peek(1))
	case token.Template:
		return true
	}
	return false
}

func (p *parser) selectItem() *ast.SelectItem {
	start := p.pos()
	if p.d.BracketIdents && p.atIdent() && p.peek(1).Kind == token.Operator && p.peek(1).Text == "=" {
		// T-SQL's alias = expr
		alias := p.ident()
		p.next()
		it := &ast.SelectItem{Expr: p.expr(), Alias: alias, As: true}
		it.Span = ast.Span{Start: start, Stop: p.prevEndOr(start)}
		return it
	}
	it := &ast.SelectItem{Expr: p.expr()}
	if p.d.Name == "databricks" && p.isKw("as") && p.peek(1).Kind == token.LParen {
		p.next()
		it.Aliases, it.As = p.parenIdentList(), true
	} else {
		it.Alias, it.As = p.alias(false)
	}
	it.Span = ast.Span{Start: start, Stop: p.prevEndOr(start)}
	return it
}

// aliasReserved are words that never start an implicit alias (AS makes any word an alias).
var aliasReserved = map[string]bool{
	"from": true, "where": true, "group": true, "having": true, "qualify": true, "window": true,
	"order": true, "limit": true, "offset": true, "fetch": true, "union": true, "intersect": true,
	"except": true, "minus": true, "into": true, "on": true, "using": true, "join": true,
	"inner": true, "left": true, "right": true, "full": true, "cross": true, "natural": true,
	"outer": true, "lateral": true, "asof": true, "semi": true, "anti": true, "positional": true,
	"pivot": true, "unpivot": true, "when": true,
	"then": true, "else": true, "end": true, "and": true, "or": true, "not": true, "is": true,
	"in": true, "like": true, "ilike": true, "rlike": true, "regexp": true, "similar": true,
	"between": true, "select": true, "with": true, "set": true, "returning": true,
	"for": true, "collate": true, "escape": true, "over": true, "filter": true, "within": true,
	"apply": true, "match_recognize": true, "as": true, "values": true, "glob": true,
	"asc": true, "desc": true, "by": true, "case": true,
}

// joinWords may alias a select item (`right(x, 1) right`) but never a table, where they
// start a join.
var joinWords = map[string]bool{
	"inner": true, "left": true, "right": true, "full": true, "cross": true, "natural": true,
	"outer": true, "lateral": true, "asof": true, "semi": true, "anti": true, "positional": true,
	"pivot": true, "unpivot": true,
}

// softReserved are words that end an item only when what follows makes them a clause:
// `start` is an alias unless START WITH follows, `at` unless AT( or AT TIME ZONE follows.
func softReserved(word string, next token.Token) bool {
	switch word {
	case "start":
		return isKw(next, "with")
	case "connect", "distribute", "sort", "cluster":
		return isKw(next, "by")
	case "at", "before", "changes":
		return next.Kind == token.LParen || word == "at" && (isKw(next, "time") || isKw(next, "local"))
	case "sample", "tablesample":
		return next.Kind == token.LParen || next.Kind == token.Ident
	case "partition", "exclude", "replace", "rename":
		return next.Kind == token.LParen || isKw(next, "by")
	case "match_condition", "option":
		return next.Kind == token.LParen
	case "for":
		return isKw(next, "xml") || isKw(next, "json") || isKw(next, "browse")
	case "nulls":
		return isKw(next, "first") || isKw(next, "last")
	case "respect", "ignore":
		return isKw(next, "nulls")
	case "global":
		for _, kw := range []string{"join", "inner", "left", "right", "full", "cross", "any", "all", "asof", "semi", "anti"} {
			if isKw(next, kw) {
				return true
			}
		}
	}
	return false
}

// alias reads [AS] name. For tables (table=true) the AS form also takes a column list.
func (p *parser) alias(table bool) (*ast.Ident, bool) {
	if p.isKw("as") {
		p.next()
		if p.atIdent() || isJinjaValue(p.tok()) {
			return p.ident(), true
		}
		if p.at(token.String) { // MySQL/BigQuery/Spark allow string aliases
			t := p.tok()
			p.next()
			return stringIdent(t, unquote(t.Text, t.Text[0], t.Text[0])), true
		}
		p.errorf(p.pos(), "expected alias after AS, found %s", p.describe())
		return nil, true
	}
	t := p.tok()
	switch t.Kind {
	case token.QuotedIdent:
		p.next()
		return p.identFrom(t), false
	case token.Ident:
		w := lower(t.Text)
		if aliasReserved[w] && (table || !joinWords[w] && !p.atGroupColumn()) || softReserved(w, p.peek(1)) {
			return nil, false
		}
		p.next()
		return p.identFrom(t), false
	case token.String:
		if !table && p.d.DoubleQuotedStrings && t.Text[0] == '"' {
			p.next()
			return stringIdent(t, unquote(t.Text, '"', '"')), false
		}
	}
	return nil, false
}

func (p *parser) tableAlias() *ast.Alias {
	start := p.pos()
	name, as := p.alias(true)
	if name == nil && !as {
		return nil
	}
	a := &ast.Alias{Name: name, As: as}
	if p.at(token.LParen) && !p.parenStartsQuery() {
		a.Columns = p.parenIdentList()
	}
	a.Span = ast.Span{Start: start, Stop: p.prevEndOr(start)}
	return a
}

func (p *parser) groupBy() *ast.GroupBy {
	start := p.pos()
	p.next()
	p.next() // GROUP BY
	g := &ast.GroupBy{}
	switch {
	case p.isKw("all") && !p.peekIsContinuation():
		p.next()
		g.All = true
	case p.isKw("distinct"):
		p.next()
		g.Distinct = true
	}
	if !g.All {
		for {
			g.Items = append(g.Items, p.groupItem())
			if !p.got(token.Comma) {
				break
			}
		}
	}
	if p.gotKws("with", "rollup") {
		g.WithRollup = true
	} else if p.gotKws("with", "cube") {
		g.WithCube = true
	}
	g.Span = ast.Span{Start: start, Stop: p.prevEndOr(start)}
	return g
}

// peekIsContinuation reports whether the token after the current one continues an expression,
// so GROUP BY all_col + 1 is not GROUP BY ALL.
func (p *parser) peekIsContinuation() bool {
	switch p.peek(1).Kind {
	case token.Operator, token.Dot, token.LParen, token.DoubleColon:
		return true
	}
	return false
}

func (p *parser) groupItem() ast.Expr {
	start := p.pos()
	kind := ""
	switch {
	case p.isKw("rollup") && p.peek(1).Kind == token.LParen:
		kind = "ROLLUP"
		p.next()
	case p.isKw("cube") && p.peek(1).Kind == token.LParen:
		kind = "CUBE"
		p.next()
	case p.isKw("grouping") && p.peekKw(1, "sets"):
		kind = "GROUPING SETS"
		p.next()
		p.next()
	default:
		if p.at(token.LParen) && p.peek(1).Kind == token.RParen {
			p.next()
			p.next()
			return &ast.Row{Span: ast.Span{Start: start, Stop: p.prevEnd()}}
		}
		return p.expr()
	}
	gs := &ast.GroupingSet{Kind: kind}
	if p.expect(token.LParen, "(") {
		for !p.at(token.RParen) && !p.at(token.EOF) {
			switch {
			case p.at(token.LParen):
				p.next()
				var set []ast.Expr
				if !p.at(token.RParen) {
					set = p.exprList(token.RParen)
				}
				p.closeParen()
				gs.Sets = append(gs.Sets, set)
			case kind == "GROUPING SETS" && (p.isKw("rollup") || p.isKw("cube")):
				gs.Sets = append(gs.Sets, []ast.Expr{p.groupItem()})
			default:
				gs.Sets = append(gs.Sets, []ast.Expr{p.expr()})
			}
			if !p.got(token.Comma) {
				break
			}
		}
		p.closeParen()
	}
	gs.Span = ast.Span{Start: start, Stop: p.prevEndOr(start)}
	return gs
}

func (p *parser) orderItems() []*ast.OrderItem {
	var list []*ast.OrderItem
	for {
		start := p.pos()
		o := &ast.OrderItem{Expr: p.expr()}
		switch {
		case p.gotKw("desc"):
			o.Desc = true
		case p.gotKw("asc"):
			o.Asc = true
		}
		if p.gotKw("nulls") {
			switch {
			case p.gotKw("first"):
				o.Nulls = "FIRST"
			case p.gotKw("last"):
				o.Nulls = "LAST"
			default:
				p.errorf(p.pos(), "expected FIRST or LAST, found %s", p.describe())
			}
		}
		o.Span = ast.Span{Start: start, Stop: p.prevEndOr(start)}
		list = append(list, o)
		if !p.got(token.Comma) {
			return list
		}
	}
}

// ---------------------------------------------------------------------------------------------
// FROM

func (p *parser) fromList() []ast.TableExpr {
	var list []ast.TableExpr
	for {
		list = append(list, p.tableExpr())
		if !p.got(token.Comma) {
			return list
		}
	}
}

// tableExpr reads a table primary followed by any joins.
func (p *parser) tableExpr() ast.TableExpr {
	left := p.tablePrimary()
	for {
		j := p.joinHead()
		if j == nil {
			return left
		}
		j.Left = left
		if j.Kind == "LATERAL VIEW" {
			j.Right = p.lateralView(j)
		} else {
			j.Right = p.tablePrimary()
		}
		if j.Asof && p.isKw("match_condition") && p.peek(1).Kind == token.LParen {
			p.next()
			p.next()
			j.Match = p.expr()
			p.expect(token.RParen, ")")
			// Snowflake's ASOF JOIN keeps every row of the left side, the right's columns
			// null where nothing matches: an outer join, where DuckDB's is inner.
			if j.Kind == "INNER" && p.d.Name == "snowflake" {
				j.Kind = "LEFT"
			}
		}
		switch {
		case p.isKw("on"):
			p.next()
			j.On = p.expr()
		case p.isKw("using") && p.peek(1).Kind == token.LParen:
			p.next()
			j.Using = p.parenQualifiedIdents() // Snowflake accepts USING (t.col)
		}
		j.Span = ast.Span{Start: left.Pos(), Stop: p.prevEndOr(left.Pos())}
		left = j
	}
}

// joinHead reads the keywords of a join up to and including JOIN (or APPLY / LATERAL VIEW);
// it returns nil, consuming nothing, when no join follows.
func (p *parser) joinHead() *ast.Join {
	save := p.i
	j := &ast.Join{Kind: "INNER"}
	var words []string
	take := func() {
		words = append(words, strings.ToUpper(p.tok().Text))
		p.next()
	}
	if p.isKw("natural") {
		j.Natural = true
		take()
	}
	if p.isKw("global") {
		take()
	}
	// ClickHouse writes a join's strictness (ANY, ALL, ASOF) before or after its kind:
	// `ANY LEFT JOIN`, `LEFT ASOF JOIN`, `INNER ANY JOIN`.
	strictness := func() {
		switch {
		case p.isKw("asof"):
			j.Asof = true
			take()
		case (p.isKw("any") || p.isKw("all")) && (p.peekKw(1, "join") || p.peekKw(1, "left") || p.peekKw(1, "right") || p.peekKw(1, "inner") || p.peekKw(1, "full")):
			take()
		}
	}
	strictness()
	switch {
	case p.isKw("inner"):
		take()
		strictness()
	case p.isKw("left"), p.isKw("right"):
		j.Kind = strings.ToUpper(p.tok().Text)
		take()
		switch {
		case p.isKw("outer"):
			take()
		case p.isKw("semi"):
			j.Kind = "SEMI"
			take()
		case p.isKw("anti"):
			j.Kind = "ANTI"
			take()
		default:
			strictness()
		}
	case p.isKw("full"):
		j.Kind = "FULL"
		take()
		if p.isKw("outer") {
			take()
		}
	case p.isKw("cross"):
		if p.peekKw(1, "apply") {
			j.Kind = "CROSS APPLY"
			take()
			take()
			j.Written = strings.Join(words, " ")
			return j
		}
		j.Kind = "CROSS"
		take()
	case p.isKw("outer") && p.peekKw(1, "apply"):
		j.Kind = "OUTER APPLY"
		take()
		take()
		j.Written = strings.Join(words, " ")
		return j
	case p.isKw("semi"):
		j.Kind = "SEMI"
		take()
	case p.isKw("anti"):
		j.Kind = "ANTI"
		take()
	case p.isKw("positional"):
		j.Kind = "POSITIONAL"
		take()
	case p.isKw("lateral") && p.peekKw(1, "view") && len(words) == 0:
		j.Kind = "LATERAL VIEW"
		take()
		take()
		if p.isKw("outer") {
			take()
		}
		j.Written = strings.Join(words, " ")
		return j
	}
	if !p.isKw("join") {
		p.i = save
		return nil
	}
	take()
	j.Written = strings.Join(words, " ")
	return j
}

func (p *parser) lateralView(j *ast.Join) ast.TableExpr {
	start := p.pos()
	lv := &ast.LateralView{Outer: strings.HasSuffix(j.Written, "OUTER")}
	if p.atIdent() {
		n := p.name()
		lv.Func = p.call(n)
	} else {
		p.errorf(p.pos(), "expected a function after LATERAL VIEW, found %s", p.describe())
	}
	if p.at(token.Ident) && !p.isKw("as") && !aliasReserved[lower(p.tok().Text)] && !softReserved(lower(p.tok().Text), p.peek(1)) || p.at(token.QuotedIdent) {
		lv.Alias = p.ident()
	}
	if p.gotKw("as") {
		for {
			lv.Columns = append(lv.Columns, p.ident())
			if !p.got(token.Comma) || !p.atIdent() {
				break
			}
		}
	}
	lv.Span = ast.Span{Start: start, Stop: p.prevEndOr(start)}
	return lv
}

func (p *parser) tablePrimary() ast.TableExpr {
	p.enter()
	defer p.leave()
	start := p.pos()
	var t ast.TableExpr
	lateral := false
	if p.isKw("lateral") && !p.peekKw(1, "view") {
		p.next()
		lateral = true
	}
	tok := p.tok()
	switch {
	case tok.Kind == token.LParen && p.parenStartsQuery() && p.peek(1).Kind != token.LParen:
		p.next()
		d := &ast.DerivedTable{Lateral: lateral, Query: p.query()}
		inner := p.tableAlias() // Snowflake accepts (VALUES (...) AS t (a, b))
		p.closeParen()
		if d.Alias = p.tableAlias(); d.Alias == nil {
			d.Alias = inner
		}
		d.Span = ast.Span{Start: start, Stop: p.prevEndOr(start)}
		t = d
	case tok.Kind == token.LParen && p.parenStartsQuery() && p.speculateDerived(lateral, start, &t):
		// ((select ...) union (select ...)) read as one query
	case tok.Kind == token.LParen:
		p.next()
		inner := p.tableExpr()
		for p.got(token.Comma) {
			right := p.tableExpr()
			inner = &ast.Join{Span: ast.Span{Start: inner.Pos(), Stop: right.End()}, Kind: "CROSS", Written: ",", Left: inner, Right: right}
		}
		p.closeParen()
		pt := &ast.ParenTable{Table: inner, Alias: p.tableAlias()}
		pt.Span = ast.Span{Start: start, Stop: p.prevEndOr(start)}
		t = pt
	case isKw(tok, "table") && p.peek(1).Kind == token.LParen:
		p.next()
		p.next()
		tf := &ast.TableFunc{Lateral: lateral, TableWrapper: true}
		if p.atIdent() {
			tf.Func = p.call(p.name())
		} else {
			p.errorf(p.pos(), "expected a function inside TABLE(), found %s", p.describe())
			p.skipBad()
		}
		p.closeParen()
		p.tableFuncTail(tf)
		tf.Span = ast.Span{Start: start, Stop: p.prevEndOr(start)}
		t = tf
	case isKw(tok, "values") && (p.peek(1).Kind == token.LParen):
		v := p.values()
		d := &ast.DerivedTable{Query: &ast.Query{Span: v.Span, Body: v}}
		d.Alias = p.tableAlias()
		d.Span = ast.Span{Start: start, Stop: p.prevEndOr(start)}
		t = d
	case tok.Kind == token.Template && strings.HasPrefix(tok.Text, "{{"):
		p.next()
		tt := &ast.TemplateTable{Text: tok.Text}
		// {{ ref('x') }}.col is not a table; {{ target.schema }}.tbl is one.
		if p.at(token.Dot) && (p.peek(1).Kind == token.Ident || p.peek(1).Kind == token.QuotedIdent) {
			p.next()
			n := p.name()
			tn := &ast.TableName{Name: &ast.Name{Span: ast.Span{Start: start, Stop: n.End()}, Parts: append([]*ast.Ident{{Span: ast.Span{Start: tok.Pos, Stop: tok.End}, Name: tok.Text}}, n.Parts...)}}
			p.tableNameTail(tn)
			tn.Span = ast.Span{Start: start, Stop: p.prevEndOr(start)}
			t = tn
			break
		}
		tt.Alias = p.tableAlias()
		tt.Span = ast.Span{Start: start, Stop: p.prevEndOr(start)}
		t = tt
	case tok.Kind == token.Variable || tok.Kind == token.Param:
		p.next()
		tn := &ast.TableName{Stage: tok.Text, Name: &ast.Name{Span: ast.Span{Start: tok.Pos, Stop: tok.End}, Parts: []*ast.Ident{{Span: ast.Span{Start: tok.Pos, Stop: tok.End}, Name: tok.Text}}}}
		if p.at(token.LParen) { // @stage (file_format => ..., pattern => ...)
			from := p.i
			p.next()
			p.tokensUntil(func() bool { return false })
			p.closeParen()
			tn.Tail = p.toks[from:p.i:p.i]
		}
		p.tableNameTail(tn)
		tn.Span = ast.Span{Start: start, Stop: p.prevEndOr(start)}
		t = tn
	case tok.Kind == token.String:
		// DuckDB reads files directly: FROM 'data/*.parquet'.
		p.next()
		tn := &ast.TableName{Name: &ast.Name{Span: ast.Span{Start: tok.Pos, Stop: tok.End}, Parts: []*ast.Ident{stringIdent(tok, unquote(tok.Text, tok.Text[0], tok.Text[0]))}}}
		p.tableNameTail(tn)
		tn.Span = ast.Span{Start: start, Stop: p.prevEndOr(start)}
		t = tn
	case tok.Kind == token.Ident || tok.Kind == token.QuotedIdent:
		if tok.Kind == token.Ident && clauseWords[lower(tok.Text)] {
			p.errorf(p.pos(), "expected a table, found %s", p.describe())
			t = &ast.BadTable{Span: ast.Span{Start: start, Stop: start}}
			break
		}
		n := p.tableNameParts()
		if p.at(token.LParen) {
			tf := &ast.TableFunc{Lateral: lateral, Func: p.call(n)}
			p.tableFuncTail(tf)
			tf.Span = ast.Span{Start: start, Stop: p.prevEndOr(start)}
			t = tf
			break
		}
		tn := &ast.TableName{Name: n}
		p.tableNameTail(tn)
		tn.Span = ast.Span{Start: start, Stop: p.prevEndOr(start)}
		t = tn
	default:
		p.errorf(p.pos(), "expected a table, found %s", p.describe())
		from, to := p.skipBad()
		t = &ast.BadTable{Span: ast.Span{Start: from, Stop: to}}
	}
	return p.pivots(t)
}

// speculateDerived tries `((query) ...)` as a derived table; ((select 1) as a join b on x) is
// a parenthesized join instead, which the caller reads when this reports false.
func (p *parser) speculateDerived(lateral bool, start token.Pos, t *ast.TableExpr) bool {
	q, ok := p.tryParenQuery()
	if !ok {
		return false
	}
	d := &ast.DerivedTable{Lateral: lateral, Query: q, Alias: p.tableAlias()}
	d.Span = ast.Span{Start: start, Stop: p.prevEndOr(start)}
	*t = d
	return true
}

// tableNameParts reads a table's dotted name. BigQuery also takes an unquoted project id with
// dashes (my-project-42.dataset.table), written without spaces, which the lexer splits at `-`.
func (p *parser) tableNameParts() *ast.Name {
	if p.d.Name != "bigquery" || !p.at(token.Ident) || !p.peekAdjacent(1) || !(p.peek(1).Kind == token.Operator && p.peek(1).Text == "-") {
		return p.name()
	}
	t := p.tok()
	first := &ast.Ident{Span: ast.Span{Start: t.Pos, Stop: t.End}, Name: t.Text}
	p.next()
	for p.peekAdjacent(0) {
		k := p.tok().Kind
		if !(p.isOp("-") && p.peekAdjacent(1) && (p.peek(1).Kind == token.Ident || p.peek(1).Kind == token.Number)) && k != token.Ident && k != token.Number {
			break
		}
		first.Name += p.tok().Text
		first.Stop = p.tok().End
		p.next()
	}
	n := &ast.Name{Parts: []*ast.Ident{first}}
	for p.at(token.Dot) && (p.peek(1).Kind == token.Ident || p.peek(1).Kind == token.QuotedIdent) {
		p.next()
		n.Parts = append(n.Parts, p.ident())
	}
	n.Span = ast.Span{Start: t.Pos, Stop: p.prevEnd()}
	return n
}

// peekAdjacent reports whether the token n ahead starts right where the one before it ends.
func (p *parser) peekAdjacent(n int) bool {
	j := p.i + n
	if j <= 0 || j >= len(p.toks) {
		return false
	}
	return p.toks[j].Pos == p.toks[j-1].End && p.toks[j].Kind != token.EOF
}

// tableNameTail reads time travel, sampling and hints around the alias of a named table.
func (p *parser) tableNameTail(tn *ast.TableName) {
	from := p.i
	p.tableModifiers()
	if p.d.Reason != "" || p.peekKw(1, "as") {
		p.finalModifier() // `t FINAL`: the generic dialect also reads ClickHouse
	}
	tn.Tail = append(tn.Tail, p.toks[from:p.i]...)
	tn.Alias = p.tableAlias()
	from = p.i
	p.tableModifiers()
	if tn.Alias != nil {
		p.finalModifier()
	}
	tn.Tail = append(tn.Tail, p.toks[from:p.i]...)
	if len(tn.Tail) == 0 {
		tn.Tail = nil
	}
}

// finalModifier skips ClickHouse's FINAL after a table (`t FINAL`, `t AS x FINAL`), which
// merges a ReplacingMergeTree's rows as read. After an alias, or before AS, no dialect reads
// the word otherwise; in place of an alias it is one elsewhere, so it is read there only by
// the generic dialect of adapters without a dialect of their own.
func (p *parser) finalModifier() {
	if p.isKw("final") && !p.peekIsContinuation() {
		p.next()
	}
}

// tableModifiers skips modifiers of a table reference the tree keeps only as tokens.
func (p *parser) tableModifiers() {
	for {
		switch {
		case (p.isKw("at") || p.isKw("before") || p.isKw("changes")) && p.peek(1).Kind == token.LParen:
			p.next()
			p.skipParens()
			if p.isKw("end") && p.peek(1).Kind == token.LParen { // CHANGES(...) AT(...) END(...)
				p.next()
				p.skipParens()
			}
		case p.isKw("for") && (p.peekKw(1, "system_time") || p.peekKw(1, "system") || p.peekKw(1, "timestamp") || p.peekKw(1, "version")):
			p.next()
			for p.at(token.Ident) && !p.isKw("of") {
				p.next()
			}
			p.expectKw("of")
			p.expr()
		case (p.isKw("tablesample") || p.isKw("sample")) && (p.peek(1).Kind == token.LParen || p.peek(1).Kind == token.Ident):
			p.next()
			if p.at(token.Ident) && !p.at(token.LParen) {
				p.next() // method: BERNOULLI, SYSTEM, ROW, BLOCK
			}
			if p.at(token.LParen) {
				p.skipParens()
			}
			if (p.isKw("repeatable") || p.isKw("seed")) && p.peek(1).Kind == token.LParen {
				p.next()
				p.skipParens()
			}
		case p.isKw("match_recognize") && p.peek(1).Kind == token.LParen:
			p.next()
			p.skipParens()
		case p.isKw("with") && p.peek(1).Kind == token.LParen && !p.parenStartsQueryAt(p.i+1):
			p.next() // T-SQL table hints WITH (NOLOCK)
			p.skipParens()
		default:
			return
		}
	}
}

func (p *parser) parenStartsQueryAt(i int) bool {
	save := p.i
	p.i = i
	ok := p.parenStartsQuery()
	p.i = save
	return ok
}

// skipParens consumes a balanced ( ... ) group starting at the current `(`.
func (p *parser) skipParens() {
	if !p.expect(token.LParen, "(") {
		return
	}
	p.tokensUntil(func() bool { return false })
	p.closeParen()
}

func (p *parser) tableFuncTail(tf *ast.TableFunc) {
	if p.gotKws("with", "ordinality") {
		tf.WithOrdinality = true
	}
	tf.Alias = p.tableAlias()
	if p.isKw("with") && p.peekKw(1, "offset") {
		p.next()
		p.next()
		tf.WithOffset = true
		if p.gotKw("as") || p.atIdent() && !aliasReserved[lower(p.tok().Text)] && !softReserved(lower(p.tok().Text), p.peek(1)) {
			tf.OffsetAlias = p.ident()
		}
	}
}

// pivots reads any PIVOT / UNPIVOT suffixes of a table expression.
func (p *parser) pivots(t ast.TableExpr) ast.TableExpr {
	for {
		switch {
		case p.isKw("pivot") && p.peek(1).Kind == token.LParen:
			t = p.pivot(t)
		case p.isKw("unpivot") && (p.peek(1).Kind == token.LParen || p.peekKw(1, "include") || p.peekKw(1, "exclude")):
			t = p.unpivot(t)
		default:
			return t
		}
	}
}

func (p *parser) pivot(src ast.TableExpr) ast.TableExpr {
	p.next() // PIVOT
	p.next() // (
	pv := &ast.Pivot{Source: src}
	for {
		pv.Aggs = append(pv.Aggs, p.selectItem())
		if !p.got(token.Comma) {
			break
		}
	}
	if p.expectKw("for") {
		for {
			pv.For = append(pv.For, p.binary(precCmp+1))
			if !p.got(token.Comma) {
				break
			}
		}
		if p.expectKw("in") && p.expect(token.LParen, "(") {
			switch {
			case p.isKw("any"):
				p.next()
				pv.InAny = true
				if p.isKw("order") && p.peekKw(1, "by") {
					p.next()
					p.next()
					p.orderItems()
				}
			case p.isKw("select") || p.isKw("with"):
				pv.InQuery = p.query()
			default:
				for !p.at(token.RParen) && !p.at(token.EOF) {
					pv.In = append(pv.In, p.selectItem())
					if !p.got(token.Comma) {
						break
					}
				}
			}
			p.closeParen()
		}
	}
	if p.isKw("default") { // DEFAULT ON NULL (expr)
		p.tokensUntil(func() bool { return false })
	}
	p.closeParen()
	pv.Alias = p.tableAlias()
	pv.Span = ast.Span{Start: src.Pos(), Stop: p.prevEndOr(src.Pos())}
	return pv
}

func (p *parser) unpivot(src ast.TableExpr) ast.TableExpr {
	p.next() // UNPIVOT
	u := &ast.Unpivot{Source: src}
	switch {
	case p.gotKws("include", "nulls"):
		u.IncludeNulls = true
	case p.gotKws("exclude", "nulls"):
		u.ExcludeNulls = true
	}
	if p.expect(token.LParen, "(") {
		u.Values = p.identOrList()
		if p.expectKw("for") {
			u.For = p.identOrList()
			if p.expectKw("in") && p.expect(token.LParen, "(") {
				for !p.at(token.RParen) && !p.at(token.EOF) {
					is := p.pos()
					in := &ast.UnpivotIn{}
					if p.at(token.LParen) {
						p.next()
						in.Columns = p.exprList(token.RParen)
						p.closeParen()
					} else {
						in.Columns = []ast.Expr{p.binary(precCmp + 1)}
					}
					if p.gotKw("as") {
						in.Alias = p.primary()
					}
					in.Span = ast.Span{Start: is, Stop: p.prevEndOr(is)}
					u.In = append(u.In, in)
					if !p.got(token.Comma) {
						break
					}
				}
				p.closeParen()
			}
		}
		p.closeParen()
	}
	u.Alias = p.tableAlias()
	u.Span = ast.Span{Start: src.Pos(), Stop: p.prevEndOr(src.Pos())}
	return u
}

func (p *parser) identOrList() []*ast.Ident {
	if p.at(token.LParen) {
		return p.parenIdentList()
	}
	return []*ast.Ident{p.ident()}
}

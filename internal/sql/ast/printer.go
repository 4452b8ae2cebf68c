package ast

import (
	"io"
	"regexp"
	"strings"

	"github.com/dataops-dev/dataops/internal/sql/token"
)

// String prints a node in canonical form: one line, keywords upper-case, single spaces,
// identifiers, literals and function names as written, AS before every alias. Parsing the
// canonical form of a tree and printing it again gives the same text, which the tests rely on.
// Bad nodes print as <bad>, so a tree with errors does not round-trip.
func String(n Node) string {
	var p printer
	p.node(n)
	return p.b.String()
}

// Print writes the canonical form of n to w.
func Print(w io.Writer, n Node) error {
	_, err := io.WriteString(w, String(n))
	return err
}

type printer struct {
	b strings.Builder
}

func (p *printer) s(parts ...string) {
	for _, x := range parts {
		p.b.WriteString(x)
	}
}

func (p *printer) node(n Node) {
	if isNil(n) {
		return
	}
	switch n := n.(type) {
	case *File:
		for i, s := range n.Stmts {
			if i > 0 {
				p.s("; ")
			}
			p.node(s)
		}
	case Stmt:
		p.stmt(n)
	case QueryExpr:
		p.queryExpr(n)
	case TableExpr:
		p.table(n)
	case Expr:
		p.expr(n)
	case *Ident:
		p.ident(n)
	case *Name:
		p.name(n)
	case *TypeName:
		p.typeName(n)
	case *With:
		p.with(n)
	case *CTE:
		p.cte(n)
	case *Limit:
		p.limit(n)
	case *OrderItem:
		p.orderItem(n)
	case *SelectItem:
		p.selectItem(n)
	case *Alias:
		p.alias(n)
	case *WindowSpec:
		p.windowSpec(n)
	case *GroupBy:
		p.groupBy(n)
	default:
		p.s("<?>")
	}
}

func (p *printer) ident(x *Ident) {
	if x == nil {
		return
	}
	if x.Raw != "" {
		p.s(x.Raw)
		return
	}
	switch x.Quote {
	case 0:
		p.s(x.Name)
	case '[':
		p.s("[", strings.ReplaceAll(x.Name, "]", "]]"), "]")
	default:
		q := string(x.Quote)
		p.s(q, strings.ReplaceAll(x.Name, q, q+q), q)
	}
}

func (p *printer) idents(list []*Ident, sep string) {
	for i, x := range list {
		if i > 0 {
			p.s(sep)
		}
		p.ident(x)
	}
}

func (p *printer) name(n *Name) {
	if n != nil {
		p.idents(n.Parts, ".")
	}
}

func (p *printer) exprs(list []Expr) {
	for i, x := range list {
		if i > 0 {
			p.s(", ")
		}
		p.expr(x)
	}
}

func (p *printer) tokens(toks []token.Token) {
	for i, t := range toks {
		if i > 0 {
			p.s(" ")
		}
		p.s(t.Text)
	}
}

func (p *printer) typeName(t *TypeName) {
	if t == nil {
		return
	}
	p.s(t.Name)
	if len(t.Elems) > 0 || len(t.Fields) > 0 {
		open, closer := "(", ")"
		if t.Angle {
			open, closer = "<", ">"
		}
		p.s(open)
		for i, e := range t.Elems {
			if i > 0 {
				p.s(", ")
			}
			p.typeName(e)
		}
		for i, f := range t.Fields {
			if i > 0 || len(t.Elems) > 0 {
				p.s(", ")
			}
			p.ident(f.Name)
			p.s(" ")
			p.typeName(f.Type)
		}
		p.s(closer)
	}
	if len(t.Params) > 0 {
		p.s("(")
		p.exprs(t.Params)
		p.s(")")
	}
	for i := 0; i < t.ArrayDims; i++ {
		p.s("[]")
	}
}

// ---------------------------------------------------------------------------------------------
// Statements and queries

func (p *printer) stmt(s Stmt) {
	switch s := s.(type) {
	case *Query:
		p.query(s)
	case *CreateTable:
		p.s("CREATE ")
		if s.OrReplace {
			p.s("OR REPLACE ")
		}
		for _, m := range s.Modifiers {
			p.s(m, " ")
		}
		p.s("TABLE ")
		if s.IfNotExists {
			p.s("IF NOT EXISTS ")
		}
		p.name(s.Name)
		if s.Columns != nil {
			p.s(" (")
			for i, c := range s.Columns {
				if i > 0 {
					p.s(", ")
				}
				sep := ""
				if c.Name != nil {
					p.ident(c.Name)
					sep = " "
				}
				if c.Type != nil {
					p.s(sep)
					p.typeName(c.Type)
					// A type written with empty parentheses parses as the bare name; printed
					// bare, constraints that open with a parenthesis would read back as its
					// parameters.
					if t := c.Type; len(t.Params)+len(t.Elems)+len(t.Fields)+t.ArrayDims == 0 &&
						len(c.Constraints) > 0 && c.Constraints[0].Text == "(" {
						p.s("()")
					}
					sep = " "
				}
				if len(c.Constraints) > 0 {
					p.s(sep)
					p.tokens(c.Constraints)
				}
			}
			p.s(")")
		}
		if len(s.Options) > 0 {
			p.s(" ")
			p.tokens(s.Options)
		}
		if s.Query != nil {
			p.s(" AS ")
			p.query(s.Query)
		}
	case *CreateView:
		p.s("CREATE ")
		if s.OrReplace {
			p.s("OR REPLACE ")
		}
		for _, m := range s.Modifiers {
			p.s(m, " ")
		}
		p.s("VIEW ")
		if s.IfNotExists {
			p.s("IF NOT EXISTS ")
		}
		p.name(s.Name)
		if len(s.Columns) > 0 {
			p.s(" (")
			p.idents(s.Columns, ", ")
			p.s(")")
		}
		if len(s.Options) > 0 {
			p.s(" ")
			p.tokens(s.Options)
		}
		if s.Query != nil {
			p.s(" AS ")
			p.query(s.Query)
		}
	case *Insert:
		if s.Overwrite {
			p.s("INSERT OVERWRITE ")
		} else {
			p.s("INSERT INTO ")
		}
		p.name(s.Table)
		if s.Alias != nil {
			p.s(" AS ")
			p.ident(s.Alias)
		}
		if len(s.Columns) > 0 {
			p.s(" (")
			p.idents(s.Columns, ", ")
			p.s(")")
		}
		if s.Query != nil {
			p.s(" ")
			p.query(s.Query)
		} else {
			p.s(" DEFAULT VALUES")
		}
		if len(s.Tail) > 0 {
			p.s(" ")
			p.tokens(s.Tail)
		}
	case *Update:
		p.s("UPDATE ")
		p.table(s.Table)
		p.s(" SET ")
		p.assignments(s.Set)
		if len(s.From) > 0 {
			p.s(" FROM ")
			p.tables(s.From)
		}
		if s.Where != nil {
			p.s(" WHERE ")
			p.expr(s.Where)
		}
	case *Delete:
		p.s("DELETE FROM ")
		p.table(s.Table)
		if len(s.Using) > 0 {
			p.s(" USING ")
			p.tables(s.Using)
		}
		if s.Where != nil {
			p.s(" WHERE ")
			p.expr(s.Where)
		}
	case *Merge:
		p.s("MERGE INTO ")
		p.table(s.Target)
		p.s(" USING ")
		p.table(s.Source)
		p.s(" ON ")
		p.expr(s.On)
		for _, c := range s.Clauses {
			p.s(" WHEN ")
			if !c.Matched {
				p.s("NOT ")
			}
			p.s("MATCHED")
			if c.By != "" {
				p.s(" BY ", c.By)
			}
			if c.Cond != nil {
				p.s(" AND ")
				p.expr(c.Cond)
			}
			p.s(" THEN ", c.Action)
			switch {
			case c.Star && c.Action == "UPDATE":
				p.s(" SET *")
			case c.Star:
				p.s(" *")
			case c.Action == "UPDATE":
				p.s(" SET ")
				p.assignments(c.Set)
			case c.Action == "INSERT":
				if len(c.Columns) > 0 {
					p.s(" (")
					p.idents(c.Columns, ", ")
					p.s(")")
				}
				p.s(" VALUES (")
				p.exprs(c.Values)
				p.s(")")
			}
		}
	case *Other:
		p.tokens(s.Tokens)
	case *BadStmt:
		p.s("<bad>")
	}
}

func (p *printer) assignments(list []*Assignment) {
	for i, a := range list {
		if i > 0 {
			p.s(", ")
		}
		p.expr(a.Target)
		p.s(" = ")
		p.expr(a.Value)
	}
}

func (p *printer) query(q *Query) {
	if q == nil {
		return
	}
	if q.With != nil {
		p.with(q.With)
		p.s(" ")
	}
	p.queryExpr(q.Body)
	if len(q.OrderBy) > 0 {
		p.s(" ORDER BY ")
		p.orderItems(q.OrderBy)
	}
	if len(q.ClusterBy) > 0 {
		p.s(" CLUSTER BY ")
		p.exprs(q.ClusterBy)
	}
	if len(q.DistributeBy) > 0 {
		p.s(" DISTRIBUTE BY ")
		p.exprs(q.DistributeBy)
	}
	if len(q.SortBy) > 0 {
		p.s(" SORT BY ")
		p.orderItems(q.SortBy)
	}
	if q.Limit != nil {
		p.s(" ")
		p.limit(q.Limit)
	}
}

func (p *printer) with(w *With) {
	p.s("WITH ")
	if w.Recursive {
		p.s("RECURSIVE ")
	}
	for i, c := range w.CTEs {
		if i > 0 {
			p.s(", ")
		}
		p.cte(c)
	}
}

func (p *printer) cte(c *CTE) {
	p.ident(c.Name)
	if len(c.Columns) > 0 {
		p.s(" (")
		p.idents(c.Columns, ", ")
		p.s(")")
	}
	p.s(" AS ")
	if c.Materialized != "" {
		p.s(c.Materialized, " ")
	}
	p.s("(")
	p.query(c.Query)
	p.s(")")
}

func (p *printer) limit(l *Limit) {
	switch {
	case l.Comma:
		p.s("LIMIT ")
		p.expr(l.Offset)
		p.s(", ")
		p.expr(l.Count)
	case l.Fetch:
		if l.Offset != nil {
			p.s("OFFSET ")
			p.expr(l.Offset)
			p.s(" ROWS ")
		}
		p.s("FETCH FIRST ")
		if l.Count != nil {
			p.expr(l.Count)
			p.s(" ")
		}
		if l.Percent {
			p.s("PERCENT ")
		}
		p.s("ROWS")
		if l.WithTies {
			p.s(" WITH TIES")
		} else {
			p.s(" ONLY")
		}
	default:
		sep := ""
		if l.Count != nil {
			p.s("LIMIT ")
			p.expr(l.Count)
			sep = " "
		}
		if l.Offset != nil {
			p.s(sep, "OFFSET ")
			p.expr(l.Offset)
		}
	}
}

func (p *printer) orderItems(list []*OrderItem) {
	for i, o := range list {
		if i > 0 {
			p.s(", ")
		}
		p.orderItem(o)
	}
}

func (p *printer) orderItem(o *OrderItem) {
	p.expr(o.Expr)
	if o.Desc {
		p.s(" DESC")
	} else if o.Asc {
		p.s(" ASC")
	}
	if o.Nulls != "" {
		p.s(" NULLS ", o.Nulls)
	}
}

func (p *printer) queryExpr(q QueryExpr) {
	switch q := q.(type) {
	case *Select:
		p.selectCore(q)
	case *SetOp:
		p.queryExpr(q.Left)
		p.s(" ")
		if q.Mode != "" {
			p.s(q.Mode, " ")
		}
		if q.Minus {
			p.s("MINUS")
		} else {
			p.s(q.Op)
		}
		if q.All {
			p.s(" ALL")
		}
		if q.Distinct {
			p.s(" DISTINCT")
		}
		if q.ByName {
			p.s(" BY NAME")
		}
		if q.Corresponding {
			p.s(" CORRESPONDING")
		}
		if len(q.On) > 0 {
			if q.Corresponding {
				p.s(" BY (")
			} else {
				p.s(" ON (")
			}
			p.idents(q.On, ", ")
			p.s(")")
		}
		p.s(" ")
		p.queryExpr(q.Right)
	case *Values:
		p.s("VALUES ")
		for i, r := range q.Rows {
			if i > 0 {
				p.s(", ")
			}
			p.s("(")
			p.exprs(r)
			p.s(")")
		}
	case *ParenQuery:
		p.s("(")
		p.query(q.Query)
		p.s(")")
	case *TemplateQuery:
		p.s(q.Text)
	case *BadQuery:
		p.s("<bad>")
	}
}

func (p *printer) selectCore(s *Select) {
	p.s("SELECT")
	if s.Distinct {
		p.s(" DISTINCT")
		if len(s.DistinctOn) > 0 {
			p.s(" ON (")
			p.exprs(s.DistinctOn)
			p.s(")")
		}
	}
	if s.All {
		p.s(" ALL")
	}
	if s.Top != nil {
		p.s(" TOP ")
		p.expr(s.Top.Count)
		if s.Top.Percent {
			p.s(" PERCENT")
		}
		if s.Top.WithTies {
			p.s(" WITH TIES")
		}
	}
	if s.SelectAs != "" {
		p.s(" AS ", s.SelectAs)
	}
	for i, it := range s.Items {
		if i > 0 {
			p.s(",")
		}
		p.s(" ")
		p.selectItem(it)
	}
	if len(s.From) > 0 {
		p.s(" FROM ")
		p.tables(s.From)
	}
	if s.Where != nil {
		p.s(" WHERE ")
		p.expr(s.Where)
	}
	if s.StartWith != nil {
		p.s(" START WITH ")
		p.expr(s.StartWith)
	}
	if s.ConnectBy != nil {
		p.s(" CONNECT BY ")
		if s.NoCycle {
			p.s("NOCYCLE ")
		}
		p.expr(s.ConnectBy)
	}
	if s.GroupBy != nil {
		p.s(" ")
		p.groupBy(s.GroupBy)
	}
	if s.Having != nil {
		p.s(" HAVING ")
		p.expr(s.Having)
	}
	if len(s.Windows) > 0 {
		p.s(" WINDOW ")
		for i, w := range s.Windows {
			if i > 0 {
				p.s(", ")
			}
			p.ident(w.Name)
			p.s(" AS ")
			p.windowBody(w.Spec)
		}
	}
	if s.Qualify != nil {
		p.s(" QUALIFY ")
		p.expr(s.Qualify)
	}
}

func (p *printer) selectItem(it *SelectItem) {
	// `a = 0 AS a` would read back in T-SQL as the alias a assigned 0: the expression is
	// printed apart first only when an alias follows it.
	if it.Alias == nil {
		p.expr(it.Expr)
	} else {
		var q printer
		q.expr(it.Expr)
		if text := q.b.String(); assignLike.MatchString(text) {
			p.s("(", text, ")")
		} else {
			p.s(text)
		}
	}
	if it.Alias != nil {
		p.s(" AS ")
		p.ident(it.Alias)
	}
	if len(it.Aliases) > 0 {
		p.s(" AS (")
		p.idents(it.Aliases, ", ")
		p.s(")")
	}
}

func (p *printer) groupBy(g *GroupBy) {
	p.s("GROUP BY")
	if g.All {
		p.s(" ALL")
	}
	if g.Distinct {
		p.s(" DISTINCT")
	}
	if len(g.Items) > 0 {
		p.s(" ")
		p.exprs(g.Items)
	}
	if g.WithRollup {
		p.s(" WITH ROLLUP")
	}
	if g.WithCube {
		p.s(" WITH CUBE")
	}
}

// ---------------------------------------------------------------------------------------------
// Tables

func (p *printer) tables(list []TableExpr) {
	for i, t := range list {
		if i > 0 {
			p.s(", ")
		}
		p.table(t)
	}
}

func (p *printer) alias(a *Alias) {
	if a == nil {
		return
	}
	if a.Name != nil {
		p.s(" AS ")
		p.ident(a.Name)
	}
	if len(a.Columns) > 0 {
		if a.Name == nil {
			p.s(" AS ")
		}
		p.s("(")
		p.idents(a.Columns, ", ")
		p.s(")")
	}
}

func (p *printer) table(t TableExpr) {
	switch t := t.(type) {
	case *TableName:
		if t.Stage != "" {
			p.s(t.Stage)
		} else {
			p.name(t.Name)
		}
		if len(t.Tail) > 0 {
			p.s(" ")
			p.tokens(t.Tail)
		}
		p.alias(t.Alias)
	case *DerivedTable:
		if t.Lateral {
			p.s("LATERAL ")
		}
		p.s("(")
		p.query(t.Query)
		p.s(")")
		p.alias(t.Alias)
	case *TableFunc:
		if t.Lateral {
			p.s("LATERAL ")
		}
		if t.TableWrapper {
			p.s("TABLE(")
			p.expr(t.Func)
			p.s(")")
		} else {
			p.expr(t.Func)
		}
		if t.WithOrdinality {
			p.s(" WITH ORDINALITY")
		}
		p.alias(t.Alias)
		if t.WithOffset {
			p.s(" WITH OFFSET")
			if t.OffsetAlias != nil {
				p.s(" AS ")
				p.ident(t.OffsetAlias)
			}
		}
	case *Join:
		p.table(t.Left)
		if t.Written == "," {
			p.s(", ")
		} else {
			p.s(" ", t.Written, " ")
		}
		p.table(t.Right)
		if t.Match != nil {
			p.s(" MATCH_CONDITION (")
			p.expr(t.Match)
			p.s(")")
		}
		if t.On != nil {
			p.s(" ON ")
			p.expr(t.On)
		}
		if len(t.Using) > 0 {
			p.s(" USING (")
			p.idents(t.Using, ", ")
			p.s(")")
		}
	case *LateralView:
		p.expr(t.Func)
		if t.Alias != nil {
			p.s(" ")
			p.ident(t.Alias)
		}
		if len(t.Columns) > 0 {
			p.s(" AS ")
			p.idents(t.Columns, ", ")
		}
	case *ParenTable:
		p.s("(")
		p.table(t.Table)
		p.s(")")
		p.alias(t.Alias)
	case *Pivot:
		p.table(t.Source)
		p.s(" PIVOT (")
		for i, a := range t.Aggs {
			if i > 0 {
				p.s(", ")
			}
			p.selectItem(a)
		}
		p.s(" FOR ")
		p.exprs(t.For)
		p.s(" IN (")
		switch {
		case t.InAny:
			p.s("ANY")
		case t.InQuery != nil:
			p.query(t.InQuery)
		default:
			for i, a := range t.In {
				if i > 0 {
					p.s(", ")
				}
				p.selectItem(a)
			}
		}
		p.s("))")
		p.alias(t.Alias)
	case *Unpivot:
		p.table(t.Source)
		p.s(" UNPIVOT ")
		if t.IncludeNulls {
			p.s("INCLUDE NULLS ")
		}
		if t.ExcludeNulls {
			p.s("EXCLUDE NULLS ")
		}
		p.s("(")
		p.identList(t.Values)
		p.s(" FOR ")
		p.identList(t.For)
		p.s(" IN (")
		for i, in := range t.In {
			if i > 0 {
				p.s(", ")
			}
			if len(in.Columns) == 1 {
				p.expr(in.Columns[0])
			} else {
				p.s("(")
				p.exprs(in.Columns)
				p.s(")")
			}
			if in.Alias != nil {
				p.s(" AS ")
				p.expr(in.Alias)
			}
		}
		p.s("))")
		p.alias(t.Alias)
	case *TemplateTable:
		p.s(t.Text)
		p.alias(t.Alias)
	case *BadTable:
		p.s("<bad>")
	}
}

// identList prints one identifier bare and several in parentheses.
func (p *printer) identList(list []*Ident) {
	if len(list) == 1 {
		p.ident(list[0])
		return
	}
	p.s("(")
	p.idents(list, ", ")
	p.s(")")
}

// ---------------------------------------------------------------------------------------------
// Expressions

func (p *printer) expr(e Expr) {
	if isNil(e) {
		return
	}
	switch e := e.(type) {
	case *ColumnRef:
		p.idents(e.Parts, ".")
		if e.OuterJoin {
			p.s(" (+)")
		}
	case *Star:
		p.star(e)
	case *Literal:
		p.s(e.Text)
	case *TypedLiteral:
		p.typeName(e.Type)
		if e.Value != nil {
			p.s(" ", e.Value.Text)
		}
	case *Interval:
		p.s("INTERVAL ")
		p.expr(e.Value)
		if e.Unit != "" {
			p.s(" ", e.Unit)
		}
		if e.ToUnit != "" {
			p.s(" TO ", e.ToUnit)
		}
	case *Param:
		p.s(e.Text)
	case *Binary:
		p.expr(e.X)
		p.s(" ", e.Op, " ")
		p.expr(e.Y)
	case *Unary:
		if e.Postfix {
			p.expr(e.X)
			p.s(e.Op)
			return
		}
		inner := String(e.X)
		p.s(e.Op)
		// "@" before a name would lex back as a parameter or stage (@a), so it keeps its space.
		if isWordOp(e.Op) || e.Op == "@" || (inner != "" && (inner[0] == '-' || inner[0] == '+' || inner[0] == '/' || inner[0] == '*' || inner[0] == '~' || inner[0] == '!' || inner[0] == '@' || inner[0] == '|' || inner[0] == '&' || inner[0] == '^' || inner[0] == '#')) {
			p.s(" ")
		}
		p.s(inner)
	case *Paren:
		p.s("(")
		p.expr(e.X)
		p.s(")")
	case *Row:
		if e.Keyword {
			p.s("ROW")
		}
		p.s("(")
		p.exprs(e.Exprs)
		p.s(")")
	case *Func:
		p.fn(e)
	case *NamedArg:
		p.ident(e.Name)
		p.s(" ", e.Op, " ")
		p.expr(e.Value)
	case *KeywordArg:
		p.s(e.Keyword)
		if e.Value != nil {
			p.s(" ")
			p.expr(e.Value)
		}
	case *Extract:
		p.s("EXTRACT(", e.Field, " FROM ")
		p.expr(e.X)
		p.s(")")
	case *Cast:
		switch e.Kind {
		case CastOperator:
			p.expr(e.X)
			p.s("::")
			p.typeName(e.Type)
		case CastConvert:
			p.s("CONVERT(")
			p.typeName(e.Type)
			p.s(", ")
			p.expr(e.X)
			if e.Format != nil {
				p.s(", ")
				p.expr(e.Format)
			}
			p.s(")")
		default:
			name := "CAST"
			switch e.Kind {
			case CastTry:
				name = "TRY_CAST"
			case CastSafe:
				name = "SAFE_CAST"
			}
			p.s(name, "(")
			p.expr(e.X)
			p.s(" AS ")
			p.typeName(e.Type)
			if e.Format != nil {
				p.s(" FORMAT ")
				p.expr(e.Format)
			}
			p.s(")")
		}
	case *Case:
		p.s("CASE")
		if e.Operand != nil {
			p.s(" ")
			p.expr(e.Operand)
		}
		for _, w := range e.Whens {
			p.s(" WHEN ")
			p.expr(w.Cond)
			p.s(" THEN ")
			p.expr(w.Result)
		}
		if e.Else != nil {
			p.s(" ELSE ")
			p.expr(e.Else)
		}
		p.s(" END")
	case *Between:
		p.expr(e.X)
		p.not(e.Not)
		p.s(" BETWEEN ")
		if e.Symmetric {
			p.s("SYMMETRIC ")
		}
		p.expr(e.Lo)
		p.s(" AND ")
		p.expr(e.Hi)
	case *In:
		p.expr(e.X)
		p.not(e.Not)
		p.s(" IN ")
		switch {
		case e.Query != nil:
			p.s("(")
			p.query(e.Query)
			p.s(")")
		case e.Other != nil:
			p.expr(e.Other)
		default:
			p.s("(")
			p.exprs(e.List)
			p.s(")")
		}
	case *Like:
		p.expr(e.X)
		p.not(e.Not)
		p.s(" ", e.Op, " ")
		if e.Quant != "" {
			p.s(e.Quant, " ")
		}
		p.expr(e.Pattern)
		if e.Escape != nil {
			p.s(" ESCAPE ")
			p.expr(e.Escape)
		}
	case *Is:
		p.expr(e.X)
		p.s(" IS ")
		if e.Not {
			p.s("NOT ")
		}
		p.s(e.Value)
	case *IsDistinctFrom:
		p.expr(e.X)
		p.s(" IS ")
		if e.Not {
			p.s("NOT ")
		}
		p.s("DISTINCT FROM ")
		p.expr(e.Y)
	case *Exists:
		p.s("EXISTS (")
		p.query(e.Query)
		p.s(")")
	case *Subquery:
		p.s("(")
		p.query(e.Query)
		p.s(")")
	case *Quantified:
		p.s(e.Quant, " (")
		if e.Query != nil {
			p.query(e.Query)
		} else {
			p.expr(e.X)
		}
		p.s(")")
	case *Array:
		if e.Keyword {
			p.s("ARRAY")
		}
		if e.Type != nil {
			p.s("<")
			p.typeName(e.Type)
			p.s(">")
		}
		switch {
		case e.Query != nil:
			p.s("(")
			p.query(e.Query)
			p.s(")")
		case e.Type != nil && e.Elems == nil:
			// ARRAY<T> with no element list written
		default:
			p.s("[")
			p.exprs(e.Elems)
			p.s("]")
		}
	case *Struct:
		if e.Keyword {
			p.s("STRUCT")
			if e.Type != nil {
				p.s("<")
				if len(e.Type.Fields) == 0 {
					p.s(" ") // "<>" would read back as the not-equal operator
				}
				for i, f := range e.Type.Fields {
					if i > 0 {
						p.s(", ")
					}
					if f.Name != nil {
						p.ident(f.Name)
						p.s(" ")
					}
					p.typeName(f.Type)
				}
				p.s(">")
			}
			p.s("(")
			for i, f := range e.Fields {
				if i > 0 {
					p.s(", ")
				}
				p.expr(f.Value)
				if f.Name != nil {
					p.s(" AS ")
					p.ident(f.Name)
				}
			}
			p.s(")")
			return
		}
		p.s("{")
		for i, f := range e.Fields {
			if i > 0 {
				p.s(", ")
			}
			if f.Key != nil {
				p.expr(f.Key)
			} else {
				p.ident(f.Name)
			}
			p.s(": ")
			p.expr(f.Value)
		}
		p.s("}")
	case *Map:
		p.s("MAP {")
		for i, m := range e.Entries {
			if i > 0 {
				p.s(", ")
			}
			p.expr(m.Key)
			p.s(": ")
			p.expr(m.Value)
		}
		p.s("}")
	case *Index:
		p.expr(e.X)
		p.s("[")
		if e.Slice {
			p.expr(e.Lo)
			p.s(":")
			p.expr(e.Hi)
			if e.Step != nil {
				p.s(":")
				p.expr(e.Step)
			}
		} else {
			p.expr(e.Index)
		}
		p.s("]")
	case *Field:
		p.dotBase(e.X, e.Name)
		p.s(".")
		p.ident(e.Name)
	case *Path:
		if len(e.Elems) > 0 && !e.Elems[0].Bracket && !e.Elems[0].Colon {
			p.dotBase(e.X, e.Elems[0].Name)
		} else {
			p.expr(e.X)
		}
		for _, el := range e.Elems {
			switch {
			case el.Bracket:
				p.s("[")
				if el.Index != nil {
					p.expr(el.Index)
				}
				p.s("]")
			case el.Colon:
				p.s(":")
				p.ident(el.Name)
			default:
				p.s(".")
				p.ident(el.Name)
			}
		}
	case *Lambda:
		if e.Keyword {
			p.s("LAMBDA ")
			p.idents(e.Params, ", ")
			p.s(": ")
		} else {
			if e.Paren {
				p.s("(")
			}
			p.idents(e.Params, ", ")
			if e.Paren {
				p.s(")")
			}
			p.s(" -> ")
		}
		p.expr(e.Body)
	case *Collate:
		p.expr(e.X)
		p.s(" COLLATE ", e.Collation)
	case *AtTimeZone:
		p.expr(e.X)
		if e.Zone == nil {
			p.s(" AT LOCAL")
		} else {
			p.s(" AT TIME ZONE ")
			p.expr(e.Zone)
		}
	case *GroupingSet:
		p.s(e.Kind, " (")
		for i, set := range e.Sets {
			if i > 0 {
				p.s(", ")
			}
			if len(set) == 1 {
				p.expr(set[0])
			} else {
				p.s("(")
				p.exprs(set)
				p.s(")")
			}
		}
		p.s(")")
	case *Template:
		p.s(e.Text)
	case *BadExpr:
		p.s("<bad>")
	}
}

func (p *printer) not(not bool) {
	if not {
		p.s(" NOT")
	}
}

// dotBase prints x where a `.name` follows it. A number or parameter ending in a digit needs a
// space so that `0.a` does not read back as the number `0.` and an alias. A name that starts
// with a digit reads as a name only right after a letter, a quote or a closing bracket (the
// lexer reads `.0a` after anything else, spaced or not, as a number), so any other base is
// parenthesized: `(0).0a`, `(*).0a`.
func (p *printer) dotBase(x Expr, name *Ident) {
	if c, ok := x.(*Cast); ok && c.Kind == CastOperator {
		// `0::t.a` reads back as a cast to the type t.a.
		p.s("(")
		p.expr(x)
		p.s(")")
		return
	}
	if name == nil || name.Quote != 0 || name.Raw != "" || name.Name == "" || name.Name[0] < '0' || name.Name[0] > '9' {
		p.expr(x)
		p.numberDot(x)
		return
	}
	var q printer
	q.expr(x)
	text := q.b.String()
	if c := text[len(text)-1]; c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '"' || c == '`' || c == ')' || c == ']' {
		p.s(text)
		return
	}
	p.s("(", text, ")")
}

// needsDotSpace says x ends in a digit that a dot right after it would join: a number, or a
// parameter (`:0.a` reads back as the parameter `:0.` followed by an alias).
func needsDotSpace(x Expr) bool {
	switch l := x.(type) {
	case *Literal:
		return l.Kind == LitNumber && endsInDigit(l.Text)
	case *Param:
		return endsInDigit(l.Text)
	}
	return false
}

// numberDot keeps a space between a number (or a parameter) ending in a digit and the dot of a
// field, or of the star, read from it: "0 .a" is the field a of 0, while "0.a" reads back as
// the number 0. aliased a, and "0.*" does not read back at all. A number that ends in a letter
// (Databricks' 0Y, 1L) needs none, and gets none: "0Y .00A" would read back as 0Y, the number
// .00 and A.
func (p *printer) numberDot(x Expr) {
	if needsDotSpace(x) {
		p.s(" ")
	}
}

// assignLike matches a select item's text that starts like T-SQL's `alias = expr`. It errs
// towards matching: a needless pair of parentheses is harmless.
var assignLike = regexp.MustCompile(`^(\[[^\]]*\]|"[^"]*"|` + "`[^`]*`" + `|[^\s()'",=]+)\s*=([^=>]|$)`)

func endsInDigit(s string) bool {
	n := len(s)
	return n > 0 && (s[n-1] >= '0' && s[n-1] <= '9' || s[n-1] == '.')
}

func isWordOp(op string) bool {
	return op != "" && (op[0] >= 'A' && op[0] <= 'Z' || op[0] >= 'a' && op[0] <= 'z')
}

func (p *printer) star(s *Star) {
	if s.StructOf != nil {
		p.expr(s.StructOf)
		p.numberDot(s.StructOf)
		p.s(".")
	}
	for _, q := range s.Qualifier {
		p.ident(q)
		p.s(".")
	}
	p.s("*")
	if s.ILike != nil {
		p.s(" ILIKE ")
		p.expr(s.ILike)
	}
	if s.Like != nil {
		p.s(" LIKE ")
		p.expr(s.Like)
	}
	if len(s.Except) > 0 {
		p.s(" ", s.ExceptKw, " (")
		p.idents(s.Except, ", ")
		p.s(")")
	}
	if len(s.Replace) > 0 {
		p.s(" REPLACE (")
		for i, r := range s.Replace {
			if i > 0 {
				p.s(", ")
			}
			p.selectItem(r)
		}
		p.s(")")
	}
	if len(s.Rename) > 0 {
		p.s(" RENAME (")
		for i, r := range s.Rename {
			if i > 0 {
				p.s(", ")
			}
			p.expr(r.Old)
			p.s(" AS ")
			p.ident(r.New)
		}
		p.s(")")
	}
}

func (p *printer) fn(f *Func) {
	p.name(f.Name)
	if f.NoParens {
		return
	}
	p.s("(")
	if f.Distinct {
		p.s("DISTINCT ")
	}
	if f.All {
		p.s("ALL ")
	}
	if f.Star {
		p.s("*")
	}
	for i, a := range f.Args {
		if i > 0 {
			if _, kw := a.(*KeywordArg); kw {
				p.s(" ")
			} else {
				p.s(", ")
			}
		}
		p.expr(a)
	}
	if f.NullsInside && f.Nulls != "" {
		p.s(" ", f.Nulls)
	}
	if f.HavingMax != "" {
		p.s(" HAVING ", f.HavingMax, " ")
		p.expr(f.Having)
	}
	if len(f.OrderBy) > 0 {
		p.s(" ORDER BY ")
		p.orderItems(f.OrderBy)
	}
	if f.Limit != nil {
		p.s(" LIMIT ")
		p.expr(f.Limit)
	}
	if f.Separator != nil {
		p.s(" SEPARATOR ")
		p.expr(f.Separator)
	}
	p.s(")")
	if !f.NullsInside && f.Nulls != "" {
		p.s(" ", f.Nulls)
	}
	if len(f.WithinGroup) > 0 {
		p.s(" WITHIN GROUP (ORDER BY ")
		p.orderItems(f.WithinGroup)
		p.s(")")
	}
	if f.Filter != nil {
		p.s(" FILTER (WHERE ")
		p.expr(f.Filter)
		p.s(")")
	}
	if f.Over != nil {
		p.s(" OVER ")
		p.windowSpec(f.Over)
	}
}

func (p *printer) windowSpec(w *WindowSpec) {
	if !w.Paren {
		p.ident(w.Name)
		return
	}
	p.windowBody(w)
}

func (p *printer) windowBody(w *WindowSpec) {
	p.s("(")
	sep := ""
	if w.Name != nil {
		p.ident(w.Name)
		sep = " "
	}
	if len(w.PartitionBy) > 0 {
		p.s(sep, "PARTITION BY ")
		p.exprs(w.PartitionBy)
		sep = " "
	}
	if len(w.OrderBy) > 0 {
		p.s(sep, "ORDER BY ")
		p.orderItems(w.OrderBy)
		sep = " "
	}
	if f := w.Frame; f != nil {
		p.s(sep, f.Unit, " ")
		if f.To != nil {
			p.s("BETWEEN ")
			p.bound(f.From)
			p.s(" AND ")
			p.bound(f.To)
		} else {
			p.bound(f.From)
		}
		if f.Exclude != "" {
			p.s(" EXCLUDE ", f.Exclude)
		}
	}
	p.s(")")
}

func (p *printer) bound(b *FrameBound) {
	if b == nil {
		return
	}
	if b.Offset != nil {
		p.expr(b.Offset)
		p.s(" ")
	}
	p.s(b.Kind)
}

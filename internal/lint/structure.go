package lint

import "github.com/dataops-dev/dataops/internal/sql/token"

// Select is one SELECT and its clauses. Token indices point into Doc.Toks; ranges are
// inclusive and hold non-trivia tokens at both ends.
type Select struct {
	Kw     int // the SELECT keyword
	End    int // last token of the select (before a set operator, a closing bracket or ;)
	Depth  int
	Parent *Select // the select this one is nested in, nil at the top
	// Mods are DISTINCT / ALL / TOP tokens right after SELECT.
	Mods    []int
	Targets []Target
	// Clauses in order: FROM, WHERE, GROUP BY, HAVING, QUALIFY, WINDOW, ORDER BY, LIMIT...
	Clauses []Clause
	Tables  []TableItem // FROM and JOIN items
	// SetOp is the set operator token (UNION...) that follows this select, or -1.
	SetOp int
	// In is the WITH whose main query contains this select, when there is one.
	With *With
}

// Target is one select-list item.
type Target struct {
	Start, End int
	Alias      int // the alias token, or -1
	As         int // the AS keyword (T-SQL's `=` when Prefix), or -1
	Star       bool
	// Prefix: T-SQL's `alias = expr`, the alias first and the expression after As.
	Prefix bool
}

// Clause is a clause keyword and its body.
type Clause struct {
	Kind  string // "FROM", "WHERE", "GROUP BY", "HAVING", "QUALIFY", "WINDOW", "ORDER BY", "LIMIT", "OFFSET", "FETCH"
	Kw    int    // first keyword token
	Start int    // first token of the body
	End   int    // last token of the body
}

// TableItem is one FROM or JOIN item.
type TableItem struct {
	Start, End int    // the whole item, join keywords and condition included
	JoinKw     []int  // join keywords (LEFT, OUTER, JOIN...), empty for the first FROM item or a comma join
	Expr       [2]int // the table expression: a name, a bracket, a function call
	Sub        int    // opening bracket of a subquery, or -1
	Alias      int    // alias token, or -1
	As         int    // AS keyword, or -1
	On         int    // ON keyword, or -1
	CondEnd    int    // last token of the ON condition / USING list
	Using      int    // USING keyword, or -1
	Lateral    bool
}

// With is a WITH clause.
type With struct {
	Kw   int
	CTEs []CTE
	// Main is the select after the CTEs (the first one of a set), when found.
	Main *Select
}

// CTE is one common table expression.
type CTE struct {
	Name  int
	As    int // the AS keyword, or -1 (Spark's `name (select ...)` goes without)
	Open  int // the bracket holding the body
	Close int
}

// Clause returns the clause of a kind, or nil.
func (s *Select) Clause(kind string) *Clause {
	for i := range s.Clauses {
		if s.Clauses[i].Kind == kind {
			return &s.Clauses[i]
		}
	}
	return nil
}

// TargetsEnd is the last token of the select list.
func (s *Select) TargetsEnd() int {
	if len(s.Targets) == 0 {
		return s.Kw
	}
	return s.Targets[len(s.Targets)-1].End
}

func (d *Doc) structure() {
	for i := range d.Toks {
		t := &d.Toks[i]
		if t.Kind != token.Ident || t.Role != RoleKeyword {
			continue
		}
		switch t.Up {
		case "SELECT":
			d.Selects = append(d.Selects, d.parseSelect(i))
		case "WITH":
			d.Withs = append(d.Withs, d.parseWith(i))
		}
	}
	// Parents: the innermost earlier select whose range contains this one.
	for i, s := range d.Selects {
		for j := i - 1; j >= 0; j-- {
			p := d.Selects[j]
			if p.Kw < s.Kw && p.End >= s.End && p.Depth < s.Depth {
				s.Parent = p
				break
			}
		}
	}
	for _, w := range d.Withs {
		after := w.Kw
		if n := len(w.CTEs); n > 0 {
			after = w.CTEs[n-1].Close
		}
		for _, s := range d.Selects {
			if s.Kw > after && s.Depth == d.Toks[w.Kw].Depth {
				w.Main = s
				s.With = w
				break
			}
		}
	}
}

var setOps = wordSet("UNION", "INTERSECT", "EXCEPT", "MINUS")

var clauseStarts = map[string]string{
	"FROM": "FROM", "WHERE": "WHERE", "GROUP": "GROUP BY", "HAVING": "HAVING",
	"QUALIFY": "QUALIFY", "WINDOW": "WINDOW", "ORDER": "ORDER BY", "LIMIT": "LIMIT",
	"OFFSET": "OFFSET", "FETCH": "FETCH",
	// T-SQL's query endings (keywords only where classify says so).
	"FOR": "FOR", "OPTION": "OPTION",
}

func (d *Doc) isClauseKw(i int, depth int) (string, bool) {
	t := &d.Toks[i]
	if t.Kind != token.Ident || t.Role != RoleKeyword || t.Depth != depth {
		return "", false
	}
	k, ok := clauseStarts[t.Up]
	if ok && (t.Up == "GROUP" || t.Up == "ORDER") && !d.Is(t.Next, "BY") {
		return "", false
	}
	// `a IS [NOT] DISTINCT FROM b` is a comparison, not a FROM clause.
	if ok && t.Up == "FROM" && d.Is(t.Prev, "DISTINCT") {
		return "", false
	}
	return k, ok
}

// selectEnd finds the last token of the select starting at kw.
func (d *Doc) selectEnd(kw int) (end int, setOp int) {
	depth := d.Toks[kw].Depth
	last := kw
	for i := d.Toks[kw].Next; d.More(i); i = d.Toks[i].Next {
		t := &d.Toks[i]
		if t.Kind == token.EOF {
			break
		}
		if t.Depth < depth {
			break
		}
		if t.Depth == depth && t.Kind == token.Semicolon {
			break
		}
		if t.Depth == depth && d.IsSetOperator(i) {
			return last, i
		}
		// A WITH or SELECT at the same depth after this select's body starts a new statement
		// only after a semicolon; inside brackets it cannot happen.
		last = i
	}
	return last, -1
}

// IsSetOperator reports whether token i is UNION, INTERSECT, EXCEPT or MINUS joining two
// queries (not BigQuery's `* EXCEPT (...)`).
func (d *Doc) IsSetOperator(i int) bool {
	t := &d.Toks[i]
	return t.Kind == token.Ident && setOps[t.Up] && t.Role == RoleKeyword && !d.afterStar(i)
}

// LaterBranch reports whether s is a branch of a set operation after its first (`UNION ALL
// SELECT ...`): SQLFluff's reference rules read a set operation through its first select only.
// A bracketed branch (`UNION (SELECT ...)`) is a query of its own, read as such.
func (d *Doc) LaterBranch(s *Select) bool {
	for i := d.Toks[s.Kw].Prev; i >= 0; i = d.Toks[i].Prev {
		t := &d.Toks[i]
		switch {
		case t.Kind == token.Ident && (t.Up == "ALL" || t.Up == "DISTINCT"):
			continue
		case d.IsSetOperator(i):
			return true
		}
		return false
	}
	return false
}

func (d *Doc) parseSelect(kw int) *Select {
	s := &Select{Kw: kw, Depth: d.Toks[kw].Depth, SetOp: -1}
	s.End, s.SetOp = d.selectEnd(kw)
	i := d.Toks[kw].Next
	// Modifiers.
	for i <= s.End {
		if d.Is(i, "DISTINCT") || d.Is(i, "ALL") {
			s.Mods = append(s.Mods, i)
			i = d.Toks[i].Next
			if d.Is(i-0, "ON") && d.Toks[d.Toks[i].Next].Kind == token.LParen { // DISTINCT ON (...)
				s.Mods = append(s.Mods, i)
				open := d.Toks[i].Next
				if m := d.Toks[open].Match; m > 0 {
					i = d.Toks[m].Next
				}
			}
			continue
		}
		if d.Is(i, "TOP") {
			s.Mods = append(s.Mods, i)
			i = d.Toks[i].Next
			if d.Toks[i].Kind == token.Number {
				i = d.Toks[i].Next
			} else if d.Toks[i].Kind == token.LParen && d.Toks[i].Match > 0 {
				i = d.Toks[d.Toks[i].Match].Next
			}
			continue
		}
		break
	}
	// Clause boundaries at this depth.
	type mark struct {
		kind string
		kw   int
	}
	var marks []mark
	for j := i; j <= s.End && d.More(j); j = d.Toks[j].Next {
		if k, ok := d.isClauseKw(j, s.Depth); ok {
			marks = append(marks, mark{k, j})
		}
	}
	// Targets run from i to the first clause.
	tEnd := s.End
	if len(marks) > 0 {
		tEnd = d.Toks[marks[0].kw].Prev
	}
	if i <= tEnd {
		s.Targets = d.splitTargets(i, tEnd, s.Depth)
	}
	for mi, m := range marks {
		end := s.End
		if mi+1 < len(marks) {
			end = d.Toks[marks[mi+1].kw].Prev
		}
		start := d.Toks[m.kw].Next
		if m.kind == "GROUP BY" || m.kind == "ORDER BY" {
			start = d.Toks[start].Next
		}
		s.Clauses = append(s.Clauses, Clause{Kind: m.kind, Kw: m.kw, Start: start, End: end})
		if m.kind == "FROM" && start <= end {
			s.Tables = d.splitTables(start, end, s.Depth)
		}
	}
	return s
}

func (d *Doc) splitTargets(start, end, depth int) []Target {
	var out []Target
	cur := start
	for j := start; j <= end && d.More(j); j = d.Toks[j].Next {
		if d.Toks[j].Kind == token.Comma && d.Toks[j].Depth == depth {
			if p := d.Toks[j].Prev; p >= cur {
				out = append(out, d.target(cur, p))
			}
			cur = d.Toks[j].Next
		}
	}
	if cur <= end {
		out = append(out, d.target(cur, end))
	}
	return out
}

func (d *Doc) target(start, end int) Target {
	t := Target{Start: start, End: end, Alias: -1, As: -1}
	last := &d.Toks[end]
	if last.Kind == token.Operator && last.Text == "*" {
		t.Star = true
	}
	// `* EXCEPT (...)`, `t.* EXCLUDE (...)`, `* REPLACE (...)`: still a wildcard.
	for i := start; i <= end && d.More(i); i = d.Toks[i].Next {
		if d.Toks[i].Kind == token.Operator && d.Toks[i].Text == "*" && (i == start || d.Toks[d.Toks[i].Prev].Kind == token.Dot) {
			n := d.Toks[i].Next
			if n > end || d.Is(n, "EXCEPT") || d.Is(n, "EXCLUDE") || d.Is(n, "REPLACE") || d.Is(n, "RENAME") || d.Is(n, "ILIKE") {
				t.Star = true
				return t
			}
		}
	}
	if eq := d.Toks[start].Next; d.Dialect == "tsql" && eq < end && d.Toks[eq].Kind == token.Operator && d.Toks[eq].Text == "=" &&
		(d.Toks[start].Role == RoleIdentifier || d.Toks[start].Role == RoleQuoted) {
		t.Alias, t.As, t.Prefix = start, eq, true
		return t
	}
	if end > start && (last.Role == RoleIdentifier || last.Role == RoleQuoted) {
		p := last.Prev
		if d.IsKw(p, "AS") {
			t.Alias, t.As = end, p
		} else if p >= start && d.endsExpression(p) && last.Role != RoleQuoted || p >= start && last.Role == RoleQuoted && d.endsExpression(p) {
			t.Alias = end
		}
	}
	return t
}

// endsExpression reports whether token i can end an expression, so that a name after it is
// an implicit alias rather than part of the expression.
func (d *Doc) endsExpression(i int) bool {
	t := &d.Toks[i]
	switch t.Kind {
	case token.RParen, token.RBracket, token.Number, token.String, token.QuotedIdent:
		return true
	case token.Ident:
		switch t.Role {
		case RoleIdentifier, RoleNull, RoleBool, RoleBareFunction, RoleType:
			return true
		case RoleKeyword:
			return t.Up == "END"
		}
	case token.Operator:
		return t.Text == "*" && d.Toks[t.Prev].Kind == token.Dot
	case token.Template:
		return true
	}
	return false
}

var joinWords = wordSet("JOIN", "INNER", "LEFT", "RIGHT", "FULL", "OUTER", "CROSS", "NATURAL", "SEMI", "ANTI", "ASOF", "POSITIONAL", "STRAIGHT_JOIN", "APPLY")

func (d *Doc) splitTables(start, end, depth int) []TableItem {
	var items []TableItem
	// Item boundaries: commas and join keyword runs at this depth.
	cur := TableItem{Start: start, Sub: -1, Alias: -1, As: -1, On: -1, Using: -1, CondEnd: -1}
	flush := func(last int) {
		if cur.Start <= last {
			cur.End = last
			d.fillTable(&cur, depth)
			items = append(items, cur)
		}
	}
	lateralView, lateralAliases := false, false
	for j := start; j <= end && d.More(j); j = d.Toks[j].Next {
		t := &d.Toks[j]
		if t.Depth != depth {
			continue
		}
		if t.Kind == token.Comma {
			if lateralAliases {
				continue // Spark's LATERAL VIEW f(x) AS a, b: the names of its columns, no new item
			}
			flush(t.Prev)
			cur = TableItem{Start: t.Next, Sub: -1, Alias: -1, As: -1, On: -1, Using: -1, CondEnd: -1}
			continue
		}
		if t.Kind == token.Ident && t.Up == "VIEW" && d.Is(t.Prev, "LATERAL") {
			lateralView = true
		}
		if t.Kind == token.Ident && t.Up == "AS" {
			lateralAliases = lateralView
		} else if t.Kind == token.Ident && (t.Up == "LATERAL" || joinWords[t.Up] && t.Role == RoleKeyword) {
			lateralView, lateralAliases = false, false
		}
		if t.Kind == token.Ident && joinWords[t.Up] && t.Role == RoleKeyword && j != cur.Start && !(len(cur.JoinKw) > 0 && cur.JoinKw[len(cur.JoinKw)-1] == t.Prev) {
			// The start of a join: LEFT OUTER JOIN ...
			flush(t.Prev)
			cur = TableItem{Start: j, Sub: -1, Alias: -1, As: -1, On: -1, Using: -1, CondEnd: -1}
		}
		if t.Kind == token.Ident && joinWords[t.Up] && t.Role == RoleKeyword && (j == cur.Start || (len(cur.JoinKw) > 0 && cur.JoinKw[len(cur.JoinKw)-1] == t.Prev)) {
			cur.JoinKw = append(cur.JoinKw, j)
		}
	}
	flush(end)
	return items
}

func (d *Doc) fillTable(it *TableItem, depth int) {
	i := it.Start
	if n := len(it.JoinKw); n > 0 {
		i = d.Toks[it.JoinKw[n-1]].Next
	}
	if d.Is(i, "LATERAL") {
		it.Lateral = true
		i = d.Toks[i].Next
	}
	if i > it.End {
		it.Expr = [2]int{i, i}
		return
	}
	exprStart := i
	// The table expression.
	switch {
	case d.Toks[i].Kind == token.LParen && d.Toks[i].Match > 0:
		if d.IsKw(d.Toks[i].Next, "SELECT") || d.IsKw(d.Toks[i].Next, "WITH") {
			it.Sub = i
		}
		i = d.Toks[i].Match
	default:
		// dotted name, optionally a function call
		for {
			if d.Toks[i].Next <= it.End && d.Toks[d.Toks[i].Next].Kind == token.Dot {
				i = d.Toks[d.Toks[i].Next].Next
				continue
			}
			break
		}
		if n := d.Toks[i].Next; n <= it.End && d.Toks[n].Kind == token.LParen && d.Toks[n].Match > 0 {
			i = d.Toks[n].Match
		}
	}
	it.Expr = [2]int{exprStart, i}
	j := d.Toks[i].Next
	// Snowflake time travel / sampling: AT(...), BEFORE(...), SAMPLE (...)
	for j <= it.End && (d.Is(j, "AT") || d.Is(j, "BEFORE") || d.Is(j, "SAMPLE") || d.Is(j, "TABLESAMPLE") || d.Is(j, "PIVOT") || d.Is(j, "UNPIVOT")) {
		n := d.Toks[j].Next
		if d.Toks[n].Kind != token.LParen || d.Toks[n].Match < 0 {
			break
		}
		j = d.Toks[d.Toks[n].Match].Next
	}
	if j <= it.End && d.IsKw(j, "AS") {
		it.As = j
		j = d.Toks[j].Next
		if j <= it.End {
			it.Alias = j
			j = d.Toks[j].Next
		}
	} else if j <= it.End && (d.Toks[j].Role == RoleIdentifier || d.Toks[j].Role == RoleQuoted) {
		it.Alias = j
		j = d.Toks[j].Next
	}
	// Column alias list: AS t (a, b)
	if it.Alias >= 0 && j <= it.End && d.Toks[j].Kind == token.LParen && d.Toks[j].Match > 0 {
		j = d.Toks[d.Toks[j].Match].Next
	}
	if j <= it.End && d.IsKw(j, "ON") {
		it.On = j
		it.CondEnd = it.End
	} else if j <= it.End && d.IsKw(j, "USING") {
		it.Using = j
		it.CondEnd = it.End
	}
}

func (d *Doc) parseWith(kw int) *With {
	w := &With{Kw: kw}
	depth := d.Toks[kw].Depth
	i := d.Toks[kw].Next
	if d.Is(i, "RECURSIVE") {
		i = d.Toks[i].Next
	}
	for i < len(d.Toks) {
		t := &d.Toks[i]
		if t.Kind != token.Ident && t.Kind != token.QuotedIdent && t.Kind != token.Template {
			break
		}
		c := CTE{Name: i, As: -1, Open: -1, Close: -1}
		j := t.Next
		// Spark's `name (select ...)` goes without AS: that bracket is the body, no column list.
		if !d.syntax.CTEWithoutAs || !d.opensQuery(j) {
			if d.Toks[j].Kind == token.LParen && d.Toks[j].Match > 0 {
				j = d.Toks[d.Toks[j].Match].Next
			}
			if !d.Is(j, "AS") {
				break
			}
			c.As = j
			j = d.Toks[j].Next
			for d.Is(j, "NOT") || d.Is(j, "MATERIALIZED") {
				j = d.Toks[j].Next
			}
		}
		if d.Toks[j].Kind != token.LParen || d.Toks[j].Match < 0 {
			break
		}
		c.Open, c.Close = j, d.Toks[j].Match
		w.CTEs = append(w.CTEs, c)
		j = d.Toks[c.Close].Next
		if j < len(d.Toks) && d.Toks[j].Kind == token.Comma && d.Toks[j].Depth == depth {
			i = d.Toks[j].Next
			continue
		}
		break
	}
	return w
}

// opensQuery reports whether token i is a bracket holding a query: `(select ...`, `(with ...`.
func (d *Doc) opensQuery(i int) bool {
	if i >= len(d.Toks) || d.Toks[i].Kind != token.LParen || d.Toks[i].Match < 0 {
		return false
	}
	n := d.Toks[i].Next
	for n < len(d.Toks) && d.Toks[n].Kind == token.LParen {
		n = d.Toks[n].Next
	}
	return d.Is(n, "SELECT") || d.Is(n, "WITH")
}

// afterStar reports whether token i follows a `*`: BigQuery's `* EXCEPT (...)` and
// Snowflake's `* EXCLUDE (...)` modify the star and are not set operators.
func (d *Doc) afterStar(i int) bool {
	p := d.Toks[i].Prev
	return p >= 0 && d.Toks[p].Kind == token.Operator && d.Toks[p].Text == "*"
}

package columns

import (
	"strconv"
	"strings"

	"github.com/dataops-dev/dataops/internal/sql/ast"
)

// analyzer walks one model's syntax tree.
type analyzer struct {
	inf    *inferrer
	d      *dialect
	prep   *prepared
	id     string
	prefer []string
	out    *Node
	notes  []Problem
	depth  int
	// unnamedBad is set when a select item could not be read and has no name to recover.
	unnamedBad bool
	// deps records what the inference read from other nodes, when it is to be stored.
	deps *colDeps
}

// maxDepth bounds nesting of queries so a pathological input cannot exhaust the stack.
const maxDepth = 200

func (a *analyzer) note(off int, kind, reason string) {
	if len(a.notes) < 20 {
		a.notes = append(a.notes, Problem{Pos: a.prep.pos(off), Kind: kind, Reason: reason})
	}
}

func (a *analyzer) problem(off int, kind, reason string) Problem {
	return Problem{Pos: a.prep.pos(off), Kind: kind, Reason: reason}
}

func (a *analyzer) text(n ast.Node) string {
	s, e := int(n.Pos()), int(n.End())
	if s < 0 || e > len(a.prep.sql) || s > e {
		return ""
	}
	return a.prep.sql[s:e]
}

// query infers the relation a query produces. ctes are the WITH names visible from outside,
// outer the enclosing scope for correlated references.
func (a *analyzer) query(q *ast.Query, ctes *cteScope, outer *scope) *relation {
	if q == nil {
		return &relation{complete: false}
	}
	a.depth++
	defer func() { a.depth-- }()
	if a.depth > maxDepth {
		return &relation{why: []Problem{a.problem(int(q.Pos()), "too-deep", "queries nested too deeply")}}
	}
	if q.With != nil {
		ctes = a.with(q.With, ctes, outer)
	}
	return a.body(q.Body, ctes, outer)
}

func (a *analyzer) with(w *ast.With, ctes *cteScope, outer *scope) *cteScope {
	cs := &cteScope{outer: ctes, names: map[string]*relation{}}
	for _, cte := range w.CTEs {
		if cte == nil || cte.Name == nil {
			continue
		}
		key := foldName(cte.Name.Name)
		var r *relation
		if w.Recursive && cte.Query != nil {
			// The recursive branch refers to the CTE itself: its columns are the anchor's.
			anchor := a.anchor(cte.Query, cs, outer)
			renameColumns(a.d, anchor, cte.Columns)
			cs.names[key] = anchor
		}
		r = a.query(cte.Query, cs, outer)
		renameColumns(a.d, r, cte.Columns)
		r.alias = cte.Name.Name
		cs.names[key] = r
	}
	return cs
}

// anchor is the non-recursive first branch of a recursive CTE's body.
func (a *analyzer) anchor(q *ast.Query, cs *cteScope, outer *scope) *relation {
	body := q.Body
	for {
		so, ok := body.(*ast.SetOp)
		if !ok {
			break
		}
		body = so.Left
	}
	inner := cs
	if q.With != nil {
		inner = a.with(q.With, cs, outer)
	}
	return a.body(body, inner, outer)
}

// renameColumns applies a column list `name (a, b)` / `alias(a, b)` positionally.
func renameColumns(d *dialect, r *relation, names []*ast.Ident) {
	if len(names) == 0 {
		return
	}
	for i, id := range names {
		if id == nil {
			continue
		}
		if i < len(r.cols) {
			nc := *r.cols[i]
			nc.name = d.columnName(id.Name, id.Quoted())
			nc.quoted = id.Quoted()
			nc.unnamed = false
			r.cols[i] = &nc
		} else if !r.complete {
			r.cols = append(r.cols, &col{name: d.columnName(id.Name, id.Quoted()), quoted: id.Quoted(), pos: -1})
		}
	}
	if len(names) >= len(r.cols) && !r.complete {
		// the list names every column: it is complete now
		r.complete = true
		r.why = nil
	}
	r.index = nil
}

func (a *analyzer) body(b ast.QueryExpr, ctes *cteScope, outer *scope) *relation {
	switch x := b.(type) {
	case *ast.Select:
		return a.selectBlock(x, ctes, outer)
	case *ast.SetOp:
		var branches []*relation
		var m setMatch
		var collect func(q ast.QueryExpr)
		collect = func(q ast.QueryExpr) {
			if so, ok := q.(*ast.SetOp); ok {
				if m.how == matchPosition {
					m = matchOf(so)
				}
				collect(so.Left)
				collect(so.Right)
				return
			}
			branches = append(branches, a.body(q, ctes, outer))
		}
		collect(x)
		return a.d.setOp(branches, m)
	case *ast.Values:
		return a.values(x, outer)
	case *ast.ParenQuery:
		return a.query(x.Query, ctes, outer)
	case nil:
		return &relation{}
	}
	return &relation{why: []Problem{a.problem(int(b.Pos()), "parse-error", "a query that could not be read")}}
}

// values names VALUES columns column1, column2, ... as Postgres, Snowflake and DuckDB do.
func (a *analyzer) values(v *ast.Values, outer *scope) *relation {
	r := &relation{complete: true}
	if len(v.Rows) == 0 {
		return r
	}
	sc := &scope{outer: outer}
	for i, e := range v.Rows[0] {
		info := a.expr(e, sc)
		for _, row := range v.Rows[1:] {
			if i < len(row) {
				info.t = a.d.commonType(info.t, a.expr(row[i], sc).t)
			}
		}
		if info.t.fam == fNull {
			info.t = unknownType
		}
		r.cols = append(r.cols, &col{name: "column" + strconv.Itoa(i+1), t: info.t, lineage: info.lineage,
			kind: KindTransform, pos: int(e.Pos())})
	}
	return r
}

func (a *analyzer) selectBlock(s *ast.Select, ctes *cteScope, outer *scope) *relation {
	sc := &scope{outer: outer, ctes: ctes}
	for _, te := range s.From {
		sc.rels = append(sc.rels, a.table(te, sc)...)
	}
	out := &relation{complete: true}
	nth := 0
	for i, item := range s.Items {
		if item == nil || item.Expr == nil {
			continue
		}
		if st, ok := item.Expr.(*ast.Star); ok {
			cols, why, opaque, ok := a.star(st, sc)
			out.cols = append(out.cols, cols...)
			out.declared = appendUnique(out.declared, starDeclared(st, sc)...)
			if !ok {
				out.complete = false
				out.why = append(out.why, why...)
				out.opaque = appendUnique(out.opaque, opaque...)
			}
			continue
		}
		if bad, ok := item.Expr.(*ast.BadExpr); ok && item.Alias == nil {
			if name := recoveredAlias(a.text(bad)); name != "" {
				quoted := name[0] == '"' || name[0] == '`'
				if quoted {
					name = name[1 : len(name)-1]
				}
				c := &col{name: a.d.columnName(name, quoted), quoted: quoted, kind: KindTransform, pos: int(item.Pos())}
				out.cols = append(out.cols, c)
				sc.addAlias(c)
				continue
			}
			a.unnamedBad = true
		}
		info := a.expr(item.Expr, sc)
		if len(item.Aliases) > 0 {
			// Spark's posexplode(arr) AS (pos, val): one column per name, computed from the
			// generator's input.
			for _, al := range item.Aliases {
				c := &col{name: a.d.columnName(al.Name, al.Quoted()), quoted: al.Quoted(), t: unknownType,
					lineage: info.lineage, kind: KindTransform, pos: int(item.Pos())}
				out.cols = append(out.cols, c)
				sc.addAlias(c)
			}
			continue
		}
		c := &col{t: info.t, lineage: info.lineage, kind: info.kind(), pos: int(item.Pos())}
		if c.t.fam == fNull {
			c.t, c.null = unknownType, true
		}
		switch {
		case item.Alias != nil:
			c.name = a.d.columnName(item.Alias.Name, item.Alias.Quoted())
			c.quoted = item.Alias.Quoted()
		case info.name != nil:
			c.name = a.d.columnName(info.name.Name, info.name.Quoted())
			c.quoted = info.name.Quoted()
		default:
			c.name = a.unnamed(item.Expr, i, nth)
			c.unnamed = true
			nth++
		}
		out.cols = append(out.cols, c)
		sc.addAlias(c)
	}
	return out
}

// unnamed is the name the warehouse gives an unaliased expression.
func (a *analyzer) unnamed(e ast.Expr, pos, nth int) string {
	fn, castType := "", ""
	if a.d.name == "postgres" || a.d.name == "redshift" {
		fn, castType = pgFigureName(e)
		if fn != "" && fn != "?column?" {
			return fn
		}
	}
	return a.d.unnamedName(a.text(e), fn, castType, pos, nth)
}

// pgFigureName follows Postgres's rules for naming an unaliased select item: a function's
// name, a cast's inner name (or its type), CASE as "case", else ?column?.
func pgFigureName(e ast.Expr) (string, string) {
	switch x := e.(type) {
	case *ast.Func:
		if l := x.Name.Last(); l != nil {
			return strings.ToLower(l.Name), ""
		}
	case *ast.Cast:
		if n, _ := pgFigureName(x.X); n != "" && n != "?column?" {
			return n, ""
		}
		if x.Type != nil {
			return pgCastName(x.Type.Name), ""
		}
	case *ast.Case:
		return "case", ""
	case *ast.Paren:
		return pgFigureName(x.X)
	case *ast.Array:
		return "array", ""
	case *ast.Row:
		return "row", ""
	case *ast.Exists:
		return "exists", ""
	case *ast.Extract:
		return "extract", ""
	case *ast.Field:
		if x.Name != nil {
			return strings.ToLower(x.Name.Name), ""
		}
	}
	return "", ""
}

// star expands * or t.* with its modifiers. ok is false when the list may miss columns.
func (a *analyzer) star(st *ast.Star, sc *scope) (cols []*col, why []Problem, opaque []string, ok bool) {
	pos := int(st.Pos())
	if st.StructOf != nil {
		info := a.expr(st.StructOf, sc)
		return nil, []Problem{a.problem(pos, "star-unknown", "(expr).* expands a struct whose fields are not known")}, opaqueOf(info.lineage), false
	}
	var rels []*relation
	bare := len(st.Qualifier) == 0
	if bare {
		rels = sc.rels
		if len(rels) == 0 {
			return nil, []Problem{a.problem(pos, "star-unknown", "select * without FROM")}, nil, false
		}
	} else {
		var parts []string
		for _, p := range st.Qualifier {
			parts = append(parts, p.Name)
		}
		r := sc.relByQualifier(parts)
		if r == nil {
			// t.* where t is a struct column (BigQuery): fields unknown
			return nil, []Problem{a.problem(pos, "star-unknown", strings.Join(parts, ".")+".* names no relation in FROM")}, nil, false
		}
		if r.elemStar {
			if len(r.elemFields) == 0 {
				return nil, []Problem{a.problem(pos, "star-unknown", strings.Join(parts, ".")+".* expands the fields of the array's elements, which are not known")}, opaqueOf(r.elemLineage), false
			}
			for _, f := range r.elemFields {
				cols = append(cols, &col{name: a.d.columnName(f[0], false), t: typeOf(f[1]), lineage: r.elemLineage, kind: KindTransform, pos: pos})
			}
			return cols, nil, nil, true
		}
		rels = []*relation{r}
	}
	opt := starOptions{}
	if len(st.Except) > 0 {
		opt.exclude = map[string]bool{}
		for _, id := range st.Except {
			opt.exclude[foldName(id.Name)] = true
		}
	}
	if len(st.Replace) > 0 {
		opt.replace = map[string]*col{}
		for _, it := range st.Replace {
			if it == nil || it.Alias == nil {
				continue
			}
			info := a.expr(it.Expr, sc)
			opt.replace[foldName(it.Alias.Name)] = &col{t: info.t, lineage: info.lineage, kind: info.kind(), pos: int(it.Pos())}
		}
	}
	if len(st.Rename) > 0 {
		opt.rename = map[string]string{}
		for _, rn := range st.Rename {
			if rn == nil || rn.Old == nil || rn.New == nil || len(rn.Old.Parts) == 0 {
				continue
			}
			old := rn.Old.Parts[len(rn.Old.Parts)-1].Name
			opt.rename[foldName(old)] = a.d.columnName(rn.New.Name, rn.New.Quoted())
		}
	}
	exp, incomplete := expandStar(sc, rels, bare, opt)
	for _, r := range rels {
		if r.origin == "properties" && r.node != "" {
			a.note(pos, "star-declared", "* expands "+a.describeNode(r.node)+" from the columns its property file declares, which may be a subset")
		}
	}
	var pattern string
	var like bool
	if lit, ok := st.ILike.(*ast.Literal); ok {
		pattern, like = lit.Value, true
	} else if lit, ok := st.Like.(*ast.Literal); ok {
		pattern, like = lit.Value, true
	}
	for _, c := range exp {
		if like && !likeMatch(strings.ToLower(c.name), strings.ToLower(pattern)) {
			continue
		}
		nc := *c
		nc.pos = pos
		// An item nobody named stays unnamed through a star: its name is still the one the
		// warehouse makes up.
		cols = append(cols, &nc)
	}
	if len(incomplete) > 0 {
		for _, r := range incomplete {
			why = append(why, r.why...)
			opaque = appendUnique(opaque, r.opaque...)
		}
		return cols, why, opaque, false
	}
	return cols, nil, nil, true
}

func opaqueOf(l []ColumnRef) []string {
	var out []string
	for _, r := range l {
		out = appendUnique(out, r.Node)
	}
	return out
}

// likeMatch matches SQL LIKE patterns (% and _), case already folded.
func likeMatch(s, p string) bool {
	if p == "" {
		return s == ""
	}
	switch p[0] {
	case '%':
		for i := 0; i <= len(s); i++ {
			if likeMatch(s[i:], p[1:]) {
				return true
			}
		}
		return false
	case '_':
		return s != "" && likeMatch(s[1:], p[1:])
	}
	return s != "" && s[0] == p[0] && likeMatch(s[1:], p[1:])
}

// matchOf is how a set operator written in SQL pairs its branches' columns.
func matchOf(so *ast.SetOp) setMatch {
	m := setMatch{how: matchPosition}
	switch {
	case so.Mode == "FULL", so.Mode == "" && so.ByName && !so.Corresponding:
		m.how = matchFull
	case so.Mode == "LEFT":
		m.how = matchLeft
	case so.Mode == "INNER", so.Corresponding:
		m.how = matchInner
	}
	if !so.ByName && !so.Corresponding {
		// FULL UNION without a match by name is not a query any dialect accepts; read
		// it by position.
		return setMatch{how: matchPosition}
	}
	for _, id := range so.On {
		m.on = append(m.on, id.Name)
	}
	return m
}

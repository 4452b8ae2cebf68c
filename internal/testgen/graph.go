package testgen

import (
	"runtime"
	"strings"
	"sync"

	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/sql/ast"
	sqldialect "github.com/dataops-dev/dataops/internal/sql/dialect"
)

// The SQL of the whole project read as a graph of columns: which columns of which models are
// equated in a join anywhere (a foreign key shows where it is joined, usually downstream of
// the model that carries it), and where an output column's values come from when they pass
// through unchanged (a CASE of literals two models up, a coalesce default on the way).

// colRef names a column of a node, lower-cased.
type colRef struct{ node, col string }

// joinEdge is one equality between columns of two relations in some model's join.
type joinEdge struct {
	other colRef
	inner bool
	in    string // the model whose SQL holds the join
}

// modelSQL is one model's parsed compiled SQL.
type modelSQL struct {
	q    *ast.Query
	ctes map[string]*ast.Query
}

// sqlGraph holds every model's parsed SQL and the joins found in it.
type sqlGraph struct {
	p      *dbt.Project
	models map[string]*modelSQL
	joins  map[colRef][]joinEdge
	values map[colRef]*traced // memo of traceOutput
	// decodes holds the codes CASE expressions compare each column to (decodes.go).
	decodes map[colRef]*decoded
	mu      sync.Mutex
}

// source is what a name in FROM stands for: a node, or a query (a CTE or a subquery).
type source struct {
	node string
	q    *ast.Query
	ctes map[string]*ast.Query // the CTEs visible from q (the file's)
}

// scope maps the aliases of one select's FROM to their sources.
type scope struct {
	byAlias map[string]source
	all     []source
}

const maxTrace = 8

// newSQLGraph parses every model's compiled SQL (in parallel) and collects its joins.
func newSQLGraph(p *dbt.Project, models []*dbt.Node, dialect string, sqlOf func(*dbt.Node) string, ps *parses) *sqlGraph {
	g := &sqlGraph{p: p, models: make(map[string]*modelSQL, len(models)), joins: map[colRef][]joinEdge{}, values: map[colRef]*traced{}, decodes: map[colRef]*decoded{}}
	d, _ := sqldialect.Lookup(dialect)
	parsed := make([]*modelSQL, len(models))
	edges := make([][][2]colRef, len(models))
	inner := make([][]bool, len(models))
	codes := make([]map[colRef][]string, len(models))
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if !refsResolved(p, models[i]) {
					// Its placeholder relations name other models: no joins or values to read.
					continue
				}
				parsed[i] = parseModel(sqlOf(models[i]), d, ps)
				if parsed[i] != nil {
					edges[i], inner[i] = g.modelJoins(parsed[i])
					codes[i] = g.modelDecodes(parsed[i])
				}
			}
		}()
	}
	for i := range models {
		next <- i
	}
	close(next)
	wg.Wait()
	for i, m := range models {
		if parsed[i] == nil {
			continue
		}
		g.models[m.UniqueID] = parsed[i]
		for k, e := range edges[i] {
			a, b := e[0], e[1]
			g.joins[a] = append(g.joins[a], joinEdge{other: b, inner: inner[i][k], in: m.UniqueID})
			g.joins[b] = append(g.joins[b], joinEdge{other: a, inner: inner[i][k], in: m.UniqueID})
		}
		for r, vals := range codes[i] {
			if d := g.decodes[r]; d != nil {
				d.vals = union(d.vals, vals)
			} else {
				g.decodes[r] = &decoded{vals: vals, in: m.UniqueID}
			}
		}
	}
	return g
}

func parseModel(sql string, d sqldialect.Dialect, ps *parses) (ms *modelSQL) {
	if strings.TrimSpace(sql) == "" {
		return nil
	}
	defer func() {
		if recover() != nil {
			ms = nil
		}
	}()
	f := ps.parse(sql, d)
	if f == nil {
		return nil
	}
	for i := len(f.Stmts) - 1; i >= 0; i-- {
		if q, ok := f.Stmts[i].(*ast.Query); ok {
			ms = &modelSQL{q: q, ctes: map[string]*ast.Query{}}
			ast.Inspect(q, func(n ast.Node) bool {
				if w, ok := n.(*ast.With); ok {
					for _, c := range w.CTEs {
						if c != nil && c.Name != nil && c.Query != nil {
							ms.ctes[strings.ToLower(c.Name.Name)] = c.Query
						}
					}
				}
				return true
			})
			return ms
		}
	}
	return nil
}

// modelJoins lists the column pairs a model's joins equate, with whether the join is inner.
func (g *sqlGraph) modelJoins(ms *modelSQL) ([][2]colRef, []bool) {
	var out [][2]colRef
	var inner []bool
	ast.Inspect(ms.q, func(n ast.Node) bool {
		sel, ok := n.(*ast.Select)
		if !ok {
			return true
		}
		sc := g.scopeOf(sel, ms.ctes)
		for _, t := range sel.From {
			ast.Inspect(t, func(n ast.Node) bool {
				if _, isSub := n.(*ast.DerivedTable); isSub {
					return false // its own select has its own scope
				}
				j, ok := n.(*ast.Join)
				if !ok {
					return true
				}
				isInner := j.Kind == "INNER"
				for _, pair := range equalities(j.On) {
					a, okA := g.resolve(sc, pair[0], 0)
					b, okB := g.resolve(sc, pair[1], 0)
					if okA && okB && a.node != b.node {
						out = append(out, [2]colRef{a, b})
						inner = append(inner, isInner)
					}
				}
				for _, u := range j.Using {
					l, r := tableSources(j.Left, sc), tableSources(j.Right, sc)
					if len(l) != 1 || len(r) != 1 || u == nil {
						continue
					}
					a, okA := g.resolveIn(l[0], strings.ToLower(u.Name), 0)
					b, okB := g.resolveIn(r[0], strings.ToLower(u.Name), 0)
					if okA && okB && a.node != b.node {
						out = append(out, [2]colRef{a, b})
						inner = append(inner, isInner)
					}
				}
				return true
			})
		}
		return true
	})
	return out, inner
}

// equalities lists the column = column conditions of a join condition's conjunction.
func equalities(e ast.Expr) [][2]*ast.ColumnRef {
	var out [][2]*ast.ColumnRef
	for _, c := range conjuncts(e) {
		if x, ok := unparen(c).(*ast.Binary); ok && x.Op == "=" {
			if a, b := plainRef(x.X), plainRef(x.Y); a != nil && b != nil {
				out = append(out, [2]*ast.ColumnRef{a, b})
			}
		}
	}
	return out
}

// plainRef is the column an expression reads unchanged (through parentheses and casts).
func plainRef(e ast.Expr) *ast.ColumnRef {
	r, _ := underCasts(e).(*ast.ColumnRef)
	return r
}

// underCasts is the expression inside any parentheses and casts.
func underCasts(e ast.Expr) ast.Expr {
	for {
		switch x := e.(type) {
		case *ast.Paren:
			e = x.X
		case *ast.Cast:
			e = x.X
		default:
			return e
		}
	}
}

// scopeOf maps the aliases a select's FROM introduces.
func (g *sqlGraph) scopeOf(sel *ast.Select, ctes map[string]*ast.Query) *scope {
	sc := &scope{byAlias: map[string]source{}}
	var add func(t ast.TableExpr)
	add = func(t ast.TableExpr) {
		switch x := t.(type) {
		case *ast.Join:
			add(x.Left)
			add(x.Right)
		case *ast.ParenTable:
			add(x.Table)
		case *ast.TableName:
			if x.Name == nil || len(x.Name.Parts) == 0 {
				return
			}
			src := source{ctes: ctes}
			parts := make([]string, len(x.Name.Parts))
			for i, p := range x.Name.Parts {
				parts[i] = p.Name
			}
			if cq := ctes[strings.ToLower(parts[len(parts)-1])]; len(parts) == 1 && cq != nil {
				src.q = cq
			} else if id, ok := g.p.LookupRelation(parts); ok {
				src.node = id
			} else {
				return
			}
			alias := strings.ToLower(parts[len(parts)-1])
			if x.Alias != nil && x.Alias.Name != nil {
				alias = strings.ToLower(x.Alias.Name.Name)
			}
			sc.byAlias[alias] = src
			sc.all = append(sc.all, src)
		case *ast.DerivedTable:
			if x.Query == nil {
				return
			}
			src := source{q: x.Query, ctes: ctes}
			if x.Alias != nil && x.Alias.Name != nil {
				sc.byAlias[strings.ToLower(x.Alias.Name.Name)] = src
			}
			sc.all = append(sc.all, src)
		}
	}
	for _, t := range sel.From {
		add(t)
	}
	return sc
}

// tableSources lists the sources of one side of a join.
func tableSources(t ast.TableExpr, sc *scope) []source {
	var out []source
	var walk func(t ast.TableExpr)
	walk = func(t ast.TableExpr) {
		switch x := t.(type) {
		case *ast.Join:
			walk(x.Left)
			walk(x.Right)
		case *ast.ParenTable:
			walk(x.Table)
		case *ast.TableName:
			if x.Name == nil || len(x.Name.Parts) == 0 {
				return
			}
			alias := strings.ToLower(x.Name.Parts[len(x.Name.Parts)-1].Name)
			if x.Alias != nil && x.Alias.Name != nil {
				alias = strings.ToLower(x.Alias.Name.Name)
			}
			if s, ok := sc.byAlias[alias]; ok {
				out = append(out, s)
			}
		case *ast.DerivedTable:
			if x.Alias != nil && x.Alias.Name != nil {
				if s, ok := sc.byAlias[strings.ToLower(x.Alias.Name.Name)]; ok {
					out = append(out, s)
				}
			}
		}
	}
	walk(t)
	return out
}

// resolve finds the node column a column reference in a select reads, following CTEs and
// subqueries that pass it through.
func (g *sqlGraph) resolve(sc *scope, ref *ast.ColumnRef, depth int) (colRef, bool) {
	if ref == nil || len(ref.Parts) == 0 {
		return colRef{}, false
	}
	col := strings.ToLower(ref.Parts[len(ref.Parts)-1].Name)
	var src source
	switch {
	case len(ref.Parts) >= 2:
		s, ok := sc.byAlias[strings.ToLower(ref.Parts[len(ref.Parts)-2].Name)]
		if !ok {
			return colRef{}, false
		}
		src = s
	case len(sc.all) == 1:
		src = sc.all[0]
	default:
		return colRef{}, false
	}
	return g.resolveIn(src, col, depth)
}

// resolveIn finds the node column behind column col of a source.
func (g *sqlGraph) resolveIn(src source, col string, depth int) (colRef, bool) {
	if src.node != "" {
		return colRef{node: src.node, col: col}, true
	}
	if src.q == nil || depth > maxTrace {
		return colRef{}, false
	}
	sel, ok := src.q.Body.(*ast.Select)
	if !ok {
		return colRef{}, false
	}
	sc := g.scopeOf(sel, src.ctes)
	e, esc := itemFor(sel, sc, col)
	if e == nil {
		if esc != nil {
			return g.resolveIn(esc.all[0], col, depth+1)
		}
		return colRef{}, false
	}
	return g.resolve(sc, plainRef(e), depth+1)
}

// itemFor finds the expression a select outputs as col. When col comes through a star over
// a single source, it returns no expression and that source's scope.
func itemFor(sel *ast.Select, sc *scope, col string) (ast.Expr, *scope) {
	var star *ast.Star
	for _, it := range sel.Items {
		if it == nil || it.Expr == nil {
			continue
		}
		if s, ok := it.Expr.(*ast.Star); ok {
			if star == nil {
				star = s
			}
			continue
		}
		name := ""
		if it.Alias != nil {
			name = strings.ToLower(it.Alias.Name)
		} else {
			name = exprName(it.Expr)
		}
		if name == col {
			return it.Expr, nil
		}
	}
	if star == nil || star.StructOf != nil {
		return nil, nil
	}
	for _, ex := range star.Except {
		if ex != nil && strings.EqualFold(ex.Name, col) {
			return nil, nil
		}
	}
	if len(star.Qualifier) > 0 {
		if s, ok := sc.byAlias[strings.ToLower(star.Qualifier[len(star.Qualifier)-1].Name)]; ok {
			return nil, &scope{all: []source{s}}
		}
		return nil, nil
	}
	if len(sc.all) == 1 {
		return nil, sc
	}
	return nil, nil
}

// traced is where the values of an output column come from.
type traced struct {
	lits  []string // the closed set of literals it can hold (a CASE of literals, a union of constants)
	from  colRef   // or the column of another node it passes through unchanged
	extra []string // literal defaults added on the way (coalesce(x, 'Unknown'))
	where string   // the model whose SQL produces lits
	// filter: lits are the values a WHERE keeps, not what an expression produces.
	filter bool
}

// valuePreserving are the functions whose result is one of their first argument's values.
var valuePreserving = map[string]bool{
	"first_value": true, "last_value": true, "nth_value": true, "lag": true, "lead": true,
	"min": true, "max": true, "any_value": true, "arbitrary": true,
}

// traceOutput follows an output column of a model back through CTEs, value-preserving
// functions, literal defaults and upstream models to the literal set it is drawn from. The
// result is nil when the values are computed (or unknown).
func (g *sqlGraph) traceOutput(node, col string) *traced {
	return g.traceNode(colRef{node: node, col: col}, 0)
}

func (g *sqlGraph) traceNode(r colRef, depth int) *traced {
	g.mu.Lock()
	t, seen := g.values[r]
	g.mu.Unlock()
	if seen {
		return t
	}
	g.mu.Lock()
	g.values[r] = nil // a cycle reads as unknown
	g.mu.Unlock()
	t = g.traceNodeUncached(r, depth)
	g.mu.Lock()
	g.values[r] = t
	g.mu.Unlock()
	return t
}

func (g *sqlGraph) traceNodeUncached(r colRef, depth int) *traced {
	ms := g.models[r.node]
	if ms == nil || depth > maxTrace {
		return nil
	}
	t := g.traceQuery(ms.q.Body, ms.ctes, r.col, 0)
	if t == nil {
		return nil
	}
	if t.where == "" && len(t.lits) > 0 {
		t.where = r.node
	}
	if len(t.lits) == 0 && t.from.node != "" {
		up := g.traceNode(t.from, depth+1)
		if up == nil {
			return &traced{from: t.from, extra: t.extra}
		}
		out := *up
		out.extra = append(append([]string(nil), up.extra...), t.extra...)
		return &out
	}
	return t
}

// traceQuery traces col through a query body: a select, or a union whose every branch gives
// literals.
func (g *sqlGraph) traceQuery(body ast.QueryExpr, ctes map[string]*ast.Query, col string, depth int) *traced {
	if depth > maxTrace {
		return nil
	}
	switch b := body.(type) {
	case *ast.Select:
		sc := g.scopeOf(b, ctes)
		e, esc := itemFor(b, sc, col)
		read := col // the name the select reads the column by
		if e != nil {
			read = ""
			if r := plainRef(e); r != nil && len(r.Parts) > 0 {
				read = strings.ToLower(r.Parts[len(r.Parts)-1].Name)
			}
		}
		if read != "" && (e != nil || esc != nil) {
			if vals := filterLiterals(b.Where, read); len(vals) > 0 {
				return &traced{lits: vals, filter: true}
			}
		}
		if e == nil {
			if esc == nil {
				return nil
			}
			return g.traceSource(esc.all[0], col, depth+1)
		}
		return g.traceExpr(e, sc, depth+1)
	case *ast.ParenQuery:
		if b.Query != nil {
			return g.traceQuery(b.Query.Body, ctes, col, depth+1)
		}
	case *ast.SetOp:
		l := g.traceQuery(b.Left, ctes, col, depth+1)
		r := g.traceQuery(b.Right, ctes, col, depth+1)
		if l == nil || r == nil || len(l.lits) == 0 || len(r.lits) == 0 {
			return nil
		}
		return &traced{lits: union(l.lits, r.lits, l.extra, r.extra)}
	}
	return nil
}

func (g *sqlGraph) traceSource(src source, col string, depth int) *traced {
	if src.node != "" {
		return &traced{from: colRef{node: src.node, col: col}}
	}
	if src.q == nil {
		return nil
	}
	return g.traceQuery(src.q.Body, src.ctes, col, depth+1)
}

// traceExpr traces one select item's expression.
func (g *sqlGraph) traceExpr(e ast.Expr, sc *scope, depth int) *traced {
	if depth > maxTrace {
		return nil
	}
	e = unparen(e)
	if vals := caseLiterals(e); len(vals) > 0 {
		return &traced{lits: vals}
	}
	switch x := e.(type) {
	case *ast.Literal:
		if x.Kind == ast.LitString {
			return &traced{lits: []string{x.Value}}
		}
	case *ast.Cast:
		return g.traceExpr(x.X, sc, depth+1)
	case *ast.ColumnRef:
		var src source
		switch {
		case len(x.Parts) >= 2:
			s, ok := sc.byAlias[strings.ToLower(x.Parts[len(x.Parts)-2].Name)]
			if !ok {
				return nil
			}
			src = s
		case len(sc.all) == 1:
			src = sc.all[0]
		default:
			return nil
		}
		return g.traceSource(src, strings.ToLower(x.Parts[len(x.Parts)-1].Name), depth+1)
	case *ast.Func:
		name := strings.ToLower(funcName(x))
		if valuePreserving[name] && len(x.Args) >= 1 {
			return g.traceExpr(x.Args[0], sc, depth+1)
		}
		switch name {
		case "coalesce", "ifnull", "nvl":
			// coalesce(x, 'default'): x's values and the default.
			var inner *traced
			var defaults []string
			for _, a := range x.Args {
				if lit, ok := unparen(a).(*ast.Literal); ok && lit.Kind == ast.LitString {
					defaults = append(defaults, lit.Value)
					continue
				}
				t := g.traceExpr(a, sc, depth+1)
				if t == nil {
					return nil
				}
				if inner != nil {
					// coalesce(upstream.bucket, case ... end): two closed sets make one;
					// a column of unknown values beside a set leaves it open.
					if inner = unionTraced(g.closedSet(inner, depth), g.closedSet(t, depth)); inner == nil {
						return nil
					}
					continue
				}
				inner = t
			}
			if inner == nil {
				return nil
			}
			out := *inner
			out.extra = append(append([]string(nil), inner.extra...), defaults...)
			return &out
		}
	}
	return nil
}

// union merges value lists, keeping first-seen order.
func union(lists ...[]string) []string {
	var out []string
	seen := map[string]bool{}
	for _, l := range lists {
		for _, v := range l {
			if !seen[v] {
				seen[v] = true
				out = append(out, v)
			}
		}
	}
	return out
}

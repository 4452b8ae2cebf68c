package testgen

import (
	"iter"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/dataops-dev/dataops/internal/sql/ast"
	sqldialect "github.com/dataops-dev/dataops/internal/sql/dialect"
	"github.com/dataops-dev/dataops/internal/sql/parser"
)

// sqlSignals is what a model's SQL says about its output columns, read from the chain of
// selects that produce the output (the final select, and the CTE it reads when it only
// passes columns through).
type sqlSignals struct {
	// keys holds the grain of the model when the SQL fixes one: GROUP BY keys, DISTINCT
	// columns, the PARTITION BY of a row_number() = 1 dedup, a surrogate-key expression.
	keys   []string
	keyWhy string
	// commentKeys holds the columns a comment in the SQL calls the primary key (keycomment.go).
	commentKeys map[string]bool
	literal     map[string][]string // column -> literal values a CASE produces or an IN filter keeps
	litWhy      map[string]string
	notNull     map[string]string // column -> why it cannot be null: a filter or a coalesce to a literal
	// computedNotNull: column -> why the expression that computes it cannot give null (a
	// null test, a count, a CASE whose every arm is a value; readNeverNull). Teams test these
	// less often than filtered or coalesced columns, so they are learned apart.
	computedNotNull map[string]string
	// compared: column -> why a comparison in the WHERE or QUALIFY keeps it not null.
	compared map[string]string
	joinKey  map[string]bool // columns equated in an inner join
	// nullable: column -> why the SQL lets it be null (it comes from the optional side of an
	// outer join), unless notNull says a filter removes those rows.
	nullable map[string]string
	// keyFromHash: the key is a hash in the first select position, a guess that a history
	// table (one row per key and validity period) proves wrong.
	keyFromHash bool
	// preserves: the output chain reads one relation without unnests, set operations or joins
	// that repeat its rows, so each output row is one upstream row and a column unique
	// upstream stays unique. joined: the chain joins other relations to it (keptBase), whose
	// columns are not so kept; base names that relation (its last name part, lower case).
	preserves bool
	joined    bool
	base      string
	// filteredNotNull holds names a WHERE on the chain keeps not null, even through a star
	// (`select * from final where order_pk is not null`).
	filteredNotNull map[string]bool
	// filteredNull holds names a WHERE on the chain keeps null (`where dbt_valid_to is null`).
	filteredNull map[string]bool
	// computed: names a select nearer the output computes (not a plain reference), so what
	// selects further in the chain say of the same name is not about the output column.
	computed map[string]bool
	// parses is the run's parsed SQL (nil: parse each time).
	parses *parses

	// hashes lists the surrogate keys the chain computes with the columns each hashes, the
	// select nearest the output first; grainHash is the one hashing exactly a composite grain,
	// which is then the model's key on its own (a generate_surrogate_key of the GROUP BY
	// columns, wherever it is selected).
	hashes []hashedColumns
	// file is the parsed query; fileHashes its every select's surrogate keys, read when first
	// asked (hashed): few models need them, and the walk visits every select of the file.
	file         *ast.Query
	fileHashes   []hashedColumns
	fileRead     bool
	grainHash    string
	grainHashWhy string

	// ephemeral returns the SQL of the ephemeral model a chain reads by its CTE name
	// (__dbt__cte__<name>, lower case), or ""; d is the dialect to parse it in.
	ephemeral func(cte string) string
	d         sqldialect.Dialect

	// uniqueOn returns the column sets known to be unique in a relation the SQL reads by name
	// (its parts as written), lower case; nil when none is known or there is no project.
	uniqueOn func(parts []string) [][]string

	// chain holds the selects walked, the output's first.
	chain []chainSelect

	// partitioned: column -> why several rows share each of its values (a window numbers or
	// compares the model's rows per value; partitions.go).
	partitioned map[string]string
}

func newSignals() *sqlSignals {
	return &sqlSignals{literal: map[string][]string{}, litWhy: map[string]string{}, notNull: map[string]string{}, computedNotNull: map[string]string{}, compared: map[string]string{}, joinKey: map[string]bool{},
		nullable: map[string]string{}, filteredNotNull: map[string]bool{}, filteredNull: map[string]bool{}, computed: map[string]bool{}}
}

// readSignals parses compiled SQL and collects the signals. A file that does not parse gives
// what its readable part says.
func readSignals(sql, dialect string) *sqlSignals {
	return readSignalsThrough(sql, dialect, nil, nil, nil)
}

// readSignalsThrough is readSignals following the chain into the ephemeral models it reads,
// whose SQL ephemeral returns by CTE name: dbt inlines them as CTEs, and an Airbyte
// normalization model computes its row hash in one (`_ab3`) that the tested model selects.
func readSignalsThrough(sql, dialect string, ephemeral func(string) string, ps *parses, uniqueOn func([]string) [][]string) *sqlSignals {
	s := newSignals()
	s.ephemeral, s.uniqueOn = ephemeral, uniqueOn
	s.d, _ = sqldialect.Lookup(dialect)
	s.parses = ps
	s.commentKeys = commentKeys(sql, s.d)
	q := s.query(sql)
	if q == nil {
		return s
	}
	ctes := map[string]*ast.Query{}
	collectCTEs(q, ctes)
	s.walk(q.Body, ctes, 0)
	s.findGrainHash()
	s.file = q
	s.readNeverNull()
	s.readPartitions()
	return s
}

type hashedColumns struct {
	name string
	cols []string // lower case, sorted, distinct
}

// readHashes records the surrogate keys one select computes.
func (s *sqlSignals) readHashes(sel *ast.Select, out map[ast.Expr]string) {
	s.hashes = appendHashes(s.hashes, sel, out)
}

// appendHashes adds the surrogate keys one select computes to list, each name once.
func appendHashes(list []hashedColumns, sel *ast.Select, out map[ast.Expr]string) []hashedColumns {
	for _, it := range sel.Items {
		if it == nil || !isSurrogateKey(it.Expr) {
			continue
		}
		name := out[it.Expr]
		if name == "" || slices.ContainsFunc(list, func(h hashedColumns) bool { return h.name == name }) {
			continue
		}
		var cols []string
		ast.Inspect(it.Expr, func(n ast.Node) bool {
			if c, ok := n.(*ast.ColumnRef); ok && len(c.Parts) > 0 && c.Parts[len(c.Parts)-1] != nil {
				cols = append(cols, strings.ToLower(c.Parts[len(c.Parts)-1].Name))
			}
			return true
		})
		slices.Sort(cols)
		list = append(list, hashedColumns{name: name, cols: slices.Compact(cols)})
	}
	return list
}

// readFileHashes records the surrogate keys every select of the file computes, the chain's
// and those behind a join or a union, where the chain walk stops.
func (s *sqlSignals) readFileHashes() {
	if s.fileRead || s.file == nil {
		return
	}
	s.fileRead = true
	ast.Inspect(s.file, func(n ast.Node) bool {
		if sel, ok := n.(*ast.Select); ok {
			s.fileHashes = appendHashes(s.fileHashes, sel, outputNames(sel))
		}
		return true
	})
}

// hashed reports whether the file computes col as a surrogate key (a hash of columns), and
// over which columns.
func (s *sqlSignals) hashed(col string) ([]string, bool) {
	s.readFileHashes()
	for _, h := range s.fileHashes {
		if h.name == col {
			return h.cols, true
		}
	}
	return nil, false
}

// findGrainHash picks the surrogate key over exactly the composite grain's columns.
func (s *sqlSignals) findGrainHash() {
	if len(s.keys) < 2 {
		return
	}
	for _, h := range s.hashes {
		if sameNames(h.cols, s.keys) && !slices.Contains(h.cols, h.name) {
			s.grainHash = h.name
			s.grainHashWhy = h.name + " is a surrogate key of the model's grain (" + strings.Join(s.keys, ", ") + ")"
			return
		}
	}
}

// query is the last query of sql, or nil.
func (s *sqlSignals) query(sql string) *ast.Query {
	if strings.TrimSpace(sql) == "" {
		return nil
	}
	f := s.parses.parse(sql, s.d)
	if f == nil {
		return nil
	}
	for i := len(f.Stmts) - 1; i >= 0; i-- {
		if q, ok := f.Stmts[i].(*ast.Query); ok {
			return q
		}
	}
	return nil
}

func collectCTEs(q *ast.Query, into map[string]*ast.Query) {
	if q == nil || q.With == nil {
		return
	}
	for _, c := range q.With.CTEs {
		if c != nil && c.Name != nil && c.Query != nil {
			into[strings.ToLower(c.Name.Name)] = c.Query
			collectCTEs(c.Query, into)
		}
	}
}

// walk reads one select on the output chain, then follows the relation it reads when the
// select passes its source's columns through (select * from final; select a, b from x).
func (s *sqlSignals) walk(body ast.QueryExpr, ctes map[string]*ast.Query, depth int) {
	if depth > 8 {
		return
	}
	sel, ok := body.(*ast.Select)
	if !ok {
		if p, ok := body.(*ast.ParenQuery); ok && p.Query != nil {
			collectCTEs(p.Query, ctes)
			s.walk(p.Query.Body, ctes, depth+1)
			return
		}
		// A union's grain is not any branch's grain: stop.
		s.preserves = false
		return
	}
	out := outputNames(sel)
	s.chain = append(s.chain, chainSelect{sel, out})
	s.readSelect(sel, out, ctes)
	if len(s.keys) > 0 && depth > 0 {
		// keys found upstream in the chain hold only if this select kept every row.
		return
	}
	if sel.GroupBy != nil || sel.Distinct || len(sel.From) != 1 {
		s.preserves = false
		return
	}
	from := sel.From[0]
	if _, ok := from.(*ast.Join); ok {
		if from = s.keptBase(from, ctes, depth); from == nil {
			s.preserves = false
			return
		}
	}
	switch t := from.(type) {
	case *ast.TableName:
		if t.Name != nil && len(t.Name.Parts) == 1 {
			name := strings.ToLower(t.Name.Parts[0].Name)
			if cq := ctes[name]; cq != nil {
				collectCTEs(cq, ctes)
				s.walk(cq.Body, ctes, depth+1)
				return
			}
			if s.ephemeral != nil && strings.HasPrefix(name, "__dbt__cte__") {
				if eq := s.query(s.ephemeral(name)); eq != nil {
					// its own CTEs, which may share names with the reader's
					inner := map[string]*ast.Query{}
					collectCTEs(eq, inner)
					s.walk(eq.Body, inner, depth+1)
					return
				}
			}
		}
		// The chain ends on a model, source or table: rows come from it one for one.
		s.preserves = depth <= 8
		if t.Name != nil && len(t.Name.Parts) > 0 {
			s.base = strings.ToLower(t.Name.Parts[len(t.Name.Parts)-1].Name)
		}
	case *ast.DerivedTable:
		if t.Query != nil {
			collectCTEs(t.Query, ctes)
			s.walk(t.Query.Body, ctes, depth+1)
			return
		}
		s.preserves = false
	default:
		s.preserves = false
	}
}

// keptBase returns the leftmost relation of a chain of joins none of which repeats its rows,
// or nil: each is a semi or anti join, or a LEFT or INNER join whose equalities cover a key of
// its right side (a dimension joined on its key, a CTE grouped by the join column). The
// select then keeps the grain of that relation: a key of it stays a key.
func (s *sqlSignals) keptBase(t ast.TableExpr, ctes map[string]*ast.Query, depth int) ast.TableExpr {
	for {
		j, ok := t.(*ast.Join)
		if !ok {
			break
		}
		if j.Natural || j.Asof || j.Match != nil {
			return nil
		}
		switch j.Kind {
		case "SEMI", "ANTI":
		case "INNER", "LEFT":
			alias, keys := s.rightKeys(j.Right, ctes, depth)
			if alias == "" || !coversKey(equatedOn(j, alias), keys) {
				return nil
			}
			s.joined = true
		default:
			return nil
		}
		t = j.Left
	}
	switch t.(type) {
	case *ast.TableName, *ast.DerivedTable:
		return t
	}
	return nil
}

// rightKeys names the right side of a join as the ON clause qualifies it, and lists the
// column sets known to be unique in it: the grain of a CTE or subquery read from its SQL,
// the keys the team tests on the model or source it names.
func (s *sqlSignals) rightKeys(t ast.TableExpr, ctes map[string]*ast.Query, depth int) (string, [][]string) {
	alias := strings.ToLower(ast.KnownAs(t))
	if alias == "" {
		return "", nil
	}
	var q *ast.Query
	var parts []string
	switch x := t.(type) {
	case *ast.TableName:
		if x.Name == nil {
			return alias, nil
		}
		for _, p := range x.Name.Parts {
			parts = append(parts, p.Name)
		}
		if len(parts) == 1 {
			q = ctes[strings.ToLower(parts[0])]
		}
	case *ast.DerivedTable:
		q = x.Query
	}
	if q == nil {
		if s.uniqueOn == nil {
			return alias, nil
		}
		return alias, s.uniqueOn(parts)
	}
	// The grain of the CTE, read as the model's own is, in a walk of its own.
	inner := newSignals()
	inner.ephemeral, inner.d, inner.parses, inner.uniqueOn = s.ephemeral, s.d, s.parses, s.uniqueOn
	scope := make(map[string]*ast.Query, len(ctes))
	maps.Copy(scope, ctes)
	collectCTEs(q, scope)
	inner.walk(q.Body, scope, depth+1)
	if len(inner.keys) == 0 {
		if inner.preserves && !inner.joined && inner.base != "" && s.uniqueOn != nil {
			// An import CTE (`payments as (select * from {{ ref('payments') }})`) has the
			// keys of the relation it reads.
			return alias, s.uniqueOn([]string{inner.base})
		}
		return alias, nil
	}
	keys := make([]string, len(inner.keys))
	for i, k := range inner.keys {
		keys[i] = strings.ToLower(k)
	}
	return alias, [][]string{keys}
}

// equatedOn lists the columns of the right side (named alias) that the join's ON clause, a
// conjunction of conditions, equates with something outside it, or its USING columns.
func equatedOn(j *ast.Join, alias string) map[string]bool {
	out := map[string]bool{}
	for _, u := range j.Using {
		out[strings.ToLower(u.Name)] = true
	}
	var visit func(e ast.Expr)
	visit = func(e ast.Expr) {
		b, ok := unparen(e).(*ast.Binary)
		if !ok {
			return
		}
		switch strings.ToUpper(b.Op) {
		case "AND":
			visit(b.X)
			visit(b.Y)
		case "=":
			x, xr := rightColumn(b.X, alias)
			y, yr := rightColumn(b.Y, alias)
			switch {
			case xr && !yr:
				out[x] = true
			case yr && !xr:
				out[y] = true
			}
		}
	}
	if j.On != nil {
		visit(j.On)
	}
	return out
}

// rightColumn returns the column a reference names and whether it is qualified by alias.
func rightColumn(e ast.Expr, alias string) (string, bool) {
	c, ok := unparen(e).(*ast.ColumnRef)
	if !ok || len(c.Parts) < 2 {
		return "", false
	}
	return strings.ToLower(c.Parts[len(c.Parts)-1].Name), strings.EqualFold(c.Parts[len(c.Parts)-2].Name, alias)
}

// coversKey reports whether the equated columns include every column of one of the keys.
func coversKey(eq map[string]bool, keys [][]string) bool {
	for _, k := range keys {
		if len(k) > 0 && allIn(k, eq) {
			return true
		}
	}
	return false
}

// outputNames maps each select item's expression to the name it outputs.
func outputNames(sel *ast.Select) map[ast.Expr]string {
	out := map[ast.Expr]string{}
	for _, it := range sel.Items {
		if it == nil || it.Expr == nil {
			continue
		}
		if it.Alias != nil {
			out[it.Expr] = strings.ToLower(it.Alias.Name)
		} else if name := exprName(it.Expr); name != "" {
			out[it.Expr] = name
		}
	}
	return out
}

// exprName is the column name a plain reference outputs.
func exprName(e ast.Expr) string {
	switch x := e.(type) {
	case *ast.ColumnRef:
		if len(x.Parts) > 0 {
			return strings.ToLower(x.Parts[len(x.Parts)-1].Name)
		}
	case *ast.Paren:
		return exprName(x.X)
	case *ast.Cast:
		return exprName(x.X)
	}
	return ""
}

// nameOf maps an expression used in a clause back to an output column: a reference to an
// output alias or to a column output under the same name.
func nameOf(e ast.Expr, sel *ast.Select, out map[ast.Expr]string) string {
	n := exprName(e)
	if n == "" {
		// GROUP BY 1: a position.
		if lit, ok := e.(*ast.Literal); ok && lit.Kind == ast.LitNumber {
			i := atoiSafe(lit.Text)
			if i >= 1 && i <= len(sel.Items) && sel.Items[i-1] != nil {
				return out[sel.Items[i-1].Expr]
			}
		}
		// GROUP BY an expression written again in full.
		want := ast.String(e)
		return firstOutput(sel, out, func(it ast.Expr, _ string) bool { return ast.String(it) == want })
	}
	// A column the select reads, else an output name: the select's order decides between two
	// items that match, so the key is the same on every run.
	if name := firstOutput(sel, out, func(it ast.Expr, _ string) bool { return exprName(it) == n }); name != "" {
		return name
	}
	return firstOutput(sel, out, func(_ ast.Expr, name string) bool { return name == n })
}

// firstOutput returns the output name of the first select item, in the select's order, that
// match accepts.
func firstOutput(sel *ast.Select, out map[ast.Expr]string, match func(ast.Expr, string) bool) string {
	for it, name := range outputs(sel, out) {
		if match(it, name) {
			return name
		}
	}
	return ""
}

// outputs yields the select's named items in the select's order: where two items give one
// name, the first speaks for it on every run (a map's order would change from run to run).
func outputs(sel *ast.Select, out map[ast.Expr]string) iter.Seq2[ast.Expr, string] {
	return func(yield func(ast.Expr, string) bool) {
		for _, it := range sel.Items {
			if it == nil {
				continue
			}
			if name, ok := out[it.Expr]; ok && !yield(it.Expr, name) {
				return
			}
		}
	}
}

func atoiSafe(s string) int {
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' || n > 1<<20 {
			return -1
		}
		n = n*10 + int(c-'0')
	}
	return n
}

func (s *sqlSignals) readSelect(sel *ast.Select, out map[ast.Expr]string, ctes map[string]*ast.Query) {
	s.readHashes(sel, out)
	// Grain.
	if len(s.keys) == 0 {
		switch {
		case sel.GroupBy != nil && !sel.GroupBy.All && len(sel.GroupBy.Items) > 0:
			var keys []string
			for _, g := range sel.GroupBy.Items {
				if _, isSet := g.(*ast.GroupingSet); isSet {
					keys = nil
					break
				}
				if n := nameOf(g, sel, out); n != "" {
					keys = append(keys, n)
				} else {
					keys = nil
					break
				}
			}
			if len(keys) > 0 {
				s.keys, s.keyWhy = keys, "the model groups by "+strings.Join(keys, ", ")
			}
		case sel.GroupBy != nil && sel.GroupBy.All:
			// An item that only combines aggregates by their aliases (`steps - checks as
			// credits`) is an aggregate too, not a grouping column.
			aggs := map[string]bool{}
			for it, name := range out {
				if hasAggregate(it) {
					aggs[strings.ToLower(name)] = true
				}
			}
			var keys []string
			hash := ""
			for it, name := range outputs(sel, out) {
				if aggs[strings.ToLower(name)] || onlyAliases(it, aggs) {
					continue
				}
				if hash == "" && isSurrogateKey(it) {
					hash = name
				}
				keys = append(keys, name)
			}
			switch {
			case hash != "" && len(keys) < len(out):
				// The author hashed the grouped columns into the key of the grouped rows.
				s.keys, s.keyWhy = []string{hash}, hash+" is a surrogate key built in the select that groups by all of its plain columns"
				s.keyFromHash = true
			case len(keys) > 0 && len(keys) < len(out):
				sort.Strings(keys)
				s.keys, s.keyWhy = keys, "the model groups by all of "+strings.Join(keys, ", ")
			}
		case sel.Distinct && len(sel.DistinctOn) == 0 && len(out) > 0 && len(out) <= 3 && len(out) == len(sel.Items):
			var keys []string
			for _, it := range sel.Items {
				keys = append(keys, out[it.Expr])
			}
			s.keys, s.keyWhy = keys, "the model selects distinct rows"
			// A DISTINCT over rows already kept at one per key (row_number() = 1) keeps that
			// finer grain: the key alone is unique, not only the whole row.
			if dk := dedupKeys(sel, out, ctes); len(dk) > 0 && len(dk) < len(keys) && allIn(dk, setOf(keys)) {
				s.keys, s.keyWhy = dk, "the model keeps one row per "+strings.Join(dk, ", ")+" (row_number() = 1)"
			}
		case len(sel.DistinctOn) > 0:
			var keys []string
			for _, e := range sel.DistinctOn {
				if n := nameOf(e, sel, out); n != "" {
					keys = append(keys, n)
				}
			}
			if len(keys) == len(sel.DistinctOn) {
				s.keys, s.keyWhy = keys, "the model keeps one row per DISTINCT ON key"
			}
		}
		if len(s.keys) == 0 {
			if keys := dedupKeys(sel, out, ctes); len(keys) > 0 {
				s.keys, s.keyWhy = keys, "the model keeps one row per "+strings.Join(keys, ", ")+" (row_number() = 1)"
			}
		}
		if len(s.keys) == 0 {
			if name := sequenceKey(sel, out); name != "" {
				s.keys, s.keyWhy = []string{name}, name+" numbers the rows with row_number()"
			}
		}
		// A hash of columns in the first position is the row's surrogate key; elsewhere it is
		// more often a key of something the row refers to (a dimension's hashed id).
		if len(s.keys) == 0 && len(sel.Items) > 0 && sel.Items[0] != nil && isSurrogateKey(sel.Items[0].Expr) {
			if name := out[sel.Items[0].Expr]; name != "" {
				s.keys, s.keyWhy = []string{name}, name+" is a surrogate key built from the row's columns"
				s.keyFromHash = true
			}
		}
	}
	s.readNulls(sel, out, ctes)
	// Values and nullability of each output column.
	for it, name := range outputs(sel, out) {
		if vals := caseLiterals(it); len(vals) > 0 {
			if _, seen := s.literal[name]; !seen {
				s.literal[name] = vals
				s.litWhy[name] = "its CASE expression only produces " + quoteList(vals)
			}
		}
		if f, ok := unparen(it).(*ast.Func); ok && len(f.Args) >= 2 && strings.EqualFold(funcName(f), "coalesce") {
			if lit, ok := f.Args[len(f.Args)-1].(*ast.Literal); ok && lit.Kind != ast.LitNull {
				s.notNull[name] = "it is coalesced to a literal"
			}
		}
	}
	s.markCompared(sel, out)
	ast.Inspect(sel.Where, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.In:
			if x.Not || len(x.List) == 0 {
				return true
			}
			if name := nameOf(x.X, sel, out); name != "" {
				var vals []string
				for _, e := range x.List {
					if lit, ok := e.(*ast.Literal); ok && lit.Kind == ast.LitString {
						vals = append(vals, lit.Value)
					} else {
						return true
					}
				}
				if _, seen := s.literal[name]; !seen {
					s.literal[name] = vals
					s.litWhy[name] = "the model keeps only rows where it is in " + quoteList(vals)
				}
				s.notNull[name] = "the model filters it with IN (...)"
			}
		case *ast.Is:
			if !x.Not && strings.EqualFold(x.Value, "NULL") {
				if name := exprName(x.X); name != "" {
					s.filteredNull[name] = true
				}
			}
			if x.Not && strings.EqualFold(x.Value, "NULL") {
				if name := nameOf(x.X, sel, out); name != "" {
					s.notNull[name] = "the model keeps only rows where it is not null"
				}
				if name := exprName(x.X); name != "" {
					s.filteredNotNull[name] = true
				}
			}
		case *ast.Binary:
			if strings.EqualFold(x.Op, "OR") {
				return false // a disjunction filters nothing for certain
			}
		case *ast.Unary:
			if strings.EqualFold(x.Op, "NOT") {
				return false // what a negation keeps is not what its operand says
			}
		}
		return true
	})
	for _, t := range sel.From {
		ast.Inspect(t, func(n ast.Node) bool {
			j, ok := n.(*ast.Join)
			if !ok || j.Kind != "INNER" || j.On == nil {
				return true
			}
			ast.Inspect(j.On, func(n ast.Node) bool {
				if b, ok := n.(*ast.Binary); ok && b.Op == "=" {
					for _, side := range []ast.Expr{b.X, b.Y} {
						if name := nameOf(side, sel, out); name != "" {
							s.joinKey[name] = true
						}
					}
				}
				return true
			})
			return true
		})
	}
	// A hash of the row's columns that the model keeps not null is the key it means to have,
	// wherever it stands in the select list.
	if len(s.keys) == 0 {
		for _, it := range sel.Items {
			if it == nil || !isSurrogateKey(it.Expr) {
				continue
			}
			if name := out[it.Expr]; name != "" && s.filteredNotNull[name] {
				s.keys, s.keyWhy = []string{name}, name+" is a hash of the row's columns that the model keeps not null"
				break
			}
		}
	}
}

// readNulls marks the output columns read from the optional side of an outer join (the right
// of a LEFT JOIN, the left of a RIGHT JOIN, both sides of a FULL JOIN), unless the WHERE
// clause drops the rows without a match (nullRejected): those rows may not have them. A coalesce or a CASE decides for itself and is left alone.
func (s *sqlSignals) readNulls(sel *ast.Select, out map[ast.Expr]string, ctes map[string]*ast.Query) {
	optional := map[string]string{} // relation alias -> join kind
	for _, t := range sel.From {
		outerSides(t, "", optional)
	}
	for alias := range nullRejected(sel.Where) {
		delete(optional, alias)
	}
	for it, name := range outputs(sel, out) {
		if _, seen := s.nullable[name]; seen || s.computed[name] {
			continue
		}
		e := unparen(it)
		for {
			c, ok := e.(*ast.Cast)
			if !ok {
				break
			}
			e = unparen(c.X)
		}
		if _, ok := e.(*ast.ColumnRef); !ok {
			// Selects further in compute what this one replaces: they say nothing of it.
			s.computed[name] = true
		}
		if lit, ok := e.(*ast.Literal); ok && lit.Kind == ast.LitNull {
			// A placeholder for a value the model does not have yet.
			s.nullable[name] = setsNullWhy
			continue
		}
		if caseWithoutElse(e) {
			s.nullable[name] = noElseWhy
			continue
		}
		ref, ok := e.(*ast.ColumnRef)
		if ok && len(ref.Parts) > 0 && len(sel.From) == 1 && noElseThrough(ref.Parts[len(ref.Parts)-1].Name, sel, ctes, 0) {
			// A select that groups by it ends the chain walked above, so what the CTE it
			// reads computes is looked up here.
			s.nullable[name] = noElseWhy
			continue
		}
		if !ok || len(ref.Parts) < 2 {
			continue
		}
		alias := strings.ToLower(ref.Parts[len(ref.Parts)-2].Name)
		if kind, ok := optional[alias]; ok {
			s.nullable[name] = "it comes from " + alias + ", the optional side of a " + kind + " JOIN"
		}
	}
}

const noElseWhy = "its CASE has no ELSE: rows no branch matches get null"

const setsNullWhy = "the model sets it to null"

// caseWithoutElse reports a CASE of several branches and no ELSE: rows no branch matches get
// null, and grouping by it keeps them as a null group. (One WHEN without ELSE is as often a
// deliberate "only when" as a gap.)
func caseWithoutElse(e ast.Expr) bool {
	c, ok := unparen(e).(*ast.Case)
	return ok && c.Else == nil && len(c.Whens) > 1
}

// noElseThrough follows a plain reference into the CTE that sel reads alone (and on through
// plain references) and reports whether the name is computed there by a CASE without ELSE.
func noElseThrough(name string, sel *ast.Select, ctes map[string]*ast.Query, depth int) bool {
	if depth > 4 || len(sel.From) != 1 {
		return false
	}
	t, ok := sel.From[0].(*ast.TableName)
	if !ok || t.Name == nil || len(t.Name.Parts) != 1 {
		return false
	}
	cq := ctes[strings.ToLower(t.Name.Parts[0].Name)]
	if cq == nil {
		return false
	}
	inner, ok := cq.Body.(*ast.Select)
	if !ok {
		return false
	}
	for it, n := range outputs(inner, outputNames(inner)) {
		if !strings.EqualFold(n, name) {
			continue
		}
		if caseWithoutElse(it) {
			return true
		}
		if ref, ok := unparen(it).(*ast.ColumnRef); ok && len(ref.Parts) > 0 {
			return noElseThrough(ref.Parts[len(ref.Parts)-1].Name, inner, ctes, depth+1)
		}
		return false
	}
	return false
}

// outerSides collects the aliases of relations on the optional side of an outer join; kind is
// the join that makes t optional ("" when it is not).
func outerSides(t ast.TableExpr, kind string, into map[string]string) {
	switch x := t.(type) {
	case *ast.Join:
		left, right := kind, kind
		switch x.Kind {
		case "LEFT":
			if right == "" {
				right = "LEFT"
			}
		case "RIGHT":
			if left == "" {
				left = "RIGHT"
			}
		case "FULL":
			if left == "" {
				left = "FULL"
			}
			if right == "" {
				right = "FULL"
			}
		}
		outerSides(x.Left, left, into)
		outerSides(x.Right, right, into)
	case *ast.ParenTable:
		outerSides(x.Table, kind, into)
	case *ast.TableName:
		if kind == "" {
			return
		}
		if x.Alias != nil && x.Alias.Name != nil {
			into[strings.ToLower(x.Alias.Name.Name)] = kind
		} else if x.Name != nil && len(x.Name.Parts) > 0 {
			into[strings.ToLower(x.Name.Parts[len(x.Name.Parts)-1].Name)] = kind
		}
	case *ast.DerivedTable:
		if kind != "" && x.Alias != nil && x.Alias.Name != nil {
			into[strings.ToLower(x.Alias.Name.Name)] = kind
		}
	}
}

// dedupKeys finds `row_number() over (partition by k order by ...)` kept at 1, by QUALIFY in
// this select or by a WHERE rn = 1 over a relation that computes it, and names the keys as
// this select outputs them (`id as pull_request_id`); nil when one is not output.
func dedupKeys(sel *ast.Select, out map[ast.Expr]string, ctes map[string]*ast.Query) []string {
	keys := readDedupKeys(sel, ctes)
	for i, k := range keys {
		name := firstOutput(sel, out, func(it ast.Expr, _ string) bool { return exprName(it) == k })
		if name == "" {
			name = firstOutput(sel, out, func(_ ast.Expr, n string) bool { return n == k })
		}
		if name == "" && selectsStar(sel) {
			name = k // passed through by the star
		}
		if name == "" {
			return nil
		}
		keys[i] = name
	}
	return keys
}

// readDedupKeys returns the partition keys of dedupKeys as the relation read names them.
func readDedupKeys(sel *ast.Select, ctes map[string]*ast.Query) []string {
	partition := func(e ast.Expr) []string {
		f, ok := unparen(e).(*ast.Func)
		if !ok || f.Over == nil || len(f.Over.PartitionBy) == 0 {
			return nil
		}
		switch strings.ToLower(funcName(f)) {
		case "row_number", "rank", "dense_rank":
		default:
			return nil
		}
		var keys []string
		for _, p := range f.Over.PartitionBy {
			n := exprName(p)
			if n == "" {
				return nil
			}
			keys = append(keys, n)
		}
		return keys
	}
	isOne := func(e ast.Expr) bool {
		l, ok := unparen(e).(*ast.Literal)
		return ok && l.Kind == ast.LitNumber && l.Text == "1"
	}
	// QUALIFY row_number() over (...) = 1
	if b, ok := unparen(sel.Qualify).(*ast.Binary); ok && (b.Op == "=" || b.Op == "<=" || b.Op == "<") {
		if keys := partition(b.X); keys != nil && (isOne(b.Y) || b.Op == "<") {
			return keys
		}
	}
	// WHERE rn = 1 where rn is a row_number() of the relation read.
	var rn string
	ast.Inspect(sel.Where, func(n ast.Node) bool {
		if b, ok := n.(*ast.Binary); ok && b.Op == "=" && isOne(b.Y) {
			rn = exprName(b.X)
		}
		return rn == ""
	})
	if rn == "" || len(sel.From) != 1 {
		return nil
	}
	var inner *ast.Query
	switch t := sel.From[0].(type) {
	case *ast.TableName:
		if t.Name != nil && len(t.Name.Parts) == 1 {
			inner = ctes[strings.ToLower(t.Name.Parts[0].Name)]
		}
	case *ast.DerivedTable:
		inner = t.Query
	}
	if inner == nil {
		return nil
	}
	is, ok := inner.Body.(*ast.Select)
	if !ok {
		return nil
	}
	for _, it := range is.Items {
		if it != nil && it.Alias != nil && strings.EqualFold(it.Alias.Name, rn) {
			return partition(it.Expr)
		}
	}
	return nil
}

func unparen(e ast.Expr) ast.Expr {
	for {
		p, ok := e.(*ast.Paren)
		if !ok {
			return e
		}
		e = p.X
	}
}

func funcName(f *ast.Func) string {
	if f == nil || f.Name == nil || f.Name.Last() == nil {
		return ""
	}
	return f.Name.Last().Name
}

// onlyAliases says every column e reads is an unqualified name in names.
func onlyAliases(e ast.Expr, names map[string]bool) bool {
	seen, only := false, true
	ast.Inspect(e, func(n ast.Node) bool {
		if c, ok := n.(*ast.ColumnRef); ok {
			seen = true
			only = only && len(c.Parts) == 1 && c.Parts[0] != nil && names[strings.ToLower(c.Parts[0].Name)]
		}
		return only
	})
	return seen && only
}

func hasAggregate(e ast.Expr) bool {
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		if f, ok := n.(*ast.Func); ok && f.Over == nil {
			switch strings.ToLower(funcName(f)) {
			case "count", "sum", "avg", "min", "max", "array_agg", "string_agg", "listagg", "any_value",
				"count_if", "countif", "bool_or", "bool_and", "median", "stddev", "variance", "approx_count_distinct",
				"group_concat", "arg_max", "arg_min", "max_by", "min_by", "object_agg", "hll":
				found = true
			}
		}
		return !found
	})
	return found
}

// isSurrogateKey recognises a hash over several columns: what dbt_utils.generate_surrogate_key
// and friends compile to (md5(cast(coalesce(...) || '-' || ...))).
func isSurrogateKey(e ast.Expr) bool {
	f, ok := unparen(e).(*ast.Func)
	if !ok {
		if c, ok := unparen(e).(*ast.Cast); ok {
			return isSurrogateKey(c.X)
		}
		return false
	}
	switch strings.ToLower(funcName(f)) {
	case "md5", "sha1", "sha2", "sha256", "farm_fingerprint", "hash", "md5_hex", "generate_surrogate_key", "surrogate_key":
	case "to_hex", "hex", "lower", "upper":
		// dbt's hash on BigQuery is to_hex(md5(...)); a project may also case the digest
		return len(f.Args) == 1 && isSurrogateKey(f.Args[0])
	default:
		return false
	}
	cols := 0
	ast.Inspect(f, func(n ast.Node) bool {
		if _, ok := n.(*ast.ColumnRef); ok {
			cols++
		}
		return true
	})
	return cols >= 1
}

// caseLiterals returns the string literals a CASE produces when every arm (and the ELSE)
// is a string literal or NULL.
func caseLiterals(e ast.Expr) []string {
	c, ok := unparen(e).(*ast.Case)
	if !ok || len(c.Whens) == 0 {
		return nil
	}
	seen := map[string]bool{}
	var vals []string
	add := func(x ast.Expr) bool {
		if x == nil {
			return true
		}
		lit, ok := unparen(x).(*ast.Literal)
		if !ok {
			return false
		}
		if lit.Kind == ast.LitNull {
			return true
		}
		if lit.Kind != ast.LitString {
			return false
		}
		if !seen[lit.Value] {
			seen[lit.Value] = true
			vals = append(vals, lit.Value)
		}
		return true
	}
	for _, w := range c.Whens {
		if w == nil || !add(w.Result) {
			return nil
		}
	}
	if !add(c.Else) {
		return nil
	}
	if len(vals) < 2 {
		return nil
	}
	return vals
}

func quoteList(vals []string) string {
	q := make([]string, len(vals))
	for i, v := range vals {
		q[i] = "'" + v + "'"
	}
	return strings.Join(q, ", ")
}

// parses keeps the SQL one Suggest run parsed, by text: the signals and the graph read the
// same models (and the signals an ephemeral model once per model selecting it), and only
// read what they parse. A nil *parses parses each time.
type parses struct {
	mu    sync.Mutex
	files map[string]*ast.File
	// fallback, when set, reads the SQL the run's dialect (a guess) cannot: the loader's
	// (columns.Result.Fallback).
	fallback *sqldialect.Dialect
}

func newParses() *parses { return &parses{files: map[string]*ast.File{}} }

// parse parses sql (outside the lock: parses run in parallel, and a panic of the parser
// reaches the caller's recover as before).
func (ps *parses) parse(sql string, d sqldialect.Dialect) *ast.File {
	if ps == nil {
		f, _ := parser.ParseShared(sql, d)
		return f
	}
	ps.mu.Lock()
	f, ok := ps.files[sql]
	ps.mu.Unlock()
	if ok {
		return f
	}
	f, _ = parser.ParseSharedOr(sql, d, ps.fallback)
	ps.mu.Lock()
	ps.files[sql] = f
	ps.mu.Unlock()
	return f
}

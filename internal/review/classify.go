package review

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/dataops-dev/dataops/internal/change"
	"github.com/dataops-dev/dataops/internal/lazyregexp"
	"github.com/dataops-dev/dataops/internal/sql/ast"
	"github.com/dataops-dev/dataops/internal/sql/dialect"
	"github.com/dataops-dev/dataops/internal/sql/lexer"
	"github.com/dataops-dev/dataops/internal/sql/parser"
	"github.com/dataops-dev/dataops/internal/sql/token"
)

// Clause is a grain- or filter-deciding clause of a query: what it is and where it starts in
// the SQL it was read from (a byte offset).
type Clause struct {
	Text   string
	Offset int
	// Lookup names the relation the clause belongs to when that relation is only joined on the
	// optional side of an outer join (a lookup): its filter, or its join condition, changes
	// which lookup rows match, not which rows the model returns.
	Lookup string
	// WholeJoin is set by GrainDiff on a lookup's clause when the other side of the change
	// does not read that lookup at all: the change adds (on a removed clause, drops) the whole
	// outer join. That adds or drops the columns it brings, not rows: an outer join keeps every
	// row of its other side. Only a lookup key that repeats would repeat rows, which is not a
	// change of the join.
	WholeJoin bool
	// NewRows is set by GrainDiff on a head clause that only decides which of the rows the
	// change adds come: one of a union branch the base did not have, or of a CTE only such
	// branches read (In names it), or a UNION that brings a branch over rows the base
	// already returned without duplicates. The rows the model had stay as they were.
	NewRows bool
	// In is the CTE a NewRows or Branch clause sits in, "" for the final query.
	In string
	// Branch is set on a clause GrainDiff writes for a whole union branch, its Text saying
	// what the branch reads: on an added one (NewRows too) a branch the change adds, which
	// may have no clause of its own (`union all select * from cortex`); on a removed one a
	// branch the change takes away, with every row it brought. A removed one's Offset is in
	// the base's SQL; At is where the branch was in the head's (-1: unknown).
	Branch bool
	At     int
	// branch is the union branch (of Grain.branches) the clause belongs to, -1 for none;
	// covers, on a set operation's clause (UNION, INTERSECT, EXCEPT), the branches it
	// combines.
	branch int
	covers []int
	// optional names (alias and relation) the optional side of an outer join clause; other
	// lookup clauses belong to the relation Lookup names.
	optional []string
	// sole names the one relation the clause's select reads without a join (its qualifiers
	// are dropped from Text); rels, for a select with joins, the names of each relation it
	// reads. A change that adds or drops a join may add or drop the qualifiers of the one
	// relation with it: GrainDiff pairs those clauses.
	sole []string
	rels [][]string
	// relaxed is Text with comparisons of a column to a boolean literal written as the bare
	// column (x = 'TRUE' and x = true read x): the same filter on a boolean column.
	relaxed string
}

// Grain is what decides which rows a query returns: its grain clauses, and the names of the
// relations it reads, which tell a lookup the query already joined from one a change adds.
type Grain struct {
	Clauses []Clause
	reads   map[string]bool
	// branches are the union branches of the final query and of each CTE; users maps each
	// CTE to the branches that read it (-1: outside every branch).
	branches []branch
	users    map[string][]int
}

// SameSQL reports whether a and b read as the same SQL: the same tokens in the same order,
// each glued to the next (or not) alike, whatever comments and blanks lie between them. The
// parser sees nothing else, so the two parse into the same tree and have the same grain: a
// change that only comments or re-indents a model (a large generated one takes tens of
// milliseconds to read) need not be parsed twice to find that nothing decides other rows.
func SameSQL(a, b, dialectName string) bool {
	if a == b {
		return true
	}
	d, _ := dialect.Lookup(dialectName) // generic when unknown
	buf := sameTokens.Get().(*[]token.Token)
	defer func() {
		clear(*buf) // no references to the texts kept in the pool
		*buf = (*buf)[:0]
		sameTokens.Put(buf)
	}()
	ta := (*buf)[:0]
	lexer.Scan(a, d, func(t token.Token) bool {
		if !t.Kind.Trivia() {
			ta = append(ta, t)
		}
		return true
	})
	*buf = ta
	// b is read token by token against a's, up to the first that differs.
	i, same := 0, true
	var prevEnd token.Pos
	lexer.Scan(b, d, func(t token.Token) bool {
		if t.Kind.Trivia() {
			return true
		}
		if i >= len(ta) || ta[i].Kind != t.Kind || ta[i].Text != t.Text ||
			// The end of the text is no token the parser glues anything to.
			i > 0 && t.Kind != token.EOF && (ta[i].Pos == ta[i-1].End) != (t.Pos == prevEnd) {
			same = false
			return false
		}
		prevEnd = t.End
		i++
		return true
	})
	return same && i == len(ta)
}

// sameTokens keeps SameSQL's token lists between calls.
var sameTokens = sync.Pool{New: func() any { return new([]token.Token) }}

// GrainClauses lists the clauses of sql that decide which rows (and how many) a model returns:
// WHERE, GROUP BY, HAVING, QUALIFY, DISTINCT, join kinds and conditions and the set operations
// other than UNION ALL (UNION dedupes, INTERSECT and EXCEPT filter), each printed from
// the parsed tree so formatting and comments do not count as changes (keywords and names are
// compared in lower case, string literals as written). ok is false when the SQL does not parse:
// then nothing can be said about its grain.
func GrainClauses(sql, dialectName string) (g Grain, ok bool) {
	d, found := dialect.Lookup(dialectName)
	if !found {
		d = dialect.Generic()
	}
	f, errs := parser.ParseShared(sql, d)
	if f == nil || len(errs) > 0 {
		return Grain{}, false
	}
	var clauses []Clause
	lookups := lookupRelations(f)
	// visit reads the clauses under root; lookup names the lookup they belong to, if any.
	var visit func(root ast.Node, lookup string)
	visit = func(root ast.Node, lookup string) {
		// sole: the names a select reading one relation (no join) knows it by, whose
		// qualifier its clauses may drop (`where source.row_num = 1` is `where row_num = 1`).
		var sole []string
		// rels: the relations a select with joins reads, each by its names.
		var rels [][]string
		add := func(kind string, n ast.Node, lookupOf string) {
			text := kind
			if n != nil {
				body := unqualify(normalize(ast.String(n)), sole)
				// A clause node may print its own keyword (GROUP BY's does).
				if len(body) > len(kind) && strings.EqualFold(body[:len(kind)], kind) && body[len(kind)] == ' ' {
					body = body[len(kind)+1:]
				}
				text += " " + body
			}
			off := 0
			if n != nil {
				off = int(n.Pos())
			}
			clauses = append(clauses, Clause{Text: text, Offset: off, Lookup: lookupOf, sole: sole, rels: rels, relaxed: relaxBooleans(text)})
		}
		ast.Inspect(root, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.CTE:
				if x.Query != nil && x.Name != nil {
					in := lookup
					if l := lookups[strings.ToLower(x.Name.Name)]; l != "" {
						in = l
					}
					visit(x.Query, in)
					return false
				}
			case *ast.Select:
				sole = soleRelation(x)
				rels = nil
				if sole == nil {
					rels = fromRelations(x.From)
				}
				if x.Distinct {
					clauses = append(clauses, Clause{Text: "DISTINCT", Offset: int(x.Pos()), Lookup: lookup, relaxed: "DISTINCT"})
				}
				for _, e := range x.DistinctOn {
					add("DISTINCT ON", e, lookup)
				}
				if x.Where != nil && !alwaysTrue(x.Where) {
					add("WHERE", x.Where, lookup)
				}
				if x.GroupBy != nil {
					add("GROUP BY", x.GroupBy, lookup)
				}
				if x.Having != nil {
					add("HAVING", x.Having, lookup)
				}
				if x.Qualify != nil {
					add("QUALIFY", x.Qualify, lookup)
				}
			case *ast.Join:
				sole = nil
				kind := strings.ToUpper(strings.TrimSpace(x.Kind))
				if kind == "" {
					kind = "INNER"
				}
				// The condition of an outer join to a lookup decides which lookup rows match.
				on := lookup
				if on == "" {
					switch kind {
					case "LEFT":
						on = relationName(x.Right)
					case "RIGHT":
						on = relationName(x.Left)
					}
				}
				if x.Natural {
					kind = "NATURAL " + kind
				}
				// A subquery on the optional side is a lookup too: its own clauses are read
				// as such, the rest of the join as before.
				var sub *ast.DerivedTable
				other := ast.Node(nil)
				var optional []string
				switch strings.ToUpper(x.Kind) {
				case "LEFT":
					sub, _ = x.Right.(*ast.DerivedTable)
					other = x.Left
					optional = relationNames(x.Right)
				case "RIGHT":
					sub, _ = x.Left.(*ast.DerivedTable)
					other = x.Right
					optional = relationNames(x.Left)
				}
				switch {
				case x.On != nil:
					add(kind+" JOIN ON", x.On, on)
					clauses[len(clauses)-1].optional = optional
				case len(x.Using) > 0:
					names := make([]string, len(x.Using))
					for i, u := range x.Using {
						names[i] = strings.ToLower(u.Name)
					}
					text := kind + " JOIN USING (" + strings.Join(names, ", ") + ")"
					clauses = append(clauses, Clause{Text: text, Offset: int(x.Pos()), Lookup: on, optional: optional, relaxed: text})
				default:
					text := kind + " JOIN"
					clauses = append(clauses, Clause{Text: text, Offset: int(x.Pos()), Lookup: lookup, relaxed: text})
				}
				if sub != nil && sub.Query != nil && on != "" {
					visit(sub.Query, on)
					visit(other, lookup)
					return false
				}
			}
			return true
		})
	}
	visit(f, "")
	reads := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		if t, ok := n.(ast.TableExpr); ok {
			for _, name := range relationNames(t) {
				reads[name] = true
			}
		}
		return true
	})
	branches, setops, users := unionBranches(f)
	for i := range clauses {
		clauses[i].branch = branchAt(branches, clauses[i].Offset)
	}
	clauses = append(clauses, setops...)
	return Grain{Clauses: clauses, reads: reads, branches: branches, users: users}, true
}

// relationNames lists the names (lower case) a relation of a FROM clause is known by: its
// alias, its name and its name as written with qualifiers. Nil for a join or an unnamed one.
func relationNames(t ast.TableExpr) []string {
	var names []string
	alias := func(a *ast.Alias) {
		if a != nil && a.Name != nil {
			names = append(names, strings.ToLower(a.Name.Name))
		}
	}
	switch x := t.(type) {
	case *ast.TableName:
		alias(x.Alias)
		names = append(names, nameForms(x.Name)...)
	case *ast.DerivedTable:
		alias(x.Alias)
	case *ast.TableFunc:
		alias(x.Alias)
	case *ast.ParenTable:
		alias(x.Alias)
	}
	return names
}

// soleRelation lists the names (lower case) of the one relation a select reads without a join:
// its alias, else its name and the name as written with its qualifiers. Nil for any other
// select.
func soleRelation(sel *ast.Select) []string {
	if len(sel.From) != 1 {
		return nil
	}
	switch t := sel.From[0].(type) {
	case *ast.TableName:
		if t.Alias != nil && t.Alias.Name != nil {
			return []string{strings.ToLower(t.Alias.Name.Name)}
		}
		return nameForms(t.Name)
	case *ast.DerivedTable:
		if t.Alias != nil && t.Alias.Name != nil {
			return []string{strings.ToLower(t.Alias.Name.Name)}
		}
	}
	return nil
}

// nameForms is a relation's name as a query refers to it, lower case: its last part and, when
// qualified, the whole name as written.
func nameForms(n *ast.Name) []string {
	if n == nil || len(n.Parts) == 0 {
		return nil
	}
	parts := make([]string, len(n.Parts))
	for i, p := range n.Parts {
		parts[i] = strings.ToLower(p.Name)
	}
	names := []string{parts[len(parts)-1]}
	if len(parts) > 1 {
		names = append(names, strings.Join(parts, "."))
	}
	return names
}

// fromRelations lists the relations of a FROM clause, through its joins, each by its names.
func fromRelations(from []ast.TableExpr) [][]string {
	var out [][]string
	var walk func(t ast.TableExpr)
	walk = func(t ast.TableExpr) {
		switch x := t.(type) {
		case *ast.Join:
			walk(x.Left)
			walk(x.Right)
		case *ast.ParenTable:
			walk(x.Table)
		default:
			if names := relationNames(t); len(names) > 0 {
				out = append(out, names)
			}
		}
	}
	for _, t := range from {
		walk(t)
	}
	return out
}

// besideJoin says a and b are the same clause of one relation, read alone by one's select and
// beside a join by the other's, where it is written with that relation's qualifiers
// (`where status = 'x'` without the join, `where orders.status = 'x'` with it). A column
// the lone relation had is still its own beside the join: a like-named column of the joined
// relation would make the SQL ambiguous.
func besideJoin(a, b Clause) bool {
	if a.sole == nil {
		a, b = b, a
	}
	if a.sole == nil || b.rels == nil || a.Lookup != b.Lookup {
		return false
	}
	for _, names := range b.rels {
		for _, n := range names {
			if slices.Contains(a.sole, n) {
				return unqualify(b.Text, names) == a.Text
			}
		}
	}
	return false
}

// unqualify drops, from a normalized clause of a select that reads one relation, the
// qualifiers naming that relation: adding or removing them (as SQLFluff's reference rules ask)
// changes no row. A clause with a subquery keeps them: there a qualifier may be what tells an
// outer column from an inner one.
func unqualify(text string, names []string) string {
	if len(names) == 0 || strings.Contains(text, "select") {
		return text
	}
	var b strings.Builder
	var quote byte
	for i := 0; i < len(text); i++ {
		c := text[i]
		if quote != 0 {
			b.WriteByte(c)
			if c == quote {
				quote = 0
			}
			continue
		}
		if c == '\'' || c == '"' || c == '`' {
			quote = c
			b.WriteByte(c)
			continue
		}
		if i == 0 || !identByte(text[i-1]) && text[i-1] != '.' {
			if n := qualifierAt(text[i:], names); n > 0 {
				i += n - 1
				continue
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}

// qualifierAt is the length of the qualifier `name.` text starts with, followed by a column
// name, or 0.
func qualifierAt(text string, names []string) int {
	for _, name := range names {
		n := len(name) + 1
		if len(text) > n && strings.HasPrefix(text, name) && text[len(name)] == '.' && (identByte(text[n]) || text[n] == '"') {
			return n
		}
	}
	return 0
}

func identByte(c byte) bool {
	return c == '_' || c == '$' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c >= 0x80
}

// alwaysTrue: `WHERE true` or `WHERE 1 = 1`, written so that a macro can append `and ...`
// conditions (incremental filters render to nothing outside incremental runs): no filter.
func alwaysTrue(e ast.Expr) bool {
	switch t := normalize(ast.String(e)); t {
	case "true", "1 = 1", "(true)", "(1 = 1)":
		return true
	}
	return false
}

// lookupRelations maps the name of each CTE the query reads only as a lookup (the optional
// side of an outer join, or the source of another lookup) to the name it is joined under.
func lookupRelations(f *ast.File) map[string]string {
	ctes := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		if c, ok := n.(*ast.CTE); ok && c.Name != nil {
			ctes[strings.ToLower(c.Name.Name)] = true
		}
		return true
	})
	optional := map[*ast.TableName]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		if j, ok := n.(*ast.Join); ok {
			switch strings.ToUpper(j.Kind) {
			case "LEFT":
				if t, ok := j.Right.(*ast.TableName); ok {
					optional[t] = true
				}
			case "RIGHT":
				if t, ok := j.Left.(*ast.TableName); ok {
					optional[t] = true
				}
			}
		}
		return true
	})
	// Each use of a CTE: in which CTE ("" for the final query) and whether it is a lookup.
	type use struct {
		in       string
		optional bool
	}
	uses := map[string][]use{}
	var collect func(root ast.Node, scope string)
	collect = func(root ast.Node, scope string) {
		ast.Inspect(root, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.CTE:
				if x != root && x.Query != nil && x.Name != nil {
					collect(x.Query, strings.ToLower(x.Name.Name))
					return false
				}
			case *ast.TableName:
				if x.Name != nil && len(x.Name.Parts) == 1 {
					if name := strings.ToLower(x.Name.Parts[0].Name); ctes[name] {
						uses[name] = append(uses[name], use{in: scope, optional: optional[x]})
					}
				}
			}
			return true
		})
	}
	collect(f, "")
	out := map[string]string{}
	for changed := true; changed; {
		changed = false
		for name, us := range uses {
			if _, done := out[name]; done || len(us) == 0 {
				continue
			}
			joined := ""
			for _, u := range us {
				switch {
				case u.optional:
					joined = name
				case out[u.in] != "":
					if joined == "" {
						joined = out[u.in]
					}
				default:
					joined = "-"
				}
				if joined == "-" {
					break
				}
			}
			if joined != "" && joined != "-" {
				out[name] = joined
				changed = true
			}
		}
	}
	return out
}

// relationName is the name a joined relation is known by in the query, lower case.
func relationName(t ast.TableExpr) string { return strings.ToLower(ast.KnownAs(t)) }

// normalize collapses whitespace and lower-cases keywords and names, keeping quoted text (string
// literals, quoted identifiers) as written: 'Completed' and 'completed' are different filters.
func normalize(s string) string {
	var b strings.Builder
	var quote byte
	space := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if quote != 0 {
			b.WriteByte(c)
			if c == quote {
				if i+1 < len(s) && s[i+1] == quote {
					b.WriteByte(quote)
					i++
					continue
				}
				quote = 0
			}
			continue
		}
		switch c {
		case ' ', '\t', '\n', '\r':
			space = b.Len() > 0
			continue
		case '\'', '"', '`':
			quote = c
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b.WriteByte(c)
	}
	return b.String()
}

var (
	boolTrue  = lazyregexp.New(`(?i)([a-z_][a-z0-9_.]*) (?:= (?:true\b|'true')|is true\b|(?:<>|!=) (?:false\b|'false'))`)
	boolFalse = lazyregexp.New(`(?i)([a-z_][a-z0-9_.]*) (?:= (?:false\b|'false')|is false\b|(?:<>|!=) (?:true\b|'true'))`)
)

// relaxBooleans writes comparisons of a column to a boolean literal as the bare column (or its
// negation). Only a bare column can stand as a predicate where the SQL runs, so when one side
// of a change writes `x` and the other `x = 'TRUE'`, x is boolean and both filter the same rows.
func relaxBooleans(text string) string {
	text = boolTrue.ReplaceAllString(text, "$1")
	return boolFalse.ReplaceAllString(text, "not $1")
}

// GrainDiff compares the grain clauses of a base and a head query: the head's clauses that the
// base lacks (added or changed) and the base's that the head lacks, as multisets. A clause that
// only spells a boolean test differently (`x = 'TRUE'` on one side, `x` on the other) is the
// same clause. A lookup's clause is marked WholeJoin when the other side reads no relation of
// that name: the outer join itself came (or went), which is not a change of which rows match.
// A head clause that only decides which of the rows the change adds come (a new union
// branch's, newRows) is added and marked NewRows, paired with none of the base's: the same
// DISTINCT in an existing branch and in a new one are two clauses.
func GrainDiff(baseGrain, headGrain Grain) (added, removed []Clause) {
	fresh, newBranches, _ := newRows(baseGrain, headGrain)
	var kept, adds []Clause
	// Each new branch is said, even one with no clause of its own: it adds rows.
	for i, isNew := range newBranches {
		if b := headGrain.branches[i]; isNew {
			adds = append(adds, Clause{Text: b.reads(), Offset: b.start, NewRows: true, In: b.scope, Branch: true, branch: i, At: -1})
		}
	}
	for i, c := range headGrain.Clauses {
		if in, ok := fresh[i]; ok {
			c.NewRows, c.In = true, in
			adds = append(adds, c)
			continue
		}
		kept = append(kept, c)
	}
	// A branch of the base the head no longer has takes its rows away: one removed clause
	// says so, and the clauses that only decided which of those rows came go with it.
	gone, goneBranches, back := newRows(headGrain, baseGrain)
	var baseKept, drops []Clause
	for i, isGone := range goneBranches {
		if b := baseGrain.branches[i]; isGone {
			drops = append(drops, Clause{Text: b.reads(), Offset: b.start, In: b.scope, Branch: true, branch: i, At: headAt(baseGrain, headGrain, i, back)})
		}
	}
	for i, c := range baseGrain.Clauses {
		if _, ok := gone[i]; !ok {
			baseKept = append(baseKept, c)
		}
	}
	added, removed = diffClauses(baseKept, kept)
	removed = append(removed, drops...)
	for i := range added {
		added[i].WholeJoin = wholeJoin(added[i], baseGrain.reads)
	}
	for i := range removed {
		removed[i].WholeJoin = wholeJoin(removed[i], headGrain.reads)
	}
	return append(added, adds...), removed
}

// wholeJoin says c belongs to a lookup that a query reading the relations other does not
// join at all. An outer join's condition belongs to the relation on its optional side (a
// left join inside a lookup brings a relation of its own); a filter inside a lookup, to the
// lookup. A lookup the other side reads under the same alias or name is one whose join
// changed: which of its rows match may differ.
func wholeJoin(c Clause, other map[string]bool) bool {
	if c.Lookup == "" {
		return false
	}
	names := c.optional
	if len(names) == 0 {
		names = []string{c.Lookup}
	}
	for _, n := range names {
		if other[n] {
			return false
		}
	}
	return true
}

// diffClauses pairs the head's clauses with the base's and returns those left on each side.
// A clause pairs first with one of the same text in the same lookup, then with one of the same
// text anywhere: a new lookup whose GROUP BY reads as the model's own does not take the
// model's clause from it (which would report the model's as added).
func diffClauses(base, head []Clause) (added, removed []Clause) {
	used := make([]bool, len(base))
	unused := func(same func(b Clause) bool) int {
		for i, b := range base {
			if !used[i] && same(b) {
				return i
			}
		}
		return -1
	}
	pair := func(c Clause, same func(b Clause) bool) bool {
		i := unused(same)
		if i >= 0 {
			used[i] = true
		}
		return i >= 0
	}
	var rest []Clause
	paired := make([]bool, len(head))
	for i, c := range head {
		paired[i] = pair(c, func(b Clause) bool { return b.Text == c.Text && b.Lookup == c.Lookup })
	}
	for i, c := range head {
		if !paired[i] && !pair(c, func(b Clause) bool { return b.Text == c.Text }) {
			rest = append(rest, c)
		}
	}
	// Pair what is left by relaxed text, when one side wrote the bare form.
	for _, c := range rest {
		if c.relaxed != "" {
			if i := unused(func(b Clause) bool { return b.relaxed == c.relaxed }); i >= 0 {
				if old := base[i].Text; c.relaxed == c.Text || relaxBooleans(old) == old {
					used[i] = true
					continue
				}
			}
		}
		added = append(added, c)
	}
	// Then what only gained or lost the qualifiers of the one relation beside a join.
	rest, added = added, nil
	for _, c := range rest {
		if c.sole != nil || c.rels != nil {
			if pair(c, func(b Clause) bool { return besideJoin(b, c) }) {
				continue
			}
		}
		added = append(added, c)
	}
	// In the base's own order, as the added ones are in the head's: the branches of a union
	// pair one to one (text order would pair the 2nd with the 10th).
	for i, b := range base {
		if !used[i] {
			removed = append(removed, b)
		}
	}
	return added, removed
}

// clauseKind is the keyword a grain clause's text starts with (WHERE, GROUP BY, QUALIFY,
// HAVING, DISTINCT...), or "".
func clauseKind(text string) string {
	f := strings.Fields(text)
	switch {
	case len(f) == 0:
		return ""
	case len(f) > 1 && strings.EqualFold(f[1], "BY"):
		return strings.ToUpper(f[0] + " BY")
	}
	return strings.ToUpper(f[0])
}

// countSame says a reason repeated (one edit in each branch of a union a loop writes) once,
// with how many times it holds.
func countSame(reasons []string) []string {
	n := map[string]int{}
	for _, r := range reasons {
		n[r]++
	}
	var out []string
	for _, r := range reasons {
		switch c := n[r]; {
		case c == 1:
			out = append(out, r)
		case c > 1:
			out = append(out, fmt.Sprintf("%s (%d times)", r, c))
			n[r] = 0
		}
	}
	return out
}

// splitWhole takes out of cs the clauses of lookups joined on one side only (WholeJoin), and
// appends to reasons one for each such outer join (its own condition: a filter inside the
// lookup belongs to that join).
func splitWhole(cs []Clause, reasons []string, verb, why string) (rest []Clause, _ []string) {
	for _, c := range cs {
		if !c.WholeJoin {
			rest = append(rest, c)
			continue
		}
		if len(c.optional) > 0 {
			reasons = append(reasons, verb+c.optional[0]+" ("+clip(c.Text, 120)+"): "+why)
		}
	}
	return rest, reasons
}

// splitGone takes out of cs the union branches a change removes (Branch) and appends to
// reasons one for each: every row it brought is gone.
func splitGone(cs []Clause, reasons []string) (rest []Clause, _ []string) {
	for _, c := range cs {
		if !c.Branch {
			rest = append(rest, c)
			continue
		}
		t := c.Text
		if c.In != "" {
			t += " in " + c.In
		}
		reasons = append(reasons, "removes a union branch ("+t+"): the rows it brought are gone")
	}
	return rest, reasons
}

// splitNew takes out of cs the clauses of the rows a change adds (NewRows) and appends to
// reasons one that names them.
func splitNew(cs []Clause, reasons []string) (rest []Clause, _ []string) {
	var which []string
	for _, c := range cs {
		if !c.NewRows {
			rest = append(rest, c)
			continue
		}
		t := clip(c.Text, 120)
		if c.In != "" {
			t += " in " + c.In
		}
		which = append(which, t)
	}
	if len(which) > 0 {
		reasons = append(reasons, "adds rows in a new union branch ("+strings.Join(which, "; ")+"): the rows the model had are unchanged")
	}
	return rest, reasons
}

// sameJoin says a (added) and r (removed) are the condition of one outer join of a lookup,
// the same kind of join of the same relation under the same names, that the change edited.
func sameJoin(a, r Clause) bool {
	return a.Lookup != "" && a.Lookup == r.Lookup && len(a.optional) > 0 && slices.Equal(a.optional, r.optional) &&
		joinKind(a.Text) != "" && joinKind(a.Text) == joinKind(r.Text)
}

// joinKind is what a join clause's text starts with up to its condition ("LEFT JOIN ON",
// "LEFT JOIN USING"), or "" for another clause.
func joinKind(text string) string {
	i := strings.Index(text, " JOIN ")
	if i < 0 {
		return ""
	}
	rest := text[i+len(" JOIN "):]
	for _, k := range []string{"ON", "USING"} {
		if strings.HasPrefix(rest, k+" ") {
			return text[:i] + " JOIN " + k
		}
	}
	return ""
}

// countKind counts the clauses of cs of the same kind as text.
func countKind(cs []Clause, text string) int {
	n := 0
	for _, c := range cs {
		if c.Lookup == "" && clauseKind(c.Text) == clauseKind(text) {
			n++
		}
	}
	return n
}

// Classify decides a changed model's classification from its column changes, their
// downstream readers and its grain diff, and returns the reasons in words. A change confined to
// lookups (what an outer join matches) keeps the model's rows: it is partial, since only the
// columns taken from the lookup may change. A lookup joined on one side only (WholeJoin) is a
// join added or dropped, not changed: it brings or takes columns, which the column changes
// say, and the model's rows stay, so alone it is no reason to be partial. Nor is a clause of a
// new union branch (NewRows): it decides which added rows come, the existing ones stay.
func Classify(m *change.ModelChange, grainAdded, grainRemoved []Clause) (string, []string) {
	var reasons []string
	class := NonBreaking
	var whole []string
	grainAdded, whole = splitNew(grainAdded, whole)
	n := len(grainRemoved)
	grainRemoved, whole = splitGone(grainRemoved, whole)
	if len(grainRemoved) < n {
		class = Breaking
	}
	grainAdded, whole = splitWhole(grainAdded, whole, "adds lookup ", "the model keeps its rows, one each while the lookup's key is unique")
	grainRemoved, whole = splitWhole(grainRemoved, whole, "drops lookup ", "the model keeps its rows")
	reasons = append(reasons, whole...)
	// A clause edited in place (one WHERE for another) is one change, said once; as many
	// clauses of a kind edited as there were (each branch of a union) pair in order.
	was := map[int]string{}
	paired := map[int]bool{}
	for i, a := range grainAdded {
		for j, r := range grainRemoved {
			if a.Lookup == "" && r.Lookup == "" && !paired[j] && clauseKind(a.Text) != "" && clauseKind(a.Text) == clauseKind(r.Text) &&
				countKind(grainAdded, a.Text) == countKind(grainRemoved, r.Text) || sameJoin(a, r) && !paired[j] {
				was[i], paired[j] = r.Text, true
				break
			}
		}
	}
	for i, c := range grainAdded {
		if c.Lookup != "" {
			if old, ok := was[i]; ok {
				// One join whose condition changed is one change: old and new side by side,
				// not a condition that came and one that went.
				reasons = append(reasons, "join of lookup "+c.optional[0]+" changed: "+clip(old, 120)+" → "+clip(strings.TrimPrefix(c.Text, joinKind(c.Text)+" "), 120))
				continue
			}
			reasons = append(reasons, "lookup "+c.Lookup+" matches other rows: "+clip(c.Text, 120))
			continue
		}
		class = Breaking
		if old, ok := was[i]; ok {
			reasons = append(reasons, "grain or filter changed: "+clip(c.Text, 120)+" (was "+clip(old, 120)+")")
			continue
		}
		reasons = append(reasons, "grain or filter added: "+clip(c.Text, 120))
	}
	for j, c := range grainRemoved {
		if paired[j] {
			continue
		}
		if c.Lookup != "" {
			reasons = append(reasons, "lookup "+c.Lookup+" changed: "+clip(c.Text, 120)+" is gone")
			continue
		}
		class = Breaking
		reasons = append(reasons, "grain or filter removed: "+clip(c.Text, 120))
	}
	if class == NonBreaking && len(grainAdded)+len(grainRemoved) > 0 {
		class = Partial
	}
	reasons = countSame(reasons)
	if m.Change == change.Removed && len(m.Impact) > 0 {
		class = Breaking
		reasons = append(reasons, fmt.Sprintf("removed, but %s still depend on it", names(m.Impact)))
	}
	if len(m.ColImpact) > 0 {
		if class == NonBreaking {
			class = Partial
		}
		by := map[string][]string{}
		var cols []string
		for _, ci := range m.ColImpact {
			if _, ok := by[ci.Column]; !ok {
				cols = append(cols, ci.Column)
			}
			by[ci.Column] = append(by[ci.Column], shortName(ci.Node)+"."+ci.NodeColumn)
		}
		for _, c := range cols {
			reasons = append(reasons, fmt.Sprintf("column %s (%s) is read by %s", c, columnChangeKind(m, c), nameList(by[c], inlineNames)))
		}
	}
	reasons = append(reasons, configReasons(m)...)
	if m.Off {
		// Nothing enabled reads it and dbt builds none of it here: no impact to weigh.
		reasons = append(reasons, "switched off by configuration: built only where it is enabled")
	}
	if class == NonBreaking {
		switch {
		case m.Change == change.Added:
			reasons = append(reasons, "new model")
		case m.Off:
		case len(m.Impact) == 0:
			reasons = append(reasons, "nothing downstream")
		default:
			reasons = append(reasons, "no downstream column reads a removed, renamed or retyped column")
		}
	}
	return class, reasons
}

func columnChangeKind(m *change.ModelChange, col string) string {
	for _, c := range m.Columns {
		if strings.EqualFold(c.Name, col) || strings.EqualFold(c.From, col) {
			return string(c.Change)
		}
	}
	return "changed"
}

// names lists nodes by their short names for a sentence, capped (nameList).
func names(ids []string) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = shortName(id)
	}
	return nameList(out, inlineNames)
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// configWhy says, for the config keys whose change a reviewer must see, what the change does
// beyond the SQL: how the model is built, where its relation lives, what it promises.
var configWhy = map[string]string{
	"materialized":         "how it is built",
	"alias":                "its relation is renamed: queries outside dbt that name it break",
	"schema":               "its relation moves: queries outside dbt that name it break",
	"database":             "its relation moves: queries outside dbt that name it break",
	"enabled":              "",
	"contract.enforced":    "",
	"access":               "who may ref it",
	"unique_key":           "what an incremental run merges on",
	"incremental_strategy": "",
	"on_schema_change":     "",
	"full_refresh":         "",
}

// configReasons lists the changes of the keys in configWhy, in key order. A renamed model's
// relation is renamed with it unless an alias keeps the old name: that moves it as much as an
// alias change does, and is said first, in place of the alias's own line.
func configReasons(m *change.ModelChange) []string {
	if m.Change != change.Modified && m.Change != change.Renamed {
		return nil
	}
	var out []string
	if r := m.Relation; r != nil && m.Change == change.Renamed {
		out = append(out, "relation renamed: "+r.From+" → "+r.To+" (queries outside dbt that name it break; the old relation is left in the warehouse)")
	}
	for _, c := range m.Config {
		why, ok := configWhy[c.Key]
		if !ok || c.Key == "alias" && m.Change == change.Renamed && m.Relation != nil {
			continue
		}
		r := "config " + c.Key + ": " + configValue(c.From) + " → " + configValue(c.To)
		if why != "" {
			r += " (" + why + ")"
		}
		out = append(out, r)
	}
	return out
}

func configValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "unset"
	case string:
		if x == "" {
			return "unset"
		}
		return x
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = configValue(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return fmt.Sprint(v)
}

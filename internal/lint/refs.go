package lint

import (
	"strings"

	"github.com/dataops-dev/dataops/internal/sql/token"
)

// Ref is a column or object reference: one or more names joined by dots.
type Ref struct {
	Parts []int // token indices of the names
	Star  bool  // ends in .*
}

// Qualified reports whether the reference has a qualifier (t.col).
func (r Ref) Qualified() bool { return len(r.Parts) > 1 || r.Star }

// First is the first name token.
func (r Ref) First() int { return r.Parts[0] }

// Last is the last name token.
func (r Ref) Last() int { return r.Parts[len(r.Parts)-1] }

// NameOf returns the text of a name token, without quotes, and whether it was quoted.
func (d *Doc) NameOf(i int) (string, bool) {
	t := &d.Toks[i]
	if t.Kind == token.QuotedIdent && len(t.Text) >= 2 {
		return t.Text[1 : len(t.Text)-1], true
	}
	return t.Text, false
}

// SameName compares two names the way the warehouse would: unquoted names without case.
func (d *Doc) SameName(i, j int) bool {
	a, qa := d.NameOf(i)
	b, qb := d.NameOf(j)
	if qa || qb {
		return a == b || (!qa || !qb) && strings.EqualFold(a, b)
	}
	return strings.EqualFold(a, b)
}

func isName(t *Tok) bool {
	return (t.Kind == token.Ident && (t.Role == RoleIdentifier)) || t.Kind == token.QuotedIdent
}

// OwnRanges returns the token ranges of a select that belong to it, leaving out nested
// subqueries (brackets holding SELECT or WITH).
func (d *Doc) OwnRanges(start, end int) [][2]int {
	var out [][2]int
	cur := start
	for i := start; i <= end && i < len(d.Toks); i++ {
		t := &d.Toks[i]
		if t.Kind == token.LParen && t.Match > i {
			n := t.Next
			if d.IsKw(n, "SELECT") || d.IsKw(n, "WITH") {
				if i > cur {
					out = append(out, [2]int{cur, i})
				}
				i = t.Match
				cur = i
			}
		}
	}
	if cur <= end {
		out = append(out, [2]int{cur, end})
	}
	return out
}

// inStarModifier reports whether token i is inside a star's EXCLUDE, RENAME or REPLACE list.
func (d *Doc) inStarModifier(i int) bool {
	for _, r := range d.starMods {
		if i > r[0] && i < r[1] {
			return true
		}
	}
	return false
}

// RefsIn lists column references among tokens [start, end] (inclusive), skipping nested
// subqueries, function names, aliases, data types, named-argument names and semi-structured
// path steps, and the columns a star's EXCLUDE, RENAME or REPLACE names.

func (d *Doc) RefsIn(start, end int, skip map[int]bool) []Ref {
	var out []Ref
	for _, r := range d.OwnRanges(start, end) {
		for i := r[0]; i <= r[1] && i < len(d.Toks); i++ {
			t := &d.Toks[i]
			if !isName(t) || skip[i] || d.inStarModifier(i) {
				continue
			}
			// Only the start of a chain.
			if p := t.Prev; p >= 0 && d.Toks[p].Kind == token.Dot {
				continue
			}
			if p := t.Prev; p >= 0 && (d.Toks[p].Kind == token.Colon || d.Is(p, "AS") && d.Toks[p].Role == RoleKeyword) {
				continue
			}
			ref := Ref{Parts: []int{i}}
			j := i
			for {
				n := d.Toks[j].Next
				if n < len(d.Toks) && d.Toks[n].Kind == token.Dot {
					m := d.Toks[n].Next
					if m < len(d.Toks) && (isName(&d.Toks[m]) || d.Toks[m].Kind == token.Ident) {
						ref.Parts = append(ref.Parts, m)
						j = m
						continue
					}
					if m < len(d.Toks) && d.Toks[m].Kind == token.Operator && d.Toks[m].Text == "*" {
						ref.Star = true
						j = m
					}
				}
				break
			}
			n := d.Toks[j].Next
			if n < len(d.Toks) && (d.Toks[n].Kind == token.LParen || (d.Toks[n].Kind == token.Operator && (d.Toks[n].Text == "=>" || d.Toks[n].Text == "->"))) {
				i = j
				continue // a function call, a named argument or a lambda parameter
			}
			out = append(out, ref)
			i = j
		}
	}
	return out
}

// AliasSet returns the tokens of a select that name aliases (its targets' and its tables'),
// for RefsIn to skip.
func (s *Select) AliasSet() map[int]bool {
	m := map[int]bool{}
	for _, t := range s.Targets {
		if t.Alias >= 0 {
			m[t.Alias] = true
		}
	}
	for _, it := range s.Tables {
		if it.Alias >= 0 {
			m[it.Alias] = true
		}
	}
	return m
}

// ColumnRefs lists the column references of a select the way SQLFluff gathers them: in the
// select list, WHERE, GROUP BY, HAVING, ORDER BY, QUALIFY and join conditions, not in nested
// subqueries.
func (d *Doc) ColumnRefs(s *Select) []Ref {
	skip := s.AliasSet()
	var out []Ref
	if len(s.Targets) > 0 {
		out = append(out, d.RefsIn(s.Targets[0].Start, s.TargetsEnd(), skip)...)
	}
	for _, c := range s.Clauses {
		switch c.Kind {
		case "WHERE", "GROUP BY", "HAVING", "ORDER BY", "QUALIFY":
			if c.Start <= c.End {
				out = append(out, d.RefsIn(c.Start, c.End, skip)...)
			}
		}
	}
	for _, it := range s.Tables {
		if it.On >= 0 && it.CondEnd > it.On {
			out = append(out, d.RefsIn(d.Toks[it.On].Next, it.CondEnd, skip)...)
		}
	}
	return out
}

// TableName returns the text of a FROM item's table expression when it is a plain name.
func (d *Doc) TableName(it *TableItem) (string, bool) {
	for i := it.Expr[0]; i <= it.Expr[1]; i++ {
		t := &d.Toks[i]
		if t.Kind.Trivia() {
			continue
		}
		if t.Kind != token.Dot && !isName(t) && t.Kind != token.Ident && t.Kind != token.Template {
			return "", false
		}
	}
	return d.Text(it.Expr[0], it.Expr[1]), true
}

// RefName is the name a FROM item is referred to by: its alias, or the last part of its
// table name.
func (d *Doc) RefName(it *TableItem) (int, bool) {
	if it.Alias >= 0 {
		return it.Alias, true
	}
	if _, ok := d.TableName(it); ok {
		return it.Expr[1], true
	}
	return -1, false
}

// ValueTable reports whether a FROM item calls a value table function, whose alias names a
// value rather than a table: UNNEST in BigQuery, UNNEST and GENERATE_SERIES in Postgres and
// the dialects SQLFluff derives from it (Redshift, Materialize...). SQLFluff counts such an
// item neither among the select's tables nor as an unused alias, and takes its alias for a
// name that needs no qualifier.
func (d *Doc) ValueTable(it *TableItem) bool {
	name := d.syntax.Name
	for i := it.Expr[0]; i <= it.Expr[1]; i++ {
		t := &d.Toks[i]
		if t.Role != RoleFunction {
			continue
		}
		switch t.Up {
		case "UNNEST":
			return name == "bigquery" || name == "postgres" || name == "redshift"
		case "GENERATE_SERIES":
			return name == "postgres" || name == "redshift"
		}
	}
	return false
}

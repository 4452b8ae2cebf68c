package warehouse

import (
	"strings"
	"unicode"
)

// Dialect is how a warehouse's SQL spells names and values. Every name or value dataops puts
// into SQL it writes goes through it: whatever a name holds (quotes, semicolons, newlines), it
// stays one identifier, and a value stays one literal.
type Dialect struct {
	// CaseInsensitive: names match whatever their case, quoted or not (DuckDB). Otherwise an
	// unquoted name is folded to lower case and a quoted one matches exactly (PostgreSQL).
	CaseInsensitive bool
}

// DuckDB and PostgreSQL are the dialects of the two warehouses.
var (
	DuckDB     = Dialect{CaseInsensitive: true}
	PostgreSQL = Dialect{}
)

// Ident quotes an identifier exactly as written: double quotes, each inner one doubled.
func (Dialect) Ident(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// Literal writes a string literal: single quotes, each inner one doubled. A backslash is an
// ordinary character in both warehouses (the PostgreSQL driver keeps
// standard_conforming_strings on, so no escape syntax applies).
func (Dialect) Literal(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// Name writes a column or relation name taken from SQL or a property file so it means what
// the project meant by it: a plain identifier means what it means unquoted (folded to lower case
// on PostgreSQL), a name already written as one quoted identifier is kept, and anything else is
// quoted as written.
func (d Dialect) Name(s string) string {
	switch {
	case QuotedIdent(s):
		return s
	case PlainIdent(s) && !d.CaseInsensitive:
		// PostgreSQL folds only ASCII letters of an unquoted name.
		return d.Ident(strings.Map(func(r rune) rune {
			if 'A' <= r && r <= 'Z' {
				return r + 'a' - 'A'
			}
			return r
		}, s))
	}
	return d.Ident(s)
}

// PlainIdent says whether a name needs no quotes: a letter or underscore, then letters,
// digits, underscores or dollar signs.
func PlainIdent(s string) bool {
	for i, r := range s {
		switch {
		case r == '_' || unicode.IsLetter(r):
		case i > 0 && (r == '$' || unicode.IsDigit(r)):
		default:
			return false
		}
	}
	return s != ""
}

// QuotedIdent says whether s is exactly one double-quoted identifier, inner quotes doubled.
func QuotedIdent(s string) bool {
	if len(s) < 3 || s[0] != '"' || s[len(s)-1] != '"' {
		return false
	}
	inner := s[1 : len(s)-1]
	return !strings.Contains(strings.ReplaceAll(inner, `""`, ""), `"`)
}

// Relation renders a relation, each part quoted as written.
func (d Dialect) Relation(r Relation) string {
	var b strings.Builder
	if r.Database != "" {
		b.WriteString(d.Ident(r.Database))
		b.WriteByte('.')
	}
	if r.Schema != "" {
		b.WriteString(d.Ident(r.Schema))
		b.WriteByte('.')
	}
	b.WriteString(d.Ident(r.Name))
	return b.String()
}

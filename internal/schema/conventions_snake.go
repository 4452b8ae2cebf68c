package schema

import (
	"fmt"
	"strings"
	"unicode"
)

// checkSnakeCase: column names in lower snake_case (leading underscores allowed, as loaders
// write `_loaded_at`), so they need no quoting on any warehouse.
func checkSnakeCase(c *Conventions, m *ModelFacts, out *[]Finding) {
	if !c.SnakeCase {
		return
	}
	for i := range m.Columns {
		col := &m.Columns[i]
		if col.Name == "" || isSnake(col.Name) {
			continue
		}
		s := toSnake(col.Name)
		*out = append(*out, m.columnFinding(col, fmt.Sprintf("column %q is not snake_case", col.Name), s))
	}
}

func isSnake(s string) bool {
	i := 0
	for i < len(s) && s[i] == '_' {
		i++
	}
	if i == len(s) || !(s[i] >= 'a' && s[i] <= 'z') {
		return false
	}
	for ; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return !strings.HasSuffix(s, "_")
}

// toSnake splits camelCase and PascalCase words (keeping acronyms together: `HTTPStatus` →
// `http_status`) and turns any other separator into one underscore.
func toSnake(s string) string {
	rs := []rune(s)
	var b strings.Builder
	lead := 0
	for lead < len(rs) && rs[lead] == '_' {
		b.WriteByte('_')
		lead++
	}
	prevUnderscore := true
	for i := lead; i < len(rs); i++ {
		r := rs[i]
		switch {
		case unicode.IsUpper(r):
			lowerBefore := i > lead && (unicode.IsLower(rs[i-1]) || unicode.IsDigit(rs[i-1]))
			acronymEnd := i > lead && unicode.IsUpper(rs[i-1]) && i+1 < len(rs) && unicode.IsLower(rs[i+1])
			if (lowerBefore || acronymEnd) && !prevUnderscore {
				b.WriteByte('_')
			}
			b.WriteRune(unicode.ToLower(r))
			prevUnderscore = false
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
			prevUnderscore = false
		default:
			if !prevUnderscore {
				b.WriteByte('_')
				prevUnderscore = true
			}
		}
	}
	return strings.TrimRight(b.String(), "_")
}

package testgen

import (
	"strings"

	"github.com/dataops-dev/dataops/internal/dbt"
	sqldialect "github.com/dataops-dev/dataops/internal/sql/dialect"
	"github.com/dataops-dev/dataops/internal/sql/lexer"
	"github.com/dataops-dev/dataops/internal/sql/token"
)

// Engineers mark a model's key in its SQL as often as in its property file: a comment on the
// select item (`cb_marq, -- Sage's technical id (PK)`) or a header over it (`-- Primary key`
// above `"PatNum" as patient_id,`). Such a comment names the column the team means the key
// to be even when its name does not say so, and where the SQL's grain is another column.

// commentKeys returns the columns (lower case) a line comment of sql calls the primary key:
// the item the comment ends, or, for a comment alone on its line, the item on the next line
// with code. A comment that speaks of another table's key, a foreign or composite key, is
// not read (elsewhereKey). The dialect's lexer finds the comments (`--`, `#`, `//`), so text
// inside strings and quoted names is never one.
func commentKeys(sql string, d sqldialect.Dialect) map[string]bool {
	if !ownPrimaryKey.MatchString(sql) {
		// Most models name no key in words: the regexp over the text costs less than lexing
		// it a second time (the parse that reads the rest of the signals lexes it once).
		return nil
	}
	type line struct {
		code    []token.Token
		comment string
	}
	var lines []line
	var cur line
	for _, t := range lexer.Lex(sql, d) {
		switch {
		case t.Kind == token.Newline || t.Kind == token.BlockComment && strings.Contains(t.Text, "\n"):
			lines = append(lines, cur)
			cur = line{}
		case t.Kind == token.LineComment:
			cur.comment = t.Text
		case !t.Kind.Trivia() && t.Kind != token.EOF:
			cur.code = append(cur.code, t)
		}
	}
	lines = append(lines, cur)
	var out map[string]bool
	for i, l := range lines {
		if l.comment == "" || !ownPrimaryKey.MatchString(l.comment) || elsewhereKey.MatchString(l.comment) {
			continue
		}
		code := l.code
		for j := i + 1; len(code) == 0 && j < len(lines); j++ {
			code = lines[j].code
		}
		if name := itemName(code); name != "" {
			if out == nil {
				out = map[string]bool{}
			}
			out[name] = true
		}
	}
	return out
}

// itemName is the output name of a select item written on one line (`x as name,`, `t.name,`,
// `"Name"`, `f(a, b) as name`), lower case, or "" when the line holds something else: an
// unbalanced parenthesis (an expression split over lines), two items, a clause.
func itemName(toks []token.Token) string {
	if len(toks) > 0 && toks[0].Kind == token.Ident && strings.EqualFold(toks[0].Text, "select") {
		toks = toks[1:]
	}
	if len(toks) > 0 && toks[0].Kind == token.Comma {
		toks = toks[1:] // leading-comma style
	}
	if n := len(toks); n > 0 && toks[n-1].Kind == token.Comma {
		toks = toks[:n-1]
	}
	depth := 0
	for _, t := range toks {
		switch t.Kind {
		case token.LParen:
			depth++
		case token.RParen:
			depth--
		case token.Comma:
			if depth == 0 {
				return ""
			}
		}
		if depth < 0 {
			return ""
		}
	}
	n := len(toks)
	if n == 0 || depth != 0 || toks[n-1].Kind != token.Ident && toks[n-1].Kind != token.QuotedIdent {
		return ""
	}
	// The name stands after AS, ends a (qualified) column reference, or is an implicit alias
	// after one.
	named := n >= 2 && toks[n-2].Kind == token.Ident && strings.EqualFold(toks[n-2].Text, "as") ||
		columnRef(toks) || columnRef(toks[:n-1])
	if !named {
		return ""
	}
	return dbt.ColumnKey(toks[n-1].Text)
}

// columnRef reports whether toks are name(.name)*.
func columnRef(toks []token.Token) bool {
	if len(toks)%2 == 0 {
		return false
	}
	for i, t := range toks {
		if i%2 == 1 && t.Kind != token.Dot || i%2 == 0 && t.Kind != token.Ident && t.Kind != token.QuotedIdent {
			return false
		}
	}
	return true
}

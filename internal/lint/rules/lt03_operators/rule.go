// Package lt03_operators implements LT03 (layout.operators): binary and comparison operators
// next to a line break sit where line_position says (leading by default: at the start of
// the next line, not the end of the previous one).
package lt03_operators

import (
	"github.com/dataops-dev/dataops/internal/lint"
	"github.com/dataops-dev/dataops/internal/sql/token"
)

// Rule is LT03.
var Rule lint.Rule = rule{}

type rule struct{}

var meta = &lint.Meta{
	Code: "LT03", Name: "layout.operators", Description: "Operators should follow a standard for being before/after newlines.",
	Groups: []string{"layout"}, Aliases: []string{"L007"}, Fixable: false, Layout: true,
}

func (rule) Meta() *lint.Meta { return meta }

var operators = map[string]bool{
	"+": true, "-": true, "*": true, "/": true, "%": true, "||": true, "=": true, "==": true,
	"<>": true, "!=": true, "<": true, "<=": true, ">": true, ">=": true, "&": true, "|": true,
	"^": true, "<<": true, ">>": true,
}

func (rule) Check(c *lint.Context) {
	d := c.Doc
	pos, _ := c.Config.Get("layout:type:binary_operator", "line_position")
	if pos == "" {
		pos = "leading"
	}
	for i := range d.Toks {
		t := &d.Toks[i]
		isOp := t.Kind == token.Operator && operators[t.Text] && !unaryOrStar(d, i)
		isWordOp := t.Kind == token.Ident && t.Role == lint.RoleKeyword && (t.Up == "AND" || t.Up == "OR") && !betweenAnd(d, i)
		if !isOp && !isWordOp {
			continue
		}
		before := newlineBetween(d, t.Prev, i)
		after := newlineBetween(d, i, t.Next)
		if before && after {
			continue // alone on its line
		}
		switch {
		case pos == "leading" && after && !before:
			c.Report(i, "Found trailing binary operator. Expected only leading near line breaks.")
		case pos == "trailing" && before && !after:
			c.Report(i, "Found leading binary operator. Expected only trailing near line breaks.")
		}
	}
}

func newlineBetween(d *lint.Doc, a, b int) bool {
	if a < 0 {
		return false
	}
	for j := a + 1; j < b && j < len(d.Toks); j++ {
		if d.Toks[j].Kind == token.Newline {
			return true
		}
	}
	return false
}

func betweenAnd(d *lint.Doc, i int) bool {
	// BETWEEN x AND y: the AND is part of BETWEEN.
	depth := d.Toks[i].Depth
	for j := d.Toks[i].Prev; j >= 0; j = d.Toks[j].Prev {
		t := &d.Toks[j]
		if t.Depth < depth {
			return false
		}
		if t.Depth > depth {
			continue
		}
		if t.Kind == token.Ident && t.Role == lint.RoleKeyword {
			switch t.Up {
			case "BETWEEN":
				return true
			case "AND", "OR", "WHEN", "THEN", "ELSE", "WHERE", "ON", "HAVING", "SELECT", "CASE", "QUALIFY":
				return false
			}
		}
		if t.Kind == token.Comma {
			return false
		}
	}
	return false
}

func unaryOrStar(d *lint.Doc, i int) bool {
	t := &d.Toks[i]
	p := t.Prev
	if p < 0 {
		return true
	}
	pt := &d.Toks[p]
	if t.Text == "-" || t.Text == "+" || t.Text == "*" {
		switch pt.Kind {
		case token.Operator, token.LParen, token.LBracket, token.Comma, token.Dot:
			return true
		case token.Ident:
			return pt.Role == lint.RoleKeyword && pt.Up != "END"
		}
	}
	return false
}

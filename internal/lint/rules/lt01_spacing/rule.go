// Package lt01_spacing implements LT01 (layout.spacing): spacing between elements on a line.
// Whitespace is a single space except where SQL reads better touching (inside brackets,
// before commas, around `::` and `.`); commas, binary operators, quoted literals and
// clause keywords before a bracket need one; no line ends in whitespace. Comments may be
// spaced freely, and indentation belongs to LT02. With `spacing_before = align` for
// alias_expression, the aliases of a select clause start at one column instead.
package lt01_spacing

import (
	"strings"

	"github.com/dataops-dev/dataops/internal/jinja"
	"github.com/dataops-dev/dataops/internal/lint"
	"github.com/dataops-dev/dataops/internal/sql/token"
)

// Rule is LT01.
var Rule lint.Rule = rule{}

type rule struct{}

var meta = &lint.Meta{
	Code: "LT01", Name: "layout.spacing", Description: "Inappropriate Spacing.",
	Groups: []string{"core", "layout"}, Fixable: true, Layout: true,
	Aliases: []string{"L001", "L005", "L006", "L008", "L023", "L024", "L039", "L048", "L071"},
}

func (rule) Meta() *lint.Meta { return meta }

// keywordsBeforeBracket need a space before an opening bracket: `FROM (`, `JOIN (`, `AS (`.
var keywordsBeforeBracket = map[string]bool{
	"AS": true, "WHEN": true, "THEN": true, "ELSE": true, "FROM": true, "JOIN": true, "ON": true,
	"USING": true, "WHERE": true,
}

var binaryOps = map[string]bool{
	"+": true, "-": true, "*": true, "/": true, "%": true, "||": true, "=": true, "==": true,
	"<>": true, "!=": true, "<": true, "<=": true, ">": true, ">=": true, "&": true, "|": true,
	"^": true, "<<": true, ">>": true,
}

func (rule) Check(c *lint.Context) {
	d := c.Doc
	toks := d.Toks
	aligned := alignedAliases(c)
	for i := range toks {
		t := &toks[i]
		if t.Kind != token.Whitespace || aligned[i] {
			continue
		}
		// Trailing whitespace.
		if n := i + 1; n < len(toks) && (toks[n].Kind == token.Newline || toks[n].Kind == token.EOF) {
			switch kind, block := lineEnd(c, t); kind {
			case endTrailing:
				c.Report(i, "Unnecessary trailing whitespace.", c.Replace(i, ""))
			case endBlock:
				if t.Text != " " {
					// Whitespace written in one run is flagged where it starts; pieces joined
					// across an empty tag, at the placeholder (as SQLFluff places them).
					msg := "Expected only single space before placeholder. Found '" + t.Text + "'."
					if off, lit := c.ToSource(int(t.Pos)); lit && strings.HasPrefix(c.Source[off:], t.Text) {
						c.Report(i, msg)
					} else {
						c.ReportSource(block, block, msg)
					}
				}
			}
			continue
		}
		// Indentation is LT02's.
		if i == 0 || toks[i-1].Kind == token.Newline {
			continue
		}
		a, b := i-1, i+1
		if b >= len(toks) || !d.Code(a) || !d.Code(b) {
			continue // next to a comment: any spacing
		}
		want := spacing(d, a, b)
		switch {
		case want == "touch":
			c.Report(i, "Unexpected whitespace before "+describe(d, b)+".", c.Replace(i, ""))
		case want == "single" && t.Text != " ":
			c.Report(i, "Expected only single space before "+describe(d, b)+". Found '"+t.Text+"'.", c.Replace(i, " "))
		}
	}
	glued := checkStrippedTags(c)
	checkCTEBrackets(c)
	// Missing whitespace between adjacent tokens.
	for a := range toks {
		b := a + 1
		if b >= len(toks) || !d.Code(a) || !d.Code(b) {
			continue
		}
		if s, lit := c.ToSource(int(toks[b].Pos)); lit && glued[s] {
			// a tag that rendered to nothing stands between: reported above as the placeholder's
			continue
		}
		if needsSpace(d, a, b) {
			at := int(toks[b].Pos)
			c.ReportRange(at, at, "Expected single whitespace between "+describe(d, a)+" and "+describe(d, b)+".",
				lint.Edit{Start: at, End: at, Text: " "})
		}
	}
}

// checkCTEBrackets flags a CTE whose body bracket starts a line of its own (`with x as\n(`):
// AS and the bracket take one space between them. As SQLFluff's respacing does, every
// newline between them is stripped and reported, and the whitespace that is left must be one
// space: the indentation of the bracket's line is what remains of it, so `as\n  (` is also
// told it has two spaces, and a second run of whitespace is a duplicate.
func checkCTEBrackets(c *lint.Context) {
	d := c.Doc
	for _, w := range d.Withs {
		for _, cte := range w.CTEs {
			if cte.As < 0 || cte.Open <= cte.As || d.Toks[cte.As].Templated || d.Toks[cte.Open].Templated {
				continue
			}
			var newlines, spaces []int
			for j := cte.As + 1; j < cte.Open; j++ {
				switch d.Toks[j].Kind {
				case token.Newline:
					newlines = append(newlines, j)
				case token.Whitespace:
					spaces = append(spaces, j)
				default:
					newlines = nil
					j = cte.Open // a comment between: any layout
				}
			}
			if len(newlines) == 0 {
				continue
			}
			// The first report's edit writes the whole gap as one space; the others ride on it.
			for k, n := range newlines {
				at := int(d.Toks[n].Pos)
				if k == 0 {
					c.ReportRange(at, at, "Stripping newlines.", lint.Edit{Start: int(d.Toks[cte.As].End), End: int(d.Toks[cte.Open].Pos), Text: " "})
				} else {
					c.ReportRange(at, at, "Stripping newlines.")
				}
			}
			switch {
			case len(spaces) == 0:
				c.Report(cte.Open, "Expected single whitespace between 'as' keyword and start bracket '('.")
			case d.Toks[spaces[0]].Text != " ":
				c.Report(spaces[0], "Expected only single space before start bracket '('. Found '"+d.Toks[spaces[0]].Text+"'.")
			}
			if len(spaces) >= 2 {
				c.Report(spaces[len(spaces)-1], "Removing duplicate whitespace.")
			}
		}
	}
}

func isKind(d *lint.Doc, i int, k token.Kind) bool {
	return i >= 0 && i < len(d.Toks) && d.Toks[i].Kind == k
}

func isOp(d *lint.Doc, i int, text string) bool {
	return i >= 0 && i < len(d.Toks) && d.Toks[i].Kind == token.Operator && d.Toks[i].Text == text
}

// spacing is the whitespace wanted between two tokens on one line: "touch", "single" or "any".
func spacing(d *lint.Doc, a, b int) string {
	ta, tb := &d.Toks[a], &d.Toks[b]
	if ta.Kind == token.Template || tb.Kind == token.Template {
		return "any"
	}
	switch tb.Kind {
	case token.Comma, token.RParen, token.RBracket, token.Semicolon, token.DoubleColon, token.Dot:
		return "touch"
	}
	switch ta.Kind {
	case token.LParen, token.LBracket, token.DoubleColon, token.Dot:
		return "touch"
	}
	if ta.Kind == token.Colon || tb.Kind == token.Colon {
		return "any"
	}
	if ta.Kind == token.Operator && isUnary(d, a) {
		return "any"
	}
	return "single"
}

// needsSpace reports whether two touching tokens must be separated.
func needsSpace(d *lint.Doc, a, b int) bool {
	ta, tb := &d.Toks[a], &d.Toks[b]
	if ta.Kind == token.Template || tb.Kind == token.Template {
		return false
	}
	// After a comma, unless a closing bracket follows.
	if ta.Kind == token.Comma {
		return tb.Kind != token.RParen && tb.Kind != token.RBracket
	}
	// Clause keywords before a bracket.
	if tb.Kind == token.LParen && ta.Kind == token.Ident && ta.Role == lint.RoleKeyword && keywordsBeforeBracket[ta.Up] {
		return true
	}
	// After a closing bracket, before anything that does not touch.
	if ta.Kind == token.RParen {
		switch tb.Kind {
		case token.RParen, token.RBracket, token.Comma, token.Semicolon, token.DoubleColon, token.Dot, token.LBracket, token.LParen:
			return false
		case token.Operator:
			// `)+x` is the operator's business below.
		default:
			return true
		}
	}
	// Binary operators on both sides (brackets may touch them).
	if tb.Kind == token.Operator && binaryOps[tb.Text] && !isUnary(d, b) && !isWildcard(d, b) {
		return ta.Kind != token.LParen && ta.Kind != token.LBracket && ta.Kind != token.RParen
	}
	if ta.Kind == token.Operator && binaryOps[ta.Text] && !isUnary(d, a) && !isWildcard(d, a) {
		return tb.Kind != token.LParen && tb.Kind != token.RParen
	}
	// Quoted literals.
	if tb.Kind == token.String {
		return ta.Kind != token.LParen && ta.Kind != token.LBracket && ta.Kind != token.Comma && ta.Kind != token.DoubleColon && ta.Kind != token.Dot && ta.Kind != token.Colon && !(ta.Kind == token.Ident && isStringPrefix(ta.Text))
	}
	if ta.Kind == token.String {
		switch tb.Kind {
		case token.RParen, token.RBracket, token.Comma, token.Semicolon, token.DoubleColon, token.Dot, token.LBracket, token.Colon:
			return false
		}
		return true
	}
	return false
}

func isStringPrefix(s string) bool {
	switch len(s) {
	case 1, 2:
		return true // E'..', N'..', r'..', b'..', rb'..'
	}
	return false
}

// isUnary reports whether the operator at i is a sign rather than a binary operator.
func isUnary(d *lint.Doc, i int) bool {
	t := &d.Toks[i]
	if t.Text != "-" && t.Text != "+" && t.Text != "~" {
		return false
	}
	p := t.Prev
	if p < 0 {
		return true
	}
	pt := &d.Toks[p]
	switch pt.Kind {
	case token.Operator, token.LParen, token.LBracket, token.Comma, token.DoubleColon:
		return true
	case token.Ident:
		return pt.Role == lint.RoleKeyword && pt.Up != "END"
	}
	return false
}

// isWildcard reports whether a `*` is a select star or count(*), not multiplication.
func isWildcard(d *lint.Doc, i int) bool {
	t := &d.Toks[i]
	if t.Text != "*" {
		return false
	}
	p := t.Prev
	if p < 0 {
		return true
	}
	pt := &d.Toks[p]
	switch pt.Kind {
	case token.LParen, token.Comma, token.Dot:
		return true
	case token.Ident:
		return pt.Role == lint.RoleKeyword
	}
	return false
}

func describe(d *lint.Doc, i int) string {
	t := &d.Toks[i]
	switch t.Kind {
	case token.Comma:
		return "comma ','"
	case token.LParen:
		return "start bracket '('"
	case token.RParen:
		return "end bracket ')'"
	case token.String:
		return "quoted literal"
	case token.Number:
		return "numeric literal"
	case token.Operator:
		return "binary operator '" + t.Text + "'"
	case token.Ident:
		switch t.Role {
		case lint.RoleKeyword:
			return "'" + t.Text + "' keyword"
		case lint.RoleFunction:
			return "function name identifier"
		}
		return "naked identifier"
	}
	return "'" + t.Text + "'"
}

// checkStrippedTags flags code that a whitespace-stripping Jinja tag (`-%}`) glues to the tag:
// SQLFluff sees the tag as a placeholder touching the code. It returns the source offsets of
// the code it flagged.
func checkStrippedTags(c *lint.Context) map[int]bool {
	src := c.Source
	if !strings.Contains(src, "-%}") {
		return nil
	}
	starts, glued := map[int]bool{}, map[int]bool{}
	d := c.Doc
	for i := range d.Toks {
		if !d.Code(i) || d.Toks[i].Kind == token.Template {
			continue
		}
		if d.Toks[i].Prev < 0 {
			// The file's first code: a tag before it (`{%- set x = ... -%}` on top) sits
			// ahead of the statement, next to nothing SQLFluff would space.
			continue
		}
		if off, lit := c.ToSource(int(d.Toks[i].Pos)); lit {
			starts[off] = true
		}
	}
	for i := 0; ; {
		j := strings.Index(src[i:], "-%}")
		if j < 0 {
			return glued
		}
		end := i + j + 3
		i = end
		p := end
		for p < len(src) && (src[p] == ' ' || src[p] == '\t' || src[p] == '\n' || src[p] == '\r') {
			p++
		}
		if p == end || p >= len(src) || src[p] == '{' || !starts[p] {
			continue
		}
		switch src[p] {
		case ')', ',', '-', '/':
			continue
		}
		c.ReportSource(p, p, "Expected single whitespace between placeholder and code.")
		glued[p] = true
	}
}

// How a rendered line that ends in whitespace ends in the file (lineEnd).
const (
	endTrailing = iota // the line ends in whitespace: report it
	endIndent          // the indentation of a tag that rendered to nothing: LT02's
	endBlock           // spacing before a block tag later on the line: one space wanted
	endOther
)

// lineEnd reads, in the file, what follows whitespace that ends a rendered line. SQLFluff's
// templater keeps a block tag or a comment as a placeholder where it stood, so whitespace
// before one is not at the end of the line: on its own (`    {% if is_incremental() %}`) it
// is indentation, and after code or another tag (`{% else %} {{ x }} {% endif %}`) it is the
// spacing before the placeholder, which must be one space. An expression
// (`    {{ config(...) }}`), a one-line assignment (`    {% set x = 1 %}`) or an include is
// templated code that stands for its output: when it alone ends the line and renders to
// nothing, the whitespace before it is trailing, and SQLFluff reports it. block is the file
// offset of the block tag for endBlock.
func lineEnd(c *lint.Context, t *lint.Tok) (kind, block int) {
	off, lit := c.ToSource(int(t.Pos))
	if !lit {
		return endTrailing, 0
	}
	src := c.Source
	lineStart := strings.LastIndexByte(src[:off], '\n') + 1
	indent := strings.TrimLeft(src[lineStart:off], " \t") == ""
	// The rendered whitespace may join runs from both sides of a tag: the tag starts where
	// the file's own whitespace ends.
	at := off + len(src[off:]) - len(strings.TrimLeft(src[off:], " \t"))
	if !strings.HasPrefix(src[at:], "{") {
		return endTrailing, 0
	}
	templated := 0
	for p := at; p < len(src); {
		rest := src[p:]
		switch {
		case rest[0] == ' ' || rest[0] == '\t':
			p++
			continue
		case rest[0] == '\n' || rest[0] == '\r':
			if templated == 1 && p == tagEnd(src, at) {
				return endTrailing, 0
			}
			return endOther, 0
		case strings.HasPrefix(rest, "{#") || strings.HasPrefix(rest, "{%") && !templatedStatement(rest):
			if indent {
				return endIndent, 0
			}
			return endBlock, p
		case strings.HasPrefix(rest, "{{") || strings.HasPrefix(rest, "{%"):
			templated++
			p = tagEnd(src, p)
			continue
		}
		return endOther, 0
	}
	if templated == 1 && tagEnd(src, at) == len(src) {
		return endTrailing, 0
	}
	return endOther, 0
}

// templatedStatement reports whether the statement tag that starts src is one SQLFluff treats
// as templated code rather than a block: `set` with an `=` (the one-line form) or `include`.
func templatedStatement(src string) bool {
	inner := strings.TrimLeft(src[2:], "-+ \t\r\n")
	name, rest, _ := strings.Cut(inner, " ")
	switch name {
	case "include":
		return true
	case "set":
		end := strings.Index(rest, "%}")
		return end >= 0 && strings.Contains(rest[:end], "=")
	}
	return false
}

// tagEnd is the offset just past the tag that starts at src[at:], or the end of the file.
func tagEnd(src string, at int) int {
	closer := "}}"
	if strings.HasPrefix(src[at:], "{%") {
		closer = "%}"
	}
	if end, ok := jinja.ScanToClose(src, at+2, closer); ok {
		return end
	}
	return len(src)
}

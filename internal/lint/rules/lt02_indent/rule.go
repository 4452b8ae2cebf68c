// Package lt02_indent implements LT02 (layout.indent): indentation uses indent_unit (spaces or tabs, never mixed) in whole steps of tab_space_size. This checks the indent characters and step size; it does not yet re-derive the expected depth of each line from the query structure.
package lt02_indent

import (
	"github.com/dataops-dev/dataops/internal/lint"
	"github.com/dataops-dev/dataops/internal/sql/token"
	"strconv"
	"strings"
)

// Rule is LT02.
var Rule lint.Rule = rule{}

type rule struct{}

var meta = &lint.Meta{
	Code: "LT02", Name: "layout.indent", Description: "Incorrect Indentation.",
	Groups: []string{"core", "layout"}, Aliases: []string{"L002", "L003", "L004"}, Fixable: true, Layout: true,
	Options: []lint.Option{
		{Name: "tab_space_size", Default: "4", Doc: "spaces in one indent step"},
		{Name: "indent_unit", Default: "space", Doc: "space or tab"},
		{Name: "hanging_indents", Default: "False", Doc: "allow hanging indents"},
		{Name: "allow_implicit_indents", Default: "False", Doc: "allow implicit indents after ON, WHERE..."},
	},
}

func (rule) Meta() *lint.Meta { return meta }

func (rule) Check(c *lint.Context) {
	d := c.Doc
	size := c.Opts.Int("tab_space_size", 4)
	unit := c.Opts.Str("indent_unit")
	if size <= 0 {
		size = 4
	}
	for i := range d.Toks {
		t := &d.Toks[i]
		if t.Kind != token.Whitespace || (i > 0 && d.Toks[i-1].Kind != token.Newline) {
			continue
		}
		n := i + 1
		if n >= len(d.Toks) || d.Toks[n].Kind == token.Newline || d.Toks[n].Kind == token.EOF {
			continue // a blank line: trailing whitespace is LT01's
		}
		if d.Toks[n].Kind == token.BlockComment || d.Toks[n].Kind == token.String || d.Toks[n].Templated {
			continue // inside a multi-line comment or string, or generated
		}
		if afterTemplateCode(c, t) {
			continue
		}
		ws := t.Text
		tabs, spaces := strings.Count(ws, "\t"), strings.Count(ws, " ")
		switch {
		case tabs > 0 && spaces > 0:
			c.Report(i, "Mixed tabs and spaces in indentation.", c.Replace(i, expand(ws, size, unit)))
		case unit == "tab" && spaces > 0:
			c.Report(i, "Expected tab indentation, found spaces.", c.Replace(i, expand(ws, size, unit)))
		case unit != "tab" && tabs > 0:
			c.Report(i, "Expected space indentation, found tabs.", c.Replace(i, expand(ws, size, unit)))
		case unit != "tab" && spaces%size != 0:
			c.Report(i, "Indentation is not a multiple of "+strconv.Itoa(size)+" spaces.")
		}
	}
}

// afterTemplateCode reports whether whitespace starting a rendered line follows Jinja on its
// source line: `{# x #} -- note` or `{% if a %} limit 1` renders the space after the tag at the
// start of a line, but in the file it separates the tag from the code, so it is no indent
// (SQLFluff measures indents in the source, and reports none there).
func afterTemplateCode(c *lint.Context, t *lint.Tok) bool {
	off, lit := c.ToSource(int(t.Pos))
	return lit && off > 0 && off <= len(c.Source) && c.Source[off-1] != '\n'
}

// expand rewrites an indent in the configured unit, keeping its width.
func expand(ws string, size int, unit string) string {
	width := 0
	for _, r := range ws {
		if r == '\t' {
			width += size - width%size
		} else {
			width++
		}
	}
	if unit == "tab" {
		return strings.Repeat("\t", width/size) + strings.Repeat(" ", width%size)
	}
	return strings.Repeat(" ", width)
}

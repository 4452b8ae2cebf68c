// Package cv06_terminator implements CV06 (convention.terminator): statement terminators sit right after the statement (and, with require_final_semicolon, the last statement has one).
package cv06_terminator

import (
	"github.com/dataops-dev/dataops/internal/lint"
	"github.com/dataops-dev/dataops/internal/sql/token"
	"strings"
)

// Rule is CV06.
var Rule lint.Rule = rule{}

type rule struct{}

var meta = &lint.Meta{
	Code: "CV06", Name: "convention.terminator", Description: "Statements must end with a semi-colon.",
	Groups: []string{"convention"}, Aliases: []string{"L052"}, Fixable: true, Layout: false,
	Options: []lint.Option{
		{Name: "multiline_newline", Default: "False", Doc: "put the semicolon of a multi-line statement on its own line"},
		{Name: "require_final_semicolon", Default: "False", Doc: "the last statement must end with a semicolon"},
	},
}

func (rule) Meta() *lint.Meta { return meta }

func (rule) Check(c *lint.Context) {
	d := c.Doc
	multiline := c.Opts.Bool("multiline_newline")
	for i := range d.Toks {
		t := &d.Toks[i]
		if t.Kind != token.Semicolon || t.Templated {
			continue
		}
		p := t.Prev
		if p < 0 {
			continue
		}
		gap := d.Src[d.Toks[p].End:t.Pos]
		if !multiline && gap != "" && !strings.Contains(gap, "--") && !strings.Contains(gap, "/*") {
			c.Report(i, "Statements must end with a semi-colon.", lint.Edit{Start: int(d.Toks[p].End), End: int(t.Pos), Text: ""})
		}
	}
	if c.Opts.Bool("require_final_semicolon") && len(d.Stmts) > 0 {
		last := d.Stmts[len(d.Stmts)-1]
		n := d.Toks[last[1]].Next
		if n >= len(d.Toks) || d.Toks[n].Kind != token.Semicolon {
			c.Report(last[1], "Statements must end with a semi-colon.", lint.Edit{Start: int(d.Toks[last[1]].End), End: int(d.Toks[last[1]].End), Text: ";"})
		}
	}
}

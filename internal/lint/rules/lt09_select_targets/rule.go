// Package lt09_select_targets implements LT09 (layout.select_targets): with several select
// targets each starts on its own line (and not on the SELECT line); a single target stays on
// the SELECT line.
package lt09_select_targets

import (
	"github.com/dataops-dev/dataops/internal/lint"
	"github.com/dataops-dev/dataops/internal/sql/token"
)

// Rule is LT09.
var Rule lint.Rule = rule{}

type rule struct{}

var meta = &lint.Meta{
	Code: "LT09", Name: "layout.select_targets", Description: "Select targets should be on a new line unless there is only one select target.",
	Groups: []string{"layout"}, Aliases: []string{"L036"}, Fixable: false, Layout: true,
	Options: []lint.Option{{Name: "wildcard_policy", Default: "single", Doc: "single: a lone `*` counts as one target; multiple: it must go on its own line"}},
}

func (rule) Meta() *lint.Meta { return meta }

func (rule) Check(c *lint.Context) {
	d := c.Doc
	for _, s := range d.Selects {
		if len(s.Targets) == 0 {
			continue
		}
		if len(s.Targets) == 1 && (!s.Targets[0].Star || c.Opts.Str("wildcard_policy") != "multiple") {
			// A newline between SELECT (and its modifiers) and the target.
			first := s.Targets[0].Start
			if hasNewlineBetween(d, s.Kw, first) {
				c.ReportSpan(s.Kw, s.Kw, s.TargetsEnd(), "Select targets should be on a new line unless there is only one select target.")
			}
			continue
		}
		bad := false
		prevLine := d.Toks[s.Kw].Line
		for _, t := range s.Targets {
			if d.Toks[t.Start].Line == prevLine {
				bad = true
				break
			}
			prevLine = d.Toks[t.Start].Line
		}
		if !bad {
			if from := s.Clause("FROM"); from != nil {
				last := s.Targets[len(s.Targets)-1]
				if d.Toks[last.Start].Line == d.Toks[from.Kw].Line {
					bad = true
				}
			}
		}
		if bad {
			c.ReportSpan(s.Kw, s.Kw, s.TargetsEnd(), "Select targets should be on a new line unless there is only one select target.")
		}
	}
}

func hasNewlineBetween(d *lint.Doc, a, b int) bool {
	for i := a + 1; i < b; i++ {
		if d.Toks[i].Kind == token.Newline {
			return true
		}
	}
	return false
}

// Package lt08_cte_newline implements LT08 (layout.cte_newline): a blank line follows each
// CTE's closing bracket (and its comma).
package lt08_cte_newline

import (
	"github.com/dataops-dev/dataops/internal/lint"
	"github.com/dataops-dev/dataops/internal/sql/token"
)

// Rule is LT08.
var Rule lint.Rule = rule{}

type rule struct{}

var meta = &lint.Meta{
	Code: "LT08", Name: "layout.cte_newline", Description: "Blank line expected but not found after CTE closing bracket.",
	Groups: []string{"core", "layout"}, Aliases: []string{"L022"}, Fixable: true, Layout: true,
}

func (rule) Meta() *lint.Meta { return meta }

func (rule) Check(c *lint.Context) {
	d := c.Doc
	for _, w := range d.Withs {
		for k, cte := range w.CTEs {
			after := cte.Close + 1
			// Skip to after the comma, counting newlines (comments count as content: a blank
			// line is a line holding only whitespace, or only the comma).
			newlines, blank := 0, false
			lineHasContent := true
			next := -1
			for j := after; j < len(d.Toks); j++ {
				t := &d.Toks[j]
				switch t.Kind {
				case token.Whitespace:
					continue
				case token.Newline:
					newlines++
					if !lineHasContent {
						blank = true
					}
					lineHasContent = false
					continue
				case token.Comma:
					// SQLFluff passes over the comma wherever it stands, and a line holding
					// only the comma counts as blank (a leading-comma layout).
					continue
				case token.LineComment, token.BlockComment:
					lineHasContent = true
					continue
				}
				next = j
				break
			}
			if next < 0 || d.Toks[next].Kind == token.EOF || blank {
				continue
			}
			// After the last CTE SQLFluff anchors the finding on the main query, and drops it
			// when the query's text holds Jinja (`{% if is_incremental() %} where ... {% endif %}`
			// at its end); after another CTE, on the next CTE's name alone.
			if k+1 == len(w.CTEs) {
				if last := mainEnd(d, w); last >= next {
					c.ReportSpan(next, next, last, "", lint.Edit{Start: int(d.Toks[next].Pos), End: int(d.Toks[next].Pos), Text: "\n"})
					continue
				}
			}
			c.Report(next, "", lint.Edit{Start: int(d.Toks[next].Pos), End: int(d.Toks[next].Pos), Text: "\n"})
		}
	}
}

// mainEnd is the last token of the query after a WITH's CTEs: the statement's last token for a
// WITH at the top of its statement (set operations included), else the main select's end.
func mainEnd(d *lint.Doc, w *lint.With) int {
	for _, st := range d.Stmts {
		if w.Kw >= st[0] && w.Kw <= st[1] && d.Toks[w.Kw].Depth == d.Toks[st[0]].Depth {
			return st[1]
		}
	}
	if w.Main != nil {
		return w.Main.End
	}
	return -1
}

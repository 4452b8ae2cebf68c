package lt01_spacing

import (
	"strings"

	"github.com/dataops-dev/dataops/internal/lint"
	"github.com/dataops-dev/dataops/internal/sql/token"
)

// A project may ask for its aliases aligned instead of single-spaced
// (`[sqlfluff:layout:type:alias_expression] spacing_before = align`, SQLFluff's documented
// example): within each select clause, every alias written on the line of its expression
// starts at one column, the furthest any of them needs. Such a space is then no single-space
// finding; a misaligned one is reported where it stands.

// alignedAliases reports the misaligned aliases and returns the whitespace tokens alignment
// governs (the single-space check skips them); nil when the project does not align.
func alignedAliases(c *lint.Context) map[int]bool {
	if c.Config == nil {
		return nil
	}
	if v, _ := c.Config.Get("layout:type:alias_expression", "spacing_before"); !strings.HasPrefix(strings.TrimSpace(v), "align") {
		return nil
	}
	d := c.Doc
	governed := map[int]bool{}
	for _, s := range d.Selects {
		type item struct{ ws, start, min, at int }
		var items []item
		for _, t := range s.Targets {
			first := t.As
			if first < 0 || t.Prefix {
				first = t.Alias
			}
			if first <= 0 || t.Star {
				continue
			}
			ws := first - 1
			if d.Toks[ws].Kind != token.Whitespace || ws == 0 || !d.Code(ws-1) || d.Toks[ws].Templated || d.Toks[first].Templated {
				continue
			}
			lineStart := strings.LastIndexByte(d.Src[:d.Toks[ws].Pos], '\n') + 1
			items = append(items, item{ws: ws, start: lineStart, min: int(d.Toks[ws].Pos) - lineStart + 1, at: int(d.Toks[first].Pos) - lineStart})
			governed[ws] = true
		}
		want := 0
		for _, it := range items {
			want = max(want, it.min)
		}
		for _, it := range items {
			if it.at != want {
				pad := want - (it.min - 1)
				c.Report(it.ws, "'alias_expression' elements are expected to be aligned.", c.Replace(it.ws, strings.Repeat(" ", pad)))
			}
		}
	}
	return governed
}

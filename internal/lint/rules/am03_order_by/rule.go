// Package am03_order_by implements AM03 (ambiguous.order_by): if one ORDER BY item says ASC or DESC, all of them do.
package am03_order_by

import (
	"github.com/dataops-dev/dataops/internal/lint"
	"github.com/dataops-dev/dataops/internal/sql/token"
)

// Rule is AM03.
var Rule lint.Rule = rule{}

type rule struct{}

var meta = &lint.Meta{
	Code: "AM03", Name: "ambiguous.order_by", Description: "Ambiguous ordering directions for columns in order by clause.",
	Groups: []string{"ambiguous"}, Aliases: []string{"L037"}, Fixable: true, Layout: false,
}

func (rule) Meta() *lint.Meta { return meta }

func (rule) Check(c *lint.Context) {
	d := c.Doc
	for i := range d.Toks {
		if !d.IsKw(i, "ORDER") || !d.IsKw(d.Toks[i].Next, "BY") {
			continue
		}
		by := d.Toks[i].Next
		depth := d.Toks[i].Depth
		var items [][2]int
		start := d.Toks[by].Next
		j := start
		for ; d.More(j); j = d.Toks[j].Next {
			t := &d.Toks[j]
			if t.Depth < depth || t.Kind == token.EOF || t.Depth == depth && (t.Kind == token.Semicolon || t.Kind == token.RParen || t.Kind == token.Ident && t.Role == lint.RoleKeyword && (t.Up == "LIMIT" || t.Up == "OFFSET" || t.Up == "FETCH" || t.Up == "ROWS" || t.Up == "RANGE" || t.Up == "UNION" || t.Up == "QUALIFY")) {
				break
			}
			if t.Kind == token.Comma && t.Depth == depth {
				items = append(items, [2]int{start, t.Prev})
				start = t.Next
			}
		}
		if p := d.Toks[j].Prev; p >= start {
			items = append(items, [2]int{start, p})
		}
		if len(items) < 2 {
			continue
		}
		with, without := 0, 0
		for _, it := range items {
			if hasDirection(d, it) {
				with++
			} else {
				without++
			}
		}
		if with > 0 && without > 0 {
			for _, it := range items {
				if !hasDirection(d, it) {
					c.Report(it[0], "Ambiguous order by clause. Order by clauses should specify order direction for ALL columns or NO columns.")
				}
			}
		}
	}
}

func hasDirection(d *lint.Doc, it [2]int) bool {
	for j := it[0]; j <= it[1]; j = d.Toks[j].Next {
		if d.Toks[j].Depth == d.Toks[it[0]].Depth && (d.IsKw(j, "ASC") || d.IsKw(j, "DESC")) {
			return true
		}
	}
	return false
}

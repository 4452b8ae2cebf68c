// Package lt04_commas implements LT04 (layout.commas): commas next to a line break are
// trailing (end of line) or leading (start of line), as [sqlfluff:layout:type:comma]
// line_position says; trailing by default.
package lt04_commas

import (
	"github.com/dataops-dev/dataops/internal/lint"
	"github.com/dataops-dev/dataops/internal/sql/token"
)

// Rule is LT04.
var Rule lint.Rule = rule{}

type rule struct{}

var meta = &lint.Meta{
	Code: "LT04", Name: "layout.commas", Description: "Leading/Trailing comma enforcement.",
	Groups: []string{"layout"}, Aliases: []string{"L019"}, Fixable: false, Layout: true,
}

func (rule) Meta() *lint.Meta { return meta }

func (rule) Check(c *lint.Context) {
	d := c.Doc
	pos, _ := c.Config.Get("layout:type:comma", "line_position")
	if v, ok := c.Config.Get("rules", "comma_style"); ok {
		pos = v // the option's name before layout configuration existed
	}
	if pos == "" {
		pos = "trailing"
	}
	for i := range d.Toks {
		if d.Toks[i].Kind != token.Comma {
			continue
		}
		before := nl(d, d.Toks[i].Prev, i)
		after := nl(d, i, d.Toks[i].Next)
		if before && after {
			continue
		}
		if pos == "trailing" && before {
			c.Report(i, "Found leading comma ','. Expected only trailing near line breaks.")
		}
		if pos == "leading" && after {
			c.Report(i, "Found trailing comma ','. Expected only leading near line breaks.")
		}
	}
}

func nl(d *lint.Doc, a, b int) bool {
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

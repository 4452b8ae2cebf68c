// Package lt12_end_of_file implements LT12 (layout.end_of_file): a file ends with exactly one
// newline.
package lt12_end_of_file

import (
	"strings"

	"github.com/dataops-dev/dataops/internal/lint"
	"github.com/dataops-dev/dataops/internal/sql/token"
)

// Rule is LT12.
var Rule lint.Rule = rule{}

type rule struct{}

var meta = &lint.Meta{
	Code: "LT12", Name: "layout.end_of_file", Description: "Files must end with a single trailing newline.",
	Groups: []string{"core", "layout"}, Aliases: []string{"L009", "layout.end-of-file"}, Fixable: true, Layout: true,
}

func (rule) Meta() *lint.Meta { return meta }

func (rule) Check(c *lint.Context) {
	src := c.Source
	if strings.TrimSpace(src) == "" {
		return
	}
	body := strings.TrimRight(src, " \t\r\n")
	tail := src[len(body):]
	switch nl := strings.Count(tail, "\n"); {
	case nl == 0:
		// SQLFluff anchors the finding on the file's last segment: the end of the code, or the
		// start of a comment that ends the file.
		at := len(src)
		if start, ok := endingComment(c); ok {
			at = start
		}
		c.ReportSource(at, at, "", lint.Edit{Start: len(body), End: len(src), Text: "\n"})
	case nl > 1 || strings.TrimRight(tail, "\r\n") != "" && strings.HasSuffix(tail, "\n") && nl > 1:
		last := strings.LastIndexByte(src, '\n')
		c.ReportSource(last, last+1, "", lint.Edit{Start: len(body), End: len(src), Text: "\n"})
	}
}

// endingComment is where the comment that ends the file starts, in the source.
func endingComment(c *lint.Context) (int, bool) {
	toks := c.Doc.Toks
	for i := len(toks) - 1; i >= 0; i-- {
		switch toks[i].Kind {
		case token.EOF, token.Whitespace, token.Newline:
			continue
		case token.LineComment, token.BlockComment:
			if s, lit := c.ToSource(int(toks[i].Pos)); lit {
				return s, true
			}
		}
		return 0, false
	}
	return 0, false
}

// Package lt12_end_of_file implements LT12 (layout.end_of_file): a file ends with exactly one
// newline.
package lt12_end_of_file

import (
	"strings"

	"github.com/dataops-dev/dataops/internal/lint"
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
		c.ReportSource(len(src), len(src), "", lint.Edit{Start: len(body), End: len(src), Text: "\n"})
	case nl > 1 || strings.TrimRight(tail, "\r\n") != "" && strings.HasSuffix(tail, "\n") && nl > 1:
		last := strings.LastIndexByte(src, '\n')
		c.ReportSource(last, last+1, "", lint.Edit{Start: len(body), End: len(src), Text: "\n"})
	}
}

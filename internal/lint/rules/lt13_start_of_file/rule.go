// Package lt13_start_of_file implements LT13 (layout.start_of_file): a file does not start
// with blank lines or whitespace.
package lt13_start_of_file

import (
	"strings"

	"github.com/dataops-dev/dataops/internal/lint"
)

// Rule is LT13.
var Rule lint.Rule = rule{}

type rule struct{}

var meta = &lint.Meta{
	Code: "LT13", Name: "layout.start_of_file", Description: "Files must not begin with newlines or whitespace.",
	Groups: []string{"layout"}, Aliases: []string{"L050"}, Fixable: true, Layout: true,
}

func (rule) Meta() *lint.Meta { return meta }

func (rule) Check(c *lint.Context) {
	src := c.Source
	body := strings.TrimLeft(src, " \t\r\n")
	if body == "" || len(body) == len(src) {
		return
	}
	// Leading blank lines before a Jinja tag belong to the template's layout (the tag may
	// render to nothing or to SQL); SQLFluff leaves them alone too.
	if strings.HasPrefix(body, "{{") || strings.HasPrefix(body, "{%") || strings.HasPrefix(body, "{#") {
		return
	}
	n := len(src) - len(body)
	c.ReportSource(0, n, "", lint.Edit{Start: 0, End: n, Text: ""})
}

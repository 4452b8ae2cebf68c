// Package jj01_padding implements JJ01 (jinja.padding): Jinja tags are padded with one space inside their braces: `{{ x }}`, `{% if x %}`.
package jj01_padding

import (
	"github.com/dataops-dev/dataops/internal/jinja"
	"github.com/dataops-dev/dataops/internal/lint"
	"strings"
)

// Rule is JJ01.
var Rule lint.Rule = rule{}

type rule struct{}

var meta = &lint.Meta{
	Code: "JJ01", Name: "jinja.padding", Description: "Jinja tags should have a single whitespace on either side.",
	Groups: []string{"core", "jinja"}, Aliases: []string{"L046"}, Fixable: true, Layout: false,
}

func (rule) Meta() *lint.Meta { return meta }

func (rule) Check(c *lint.Context) {
	src := c.Source
	for i := 0; i+1 < len(src); i++ {
		if src[i] == '{' && src[i+1] == '#' {
			// A comment is no tag, whatever it holds.
			j := strings.Index(src[i+2:], "#}")
			if j < 0 {
				return
			}
			i += 2 + j + 1
			continue
		}
		if src[i] != '{' || (src[i+1] != '{' && src[i+1] != '%') {
			continue
		}
		closer := "}}"
		if src[i+1] == '%' {
			closer = "%}"
		}
		end, ok := jinja.ScanToClose(src, i+2, closer)
		if !ok {
			// A string left open: the first closer ends the tag.
			j := strings.Index(src[i+2:], closer)
			if j < 0 {
				return
			}
			end = i + 2 + j + 2
		}
		tag := src[i:end]
		if bad := checkTag(tag); bad {
			c.ReportSource(i, end, "Jinja tags should have a single whitespace on either side: "+oneLine(tag))
		}
		i = end - 1
	}
}

// checkTag reports whether the whitespace just inside a tag's braces (after any - or +
// whitespace control) is anything but one space or a line break.
func checkTag(tag string) bool {
	inner := tag[2 : len(tag)-2]
	if strings.HasPrefix(inner, "-") || strings.HasPrefix(inner, "+") {
		inner = inner[1:]
	}
	if strings.HasSuffix(inner, "-") || strings.HasSuffix(inner, "+") {
		inner = inner[:len(inner)-1]
	}
	if strings.TrimSpace(inner) == "" {
		return false
	}
	lead := inner[:len(inner)-len(strings.TrimLeft(inner, " \t\r\n"))]
	trail := inner[len(strings.TrimRight(inner, " \t\r\n")):]
	ok := func(ws string) bool { return ws == " " || strings.Contains(ws, "\n") }
	return !ok(lead) || !ok(trail)
}

func oneLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i] + "..."
	}
	if len(s) > 60 {
		s = s[:60] + "..."
	}
	return s
}

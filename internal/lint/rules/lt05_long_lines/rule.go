// Package lt05_long_lines implements LT05 (layout.long_lines): lines longer than
// max_line_length. Length is measured in the source file, as the user sees it: Jinja
// expressions count with their source text, while statement tags ({% ... %}) and comments
// ({# ... #}) that render to nothing do not.
package lt05_long_lines

import (
	"strings"
	"unicode/utf8"

	"github.com/dataops-dev/dataops/internal/lint"
	"github.com/dataops-dev/dataops/internal/sql/token"
)

// Rule is LT05.
var Rule lint.Rule = rule{}

type rule struct{}

var meta = &lint.Meta{
	Code: "LT05", Name: "layout.long_lines", Description: "Line is too long.",
	Groups: []string{"core", "layout"}, Aliases: []string{"L016"}, Fixable: false, Layout: true,
	Options: []lint.Option{
		{Name: "max_line_length", Default: "80", Doc: "the longest line allowed; 0 or less turns the rule off"},
		{Name: "ignore_comment_lines", Default: "False", Doc: "skip lines that hold only a comment"},
		{Name: "ignore_comment_clauses", Default: "False", Doc: "skip lines whose excess is a COMMENT clause"},
	},
}

func (rule) Meta() *lint.Meta { return meta }

func (rule) Check(c *lint.Context) {
	max := c.Opts.Int("max_line_length", 80)
	if max <= 0 {
		return
	}
	ignoreComments := c.Opts.Bool("ignore_comment_lines")
	src := c.Source
	seen := map[int]bool{}
	for i := range c.Doc.Toks {
		t := &c.Doc.Toks[i]
		if t.Kind != token.Newline {
			continue
		}
		off, lit := c.ToSource(int(t.Pos))
		if !lit || seen[off] {
			continue
		}
		seen[off] = true
		start := strings.LastIndexByte(src[:off], '\n') + 1
		line := src[start:off]
		line = strings.TrimSuffix(line, "\r")
		if n := visibleLength(line); n > max {
			if ignoreComments && isCommentLine(line) {
				continue
			}
			c.ReportSource(off, off, "")
		}
	}
}

// visibleLength counts the characters of a source line, leaving out Jinja statement tags and
// comments, which render to nothing.
func visibleLength(line string) int {
	if !strings.Contains(line, "{%") && !strings.Contains(line, "{#") {
		return utf8.RuneCountInString(line)
	}
	n := 0
	for len(line) > 0 {
		i := strings.Index(line, "{%")
		j := strings.Index(line, "{#")
		if i < 0 || (j >= 0 && j < i) {
			i = j
		}
		if i < 0 {
			n += utf8.RuneCountInString(line)
			break
		}
		n += utf8.RuneCountInString(line[:i])
		closer := "%}"
		if line[i+1] == '#' {
			closer = "#}"
		}
		k := strings.Index(line[i+2:], closer)
		if k < 0 {
			break // the tag runs past the end of the line
		}
		line = line[i+2+k+2:]
	}
	return n
}

func isCommentLine(line string) bool {
	l := strings.TrimSpace(line)
	return strings.HasPrefix(l, "--") || strings.HasPrefix(l, "#") || strings.HasPrefix(l, "/*") || strings.HasPrefix(l, "{#")
}

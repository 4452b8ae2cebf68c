// Package cv09_blocked_words implements CV09 (convention.blocked_words): words listed in blocked_words (or matching blocked_regex) do not appear.
package cv09_blocked_words

import (
	"github.com/dataops-dev/dataops/internal/lint"
	"github.com/dataops-dev/dataops/internal/sql/token"
	"strings"
)

// Rule is CV09.
var Rule lint.Rule = rule{}

type rule struct{}

var meta = &lint.Meta{
	Code: "CV09", Name: "convention.blocked_words", Description: "Block a list of configurable words from being used.",
	Groups: []string{"convention"}, Aliases: []string{"L062"}, Fixable: false, Layout: false,
	Options: []lint.Option{
		{Name: "blocked_words", Default: "None", Doc: "comma-separated words to refuse"},
		{Name: "blocked_regex", Default: "None", Doc: "regular expression of text to refuse"},
		{Name: "match_source", Default: "False", Doc: "match against the source rather than the rendered SQL"},
	},
}

func (rule) Meta() *lint.Meta { return meta }

func (rule) Check(c *lint.Context) {
	d := c.Doc
	blocked := map[string]bool{}
	for _, w := range c.Opts.List("blocked_words") {
		blocked[strings.ToLower(w)] = true
	}
	rx := lint.Regexp(c.Opts.Str("blocked_regex"))
	if len(blocked) == 0 && rx == nil {
		return
	}
	for i := range d.Toks {
		t := &d.Toks[i]
		if t.Kind != token.Ident && t.Kind != token.QuotedIdent && t.Kind != token.String {
			continue
		}
		if blocked[strings.ToLower(t.Text)] || rx != nil && rx.MatchString(t.Text) {
			c.Report(i, "Use of blocked word '"+t.Text+"'.")
		}
	}
}

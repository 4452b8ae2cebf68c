// Package rf04_keywords implements RF04 (references.keywords): aliases (and, as configured, other identifiers) are not SQL keywords.
package rf04_keywords

import (
	"github.com/dataops-dev/dataops/internal/lint"
	"github.com/dataops-dev/dataops/internal/sql/token"
)

// Rule is RF04.
var Rule lint.Rule = rule{}

type rule struct{}

var meta = &lint.Meta{
	Code: "RF04", Name: "references.keywords", Description: "Keywords should not be used as identifiers.",
	Groups: []string{"references"}, Aliases: []string{"L029"}, Fixable: false, Layout: false,
	Options: []lint.Option{
		{Name: "unquoted_identifiers_policy", Default: "aliases", Doc: "all, aliases, column_aliases or none"},
		{Name: "quoted_identifiers_policy", Default: "none", Doc: "all, aliases, column_aliases or none"},
		{Name: "ignore_words", Default: "None", Doc: "words to ignore"},
		{Name: "ignore_words_regex", Default: "None", Doc: "regular expression of words to ignore"},
	},
}

func (rule) Meta() *lint.Meta { return meta }

func (rule) Check(c *lint.Context) {
	d := c.Doc
	unq := c.Opts.Str("unquoted_identifiers_policy")
	q := c.Opts.Str("quoted_identifiers_policy")
	check := func(i int, isAlias, columnAlias bool) {
		t := &d.Toks[i]
		if t.Templated || t.Kind == token.Template {
			return
		}
		policy := unq
		name := t.Text
		if t.Kind == token.QuotedIdent {
			policy = q
			name, _ = d.NameOf(i)
		}
		switch policy {
		case "none", "":
			return
		case "aliases":
			if !isAlias {
				return
			}
		case "column_aliases":
			if !columnAlias {
				return
			}
		}
		if lint.IgnoredWord(c.Opts, name) {
			return
		}
		if lint.IsKeyword(c.Dialect, name) {
			c.Report(i, "Keywords should not be used as identifiers.")
		}
	}
	for _, s := range d.Selects {
		for _, t := range s.Targets {
			if t.Alias >= 0 {
				check(t.Alias, true, true)
			}
		}
		for _, it := range s.Tables {
			if it.Alias >= 0 {
				check(it.Alias, true, false)
			}
		}
	}
	// A CTE's name is no alias to SQLFluff: `with day as (...)` passes.
	if unq == "all" || q == "all" {
		for i := range d.Toks {
			if d.Toks[i].Role == lint.RoleIdentifier || d.Toks[i].Kind == token.QuotedIdent {
				check(i, false, false)
			}
		}
	}
}

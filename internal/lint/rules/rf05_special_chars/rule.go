// Package rf05_special_chars implements RF05 (references.special_chars): identifiers hold only letters, digits and underscores (plus what the options allow).
package rf05_special_chars

import (
	"github.com/dataops-dev/dataops/internal/lint"
	"github.com/dataops-dev/dataops/internal/sql/token"
	"strings"
	"unicode"
)

// Rule is RF05.
var Rule lint.Rule = rule{}

type rule struct{}

var meta = &lint.Meta{
	Code: "RF05", Name: "references.special_chars", Description: "Do not use special characters in identifiers.",
	Groups: []string{"references"}, Aliases: []string{"L057"}, Fixable: false, Layout: false,
	Options: []lint.Option{
		{Name: "unquoted_identifiers_policy", Default: "all", Doc: "all, aliases, column_aliases or none"},
		{Name: "quoted_identifiers_policy", Default: "all", Doc: "all, aliases, column_aliases or none"},
		{Name: "allow_space_in_identifier", Default: "False", Doc: "allow spaces in quoted identifiers"},
		{Name: "additional_allowed_characters", Default: "None", Doc: "characters to allow besides letters, digits and _"},
		{Name: "ignore_words", Default: "None", Doc: "words to ignore"},
		{Name: "ignore_words_regex", Default: "None", Doc: "regular expression of words to ignore"},
	},
}

func (rule) Meta() *lint.Meta { return meta }

func (rule) Check(c *lint.Context) {
	d := c.Doc
	allowSpace := c.Opts.Bool("allow_space_in_identifier")
	extra := c.Opts.Str("additional_allowed_characters")
	unq, q := c.Opts.Str("unquoted_identifiers_policy"), c.Opts.Str("quoted_identifiers_policy")
	aliases := lint.AliasTokens(d, false)
	for i := range d.Toks {
		t := &d.Toks[i]
		if t.Templated || !(t.Role == lint.RoleIdentifier || t.Kind == token.QuotedIdent) {
			continue
		}
		policy := unq
		name := t.Text
		if t.Kind == token.QuotedIdent {
			policy = q
			name, _ = d.NameOf(i)
		}
		isAlias := aliases[int(t.Pos)]
		if policy == "none" || (policy == "aliases" || policy == "column_aliases") && !isAlias {
			continue
		}
		if lint.IgnoredWord(c.Opts, name) {
			continue
		}
		for _, r := range name {
			if r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || (r == ' ' && allowSpace) || strings.ContainsRune(extra, r) {
				continue
			}
			// Snowflake and others accept $ in unquoted names; SQLFluff allows it there.
			if r == '$' && t.Kind == token.Ident {
				continue
			}
			if (r == '-' || r == '.') && c.Dialect == "bigquery" && t.Kind == token.QuotedIdent {
				continue // project-id.dataset.table in one pair of backticks
			}
			c.Report(i, "")
			break
		}
	}
}

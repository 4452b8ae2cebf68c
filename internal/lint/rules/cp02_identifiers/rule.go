// Package cp02_identifiers implements CP02 (capitalisation.identifiers): unquoted identifiers
// are capitalised consistently.
package cp02_identifiers

import "github.com/dataops-dev/dataops/internal/lint"

// Rule is CP02.
var Rule lint.Rule = rule{}

type rule struct{}

var meta = &lint.Meta{
	Code: "CP02", Name: "capitalisation.identifiers", Description: "Inconsistent capitalisation of unquoted identifiers.",
	Groups: []string{"core", "capitalisation"}, Aliases: []string{"L014"}, Fixable: true,
	Options: []lint.Option{
		{Name: "extended_capitalisation_policy", Default: "consistent", Doc: "consistent, upper, lower, pascal, capitalise, snake or camel"},
		{Name: "unquoted_identifiers_policy", Default: "all", Doc: "all, aliases, column_aliases or none"},
		{Name: "ignore_words", Default: "None", Doc: "comma-separated words to ignore"},
		{Name: "ignore_words_regex", Default: "None", Doc: "regular expression of words to ignore"},
	},
}

func (rule) Meta() *lint.Meta { return meta }

func (rule) Check(c *lint.Context) {
	policy := c.Opts.Str("unquoted_identifiers_policy")
	if policy == "none" {
		return
	}
	var aliases map[int]bool
	if policy == "aliases" || policy == "column_aliases" {
		aliases = lint.AliasTokens(c.Doc, policy == "column_aliases")
	}
	lint.CheckCapitalisation(c, "Unquoted identifiers", c.Opts.Str("extended_capitalisation_policy"), lint.ExtendedCapPolicies, func(t *lint.Tok) bool {
		if t.Role != lint.RoleIdentifier {
			return false
		}
		if aliases != nil {
			return aliases[int(t.Pos)]
		}
		return true
	})
}

// Package cp01_keywords implements CP01 (capitalisation.keywords): keywords are capitalised
// consistently, or as capitalisation_policy says.
package cp01_keywords

import "github.com/dataops-dev/dataops/internal/lint"

// Rule is CP01.
var Rule lint.Rule = rule{}

type rule struct{}

var meta = &lint.Meta{
	Code: "CP01", Name: "capitalisation.keywords", Description: "Inconsistent capitalisation of keywords.",
	Groups: []string{"core", "capitalisation"}, Aliases: []string{"L010"}, Fixable: true,
	Options: []lint.Option{
		{Name: "capitalisation_policy", Default: "consistent", Doc: "consistent, upper, lower or capitalise"},
		{Name: "ignore_words", Default: "None", Doc: "comma-separated words to ignore"},
		{Name: "ignore_words_regex", Default: "None", Doc: "regular expression of words to ignore"},
	},
}

func (rule) Meta() *lint.Meta { return meta }

func (rule) Check(c *lint.Context) {
	lint.CheckCapitalisation(c, "Keywords", c.Opts.Str("capitalisation_policy"), lint.CapPolicies, func(t *lint.Tok) bool {
		return t.Role == lint.RoleKeyword || t.Role == lint.RoleDatePart
	})
}

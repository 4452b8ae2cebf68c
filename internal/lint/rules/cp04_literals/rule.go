// Package cp04_literals implements CP04 (capitalisation.literals): NULL, TRUE and FALSE are
// capitalised consistently.
package cp04_literals

import "github.com/dataops-dev/dataops/internal/lint"

// Rule is CP04.
var Rule lint.Rule = rule{}

type rule struct{}

var meta = &lint.Meta{
	Code: "CP04", Name: "capitalisation.literals", Description: "Inconsistent capitalisation of boolean/null literal.",
	Groups: []string{"core", "capitalisation"}, Aliases: []string{"L040"}, Fixable: true,
	Options: []lint.Option{
		{Name: "capitalisation_policy", Default: "consistent", Doc: "consistent, upper, lower or capitalise"},
		{Name: "ignore_words", Default: "None", Doc: "comma-separated words to ignore"},
		{Name: "ignore_words_regex", Default: "None", Doc: "regular expression of words to ignore"},
	},
}

func (rule) Meta() *lint.Meta { return meta }

func (rule) Check(c *lint.Context) {
	lint.CheckCapitalisation(c, "Boolean/null literals", c.Opts.Str("capitalisation_policy"), lint.CapPolicies, func(t *lint.Tok) bool {
		return t.Role == lint.RoleNull || t.Role == lint.RoleBool
	})
}
